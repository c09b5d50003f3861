"""Scenarios for tests/functional/rampart/test_least_privilege.py: the smallest runs through the real
functions (the lifecycle and sweeper functions in localcloud's FC under the worker role, the
receivers in-process with the receiver role's STS credentials; ``functions_support``) that need
each action of ``deploy/policies/*.json``.

A :class:`Stage` is one fresh deployment. A :class:`Scenario` prepares the state its step needs
with the full policies, then acts once; the test in between may replace a policy's default
version with one that lacks one action (RAM CreatePolicyVersion with SetAsDefault, as an
operator edits a policy), so the step runs without it. Every act returns an :class:`Outcome`:
what the function answered plus everything it logged, where a refused call shows up as
localcloud's permission error (``NoPermission``, ``Forbidden.NoPermission``, ``Unauthorized``,
``AccessDenied``) naming the action.

Never mocks an SDK client: every call goes over HTTP to localcloud. Every answer and log is
scanned for the escrowed and webhook secrets (``Deployment.assert_clean``).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as Ims
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as Rm
from rampart.adapters.sls import SlsAuditSink
from rampart.audit import REPLAY_MARK
from rampart.fc import runtime
from rampart.planning import timebound

from localcloud import LocalCloud
from localcloud.ram.models import totp
from tests.functional.rampart.adapter_support import settings_for
from tests.functional.rampart.functions_support import EVENTS, LIFECYCLE, POLICIES, SWEEPER, Deployment, deploy, samples
from tests.functional.rampart.notify_support import Robot, configure

PERMISSION_CODES = ("Forbidden.NoPermission", "NoPermission", "Unauthorized", "AccessDenied")
"""localcloud's no-permission errors (localcloud/README.md "Authorization"; SLS, FC)."""
GROUP = "rampart-lp-operators"
"""A RAM group a catalog profile joins (the example catalog has none)."""
CATALOG_WITH_GROUP = {
    "\nrules:\n": (
        "\n  operators:\n"
        "    description: The operators' RAM group.\n"
        f"    groups: [{GROUP}]\n"
        "    scope: account\n"
        "    risk: low\n"
        "\nrules:\n"
        "  - name: operations-joins-the-group\n"
        "    when: {department: Operations}\n"
        "    profiles: [operators]\n"
    ),
}
PERSON = "E7001"
USER = "lp.alice"
APPROVAL = {"ticket_id": "INC-7", "status": "approved", "requester": "alice", "approver": "cto"}


def iso(moment: Any) -> str:
    return str(moment.isoformat()).replace("+00:00", "Z")


@dataclass
class Outcome:
    """What one act produced: the answer (report, summary or HTTP answer) and the logs."""

    ok: bool
    answer: str
    logs: str

    def denied(self, permission: str) -> bool:
        """A permission error naming ``permission`` in the answer or the logs (one message:
        the code, then the action)."""
        codes = "|".join(re.escape(c) for c in PERMISSION_CODES)
        pattern = re.compile(rf"({codes})\b[^\n]*?{re.escape(permission)}\b")
        return any(pattern.search(text) for text in (self.answer, self.logs))

    def __str__(self) -> str:
        return f"ok={self.ok}\nanswer: {self.answer[:3000]}\nlogs: {self.logs[-3000:]}"


@dataclass
class Stage:
    """One deployment on a clean localcloud (the ``cloud`` fixture), with the functions on
    localcloud's clock."""

    cloud: LocalCloud
    deployment: Deployment
    ram: Ram
    events: int = 0
    last_event: str = ""
    rotated_from: set[str] = field(default_factory=set)
    """The AccessKey ids before a rotation."""
    robot: Robot | None = None
    """localcloud's chat robot the lifecycle function notifies (:meth:`notify_to_robot`)."""

    @classmethod
    def deploy(cls, cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stage:
        deployment = deploy(cloud, tmp_path, catalog_replace=CATALOG_WITH_GROUP)
        monkeypatch.setattr(runtime, "DEFAULT_CLOCK", cloud.now)  # the functions' instances run on localcloud's clock
        ram = Ram(cloud.config())
        ram.create_group(ram_models.CreateGroupRequest(group_name=GROUP))
        return cls(cloud, deployment, ram)

    # --- the policies ----------------------------------------------------------------------

    def remove(self, policy: str, index: int, action: str) -> None:
        """The policy's new default version: the file without ``action`` in statement ``index``."""
        document = json.loads((POLICIES / f"{policy}.json").read_text(encoding="utf-8"))
        statement = document["Statement"][index]
        assert action in statement["Action"], (policy, index, action)
        statement["Action"] = [a for a in statement["Action"] if a != action]
        if not statement["Action"]:
            del document["Statement"][index]
        self.ram.create_policy_version(ram_models.CreatePolicyVersionRequest(
            policy_name=policy, policy_document=json.dumps(document), set_as_default=True))
        default = self.ram.get_policy(ram_models.GetPolicyRequest(policy_type="Custom", policy_name=policy)).body
        assert json.loads(default.default_policy_version.policy_document) == document

    # --- events through the lifecycle function -------------------------------------------------

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        self.events += 1
        self.cloud.clock_advance(1)  # every event later than the one before
        self.last_event = f"lp-{self.events:03d}-{kind}"
        return {"event_id": self.last_event, "kind": kind, "occurred_at": iso(self.cloud.now()),
                "source": "hr:generic", "actor": "least-privilege-test", **fields}

    def person(self, department: str = "Engineering", title: str = "", access: str = "console",
               display_name: str = "Alice Least", cost_center: str = "CC-7") -> dict[str, Any]:
        attributes = {"department": department} | ({"title": title} if title else {})
        attributes |= {"cost_center": cost_center} if cost_center else {}
        return {"person_id": PERSON, "user_name": USER, "display_name": display_name, "attributes": attributes,
                "access": [access]}

    def joiner(self, **person: Any) -> dict[str, Any]:
        return self.event("joiner", person=self.person(**person))

    def grant(self, profile: str, hours: float | None = None) -> dict[str, Any]:
        until = {"until": iso(self.cloud.now() + timedelta(hours=hours))} if hours else {}
        return self.event("grant", person_id=PERSON, profile=profile, approval=APPROVAL, **until)

    def revoke(self, profile: str) -> dict[str, Any]:
        return self.event("revoke", person_id=PERSON, profile=profile, approval=APPROVAL)

    def leaver(self, immediate: bool = False) -> dict[str, Any]:
        return self.event("leaver", person_id=PERSON, **({"immediate": True} if immediate else {}))

    def lifecycle(self, *events: dict[str, Any]) -> Outcome:
        """One synchronous invocation of the lifecycle function with the receivers' hand-off
        payload. OK: no invocation error, every item ok, every audit record delivered to SLS."""
        payload = json.dumps({"rampart": 1, "delivery_id": events[0]["event_id"], "events": list(events)})
        with captured() as logs:
            error, body = self.deployment.invoke(LIFECYCLE, payload.encode())
        text = json.dumps(body, ensure_ascii=False)
        self.deployment.assert_clean(text, logs.getvalue())
        items_ok = not error and all(r["ok"] for r in body.get("results", [{"ok": False}]))
        return Outcome(items_ok and REPLAY_MARK not in logs.getvalue(), text, logs.getvalue())

    def notify_to_robot(self) -> None:
        """Preparation: a DingTalk robot in localcloud and the lifecycle function pointed at it
        by its KMS secret ``rampart-notify/...`` (``notify_support.configure``)."""
        self.robot = configure(self.deployment)

    def notified_joiner(self) -> Outcome:
        """A joiner with notifications configured. OK: the joiner's item ok and ``notified``
        (the robot took the message). A notification that failed leaves the joiner's own
        item ok (it never fails the lifecycle work), so it is the ``notified`` flag that fails."""
        outcome = self.lifecycle(self.joiner())
        items = json.loads(outcome.answer).get("results") or [{}]
        return Outcome(outcome.ok and items[0].get("notified") is True, outcome.answer, outcome.logs)

    def apply(self, *events: dict[str, Any]) -> None:
        """Preparation: the events applied with the full policies."""
        outcome = self.lifecycle(*events)
        assert outcome.ok, str(outcome)

    def sweep(self) -> Outcome:
        """The sweeper on its timer event. OK: no invocation error, no user failed, the drift
        record written to SLS."""
        with captured() as logs:
            error, body = self.deployment.invoke(SWEEPER, (EVENTS / "fc" / "timer-reference.json").read_bytes())
        text = json.dumps(body, ensure_ascii=False)
        self.deployment.assert_clean(text, logs.getvalue())
        ok = not error and body.get("failed") == [] and body.get("drift", {}).get("audit") == "written"
        return Outcome(ok, text, logs.getvalue())

    def receive(self) -> Outcome:
        """A signed HR joiner delivered to the HR webhook function (hand-off held in FC's queue).
        OK: 202 and the lifecycle task queued."""
        self.cloud.functions.pause()
        event = samples().trigger_event("generic", "joiner.json", self.cloud.now(), samples().demo_config())
        with captured() as logs:
            module = self.deployment.receiver("hr_webhook")
            answer = module.handler(json.dumps(event).encode(), self.deployment.context())
        self.deployment.assert_clean(json.dumps(answer), logs.getvalue())
        queued = [t.task_id for t in self.cloud.functions.tasks(LIFECYCLE)]
        return Outcome(answer["statusCode"] == 202 and queued == ["hr-demo-0001"], json.dumps(answer), logs.getvalue())

    # --- root's view, for the baselines ---------------------------------------------------------

    def user(self) -> Any:
        users = self.ram.list_users(ram_models.ListUsersRequest(max_items=1000)).body.users.user or []
        return next((u for u in users if u.user_name == USER), None)

    def policies(self) -> set[str]:
        body = self.ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=USER)).body
        return {str(p.policy_name) for p in (body.policies.policy or [])}

    def timebound_policies(self) -> list[str]:
        body = self.ram.list_policies(ram_models.ListPoliciesRequest(policy_type="Custom", max_items=1000)).body
        return [str(p.policy_name) for p in (body.policies.policy or [])
                if str(p.policy_name).startswith(timebound.PREFIX) and "-lock-" not in str(p.policy_name)]

    def tags(self) -> dict[str, str]:
        """The user's IMS tags."""
        request = ims_models.ListTagResourcesRequest(resource_type="user", resource_principal_name=[USER])
        body = Ims(self.cloud.config()).list_tag_resources(request).body
        rows = body.tag_resources.tag_resource if body.tag_resources else None
        return {str(r.tag_key): str(r.tag_value) for r in (rows or [])}

    def keys(self) -> dict[str, str]:
        """The user's AccessKeys: id -> status."""
        body = self.ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=USER)).body
        return {str(k.access_key_id): str(k.status) for k in (body.access_keys.access_key or [])}

    def groups(self) -> set[str]:
        body = self.ram.list_groups_for_user(ram_models.ListGroupsForUserRequest(user_name=USER)).body
        return {str(g.group_name) for g in (body.groups.group or [])}

    def resource_group_grants(self) -> set[tuple[str, str]]:
        """(policy, resource group id) of the user's ResourceManager attachments."""
        principal = f"{USER}@{self.cloud.state.account.default_domain}"
        body = Rm(self.cloud.config()).list_policy_attachments(rm_models.ListPolicyAttachmentsRequest(
            principal_type="IMSUser", principal_name=principal, page_size=100)).body
        rows = body.policy_attachments.policy_attachment if body.policy_attachments else None
        return {(str(r.policy_name), str(r.resource_group_id)) for r in (rows or [])}

    def secrets(self) -> dict[str, bool]:
        """rampart's secrets of the user: name -> pending deletion (names only, no value read)."""
        listing = Kms(self.cloud.config()).list_secrets(kms_models.ListSecretsRequest(page_size=100)).body.secret_list
        rows = (listing.secret if listing is not None else None) or []
        return {str(r.secret_name): bool(r.planned_delete_time) for r in rows
                if str(r.secret_name).startswith(f"rampart/{USER}/")}

    def audit(self, *, event_id: str = "", action: str = "") -> list[dict[str, str]]:
        """The records of an event or of an action (one of the two), as SLS log contents."""
        now = self.cloud.now()
        sink = SlsAuditSink(settings_for(self.cloud))
        since, until = now - timedelta(days=400), now + timedelta(minutes=5)
        records = (sink.by_event(event_id, since, until, limit=100) if event_id
                   else sink.by_action(action, since, until, limit=100))
        return [dict(r.contents()) for r in records]

    def bind_mfa(self) -> str:
        device = self.ram.create_virtual_mfadevice(
            ram_models.CreateVirtualMFADeviceRequest(virtual_mfadevice_name=USER)).body.virtual_mfadevice
        step = totp.time_step(self.cloud.now())
        self.ram.bind_mfadevice(ram_models.BindMFADeviceRequest(
            user_name=USER, serial_number=device.serial_number,
            authentication_code_1=totp.hotp(device.base_32string_seed, step - 1),
            authentication_code_2=totp.hotp(device.base_32string_seed, step)))
        return str(device.serial_number)


@contextlib.contextmanager
def captured() -> Any:
    """Everything written to stderr meanwhile (localcloud's FC tees the function's output to
    the stream it replaces; the receivers log to whatever ``sys.stderr`` is)."""
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer


@dataclass(frozen=True)
class Scenario:
    """``prepare`` (full policies) then ``act``; ``succeeded`` checks the baseline's result;
    ``survived``, if any, what must still hold when the step failed for want of an action (a
    notification that could not be sent leaves the joiner done)."""

    name: str
    act: Callable[[Stage], Outcome]
    succeeded: Callable[[Stage, Outcome], None]
    prepare: Callable[[Stage], None] = lambda stage: None
    survived: Callable[[Stage, Outcome], None] | None = None
