"""Examples for the desired-state and planner unit tests: the ARMS guide's catalog, a person,
lifecycle events and approvals, and the pure steps from them to a plan and the state it leaves
(``rampart.planning`` and ``rampart_dev.simulate``). Plain values and pure functions: no cloud, no
clock, nothing a fixture has to set up, so parametrize lists and strategies may use them too."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from rampart.model import (
    AccessMode,
    Approval,
    Catalog,
    CatalogOptions,
    CustomPolicySpec,
    DesiredUser,
    EventKind,
    LifecycleEvent,
    ObservedUser,
    Person,
    Plan,
    PolicyRef,
    PolicyType,
    Profile,
    RiskTier,
    Rule,
    Scope,
    StepKind,
)
from rampart.planning import desire, plan
from rampart_dev.simulate import simulate

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
EARLIER = NOW - timedelta(hours=1)
RG = "rg-armsdemo000000001"

READONLY = PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")
FULL = PolicyRef(PolicyType.SYSTEM, "AliyunARMSFullAccess")
TRACE = PolicyRef(PolicyType.CUSTOM, "rampart-arms-readtraceapp")
ADMIN = PolicyRef(PolicyType.SYSTEM, "AdministratorAccess")
ECS = PolicyRef(PolicyType.SYSTEM, "AliyunECSReadOnlyAccess")
TRACE_DOC = json.dumps(
    {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["arms:ReadTraceApp"], "Resource": ["acs:arms:*:*:armsapp/*"]}]}
)


def arms_catalog(**options: Any) -> Catalog:
    """The ARMS guide's profiles, a groups profile, a time-bound-only one and break-glass."""
    profiles = {
        "arms-readonly": Profile("arms-readonly", "read ARMS", (READONLY,)),
        "arms-full": Profile("arms-full", "run ARMS", (FULL,), supersedes=("arms-readonly",), approval_required=True,
                             risk=RiskTier.MEDIUM),
        "arms-readonly-rg": Profile(
            "arms-readonly-rg", "read ARMS in one group", (READONLY, TRACE),
            custom_policies=(CustomPolicySpec(TRACE.name, TRACE_DOC),), scope=Scope(RG),
        ),
        "ops": Profile("ops", "ops groups", (ECS,), groups=("ops", "oncall")),
        "ecs-temp": Profile("ecs-temp", "ECS read for a while", (ECS,), max_duration=timedelta(days=7)),
        "break-glass": Profile(
            "break-glass", "admin", (ADMIN,), max_duration=timedelta(hours=4), approval_required=True,
            approvers=("security-oncall", "cto"), risk=RiskTier.HIGH, allow_high_risk=True,
        ),
    }
    rules = (
        Rule("eng-reads-arms", {"department": ("Engineering",)}, ("arms-readonly",)),
        Rule("sre-runs-arms", {"department": ("Engineering",), "title": ("SRE",)}, ("arms-full",)),
        Rule("apps-read-group", {"department": ("Applications",)}, ("arms-readonly-rg",)),
        Rule("ops", {"department": ("Operations",)}, ("ops",)),
        Rule("service-accounts", {"employment_type": ("service-account",)}, (), access=AccessMode.PROGRAMMATIC),
    )
    defaults: dict[str, Any] = {"tag_attributes": ("department",)}
    defaults.update(options)
    return Catalog(profiles, rules, CatalogOptions(**defaults), source="test-catalog")


PERSON_FIELDS = {"email", "user_name", "manager", "access"}


def person(pid: str = "p-1", department: str = "Engineering", display_name: str = "Alice Example", **more: Any) -> Person:
    """A person; keyword arguments that are not Person fields are HR attributes (title=...)."""
    fields = {k: v for k, v in more.items() if k in PERSON_FIELDS}
    attributes = {"department": department, **{k: v for k, v in more.items() if k not in PERSON_FIELDS}}
    return Person(pid, display_name, attributes=attributes, **fields)


def event(kind: EventKind, *, at: datetime = NOW, pid: str = "p-1", **fields: Any) -> LifecycleEvent:
    return LifecycleEvent(f"ev-{kind.value}-{at.isoformat()}", kind, at, "test", pid, **fields)


def joiner(at: datetime = EARLIER, /, **person_fields: Any) -> LifecycleEvent:
    return event(EventKind.JOINER, at=at, person=person(**person_fields))


def approval(ticket: str = "T-1", status: str = "Approved", requester: str = "alice", approver: str = "bob") -> Approval:
    return Approval(ticket, status, requester, approver)


def converge(desired: DesiredUser, observed: ObservedUser | None, catalog: Catalog, now: datetime = NOW) -> ObservedUser | None:
    """Apply the plan in the model: the observed state after a successful run."""
    steps = plan(desired, observed, event_id="t", options=catalog.options, now=now).steps
    return simulate(observed, steps, now)


def onboarded(catalog: Catalog, user: str = "alice", at: datetime = EARLIER, **person_fields: Any) -> ObservedUser:
    """A user as a successful joiner left it."""
    desired = desire(joiner(at, **person_fields), None, catalog, now=at, user_name=user).user
    observed = converge(desired, None, catalog, at)
    assert observed is not None
    return observed


def planned(desired: DesiredUser, observed: ObservedUser | None, catalog: Catalog, now: datetime = NOW) -> Plan:
    return plan(desired, observed, event_id="t", options=catalog.options, now=now)


def kinds(p: Plan) -> list[StepKind]:
    return [s.kind for s in p.steps]


def with_(observed: ObservedUser, **changes: Any) -> ObservedUser:
    return replace(observed, **changes)
