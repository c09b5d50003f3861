"""The RAM policy language, as pure logic: parsing, matching, conditions, precedence."""

from __future__ import annotations

import json

import pytest

from localcloud.policy.language import AuthzRequest, PolicyError, evaluate, parse


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)})


def _decide(documents: list[str], action: str, resource: str = "acs:ram:*:1:user/alice", **context: str) -> str:
    request = AuthzRequest(action, resource, {k.replace("_", ":"): [v] for k, v in context.items()})
    decision = evaluate([(str(i), parse(d)) for i, d in enumerate(documents)], request)
    return decision.effect


def test_allow_matches_action_wildcard() -> None:
    assert _decide([_doc({"Effect": "Allow", "Action": "ram:Get*", "Resource": "*"})], "ram:GetUser") == "Allow"


def test_action_match_is_case_insensitive() -> None:
    assert _decide([_doc({"Effect": "Allow", "Action": "RAM:getuser", "Resource": "*"})], "ram:GetUser") == "Allow"


def test_no_matching_statement_is_implicit_deny() -> None:
    assert _decide([_doc({"Effect": "Allow", "Action": "ram:Get*", "Resource": "*"})], "ram:CreateUser") == (
        "ImplicitDeny"
    )


def test_explicit_deny_overrides_allow_in_another_policy() -> None:
    allow = _doc({"Effect": "Allow", "Action": "ram:*", "Resource": "*"})
    deny = _doc({"Effect": "Deny", "Action": "ram:DeleteUser", "Resource": "*"})
    assert _decide([allow, deny], "ram:DeleteUser") == "Deny"
    assert _decide([allow, deny], "ram:CreateUser") == "Allow"


def test_resource_wildcard_is_case_sensitive() -> None:
    doc = _doc({"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": "acs:arms:*:*:armsapp/k8s*"})
    assert _decide([doc], "arms:ReadTraceApp", "acs:arms:cn-hangzhou:1:armsapp/k8s-shop") == "Allow"
    assert _decide([doc], "arms:ReadTraceApp", "acs:arms:cn-hangzhou:1:armsapp/K8S-shop") == "ImplicitDeny"


def test_not_action_allows_everything_else() -> None:
    doc = _doc({"Effect": "Allow", "NotAction": "ram:*", "Resource": "*"})
    assert _decide([doc], "kms:GetSecretValue") == "Allow"
    assert _decide([doc], "ram:GetUser") == "ImplicitDeny"


def test_date_less_than_current_time_stops_at_the_expiry() -> None:
    doc = _doc({"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*",
                "Condition": {"DateLessThan": {"acs:CurrentTime": "2026-12-31T17:00:00+08:00"}}})
    assert _decide([doc], "ram:GetUser", acs_CurrentTime="2026-12-31T08:59:59Z") == "Allow"
    assert _decide([doc], "ram:GetUser", acs_CurrentTime="2026-12-31T09:00:00Z") == "ImplicitDeny"


def test_condition_values_of_one_key_are_ored() -> None:
    doc = _doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"IpAddress": {"acs:SourceIp": ["10.0.0.0/8", "127.0.0.1"]}}})
    assert _decide([doc], "ram:GetUser", acs_SourceIp="127.0.0.1") == "Allow"
    assert _decide([doc], "ram:GetUser", acs_SourceIp="192.168.1.1") == "ImplicitDeny"


def test_condition_operators_are_anded() -> None:
    doc = _doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"IpAddress": {"acs:SourceIp": "127.0.0.0/8"}, "Bool": {"acs:SecureTransport": "true"}}})
    assert _decide([doc], "ram:GetUser", acs_SourceIp="127.0.0.1", acs_SecureTransport="false") == "ImplicitDeny"
    assert _decide([doc], "ram:GetUser", acs_SourceIp="127.0.0.1", acs_SecureTransport="true") == "Allow"


def test_missing_condition_key_fails_unless_if_exists() -> None:
    strict = _doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                   "Condition": {"StringEquals": {"acs:MFAPresent": "true"}}})
    lenient = _doc({"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEqualsIfExists": {"acs:MFAPresent": "true"}}})
    assert _decide([strict], "ram:GetUser") == "ImplicitDeny"
    assert _decide([lenient], "ram:GetUser") == "Allow"


@pytest.mark.parametrize(
    ("operator", "policy_value", "actual", "expected"),
    [
        ("StringNotEquals", "a", "b", "Allow"),
        ("StringNotEquals", "a", "a", "ImplicitDeny"),
        ("StringEqualsIgnoreCase", "ABC", "abc", "Allow"),
        ("StringLike", "dev-*", "dev-1", "Allow"),
        ("StringNotLike", "dev-*", "dev-1", "ImplicitDeny"),
        ("NumericLessThan", "10", "9", "Allow"),
        ("NumericGreaterThanEquals", "10", "9", "ImplicitDeny"),
        ("DateGreaterThan", "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "Allow"),
        ("NotIpAddress", "10.0.0.0/8", "127.0.0.1", "Allow"),
    ],
)
def test_condition_operator(operator: str, policy_value: str, actual: str, expected: str) -> None:
    doc = _doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {operator: {"test:key": policy_value}}})
    assert _decide([doc], "ram:GetUser", test_key=actual) == expected


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("not json", "not valid JSON"),
        ('{"Version": "2", "Statement": []}', 'Version": "1"'),
        ('{"Version": "1", "Statement": []}', "non-empty Statement"),
        (_doc({"Effect": "Maybe", "Action": "*", "Resource": "*"}), "Allow or Deny"),
        (_doc({"Effect": "Allow", "Resource": "*"}), "Action and NotAction"),
        (_doc({"Effect": "Allow", "Action": "*"}), "Resource"),
        (_doc({"Effect": "Allow", "Action": "ramGetUser", "Resource": "*"}), "<service>:<action>"),
        (_doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bogus": {"k": "v"}}}),
         "not supported"),
        (_doc({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"DateLessThan": {"acs:CurrentTime": "tomorrow"}}}), "not a valid value"),
        (_doc({"Effect": "Allow", "Action": "*", "Resource": "*", "Extra": 1}), "unknown element"),
    ],
)
def test_malformed_documents_are_refused_with_the_reason(document: str, fragment: str) -> None:
    with pytest.raises(PolicyError, match=None) as info:
        parse(document)
    assert fragment in str(info.value)


def test_document_over_6144_characters_is_refused() -> None:
    doc = _doc({"Effect": "Allow", "Action": ["ram:GetUser"] * 600, "Resource": "*"})
    assert len(doc) > 6144
    with pytest.raises(PolicyError, match="6144"):
        parse(doc)


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("user/a[1]*", "user/a[1]x", "Allow"),
    ("user/a[1]*", "user/a1x", "ImplicitDeny"),
    ("user/a[!b]", "user/ac", "ImplicitDeny"),
    ("user/a[!b]", "user/a[!b]", "Allow"),
    ("user/[", "user/[", "Allow"),
    ("user/a?c", "user/abc", "Allow"),
    ("user/a?c", "user/ac", "ImplicitDeny"),
    ("user/a*c", "user/a.b/c", "Allow"),
    ("user/a.c", "user/abc", "ImplicitDeny"),
    ("user/a\\*", "user/a\\x", "Allow"),
])
def test_resource_wildcards_are_only_star_and_question_mark(pattern: str, value: str, expected: str) -> None:
    """RAM's Resource takes ``*`` and ``?`` only: brackets, dots and backslashes are literal."""
    doc = _doc({"Effect": "Allow", "Action": "ram:GetUser", "Resource": pattern})
    assert _decide([doc], "ram:GetUser", value) == expected


def test_brackets_in_an_action_are_refused() -> None:
    with pytest.raises(PolicyError):
        parse(_doc({"Effect": "Allow", "Action": "ram:[G]etUser", "Resource": "*"}))


def test_string_like_condition_brackets_are_literal() -> None:
    doc = _doc({"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*",
                "Condition": {"StringLike": {"acs:AccessKeyId": "LTAI[1]*"}}})
    assert _decide([doc], "ram:GetUser", acs_AccessKeyId="LTAI1abc") == "ImplicitDeny"
    assert _decide([doc], "ram:GetUser", acs_AccessKeyId="LTAI[1]abc") == "Allow"
