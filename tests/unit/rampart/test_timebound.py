"""Time-bound grants: policy names and the DateLessThan copy of a policy document."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rampart.errors import PolicyRefused
from rampart.model import ACCOUNT, NewPolicy, PolicyRef, PolicyType
from rampart.planning import (
    MAX_DOCUMENT,
    allow_bounds,
    create_policy_document,
    is_timebound_name,
    iso_z,
    timebound_document,
    timebound_policy_name,
    timebound_prefix,
)

UNTIL_AT = datetime(2025, 6, 1, 16, 0, tzinfo=timezone.utc)
READONLY = PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")
RAM_POLICY_NAME = re.compile(r"^[A-Za-z0-9-]{1,128}$")
USER_NAMES = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)


def doc(*statements: Mapping[str, object]) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


ALLOW = {"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": "*"}


# --- names -------------------------------------------------------------------------------


def test_name_is_deterministic_and_readable() -> None:
    name = timebound_policy_name("alice.smith", "arms-full", READONLY, UNTIL_AT)
    assert name == timebound_policy_name("alice.smith", "arms-full", READONLY, UNTIL_AT)
    assert name.startswith("rampart-tb-")
    assert "alice-smith" in name and "arms-full" in name


def test_names_of_look_alike_users_differ() -> None:
    assert timebound_policy_name("a.b", "p", READONLY, UNTIL_AT) != timebound_policy_name("a_b", "p", READONLY, UNTIL_AT)
    assert timebound_prefix("a.b") != timebound_prefix("a_b")


def test_a_new_end_time_makes_a_new_policy() -> None:
    later = UNTIL_AT + timedelta(hours=1)
    assert timebound_policy_name("alice", "p", READONLY, UNTIL_AT) != timebound_policy_name("alice", "p", READONLY, later)


def test_each_source_policy_of_a_profile_gets_its_own_name() -> None:
    other = PolicyRef(PolicyType.CUSTOM, "rampart-arms-readtraceapp")
    assert timebound_policy_name("alice", "p", READONLY, UNTIL_AT) != timebound_policy_name("alice", "p", other, UNTIL_AT)


@given(USER_NAMES, st.from_regex(r"[a-z0-9][a-z0-9-]{0,62}", fullmatch=True))
def test_names_fit_ram_and_start_with_the_users_prefix(user: str, profile: str) -> None:
    name = timebound_policy_name(user, profile, READONLY, UNTIL_AT)
    assert RAM_POLICY_NAME.match(name)
    assert name.startswith(timebound_prefix(user))
    assert is_timebound_name(user, name)


@given(USER_NAMES, USER_NAMES)
def test_one_users_prefix_never_matches_another_users_names(a: str, b: str) -> None:
    if a != b:
        assert not is_timebound_name(a, timebound_policy_name(b, "p", READONLY, UNTIL_AT))


# --- documents ---------------------------------------------------------------------------


def test_allow_statements_get_the_official_condition() -> None:
    out = json.loads(timebound_document(doc(ALLOW), UNTIL_AT))
    assert out["Version"] == "1"
    assert out["Statement"][0]["Condition"] == {"DateLessThan": {"acs:CurrentTime": "2025-06-01T16:00:00Z"}}
    assert out["Statement"][0]["Action"] == "arms:ReadTraceApp"


def test_deny_statements_are_copied_unconditioned() -> None:
    deny = {"Effect": "Deny", "Action": "ram:*", "Resource": "*"}
    out = json.loads(timebound_document(doc(ALLOW, deny), UNTIL_AT))
    assert out["Statement"][1] == deny


def test_existing_conditions_are_kept_beside_ours() -> None:
    allow = {**ALLOW, "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}}
    out = json.loads(timebound_document(doc(allow), UNTIL_AT))
    assert out["Statement"][0]["Condition"] == {
        "IpAddress": {"acs:SourceIp": "10.0.0.0/8"},
        "DateLessThan": {"acs:CurrentTime": "2025-06-01T16:00:00Z"},
    }


def test_an_earlier_existing_end_is_kept() -> None:
    allow = {**ALLOW, "Condition": {"DateLessThan": {"acs:CurrentTime": "2025-06-01T10:00:00+08:00"}}}
    out = json.loads(timebound_document(doc(allow), UNTIL_AT))
    assert out["Statement"][0]["Condition"]["DateLessThan"] == {"acs:CurrentTime": "2025-06-01T02:00:00Z"}


def test_a_later_existing_end_is_narrowed_to_the_grant() -> None:
    allow = {**ALLOW, "Condition": {"DateLessThan": {"acs:currenttime": ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]}}}
    out = json.loads(timebound_document(doc(allow), UNTIL_AT))
    assert out["Statement"][0]["Condition"]["DateLessThan"] == {"acs:CurrentTime": "2025-06-01T16:00:00Z"}


def test_a_single_statement_object_is_accepted() -> None:
    source = json.dumps({"Version": "1", "Statement": ALLOW})
    assert allow_bounds(timebound_document(source, UNTIL_AT)) == [UNTIL_AT]


def test_an_unreadable_time_is_refused_rather_than_guessed() -> None:
    allow = {**ALLOW, "Condition": {"DateLessThan": {"acs:CurrentTime": "soon"}}}
    with pytest.raises(PolicyRefused, match="not a time"):
        timebound_document(doc(allow), UNTIL_AT)


@pytest.mark.parametrize("source", ["not json", "[]", json.dumps({"Version": "1"}), json.dumps({"Statement": [1]})])
def test_a_malformed_source_is_refused(source: str) -> None:
    with pytest.raises(PolicyRefused, match="cannot make"):
        timebound_document(source, UNTIL_AT, source="System:X")


def test_a_copy_over_ram_s_limit_is_refused_with_the_fix() -> None:
    actions = [f"ecs:Describe{i:05d}" for i in range(400)]
    with pytest.raises(PolicyRefused) as caught:
        timebound_document(doc({**ALLOW, "Action": actions}), UNTIL_AT, source="System:AliyunECSFullAccess")
    assert "6,144" in str(caught.value) and "System:AliyunECSFullAccess" in str(caught.value)
    assert caught.value.hint


def test_the_copy_is_compact_to_fit_the_limit() -> None:
    assert len(timebound_document(doc(ALLOW), UNTIL_AT)) < MAX_DOCUMENT
    assert " " not in timebound_document(doc(ALLOW), UNTIL_AT)


def test_iso_z_uses_utc_and_whole_seconds() -> None:
    local = datetime(2025, 6, 1, 20, 0, 0, 500, tzinfo=timezone(timedelta(hours=8)))
    assert iso_z(local) == "2025-06-01T12:00:00Z"


def test_create_policy_document_prefers_the_planned_document() -> None:
    detail = NewPolicy("rampart-tb-x", PolicyRef(PolicyType.SYSTEM, "X"), "p", UNTIL_AT, ACCOUNT, "", "planned")
    assert create_policy_document(detail, lambda ref: pytest.fail("must not fetch")) == "planned"


def test_create_policy_document_copies_the_fetched_source() -> None:
    fetched: list[PolicyRef] = []

    def fetch(ref: PolicyRef) -> str:
        fetched.append(ref)
        return doc(ALLOW)

    detail = NewPolicy("rampart-tb-x", READONLY, "p", UNTIL_AT, ACCOUNT, "")
    assert allow_bounds(create_policy_document(detail, fetch)) == [UNTIL_AT]
    assert fetched == [READONLY]
