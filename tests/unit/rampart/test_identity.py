"""Logon names, display names, collisions, the logon principal and one access mode per user."""

from __future__ import annotations

import pytest
from rampart.errors import EventError, PolicyRefused
from rampart.model import AccessMode, CatalogOptions, Person
from rampart.naming import (
    access_modes,
    access_plan,
    api_user_name,
    console_login_url,
    derive_user_name,
    display_name_for,
    logon_principal,
    resolve_collision,
    validate_display_name,
    validate_user_name,
)

CONSOLE, PROGRAMMATIC = AccessMode.CONSOLE, AccessMode.PROGRAMMATIC


def person(display_name: str = "Alice Wong", **fields: object) -> Person:
    return Person(person_id=str(fields.pop("person_id", "E1001")), display_name=display_name, **fields)  # type: ignore[arg-type]


# --- user names --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "alice.wong", "Alice_W-1", "x" * 64, "1.2.3"])
def test_valid_user_names(name: str) -> None:
    assert validate_user_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65])
def test_user_name_length(name: str) -> None:
    with pytest.raises(EventError, match="1-64 characters") as info:
        validate_user_name(name)
    assert info.value.hint


@pytest.mark.parametrize(
    ("name", "bad"), [("alice wong", " "), ("alice@corp", "@"), ("jos\u00e9", "\u00e9"), ("a/b", "/")]
)
def test_user_name_invalid_characters_named(name: str, bad: str) -> None:
    with pytest.raises(EventError) as info:
        validate_user_name(name)
    assert repr(bad) in info.value.message
    assert "letters, digits, '.', '-' and '_'" in info.value.hint


def test_explicit_user_name_kept_as_given() -> None:
    assert derive_user_name(person(user_name="Alice.W", email="x@y.com")) == "Alice.W"


def test_explicit_invalid_user_name_refused() -> None:
    with pytest.raises(EventError):
        derive_user_name(person(user_name="alice wong"))


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("alice.wong@example.com", "alice.wong"),
        ("Alice.Wong@Example.com", "alice.wong"),
        ("alice+arms@example.com", "alice"),
        ("first_last@example.com", "first_last"),
        ("a..b@example.com", "a.b"),
        ("j\u00f6rg@example.de", "jorg"),
        (".alice.@example.com", "alice"),
    ],
)
def test_name_from_email_local_part(email: str, expected: str) -> None:
    assert derive_user_name(person(display_name="Someone Else", email=email)) == expected


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Alice Wong", "alice.wong"),
        ("Jos\u00e9 M\u00fcller", "jose.muller"),
        ("Stra\u00dfe \u0152uvre", "strasse.oeuvre"),
        ("S\u00f8ren \u0141ukasz", "soren.lukasz"),
        ("O'Brien, Se\u00e1n", "obrien.sean"),
        ("  Mary   Jane  ", "mary.jane"),
        ("Mary-Jane  O'Neil", "mary-jane.oneil"),
        ("\uff21\uff4c\uff49\uff43\uff45", "alice"),  # full-width letters fold under NFKD
    ],
)
def test_name_from_display_name(display: str, expected: str) -> None:
    assert derive_user_name(person(display_name=display)) == expected


def test_cjk_name_without_email_falls_back_to_person_id() -> None:
    assert derive_user_name(person(display_name="\u738b\u4f1f", person_id="E-2001")) == "e-2001"


def test_cjk_name_with_email_uses_email() -> None:
    assert derive_user_name(person(display_name="\u738b\u4f1f", email="wang.wei@example.cn")) == "wang.wei"


def test_nothing_usable_is_refused_with_a_fix() -> None:
    with pytest.raises(EventError, match="cannot derive") as info:
        derive_user_name(person(display_name="\u738b\u4f1f", person_id="\u5458\u5de5"))
    assert "user_name" in info.value.hint


def test_long_names_trimmed_to_64_without_trailing_separator() -> None:
    name = derive_user_name(person(display_name="a" * 63 + " b" + "c" * 10))
    assert len(name) <= 64
    assert name == "a" * 63
    assert validate_user_name(name) == name


# --- display names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Alice Wong", "\u738b\u4f1f", "Jos\u00e9 M\u00fcller", "ops@example.com", "a.b_c-d", "x" * 128]
)
def test_valid_display_names(name: str) -> None:
    assert validate_display_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 129])
def test_display_name_length(name: str) -> None:
    with pytest.raises(EventError, match="1-128"):
        validate_display_name(name)


@pytest.mark.parametrize("name", ["O'Brien", "Wong, Alice", "Ops (EU)", "Alice\nWong", "rocket \U0001f680"])
def test_display_name_refuses_characters_ram_refuses(name: str) -> None:
    with pytest.raises(EventError, match="characters RAM refuses"):
        validate_display_name(name)


@pytest.mark.parametrize("name", [" Alice", "Alice ", "Alice  Wong"])
def test_display_name_refuses_stray_spaces(name: str) -> None:
    with pytest.raises(EventError, match="spaces"):
        validate_display_name(name)


@pytest.mark.parametrize(
    ("hr_name", "expected"),
    [
        ("Alice Wong", "Alice Wong"),
        ("O'Brien, Se\u00e1n (Ops)", "O Brien Se\u00e1n Ops"),
        ("\u738b\u4f1f", "\u738b\u4f1f"),
        ("  Mary \t Jane ", "Mary Jane"),
        ("Jose\u0301", "Jos\u00e9"),  # NFC: a combining accent joins its letter
    ],
)
def test_display_name_for_keeps_the_persons_name_ram_safe(hr_name: str, expected: str) -> None:
    result = display_name_for(person(display_name=hr_name))
    assert result == expected
    assert validate_display_name(result) == result


def test_display_name_for_trims_to_128() -> None:
    result = display_name_for(person(display_name="Ab " * 60))
    assert len(result) <= 128
    validate_display_name(result)


def test_display_name_for_nothing_left_uses_the_logon_name() -> None:
    assert display_name_for(person(display_name="!!! ???", email="bob@example.com")) == "bob"


# --- collisions --------------------------------------------------------------------------


def test_free_name_is_kept() -> None:
    assert resolve_collision("alice", dict[str, str]().get, "E1") == "alice"


def test_name_already_this_persons_is_kept() -> None:
    assert resolve_collision("alice", {"alice": "E1"}.get, "E1") == "alice"


def test_taken_name_gets_the_next_number() -> None:
    owners = {"alice": "E9", "alice2": "E8"}
    assert resolve_collision("alice", owners.get, "E1") == "alice3"


def test_this_persons_numbered_name_is_found_again() -> None:
    owners = {"alice": "E9", "alice2": "E1"}
    assert resolve_collision("alice", owners.get, "E1") == "alice2"


def test_unmanaged_user_is_never_taken_over() -> None:
    assert resolve_collision("alice", {"alice": ""}.get, "") == "alice2"


def test_collision_on_a_64_character_name_stays_within_64() -> None:
    base = "a" * 64
    result = resolve_collision(base, {base: "E9"}.get, "E1")
    assert result == "a" * 63 + "2"
    assert len(result) == 64


def test_collision_suffix_never_leaves_a_separator_before_the_number() -> None:
    base = "a" * 62 + ".b"
    result = resolve_collision(base, {base: "E9"}.get, "E1")
    assert result == "a" * 62 + "2"


def test_collision_is_deterministic() -> None:
    owners = {"bob": "E2", "bob2": "E3"}
    assert {resolve_collision("bob", owners.get, "E1") for _ in range(5)} == {"bob3"}


def test_collision_gives_up_with_a_fix() -> None:
    with pytest.raises(EventError, match="no free logon name") as info:
        resolve_collision("bob", lambda name: "someone", "E1")
    assert "user_name" in info.value.hint


# --- principal and logon page ------------------------------------------------------------


def test_logon_principal() -> None:
    assert logon_principal("alice.wong", "myco.onaliyun.com") == "alice.wong@myco.onaliyun.com"


def test_logon_principal_lowercases_the_domain() -> None:
    assert logon_principal("alice", " MyCo.OnAliyun.com ") == "alice@myco.onaliyun.com"


@pytest.mark.parametrize("domain", ["", "bad domain", "a..b", "x@y.com", "-x.com"])
def test_bad_default_domain(domain: str) -> None:
    with pytest.raises(EventError, match="default domain") as info:
        logon_principal("alice", domain)
    assert "GetDefaultDomain" in info.value.hint


def test_console_login_url() -> None:
    assert console_login_url("myco.onaliyun.com") == "https://signin.aliyun.com/myco.onaliyun.com/login.htm"


# --- access modes ------------------------------------------------------------------------


def test_person_request_beats_rule_and_default() -> None:
    options = CatalogOptions(default_access=CONSOLE)
    assert access_modes(person(access=(PROGRAMMATIC,)), CONSOLE, options) == (PROGRAMMATIC,)


def test_rule_beats_default() -> None:
    assert access_modes(person(), PROGRAMMATIC, CatalogOptions()) == (PROGRAMMATIC,)


def test_default_when_nobody_says() -> None:
    assert access_modes(person(), None, CatalogOptions(default_access=PROGRAMMATIC)) == (PROGRAMMATIC,)


def test_one_mode_one_user() -> None:
    assert access_plan(person(), None, CatalogOptions()) == [("alice.wong", CONSOLE)]


def test_resolved_user_name_is_used() -> None:
    assert access_plan(person(), PROGRAMMATIC, CatalogOptions(), user_name="alice.wong2") == [
        ("alice.wong2", PROGRAMMATIC)
    ]


def test_both_modes_refused_with_a_clear_message() -> None:
    with pytest.raises(PolicyRefused) as info:
        access_plan(person(access=(CONSOLE, PROGRAMMATIC)), None, CatalogOptions())
    assert "both console and programmatic" in info.value.message
    assert "split_access_modes" in info.value.hint
    assert "alice.wong-api" in info.value.hint


def test_both_modes_split_into_two_users() -> None:
    plan = access_plan(person(access=(PROGRAMMATIC, CONSOLE)), None, CatalogOptions(split_access_modes=True))
    assert plan == [("alice.wong", CONSOLE), ("alice.wong-api", PROGRAMMATIC)]


def test_split_of_a_64_character_name_fits() -> None:
    name = "b" * 64
    plan = access_plan(
        person(user_name=name, access=(CONSOLE, PROGRAMMATIC)), None, CatalogOptions(split_access_modes=True)
    )
    assert plan == [(name, CONSOLE), ("b" * 60 + "-api", PROGRAMMATIC)]


def test_api_user_name_drops_a_trailing_separator_before_the_suffix() -> None:
    assert api_user_name("a" * 59 + ".xyzw") == "a" * 59 + "-api"


def test_duplicate_request_of_one_mode_is_one_mode() -> None:
    assert access_plan(person(access=(CONSOLE, CONSOLE)), None, CatalogOptions()) == [("alice.wong", CONSOLE)]
