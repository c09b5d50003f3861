"""Least privilege, proven (issue 6, deliverable 4): every action of ``deploy/policies/*.json``
is needed, or deploy/README.md says why it stays.

For each (policy, statement, action) the test deploys rampart on localcloud (the functions'
roles carry the repo's policies, ``fixtures/functions.py``), prepares the smallest scenario that
needs the action with the full policies, then makes a policy version without that one action
the default (RAM CreatePolicyVersion, SetAsDefault) and runs the scenario's step through the
real functions: the step fails, and localcloud's permission error naming the action shows in
the function's answer or logs. With the full policies the same scenario succeeds (one baseline
test per scenario). An action localcloud cannot show necessary is listed in ``EXPLAINED`` and
must be explained under "Why it stays" in deploy/README.md; its test shows that removing it
changes nothing here (if that ever stops being true, prove it instead). So an action added to
a policy without a proof or an explanation fails this file.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from alibabacloud_ram20150501 import models as ram_models
from rampart.planning import timebound

from tests.functional.rampart.deployment_names import RECEIVER_POLICY, WORKER_POLICY
from tests.functional.rampart.least_privilege_scenarios import GROUP, USER, Outcome, Scenario
from tests.functional.rampart.types import RepoFiles, Stage

DAY = 86400


# --- the scenarios -----------------------------------------------------------------------------


def _joiner_console_ok(stage: Stage, outcome: Outcome) -> None:
    assert stage.user() is not None
    stage.ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name=USER))
    assert stage.policies() == {"AliyunARMSFullAccess"}
    assert stage.secrets() == {f"rampart/{USER}/console-password": False}
    assert {r["action"] for r in stage.audit(event_id=stage.last_event)} >= {"create-user", "attach-policy"}


def _in_the_group(stage: Stage, outcome: Outcome) -> None:
    assert stage.groups() == {GROUP}


def _full_access(stage: Stage, outcome: Outcome) -> None:
    assert stage.policies() == {"AliyunARMSFullAccess"}  # it supersedes the rule's read-only profile


def _granted_in_the_group(stage: Stage, outcome: Outcome) -> None:
    assert {policy for policy, _ in stage.resource_group_grants()} == {
        "AliyunARMSReadOnlyAccess", "rampart-arms-readtraceapp"}
    [group] = {group for _, group in stage.resource_group_grants()}
    assert group.startswith("rg-")  # the catalog's resource group, not the account scope


def _out_of_the_group(stage: Stage, outcome: Outcome) -> None:
    assert stage.resource_group_grants() == set()


def _joiner_programmatic_ok(stage: Stage, outcome: Outcome) -> None:
    assert list(stage.keys().values()) == ["Active"]
    assert stage.secrets() == {f"rampart/{USER}/access-key": False}
    assert stage.policies() == {"AliyunARMSReadOnlyAccess"}


def _timebound_granted(stage: Stage, outcome: Outcome) -> None:
    [policy] = stage.timebound_policies()
    assert policy in stage.policies()


def _timebound_gone(stage: Stage, outcome: Outcome) -> None:
    assert stage.timebound_policies() == []
    assert stage.policies() == {"AliyunARMSReadOnlyAccess"}


def _edit_timebound(stage: Stage) -> None:
    """A second version of the time-bound copy (someone edited it): deleting the policy now
    needs DeletePolicyVersion first."""
    stage.apply(stage.joiner(), stage.grant("break-glass-admin", hours=1))
    [policy] = stage.timebound_policies()
    document = stage.ram.get_policy(ram_models.GetPolicyRequest(policy_type="Custom", policy_name=policy)).body
    stage.ram.create_policy_version(ram_models.CreatePolicyVersionRequest(
        policy_name=policy, policy_document=document.default_policy_version.policy_document, set_as_default=False))


def _moved(stage: Stage, outcome: Outcome) -> None:
    assert stage.user().display_name == "Alice Moved"
    assert "cost_center" not in stage.tags() and stage.tags()["department"] == "Engineering"
    assert stage.policies() == {"AliyunARMSReadOnlyAccess"}


def _left_now(stage: Stage, outcome: Outcome) -> None:
    assert stage.user() is None
    devices = stage.ram.list_virtual_mfadevices().body.virtual_mfadevices
    assert not (devices.virtual_mfadevice if devices is not None else None)
    assert stage.secrets() == {f"rampart/{USER}/console-password": True}


def _left_later(stage: Stage, outcome: Outcome) -> None:
    assert stage.user() is not None
    assert list(stage.keys().values()) == ["Inactive"]


def _left_for_good(stage: Stage, outcome: Outcome) -> None:
    assert USER in json.loads(outcome.answer)["changed"]
    assert stage.user() is None
    assert stage.secrets() == {f"rampart/{USER}/access-key": True}


def _operator_with_mfa(stage: Stage) -> None:
    stage.apply(stage.joiner(department="Operations"))
    stage.bind_mfa()


def _grace_period_over(stage: Stage) -> None:
    stage.apply(stage.joiner(access="programmatic"))
    stage.apply(stage.leaver())
    stage.cloud.clock_advance(31 * DAY)


def _grant_expired(stage: Stage) -> None:
    stage.apply(stage.joiner(), stage.grant("break-glass-admin", hours=1))
    stage.cloud.clock_advance(2 * 3600)


def _rotate_later(stage: Stage) -> None:
    stage.apply(stage.joiner(access="programmatic"))
    stage.rotated_from = set(stage.keys())
    stage.cloud.clock_advance(91 * DAY)


def _rotated(stage: Stage, outcome: Outcome) -> None:
    assert USER in json.loads(outcome.answer)["changed"]
    keys = stage.keys()
    assert len(keys) == 1 and not set(keys) & stage.rotated_from
    assert stage.secrets() == {f"rampart/{USER}/access-key": False}


def _drift_written(stage: Stage, outcome: Outcome) -> None:
    drift = json.loads(outcome.answer)["drift"]
    assert (drift["audit"], drift["managed_users"]) == ("written", 1)
    assert [r["event_id"] for r in stage.audit(action="drift-report")] == [drift["event_id"]]


def _rehired(stage: Stage, outcome: Outcome) -> None:
    assert stage.user() is not None
    assert stage.secrets() == {f"rampart/{USER}/console-password": False}


def _late_joiner(stage: Stage) -> Outcome:
    """A joiner that happened before the leaver on record, delivered late."""
    event = stage.joiner()
    event["occurred_at"] = (stage.cloud.now() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    return stage.lifecycle(event)


def _not_resurrected(stage: Stage, outcome: Outcome) -> None:
    assert stage.user() is None
    assert json.loads(outcome.answer)["results"][0]["error_type"] == "StaleEvent"


def _drop_login_profile_answer(stage: Stage) -> None:
    """CreateLoginProfile applied but its answer lost: the retry meets the profile it made."""
    stage.cloud.faults.add("ram", "drop", "CreateLoginProfile", count=1)


def _password_reset(stage: Stage, outcome: Outcome) -> None:
    stage.ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name=USER))
    assert "password reset on the existing login profile" in " ".join(
        r.get("detail", "") for r in stage.audit(event_id=stage.last_event))


def _received(stage: Stage, outcome: Outcome) -> None:
    assert json.loads(json.loads(outcome.answer)["body"])["status"] == "accepted"


def _announced(stage: Stage, outcome: Outcome) -> None:
    assert stage.robot is not None
    [text] = stage.robot.texts(stage.cloud)
    assert f"{USER}@{stage.cloud.state.account.default_domain}" in text and f"rampart/{USER}/console-password" in text
    [record] = stage.notify_records(stage.last_event)
    assert (record["result"], record["target"]) == ("ok", USER)


def _joined_unannounced(stage: Stage, outcome: Outcome) -> None:
    """Without reading its secret nothing is sent, the joiner is done all the same, and the
    refusal is audited."""
    assert stage.robot is not None
    [item] = json.loads(outcome.answer)["results"]
    assert (item["ok"], item["result"], item["notified"]) == (True, "ok", False)
    assert stage.user() is not None and stage.policies() == {"AliyunARMSReadOnlyAccess"}
    assert stage.secrets() == {f"rampart/{USER}/console-password": False}
    assert stage.robot.messages(stage.cloud) == []
    [record] = stage.notify_records(stage.last_event)
    assert (record["result"], record["error_code"]) == ("failed", "PermissionDenied")
    assert "kms:GetSecretValue" in json.loads(record["detail"])["reason"]


SCENARIOS = {s.name: s for s in (
    Scenario("joiner-console", lambda s: s.lifecycle(s.joiner(title="SRE")), _joiner_console_ok),
    Scenario("joiner-programmatic", lambda s: s.lifecycle(s.joiner(access="programmatic")), _joiner_programmatic_ok),
    Scenario("joiner-group", lambda s: s.lifecycle(s.joiner(department="Operations")), _in_the_group),
    Scenario("grant-account", lambda s: s.lifecycle(s.grant("arms-full")),
             _full_access, prepare=lambda s: s.apply(s.joiner())),
    Scenario("grant-resource-group", lambda s: s.lifecycle(s.grant("arms-readonly-rg")),
             _granted_in_the_group, prepare=lambda s: s.apply(s.joiner())),
    Scenario("grant-time-bound", lambda s: s.lifecycle(s.grant("break-glass-admin", hours=1)), _timebound_granted,
             prepare=lambda s: s.apply(s.joiner())),
    Scenario("revoke-time-bound", lambda s: s.lifecycle(s.revoke("break-glass-admin")), _timebound_gone,
             prepare=lambda s: s.apply(s.joiner(), s.grant("break-glass-admin", hours=1))),
    Scenario("revoke-edited-time-bound", lambda s: s.lifecycle(s.revoke("break-glass-admin")), _timebound_gone,
             prepare=_edit_timebound),
    Scenario("mover", lambda s: s.lifecycle(s.event("mover", person=s.person(display_name="Alice Moved",
                                                                             cost_center=""))),
             _moved, prepare=lambda s: s.apply(s.joiner(title="SRE"))),
    Scenario("mover-out-of-resource-group", lambda s: s.lifecycle(s.event("mover", person=s.person())),
             _out_of_the_group, prepare=lambda s: s.apply(s.joiner(department="Applications"))),
    Scenario("leaver-immediate", lambda s: s.lifecycle(s.leaver(immediate=True)), _left_now,
             prepare=_operator_with_mfa),
    Scenario("leaver-grace", lambda s: s.lifecycle(s.leaver()), _left_later,
             prepare=lambda s: s.apply(s.joiner(access="programmatic"))),
    Scenario("sweep-after-grace", lambda s: s.sweep(), _left_for_good,
             prepare=_grace_period_over),
    Scenario("sweep-expiry", lambda s: s.sweep(), _timebound_gone,
             prepare=_grant_expired),
    Scenario("sweep-rotation", lambda s: s.sweep(), _rotated, prepare=_rotate_later),
    Scenario("sweep-drift", lambda s: s.sweep(), _drift_written,
             prepare=lambda s: s.apply(s.joiner(access="programmatic"))),
    Scenario("rehire", lambda s: s.lifecycle(s.joiner()), _rehired,
             prepare=lambda s: s.apply(s.joiner(), s.leaver(immediate=True))),
    Scenario("late-joiner", _late_joiner, _not_resurrected,
             prepare=lambda s: s.apply(s.joiner(), s.leaver(immediate=True))),
    Scenario("login-profile-retry", lambda s: s.lifecycle(s.joiner()), _password_reset,
             prepare=_drop_login_profile_answer),
    Scenario("receiver", lambda s: s.receive(), _received),
    Scenario("notify", lambda s: s.notified_joiner(), _announced, prepare=lambda s: s.notify_to_robot(),
             survived=_joined_unannounced),
)}

PROOFS: dict[str, dict[str, str]] = {
    WORKER_POLICY: {
        "ram:GetUser": "joiner-console",
        "ram:CreateUser": "joiner-console",
        "ram:UpdateUser": "mover",
        "ram:DeleteUser": "leaver-immediate",
        "ram:ListUsers": "grant-account",
        "ram:CreateAccessKey": "joiner-programmatic",
        "ram:ListAccessKeys": "joiner-programmatic",
        "ram:UpdateAccessKey": "leaver-grace",
        "ram:DeleteAccessKey": "sweep-after-grace",
        "ram:GetAccessKeyLastUsed": "sweep-drift",
        "ram:CreateLoginProfile": "joiner-console",
        "ram:GetLoginProfile": "grant-account",
        "ram:UpdateLoginProfile": "login-profile-retry",
        "ram:DeleteLoginProfile": "leaver-immediate",
        "ram:GetUserMFAInfo": "grant-account",
        "ram:UnbindMFADevice": "leaver-immediate",
        "ram:ListGroupsForUser": "grant-account",
        "ram:ListPoliciesForUser": "grant-account",
        "ram:AttachPolicyToUser": "grant-account",
        "ram:DetachPolicyFromUser": "revoke-time-bound",
        "ram:AddUserToGroup": "joiner-group",
        "ram:RemoveUserFromGroup": "leaver-immediate",
        "ram:DeleteVirtualMFADevice": "leaver-immediate",
        "ram:GetPolicy": "grant-time-bound",
        "ram:ListPolicies": "grant-account",
        "ram:CreatePolicy": "grant-time-bound",
        "ram:DeletePolicy": "revoke-time-bound",
        "ram:ListPolicyVersions": "revoke-time-bound",
        "ram:DeletePolicyVersion": "revoke-edited-time-bound",
        "ram:GetPasswordPolicy": "joiner-console",
        "ram:GetDefaultDomain": "grant-resource-group",
        "ram:TagResources": "joiner-console",
        "ram:UntagResources": "mover",
        "ram:ListTagResources": "grant-account",
        "resourcemanager:AttachPolicy": "grant-resource-group",
        "resourcemanager:DetachPolicy": "mover-out-of-resource-group",
        "resourcemanager:ListPolicyAttachments": "grant-account",
        "kms:CreateSecret": "joiner-console",
        "kms:ListSecrets": "grant-account",
        "kms:PutSecretValue": "sweep-rotation",
        "kms:ListSecretVersionIds": "leaver-grace",
        "kms:DeleteSecret": "leaver-immediate",
        "kms:RestoreSecret": "rehire",
        "log:PostLogStoreLogs": "joiner-console",
        "log:GetLogStoreLogs": "leaver-immediate",
        "kms:GetSecretValue": "notify",
    },
    RECEIVER_POLICY: {
        "kms:GetSecretValue": "receiver",
        "fc:InvokeFunction": "receiver",
    },
}
"""(policy, action) -> the scenario whose step fails without it."""

EXPLAINED: dict[tuple[str, str, str], str] = {
    (WORKER_POLICY, "ram:AttachPolicy", "acs:ram:*:*:policy/*"): "grant-resource-group",
    (WORKER_POLICY, "ram:DetachPolicy", "acs:ram:*:*:policy/*"): "mover-out-of-resource-group",
    (WORKER_POLICY, "ram:ListPolicyAttachments", "acs:ram:*:*:*"): "grant-account",
    (WORKER_POLICY, "kms:CreateSecret", "acs:kms:*:*:secret/rampart/*"): "joiner-console",
}
"""(policy, action, the statement's first resource) -> a scenario that calls it, which still
succeeds without it here: actions Alibaba Cloud checks but localcloud does not (deploy/README.md,
"Why it stays")."""


# --- the matrix --------------------------------------------------------------------------------


def statements(policies: Path) -> list[tuple[str, int, str, str]]:
    """(policy, statement index, action, the statement's first resource) for every action of the
    policies in ``policies`` (the repository's ``deploy/policies``)."""
    out = []
    for policy in (WORKER_POLICY, RECEIVER_POLICY):
        document = json.loads((policies / f"{policy}.json").read_text(encoding="utf-8"))
        for index, statement in enumerate(document["Statement"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            out += [(policy, index, action, resources[0]) for action in actions]
    return out


def scenario_of(policy: str, action: str, resource: str) -> str:
    return EXPLAINED.get((policy, action, resource)) or PROOFS.get(policy, {}).get(action, "")


@pytest.fixture
def cases(repo_files: RepoFiles) -> list[tuple[str, int, str, str]]:
    return statements(repo_files.policies)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per granted action, read at collection from the rootdir's ``deploy/policies``
    (``config.rootpath``, the path the ``repo_root`` fixture returns)."""
    if {"policy", "index", "action", "resource"} <= set(metafunc.fixturenames):
        found = statements(metafunc.config.rootpath / "deploy" / "policies")
        metafunc.parametrize(("policy", "index", "action", "resource"), found,
                             ids=[f"{p}[{i}]-{a}" for p, i, a, _ in found])


@pytest.mark.parametrize("name", SCENARIOS)
def test_with_the_full_policies_the_scenario_succeeds(stage: Stage, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.prepare(stage)
    outcome = scenario.act(stage)
    assert outcome.ok, str(outcome)
    scenario.succeeded(stage, outcome)


def test_without_the_action_its_step_fails_with_a_permission_error(
    stage: Stage, policy: str, index: int, action: str, resource: str
) -> None:
    name = scenario_of(policy, action, resource)
    assert name in SCENARIOS, (
        f"{policy}.json statement {index} grants {action} on {resource}, which no scenario proves needed "
        "and deploy/README.md does not explain: add a scenario to PROOFS, an entry to EXPLAINED, or remove it")
    scenario = SCENARIOS[name]
    scenario.prepare(stage)
    stage.remove(policy, index, action)
    outcome = scenario.act(stage)
    if (policy, action, resource) in EXPLAINED:
        assert outcome.ok and not outcome.denied(action), (
            f"localcloud now refuses {name} without {action}: move it from EXPLAINED to PROOFS\n{outcome}")
        scenario.succeeded(stage, outcome)
    else:
        assert not outcome.ok and outcome.denied(action), f"{name} without {action}:\n{outcome}"
        if scenario.survived is not None:
            scenario.survived(stage, outcome)


def why_it_stays(repo_root: Path) -> str:
    text = (repo_root / "deploy" / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^#+ Why it stays\b.*?(?=^## |\Z)", text, re.S | re.M)
    assert match, "deploy/README.md has no 'Why it stays' section"
    return match.group(0)


@pytest.mark.parametrize(("policy", "action", "resource"), EXPLAINED)
def test_what_stays_unproven_is_explained_in_the_readme(
    policy: str, action: str, resource: str, repo_root: Path, cases: list[tuple[str, int, str, str]]
) -> None:
    section = why_it_stays(repo_root)
    assert f"`{action}`" in section and f"`{resource}`" in section, (policy, action, resource)
    assert (policy, action, resource) in {(p, a, r) for p, _, a, r in cases}, "explains what the policy no longer has"


def test_every_proof_names_a_granted_action_and_a_scenario(cases: list[tuple[str, int, str, str]]) -> None:
    granted = {(p, a) for p, _, a, _ in cases}
    for policy, proofs in PROOFS.items():
        for action, name in proofs.items():
            assert (policy, action) in granted, f"{action} is no longer in {policy}.json: drop its proof"
            assert name in SCENARIOS, name
    assert set(EXPLAINED.values()) <= set(SCENARIOS)
    assert timebound.PREFIX == "rampart-tb-"  # the worker policy's time-bound statement names it


def test_a_late_joiner_stays_out_when_the_audit_trail_cannot_be_read(
    stage: Stage, cases: list[tuple[str, int, str, str]]
) -> None:
    scenario = SCENARIOS["late-joiner"]
    scenario.prepare(stage)
    [(index, action)] = [(i, a) for p, i, a, _ in cases if p == WORKER_POLICY and a == "log:GetLogStoreLogs"]
    stage.remove(WORKER_POLICY, index, action)
    outcome = scenario.act(stage)
    assert stage.user() is None, f"the leaver's user is back:\n{outcome}"
    assert "GetLogStoreLogs" in str(outcome), outcome  # the joiner failed on the unread trail (FC retries it)
