"""Properties: whatever HR sends, a derived logon name is valid for RAM or the derivation says
why not; a cleaned display name is always valid; collisions always yield a free valid name."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.errors import EventError
from rampart.model import AccessMode, CatalogOptions, Person
from rampart.naming import (
    access_plan,
    api_user_name,
    derive_user_name,
    display_name_for,
    resolve_collision,
    validate_display_name,
    validate_user_name,
)

names = st.text(min_size=1, max_size=200)
emails = st.one_of(
    st.just(""),
    st.builds(lambda local, domain: f"{local}@{domain}.com", st.text(max_size=80), st.text(min_size=1, max_size=10)),
)
person_ids = st.text(min_size=1, max_size=64)
valid_user_names = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)


@settings(max_examples=400)
@given(display=names, email=emails, person_id=person_ids)
def test_derived_name_is_valid_or_refused(display: str, email: str, person_id: str) -> None:
    person = Person(person_id=person_id, display_name=display, email=email)
    try:
        name = derive_user_name(person)
    except EventError as exc:
        assert exc.hint
        return
    assert validate_user_name(name) == name
    assert name == name.lower()
    assert name[0] not in "._-" and name[-1] not in "._-"


@given(display=names, email=emails, person_id=person_ids)
def test_derivation_is_deterministic(display: str, email: str, person_id: str) -> None:
    person = Person(person_id=person_id, display_name=display, email=email)
    try:
        first = derive_user_name(person)
    except EventError:
        return
    assert derive_user_name(person) == first


@settings(max_examples=300)
@given(display=names)
def test_display_name_for_is_always_valid(display: str) -> None:
    person = Person(person_id="E1", display_name=display)
    assert validate_display_name(display_name_for(person))


@given(base=valid_user_names, taken=st.integers(min_value=0, max_value=30))
def test_collision_gives_a_free_valid_name(base: str, taken: int) -> None:
    owners: dict[str, str] = {}
    for _ in range(taken):
        owners[resolve_collision(base, owners.get, "other")] = "other"
    result = resolve_collision(base, owners.get, "me")
    assert validate_user_name(result) == result
    assert result not in owners


@given(base=valid_user_names)
def test_api_twin_is_valid_and_distinct(base: str) -> None:
    twin = api_user_name(base)
    assert validate_user_name(twin) == twin
    assert twin != base
    assert twin.endswith("-api")


@given(user_name=valid_user_names, split=st.booleans(), modes=st.lists(st.sampled_from(AccessMode), max_size=2))
def test_access_plan_gives_one_mode_per_user(user_name: str, split: bool, modes: list[AccessMode]) -> None:
    person = Person(person_id="E1", display_name="x", user_name=user_name, access=tuple(modes))
    try:
        plan = access_plan(person, None, CatalogOptions(split_access_modes=split))
    except EventError:
        assert not split and len(set(modes)) == 2
        return
    users = [name for name, _ in plan]
    assert len(users) == len(set(users))
    assert len({mode for _, mode in plan}) == len(plan)
