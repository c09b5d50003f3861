"""The pure pieces behind the hostile-input fixes (issue 6, deliverable 3): the ticket receiver's
grant check (the engine's rules, before the hand-off), the catalog data limits, and the
validators that a trailing newline, an overflowing duration or a year-10000 time used to get
past or crash."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.catalog import MAX_DEPTH, MAX_EXPANDED, first_problem, parse_catalog
from rampart.config import EXAMPLE_CATALOG
from rampart.durations import parse_duration
from rampart.errors import EventError, PolicyRefused, UnknownProfile
from rampart.events import EventErrors, parse_event, parse_time
from rampart.naming import validate_user_name
from rampart.planning import check_not_grantee
from rampart.sources import grant_duration, stable_id
from rampart.sources.ticket import check_grants

CATALOG = parse_catalog(yaml.safe_load(EXAMPLE_CATALOG.read_text()), "example.yaml")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def grant(profile: str, *, until: timedelta | None = timedelta(hours=2), approver: str = "cto",
          requester: str = "dana", user: str = "alice.wong", status: str = "approved") -> Any:
    data: dict[str, Any] = {
        "event_id": "t-1", "kind": "grant", "occurred_at": "2026-03-02T09:00:00Z", "source": "ticket:generic",
        "user_name": user, "profile": profile,
        "approval": {"ticket_id": "OPS-1", "status": status, "requester": requester, "approver": approver},
    }
    if until is not None:
        data["until"] = (NOW + until).isoformat()
    return parse_event(data)


# --- the ticket receiver's grant check ---------------------------------------------------------


def test_a_grant_the_catalog_allows_passes() -> None:
    check_grants(CATALOG, [grant("break-glass-admin")], NOW)
    check_grants(CATALOG, [grant("arms-full", until=None, approver="bob")], NOW)


@pytest.mark.parametrize(("event", "error", "words"), [
    (grant("break-glass-admin", until=None), PolicyRefused, "time-bound"),
    (grant("break-glass-admin", until=timedelta(hours=5)), PolicyRefused, "max_duration"),
    (grant("break-glass-admin", approver="bob"), PolicyRefused, "may not approve"),
    (grant("arms-full", approver="dana"), PolicyRefused, "their own request"),
    (grant("arms-full", approver="Alice.Wong"), PolicyRefused, "their own access"),
    (grant("arms-full", approver="bob", status="pending"), PolicyRefused, "not approved"),
    (grant("nope"), UnknownProfile, "not in the catalog"),
])
def test_a_grant_the_catalog_refuses_is_refused_with_the_engine_s_words(event: Any, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        check_grants(CATALOG, [event], NOW)


def test_revocations_and_hr_events_pass_untouched() -> None:
    revoke = parse_event({"event_id": "r-1", "kind": "revoke", "occurred_at": "2026-03-02T09:00:00Z",
                          "source": "ticket:jira", "user_name": "x", "profile": "nope"})
    check_grants(CATALOG, [revoke], NOW)


def test_the_grantee_rule_is_the_cli_s() -> None:
    with pytest.raises(PolicyRefused, match="cannot approve their own access"):
        check_not_grantee("OPS-1", " E1001 ", ["", "e1001"])
    check_not_grantee("OPS-1", "bob", ["alice", ""])


# --- the validators -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alice\n", "alice\r\n", "\nalice", "ali\nce", "alice\x00"])
def test_a_logon_name_with_a_newline_is_refused(name: str) -> None:
    with pytest.raises(EventError):
        validate_user_name(name)


@pytest.mark.parametrize(("key", "value"), [
    ("event_id", "e-1\n"), ("person_id", "E1001\n"), ("user_name", "alice\n"), ("profile", "arms-full\n"),
    ("occurred_at", "2026-03-02T09:00:00\x00Z"), ("occurred_at", "2026-03-02\x0009:00:00Z"),
    ("occurred_at", "2026-W10-1T09:00:00+00:00"), ("occurred_at", "9999-12-31T23:59:59-01:00"),
])
def test_an_event_field_with_a_trailing_newline_or_an_odd_time_is_refused(key: str, value: str) -> None:
    data = {"event_id": "e-1", "kind": "revoke", "occurred_at": "2026-03-02T09:00:00Z", "source": "cli",
            "user_name": "alice", "profile": "arms-full", key: value}
    with pytest.raises(EventErrors) as caught:
        parse_event(data)
    assert key in {path.split(".")[0] for path, _, _ in caught.value.problems}


@pytest.mark.parametrize("text", ["P99999999999999999999D", "PT99999999999999999999H", "P9999999999W"])
def test_a_duration_past_timedelta_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="longer than any calendar"):
        parse_duration(text)
    with pytest.raises(ValueError):
        grant_duration(text)


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_time_outside_utc_years_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="outside the years"):
        parse_time(text)


def test_an_id_with_a_trailing_newline_is_hashed_not_kept() -> None:
    assert stable_id("hr-feishu", "abc") == "hr-feishu-abc"
    assert stable_id("hr-feishu", "abc\n").startswith("hr-feishu-") and "\n" not in stable_id("hr-feishu", "abc\n")


# --- the catalog data limits ----------------------------------------------------------------------


def test_an_alias_bomb_is_measured_without_expanding_it() -> None:
    node: Any = ["lol"] * 10
    for _ in range(12):  # 10**13 strings once expanded
        node = [node] * 10
    found = first_problem({"profiles": {"p": {"description": node}}})
    assert found is not None and found[0].startswith("profiles.p.description") and "expands" in found[1]


def test_a_value_that_contains_itself_is_found() -> None:
    loop: list[Any] = ["a"]
    loop.append(loop)
    assert first_problem({"rules": [loop]}) == ("rules[0][1]", "contains itself (a YAML alias inside its own anchor)",
                                                "remove the alias")


def test_nesting_and_numbers_have_limits() -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    assert first_problem({"a": deep}) is not None
    assert first_problem({"version": 2**300}) == ("version", "is a number of 301 bits, too large for any setting",
                                                  "remove it")


@settings(max_examples=50, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=30))
def test_ordinary_data_is_within_the_limits(data: Any) -> None:
    assert first_problem(data) is None


def test_the_example_catalog_is_far_within_the_limits() -> None:
    assert first_problem(yaml.safe_load(EXAMPLE_CATALOG.read_text())) is None
    assert 4 * len(EXAMPLE_CATALOG.read_text()) < MAX_EXPANDED
