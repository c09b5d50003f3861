"""Typed step details: each kind of step carries its own frozen type, checked when built, and
renders to the JSON that ``rampart plan --json``, the audit trail and the plan hash show."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

import pytest
from rampart.model import (
    ACCOUNT,
    DETAIL_TYPES,
    AccessKeyRef,
    Attachment,
    DisplayName,
    Escrow,
    GroupRef,
    MfaDevice,
    NewPolicy,
    NewUser,
    NoDetail,
    PolicyAttachment,
    PolicyName,
    PolicyRef,
    PolicyType,
    Scope,
    SecretDeletion,
    SecretKind,
    SecretRef,
    Step,
    StepDetail,
    StepDetailError,
    StepKind,
    Tags,
    Untag,
)
from rampart.naming import PERSON
from rampart.planning import desire

from tests.unit.rampart.examples import NOW, READONLY, arms_catalog, joiner, planned

CUSTOM = PolicyRef(PolicyType.CUSTOM, "a-b")


def test_every_step_detail_renders_as_json_and_the_plan_hash_is_stable() -> None:
    catalog = arms_catalog()
    desired = desire(joiner(NOW, department="Operations"), None, catalog, now=NOW, user_name="alice").user
    p = planned(desired, None, catalog)
    for step in p.steps:
        for key, value in step.detail.as_dict().items():
            if key == "tags":
                assert isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
            else:
                assert isinstance(value, str), (step.kind, key, value)
    assert p.hash == planned(desired, None, catalog).hash
    rendered = json.loads(json.dumps([s.as_dict() for s in p.steps]))
    tag = next(s for s in rendered if s["kind"] == "tag-user")
    assert tag["detail"]["tags"][PERSON] == "p-1"  # a JSON object, not JSON inside a string


def test_the_plan_hash_follows_the_details() -> None:
    catalog = arms_catalog()
    desired = desire(joiner(NOW, department="Operations"), None, catalog, now=NOW, user_name="alice").user
    p = planned(desired, None, catalog)
    other = replace(p, steps=(*p.steps[:-1], replace(p.steps[-1], detail=GroupRef("elsewhere"))))
    assert other.hash != p.hash
    assert replace(p, event_id="another").hash == p.hash  # the steps, not the event, make the digest


def test_every_kind_has_a_detail_type() -> None:
    assert set(DETAIL_TYPES) == set(StepKind)
    assert Step(StepKind.DELETE_USER, "alice").detail == NoDetail() and NoDetail().as_dict() == {}


def test_details_round_trip() -> None:
    attachment = Attachment(CUSTOM, Scope("rg-1"))
    assert PolicyAttachment.of(attachment).attachment == attachment
    assert PolicyAttachment(READONLY).scope == ACCOUNT
    assert PolicyAttachment.of(attachment).as_dict() == {"policy": "Custom:a-b", "scope": "resource-group:rg-1"}
    tags = Tags.of({"b": "2", "a": "1"})
    assert tags.tags == (("a", "1"), ("b", "2")) and tags.mapping == {"a": "1", "b": "2"}
    assert tags == Tags.of({"a": "1", "b": "2"})  # equal whatever order they were given in
    assert Untag.of(["z", "a"]).as_dict() == {"untag": ["a", "z"]}
    assert SecretDeletion("rampart/a/console-password", 7).as_dict() == {
        "secret_name": "rampart/a/console-password", "recovery_days": "7"}


def test_a_new_policy_renders_its_time_in_utc_and_its_document_only_when_known() -> None:
    until = datetime.fromisoformat("2025-06-01T20:00:00+08:00")
    new = NewPolicy("rampart-tb-x", READONLY, "arms-readonly", until, ACCOUNT, "why")
    assert new.as_dict() == {"policy_name": "rampart-tb-x", "source_policy": "System:AliyunARMSReadOnlyAccess",
                             "profile": "arms-readonly", "until": "2025-06-01T12:00:00Z", "scope": "account",
                             "description": "why"}
    assert replace(new, document="{}").as_dict()["document"] == "{}"


@pytest.mark.parametrize("policy", ["AliyunX", "System:AliyunX", PolicyRef(PolicyType.SYSTEM, ""),
                                    PolicyRef(cast(Any, "System"), "AliyunX"), None])
def test_a_bad_policy_detail_is_a_step_detail_error(policy: Any) -> None:
    with pytest.raises(StepDetailError):
        PolicyAttachment(policy)
    with pytest.raises(StepDetailError):
        NewPolicy("rampart-tb-x", policy, "p", NOW, ACCOUNT, "")


@pytest.mark.parametrize("scope", [Scope(""), "rg-1", "account", None])
def test_a_bad_scope_detail_is_a_step_detail_error(scope: Any) -> None:
    with pytest.raises(StepDetailError):
        PolicyAttachment(READONLY, scope)
    with pytest.raises(StepDetailError):
        NewPolicy("rampart-tb-x", READONLY, "p", NOW, scope, "")


@pytest.mark.parametrize("build", [
    lambda: Tags((("a", "1"), ("a", "2"))),
    lambda: Tags((("a", 1),)),  # type: ignore[arg-type]  # wrong type on purpose
    lambda: Tags((("", "1"),)),
    lambda: Tags.of({"a": None}),  # type: ignore[dict-item]  # wrong type on purpose
    lambda: Untag(("a", "a")),
    lambda: Untag(("",)),
    lambda: SecretDeletion("rampart/a/access-key", 0),
    lambda: SecretDeletion("rampart/a/access-key", True),
    lambda: SecretDeletion("rampart/a/access-key", "7"),  # type: ignore[arg-type]  # wrong type on purpose
    lambda: SecretDeletion("", 7),
    lambda: SecretRef(""),
    lambda: AccessKeyRef(""),
    lambda: GroupRef(""),
    lambda: MfaDevice(""),
    lambda: PolicyName(""),
    lambda: DisplayName(""),
    lambda: NewUser("Alice", None, "", ""),  # type: ignore[arg-type]  # wrong type on purpose
    lambda: NewPolicy("rampart-tb-x", READONLY, "p", datetime(2025, 6, 1), ACCOUNT, ""),
    lambda: NewPolicy("rampart-tb-x", READONLY, "p", NOW, ACCOUNT, "", document=""),
    lambda: NewPolicy("", READONLY, "p", NOW, ACCOUNT, ""),
    lambda: Escrow("password", "p-1", "", "rampart/a/console-password"),  # type: ignore[arg-type]  # wrong type on purpose
    lambda: Escrow(SecretKind.PASSWORD, "p-1", "", ""),
    lambda: Escrow(SecretKind.ACCESS_KEY, "p-1", "", "rampart/a/access-key", reset_required=True),
    lambda: Escrow(SecretKind.PASSWORD, "p-1", "", "rampart/a/console-password", mfa_required="true"),  # type: ignore[arg-type]  # wrong type on purpose
])
def test_a_malformed_detail_is_refused_when_built(build: Any) -> None:
    with pytest.raises(StepDetailError):
        build()


KEY = Escrow(SecretKind.ACCESS_KEY, "p-1", "", "rampart/a/access-key")
PASSWORD = Escrow(SecretKind.PASSWORD, "p-1", "", "rampart/a/console-password")


@pytest.mark.parametrize(("kind", "detail"), [
    (StepKind.ATTACH_POLICY, GroupRef("ops")),
    (StepKind.DELETE_USER, PolicyName("rampart-tb-x")),
    (StepKind.CREATE_USER, NoDetail()),
    (StepKind.UPDATE_USER, NewUser("Alice", "p-1", "", "")),
    (StepKind.RESTORE_SECRET, SecretDeletion("rampart/a/access-key", 7)),
    (StepKind.CREATE_LOGIN_PROFILE, KEY),
    (StepKind.CREATE_ACCESS_KEY, PASSWORD),
])
def test_a_step_refuses_a_detail_of_another_kind(kind: StepKind, detail: StepDetail) -> None:
    with pytest.raises(StepDetailError):
        Step(kind, "alice", detail)


def test_detail_as_names_the_type_a_step_carries() -> None:
    step = Step(StepKind.ADD_TO_GROUP, "alice", GroupRef("ops"))
    assert step.detail_as(GroupRef).group == "ops"
    with pytest.raises(StepDetailError):
        step.detail_as(PolicyAttachment)


@pytest.mark.parametrize(("detail", "subject"), [
    (PolicyAttachment(CUSTOM), "Custom:a-b"), (AccessKeyRef("LTAI1"), "LTAI1"), (GroupRef("ops"), "ops"),
    (SecretDeletion("s", 7), "s"), (SecretRef("s"), "s"), (MfaDevice("acs:ram::1:mfa/a"), "acs:ram::1:mfa/a"),
    (PolicyName("p"), "p"), (NoDetail(), ""), (Untag(("a",)), ""), (Tags.of({"a": "1"}), ""),
])
def test_a_detail_names_what_it_acts_on(detail: StepDetail, subject: str) -> None:
    assert detail.subject == subject
