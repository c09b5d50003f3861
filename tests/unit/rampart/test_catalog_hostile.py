"""Hostile catalog files through ``load_catalog`` (issue 6, deliverable 3): generated YAML and
JSON with wrong types, missing and unknown keys, huge strings, unicode and control characters,
invalid policy names, bad durations, duplicate and cyclic profiles, YAML alias bombs and
self-containing anchors, deep nesting, huge numbers and ``!!python`` tags.

The properties: ``load_catalog`` returns a :class:`Catalog` or raises a ``CatalogError`` (the
catalog's own ``RampartError``) naming the file and the field, each problem on one printable
line of bounded length; never another exception, never a hang (an alias bomb here expands to
10**12 values: without the limit, ``repr`` in a message would never finish); no tag runs code.
Valid catalogs round-trip through YAML and JSON to the same catalog.

Complements test_catalog_properties.py (junk values through ``parse_catalog``): this file
goes through the file reader, where YAML's own features are the attack.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rampart.catalog import MAX_DEPTH, MAX_EXPANDED, MAX_PROBLEMS, CatalogErrors, load_catalog, parse_catalog
from rampart.config import EXAMPLE_CATALOG
from rampart.errors import CatalogError, RampartError
from rampart.model import Catalog

HOSTILE = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXAMPLE_TEXT = EXAMPLE_CATALOG.read_text(encoding="utf-8")
EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TEXT)
_DIR = Path(tempfile.mkdtemp(prefix="rampart-catalog-hostile-"))
_COUNT = iter(range(10**9))


def write(text: str | bytes, suffix: str = ".yaml") -> Path:
    path = _DIR / f"catalog-{next(_COUNT)}{suffix}"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    return path


def outcome(path: Path) -> Catalog | CatalogError:
    """The catalog, or its CatalogError after checking what every refusal must be."""
    try:
        return load_catalog(path)
    except CatalogError as exc:
        check_error(exc, str(path))
        return exc


def check_error(exc: CatalogError, file: str) -> None:
    assert isinstance(exc, RampartError)
    errors = exc.errors if isinstance(exc, CatalogErrors) else (exc,)
    assert 1 <= len(errors) <= MAX_PROBLEMS
    for error in errors:
        assert error.file == file
        assert error.problem.strip()
        for part in (error.path, error.problem):
            assert part.isprintable(), repr(part)  # one line: a key cannot forge another message line
            assert len(part) <= 300
    assert str(exc)


def paths_of(exc: CatalogError) -> list[str]:
    return [e.path for e in (exc.errors if isinstance(exc, CatalogErrors) else (exc,))]


def dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


EXAMPLE_PATHS = _paths(EXAMPLE)


def replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


# --- any text, any bytes ------------------------------------------------------------------------


@HOSTILE
@given(text=st.text(max_size=300) | st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".yml", ".json"]))
def test_any_file_content_is_a_catalog_or_a_catalog_error(text: str | bytes, suffix: str) -> None:
    outcome(write(text, suffix))


@HOSTILE
@given(cut=st.integers(0, len(EXAMPLE_TEXT)), junk=st.text(max_size=20))
def test_the_example_cut_or_spliced_anywhere_is_a_catalog_or_a_catalog_error(cut: int, junk: str) -> None:
    outcome(write(EXAMPLE_TEXT[:cut] + junk + EXAMPLE_TEXT[cut:]))
    outcome(write(EXAMPLE_TEXT[:cut]))


# --- hostile values where the example has its values ----------------------------------------------

scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
           | st.text(max_size=40) | st.binary(max_size=10) | st.dates() | st.datetimes())
junk = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
hostile_values = st.one_of(
    junk,
    st.text(min_size=1000, max_size=5000),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Co"]), min_size=1, max_size=10),
    st.sampled_from([
        "AdministratorAccess", "AliyunRAMFullAccess", "administratoraccess", "Aliyun ECS", "ecs:*", "a\nb", "\x00",
        "AliyunECSReadOnlyAccess\n", "../x", "%2e%2e", "x" * 129, "P1Y", "P1M", "PT0S", "-P1D", "P", "PT", "P1DT",
        "P99999999999999999999D", "P1.5D", "PT4H ", "4h", "rg-", "rg-../x", "acs:ram::*:role/*", "*", "", " ",
        "NO", "yes", "~", "null", "1e999", "0x10", "\u202eevil", "\uff41\uff44\uff4d\uff49\uff4e", "😀",
    ]),
    st.integers(-(2**300), 2**300),
)


@settings(HOSTILE, max_examples=200)
@given(path=st.sampled_from(EXAMPLE_PATHS), value=hostile_values, fmt=st.sampled_from(["yaml", "json"]))
def test_a_hostile_value_is_refused_naming_its_field(path: tuple[Any, ...], value: Any, fmt: str) -> None:
    data = replaced(path, value)
    if fmt == "json":
        try:
            text = json.dumps(data, default=str)
        except ValueError:  # NaN and the like: the YAML form carries them
            return
    else:
        text = yaml.safe_dump(data, allow_unicode=True)
    found = outcome(write(text, "." + fmt))
    if isinstance(found, Catalog):
        return  # the value was valid there (another description, another valid name)
    # a problem is named at the field or inside its owner (the profile, the rule, the option)
    anchor = dotted(path[:2])
    named = [p for p in paths_of(found) if p == anchor or p.startswith((anchor + ".", anchor + "["))]
    assert named, (dotted(path), paths_of(found))


@HOSTILE
@given(name=st.one_of(
    st.text(max_size=80).filter(lambda n: re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", n) is None),
    st.sampled_from(["Arms", "arms_full", "-arms", "arms\n", "a" * 64, "../x", "a b", ""]),
))
def test_a_hostile_profile_name_is_refused(name: str) -> None:
    data = copy.deepcopy(EXAMPLE)
    data["profiles"][name] = data["profiles"].pop("arms-readonly-rg")
    data["rules"] = [r for r in data["rules"] if "arms-readonly-rg" not in r.get("profiles", [])]
    found = outcome(write(yaml.safe_dump(data, allow_unicode=True)))
    assert isinstance(found, CatalogError)
    assert any(p.startswith("profiles") for p in paths_of(found))


# --- YAML's own features ------------------------------------------------------------------------

BOMB_PLACES = {
    "description": ("profiles", "arms-readonly", "description"),
    "when": ("rules", 0, "when", "department"),
    "tag_attributes": ("options", "tag_attributes"),
    "statement": ("profiles", "arms-readonly-rg", "custom_policies", 0, "document", "Statement"),
    "approvers": ("profiles", "break-glass-admin", "approvers"),
    "rules": ("rules",),
}


def _with_anchor(path: tuple[Any, ...], anchors: str, reference: str) -> str:
    """The example as YAML with the value at ``path`` replaced by ``reference`` (an alias),
    the anchors defined before it under an unknown top-level key."""
    data = replaced(path, "@@PLACE@@")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
    return anchors + text.replace("'@@PLACE@@'", reference).replace("@@PLACE@@", reference)


@HOSTILE
@given(place=st.sampled_from(list(BOMB_PLACES)), width=st.integers(2, 12), depth=st.integers(2, 12))
def test_an_alias_bomb_is_refused_without_expanding_it(place: str, width: int, depth: int) -> None:
    lines = ["laughs:", "  l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, depth + 1):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    text = _with_anchor(BOMB_PLACES[place], "\n".join(lines) + "\n", f"*l{depth}")
    found = outcome(write(text))
    assert isinstance(found, CatalogError)
    if width ** (depth + 1) * 4 > MAX_EXPANDED:
        assert any("expands to more than" in e.problem for e in (found.errors if isinstance(found, CatalogErrors)
                                                                 else (found,)))


@HOSTILE
@given(place=st.sampled_from(list(BOMB_PLACES)), shape=st.sampled_from(["&self [*self]", "&self [a, [b, *self]]",
                                                                       "&self {k: *self}", "&self [{k: [*self]}]"]))
def test_a_value_that_contains_itself_is_refused(place: str, shape: str) -> None:
    found = outcome(write(_with_anchor(BOMB_PLACES[place], "", shape)))
    assert isinstance(found, CatalogError)
    assert any("contains itself" in e.problem or "recursive" in e.problem
               for e in (found.errors if isinstance(found, CatalogErrors) else (found,)))


@settings(HOSTILE, max_examples=20)
@given(place=st.sampled_from(list(BOMB_PLACES)), depth=st.integers(MAX_DEPTH, 1500), kind=st.sampled_from("[{"),
       fmt=st.sampled_from(["yaml", "json"]))
def test_deep_nesting_is_refused(place: str, depth: int, kind: str, fmt: str) -> None:
    deep = "[" * depth + "]" * depth if kind == "[" else '{"a": ' * depth + "1" + "}" * depth
    if fmt == "yaml":
        found = outcome(write(_with_anchor(BOMB_PLACES[place], "", deep)))
    else:
        text = json.dumps(replaced(BOMB_PLACES[place], "@@PLACE@@")).replace('"@@PLACE@@"', deep)
        found = outcome(write(text, ".json"))
    assert isinstance(found, CatalogError)


@HOSTILE
@given(place=st.sampled_from(list(BOMB_PLACES)), digits=st.integers(4301, 20000),
       form=st.sampled_from(["decimal", "hex", "octal", "binary", "json"]))
def test_a_huge_number_is_refused(place: str, digits: int, form: str) -> None:
    number = {"decimal": "9" * digits, "hex": "0x" + "f" * digits, "octal": "0o" + "7" * digits,
              "binary": "0b" + "1" * digits, "json": "9" * digits}[form]
    if form == "json":
        text = json.dumps(replaced(BOMB_PLACES[place], "@@PLACE@@")).replace('"@@PLACE@@"', number)
        found = outcome(write(text, ".json"))
    else:
        found = outcome(write(_with_anchor(BOMB_PLACES[place], "", number)))
    assert isinstance(found, CatalogError)


TAGS = [
    "!!python/object/apply:os.system ['touch {sentinel}']",
    "!!python/object/new:os.system ['touch {sentinel}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:builtins.object {{}}",
    "!!python/tuple [a, b]",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14t21:59:43.10-05:00",
    "!!timestamp 2001-13-45",
    "!!set {{a, b}}",
    "!!omap [{{a: 1}}, {{b: 2}}]",
    "!!pairs [{{a: 1}}, {{a: 2}}]",
    "!!float .nan",
    "!!int 0x" + "f" * 400,
    "!!str 42",
    "!!null ''",
    "!!bool yes",
    "!custom {{a: 1}}",
    "!<tag:example.com,2000:x> 1",
    "2001-02-30",
    "<<: {{a: 1}}",
]


@HOSTILE
@given(place=st.sampled_from(list(BOMB_PLACES)), tag=st.sampled_from(TAGS))
def test_yaml_tags_never_run_code_and_are_refused_or_read_as_data(place: str, tag: str) -> None:
    sentinel = _DIR / f"pwned-{next(_COUNT)}"
    value = tag.format(sentinel=sentinel)
    if value.startswith("<<"):
        value = "{" + value + "}"
    outcome(write(_with_anchor(BOMB_PLACES[place], "", value)))
    assert not sentinel.exists()


@HOSTILE
@given(name=st.sampled_from(["arms-readonly", "arms-full", "break-glass-admin"]), fmt=st.sampled_from(["yaml", "json"]))
def test_a_profile_given_twice_is_refused(name: str, fmt: str) -> None:
    if fmt == "yaml":
        text = EXAMPLE_TEXT.replace("profiles:\n", f"profiles:\n  {name}:\n    description: twin\n    policies: []\n", 1)
    else:
        body = json.dumps(EXAMPLE)
        text = body.replace('"profiles": {', f'"profiles": {{"{name}": {{"description": "twin"}}, ', 1)
    found = outcome(write(text, "." + fmt))
    assert isinstance(found, CatalogError)
    assert "twice" in str(found)


@HOSTILE
@given(length=st.integers(1, 4), start=st.integers(0, 3))
def test_cyclic_supersedes_are_refused_naming_supersedes(length: int, start: int) -> None:
    names = ["arms-readonly", "arms-full", "arms-readonly-rg", "break-glass-admin"]
    cycle = [names[(start + i) % len(names)] for i in range(length)]
    data = copy.deepcopy(EXAMPLE)
    for profile in data["profiles"].values():
        profile.pop("supersedes", None)
    for index, name in enumerate(cycle):
        data["profiles"][name]["supersedes"] = [cycle[(index + 1) % length]]
    found = outcome(write(yaml.safe_dump(data)))
    assert isinstance(found, CatalogError)
    assert any("supersedes" in p for p in paths_of(found))


def test_a_huge_list_reports_a_bounded_number_of_problems() -> None:
    data = copy.deepcopy(EXAMPLE)
    data["rules"] = list(range(5000))
    found = outcome(write(json.dumps(data), ".json"))
    assert isinstance(found, CatalogErrors) and len(found.errors) == MAX_PROBLEMS


# --- valid catalogs round-trip ------------------------------------------------------------------

SAFE_POLICIES = ["AliyunECSReadOnlyAccess", "AliyunOSSReadOnlyAccess", "AliyunARMSReadOnlyAccess",
                 "AliyunLogReadOnlyAccess", "AliyunRDSReadOnlyAccess", "AliyunVPCReadOnlyAccess"]
profile_names = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda t: t.strip() == t and t.strip() != "")


@st.composite
def valid_catalogs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(profile_names, min_size=1, max_size=5, unique=True))
    profiles: dict[str, Any] = {}
    for name in names:
        spec: dict[str, Any] = {
            "description": draw(texts),
            "policies": [{"type": "System", "name": p}
                         for p in draw(st.lists(st.sampled_from(SAFE_POLICIES), min_size=1, max_size=3, unique=True))],
            "risk": draw(st.sampled_from(["low", "medium"])),
        }
        if draw(st.booleans()):
            spec["approval_required"] = True
            spec["approvers"] = draw(st.lists(st.from_regex(r"[a-z][a-z.-]{0,10}", fullmatch=True), max_size=3,
                                              unique=True))
        if draw(st.booleans()):
            spec["max_duration"] = draw(st.sampled_from(["PT15M", "PT4H", "P1D", "P1DT12H", "P2W"]))
        if draw(st.booleans()):
            spec["scope"] = {"resource_group": "rg-" + draw(st.from_regex(r"[a-z0-9]{4,20}", fullmatch=True))}
        profiles[name] = spec
    grantable = [n for n in names if "max_duration" not in profiles[n]]
    rules = []
    for index in range(draw(st.integers(0, 3))):
        rule: dict[str, Any] = {"name": f"rule-{index}",
                                "when": draw(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
                                                             texts, max_size=2))}
        if grantable:
            rule["profiles"] = draw(st.lists(st.sampled_from(grantable), min_size=1, max_size=2, unique=True))
        else:
            rule["access"] = "programmatic"
        rules.append(rule)
    options = draw(st.fixed_dictionaries({}, optional={
        "grace_period": st.sampled_from(["P0D", "P30D", 7]),
        "key_rotation_age": st.sampled_from(["P90D", "P1D"]),
        "default_access": st.sampled_from(["console", "programmatic"]),
        "secret_recovery_window_days": st.integers(7, 30),
        "tag_attributes": st.lists(st.sampled_from(["department", "cost_center", "team"]), max_size=3, unique=True),
    }))
    catalog: dict[str, Any] = {"version": 1, "profiles": profiles, "rules": rules}
    if options:
        catalog["options"] = options
    return catalog


@HOSTILE
@given(data=valid_catalogs())
def test_a_valid_catalog_round_trips_through_yaml_and_json(data: dict[str, Any]) -> None:
    from_yaml = load_catalog(write(yaml.safe_dump(data, allow_unicode=True), ".yaml"))
    from_json = load_catalog(write(json.dumps(data, ensure_ascii=False), ".json"))
    in_memory = parse_catalog(data, "memory")
    assert dataclasses.replace(from_yaml, source="x") == dataclasses.replace(from_json, source="x")
    assert dataclasses.replace(from_yaml, source="x") == dataclasses.replace(in_memory, source="x")
    assert set(from_yaml.profiles) == set(data["profiles"])
    for name, spec in data["profiles"].items():
        profile = from_yaml.profiles[name]
        assert profile.description == spec["description"]
        assert [ref.name for ref in profile.policies] == [p["name"] for p in spec["policies"]]
        assert profile.approvers == tuple(spec.get("approvers", ()))
    assert [rule.name for rule in from_yaml.rules] == [rule["name"] for rule in data["rules"]]


@pytest.fixture(autouse=True, scope="module")
def _cleanup() -> Iterator[None]:
    yield
    for path in _DIR.iterdir():
        path.unlink()
    _DIR.rmdir()
