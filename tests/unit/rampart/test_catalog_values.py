"""The catalog's value types: ISO 8601 durations, policy documents, high-risk policies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rampart.catalog import (
    HIGH_RISK_SYSTEM_POLICIES,
    document_is_high_risk,
    high_risk_actions,
    is_high_risk,
    policy_document,
)
from rampart.durations import format_duration, parse_duration
from rampart.model import PolicyRef, PolicyType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P30D", timedelta(days=30)),
        ("PT4H", timedelta(hours=4)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT90M", timedelta(minutes=90)),
        ("PT30S", timedelta(seconds=30)),
        ("P2W", timedelta(weeks=2)),
        ("p7d", timedelta(days=7)),
        ("P0D", timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "30D", "P1.5D", "P-1D", "", "PT4H30", "4h"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M3D"])
def test_years_and_months_refused_with_reason(text: str) -> None:
    with pytest.raises(ValueError, match="years or months"):
        parse_duration(text)


def test_format_duration_examples() -> None:
    assert format_duration(timedelta(days=30)) == "P30D"
    assert format_duration(timedelta(hours=4)) == "PT4H"
    assert format_duration(timedelta(days=1, hours=12, seconds=5)) == "P1DT12H5S"
    assert format_duration(timedelta(0)) == "PT0S"


def test_format_negative_duration_refused() -> None:
    with pytest.raises(ValueError):
        format_duration(timedelta(seconds=-1))


@given(st.integers(min_value=0, max_value=10**9))
def test_duration_round_trip(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


# --- policy documents --------------------------------------------------------------------


def test_valid_document_returns_compact_json_and_no_problems() -> None:
    compact, problems = policy_document.check(
        {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": "*"}]}
    )
    assert problems == []
    assert compact == '{"Version":"1","Statement":[{"Effect":"Allow","Action":"arms:ReadTraceApp","Resource":"*"}]}'


def test_timebound_document_is_valid() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "arms:ReadTraceApp",
        "Resource": "acs:arms:cn-hangzhou:*:armsapp/my-app",
        "Condition": {"DateLessThan": {"acs:CurrentTime": "2025-12-31T17:00:00+08:00"}},
    }
    assert policy_document.check({"Version": "1", "Statement": [statement]})[1] == []


def test_every_problem_has_a_fix() -> None:
    _, problems = policy_document.check({"Version": 2, "Statement": [{"Effect": "Maybe"}], "Extra": 1})
    assert len(problems) >= 4
    assert all(fix for _, _, fix in problems)


def test_length_counts_compact_json_not_the_source() -> None:
    padded = '{"Version": "1",' + " " * 7000 + '"Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*"}]}'
    assert policy_document.check(padded)[1] == []


# --- high risk ---------------------------------------------------------------------------


def test_high_risk_list_has_the_issue_minimum() -> None:
    assert {
        "AdministratorAccess",
        "AliyunRAMFullAccess",
        "AliyunSTSAssumeRoleAccess",
        "AliyunResourceManagerFullAccess",
        "AliyunKMSFullAccess",
        "AliyunActionTrailFullAccess",
        "AliyunLogFullAccess",
    } <= HIGH_RISK_SYSTEM_POLICIES


def test_is_high_risk_for_system_refs_and_names() -> None:
    assert is_high_risk(PolicyRef(PolicyType.SYSTEM, "AdministratorAccess"))
    assert is_high_risk("AliyunKMSFullAccess")
    assert not is_high_risk(PolicyRef(PolicyType.SYSTEM, "AliyunARMSFullAccess"))


def test_look_alike_in_other_case_is_high_risk() -> None:
    assert is_high_risk("administratoraccess")


def test_custom_ref_is_never_high_risk_by_name() -> None:
    assert not is_high_risk(PolicyRef(PolicyType.CUSTOM, "AdministratorAccess"))


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, ["*"]),
        ({"Effect": "Allow", "Action": ["kms:*", "arms:*"], "Resource": "*"}, ["kms:*"]),
        ({"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"}, ["NotAction"]),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": "arms:*", "Resource": "*"}, []),
    ],
)
def test_high_risk_actions_of_documents(statement: dict[str, object], expected: list[str]) -> None:
    document = {"Version": "1", "Statement": [statement]}
    assert high_risk_actions(document) == expected
    assert document_is_high_risk(document) is bool(expected)


def test_high_risk_document_as_json_string() -> None:
    assert document_is_high_risk('{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}')
