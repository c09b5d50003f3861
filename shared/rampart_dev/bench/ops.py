"""The per-operation part of ``python -m rampart_dev.bench.calls``: one person through every lifecycle
operation, the calls localcloud served for each, beside the minimum the operation needs.

The minimum is reasoned, not measured: the calls an implementation with rampart's design (no
database: the marker in IMS user tags, secrets in KMS, grants through RAM) cannot skip, if it
trusts its own marker for what it did before; rampart does not (it reads the full picture of
the user on every event, so every event also repairs drift), and the table shows the cost.

The minimum of an event that writes includes the per-user lock (``rampart.engine``): with
no database, RAM's CreatePolicy is the only atomic "create if absent" the design has, so a
race-safe event pays at least CreatePolicy (take) + DeletePolicy (give back), 2 calls. A
no-op replay writes nothing, so its minimum has no lock; rampart locks before it observes,
so it pays the 2 calls there too. A busy lock costs one GetPolicy per try on top (and the
wait); these figures are one event at a time, so no row shows contention. The lock's calls
are counted apart, at rampart's port (:class:`LockCalls`), and are part of rampart's total.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from rampart.events import parse_event
from rampart.model import LifecycleEvent, PolicyRef
from rampart.ports import Identities

Count = Callable[[], None]
Served = Callable[[], Counter[str]]

ALICE = {"person_id": "E90001", "display_name": "Alice Wong", "email": "alice.wong@example.com", "manager": "E00001",
         "attributes": {"department": "Engineering", "title": "Engineer", "employment_type": "full-time"}}
BRUNO = {"person_id": "E90002", "display_name": "Bruno Silva", "email": "bruno.silva@example.com", "manager": "E00001",
         "attributes": {"department": "Engineering", "title": "Exporter", "employment_type": "service-account"}}
ALICE_SRE = {**ALICE, "attributes": {**ALICE["attributes"], "title": "SRE"}}  # type: ignore[dict-item]

LOCK_CALLS = 2
"""The per-user lock's calls in the minimum of an event that writes: CreatePolicy + DeletePolicy."""

# name -> (minimum without the lock, whether the minimum includes the lock, why); the events
# are made in run_operations. "find" is IMS ListTagResources
# by the person tag plus RAM ListUsers (IMS answers user ids, not names); "marker" is
# ListTagResources on the user.
OPERATIONS = {
    "joiner, console": (8, True, "ListTagResources (is the person onboarded under another name?), GetUser (is the "
                        "logon name free?), CreateUser, TagResources (the marker), GetPasswordPolicy (a password "
                        "RAM accepts), KMS CreateSecret (escrow before use), CreateLoginProfile, AttachPolicyToUser "
                        "(arms-readonly). rampart: +1, GetUser twice (the collision check, then the observation)"),
    "no-op replay of that joiner": (3, False, "find (2) + marker (1): its event time is the event's, so nothing is left "
                                    "to do, if the marker is trusted. rampart reads the full picture (12) on "
                                    "every event, so a replay also repairs drift (an orphan key, a lost grant), "
                                    "and takes the lock (2) before it reads"),
    "joiner, programmatic": (7, True, "ListTagResources, GetUser, CreateUser, TagResources, CreateAccessKey, KMS "
                             "CreateSecret, AttachPolicyToUser. rampart: +2, GetUser twice and ListAccessKeys "
                             "after the key (a retried CreateAccessKey whose first answer was lost leaves an "
                             "orphan key, deleted at once)"),
    "mover (Engineer to SRE: arms-readonly to arms-full)": (
        6, True, "find (2) + marker (1, it records the rule profiles granted), TagResources, DetachPolicyFromUser, "
        "AttachPolicyToUser. rampart: + the full observation (keys, login profile, MFA, grants through RAM and "
        "ResourceManager, groups, KMS secrets, time-bound policies)"),
    "grant, time-bound (break-glass-admin, 2 h)": (
        7, True, "find (2) + marker (1), GetPolicy (AdministratorAccess's document, to copy), CreatePolicy (the copy "
        "with DateLessThan acs:CurrentTime), AttachPolicyToUser, TagResources (the grant in the marker)"),
    "revoke (break-glass-admin)": (
        6, True, "find (2) + marker (1), DetachPolicyFromUser, DeletePolicy (the time-bound copy), UntagResources. "
        "rampart: + ListPolicyVersions (a policy with versions cannot be deleted) and the full observation"),
    "leaver with grace (disable now, delete after 30 days)": (
        7, True, "programmatic user: find (2) + marker (1), ListAccessKeys (key ids are not in the marker), "
        "UpdateAccessKey Inactive, DetachPolicyFromUser, TagResources (state disabled, grace deadline)"),
    "leaver, immediate (teardown, read-back, certificate)": (
        12, True, "console user: find (2) + marker (1); what DeleteUser refuses to delete around and someone may "
        "have added by hand: ListAccessKeys, GetUserMFAInfo, ListGroupsForUser, ListPoliciesForUser (the login "
        "profile and the escrowed secret have known names); DeleteSecret (recovery window), DeleteLoginProfile, "
        "DetachPolicyFromUser, DeleteUser; read-back GetUser (1). rampart: + the full observation and a KMS "
        "ListSecrets in the read-back"),
}


def _event(kind: str, event_id: str, when: datetime, **fields: Any) -> LifecycleEvent:
    data: dict[str, Any] = {"event_id": event_id, "kind": kind, "occurred_at": when.isoformat(), "source": "bench"}
    data.update(fields)
    return parse_event(data)


def _events(start: datetime) -> list[LifecycleEvent]:
    def at(i: int) -> datetime:
        return start + timedelta(seconds=i)

    approval = {"ticket_id": "OPS-1", "status": "approved", "requester": "alice.wong", "approver": "cto"}
    joiner = _event("joiner", "bench-j-alice", at(0), person=ALICE)
    return [
        joiner,
        joiner,
        _event("joiner", "bench-j-bruno", at(1), person=BRUNO),
        _event("mover", "bench-m-alice", at(2), person=ALICE_SRE),
        _event("grant", "bench-g-alice", at(3), person_id="E90001", profile="break-glass-admin",
               until=(start + timedelta(hours=2)).isoformat(), approval=approval),
        _event("revoke", "bench-r-alice", at(4), person_id="E90001", profile="break-glass-admin"),
        _event("leaver", "bench-l-bruno", at(5), person_id="E90002"),
        _event("leaver", "bench-l-alice", at(6), person_id="E90001", immediate=True),
    ]




class LockCalls:
    """The identities port as the per-user lock sees it, counting the lock's calls (one each,
    retries aside: the bench arms no fault). Everything else passes through untouched."""

    def __init__(self, identities: Identities) -> None:
        self._identities = identities
        self._guard = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        with self._guard:
            return self._count

    def _one(self) -> None:
        with self._guard:
            self._count += 1

    def create_policy(self, name: str, document: str, description: str) -> None:
        self._one()
        self._identities.create_policy(name, document, description)

    def policy_document(self, policy: PolicyRef) -> str:
        self._one()
        return self._identities.policy_document(policy)

    def delete_policy(self, name: str, *, versions: bool = True) -> None:
        self._one()
        self._identities.delete_policy(name, versions=versions)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._identities, name)

    def port(self) -> Identities:
        """This counter, typed as the port :class:`rampart.engine.UserLocks` takes."""
        return cast("Identities", self)


@dataclass(frozen=True, slots=True)
class OperationRow:
    name: str
    served: Counter[str]
    """Calls localcloud served, ``service:Action`` -> count (SLS included)."""
    lock_calls: int
    """Of rampart's calls, those the per-user lock made."""
    minimum: int
    """Without the lock."""
    lock_minimum: int
    why: str

    @property
    def calls(self) -> int:
        """rampart's calls under RAM's API quotas (SLS, the audit trail, apart)."""
        return sum(n for key, n in self.served.items() if not key.startswith("sls:"))

    @property
    def sls(self) -> int:
        return sum(n for key, n in self.served.items() if key.startswith("sls:"))

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.name, "calls": self.calls, "lock_calls": self.lock_calls,
                "minimum": self.minimum + self.lock_minimum, "minimum_lock": self.lock_minimum, "sls": self.sls,
                "by_action": {k: v for k, v in sorted(self.served.items()) if not k.startswith("sls:")},
                "why": self.why}


def run_operations(engine: Any, count: Count, served: Served, locks: LockCalls) -> list[OperationRow]:
    """Each operation in turn on a fresh account; ``locks`` is the counter the engine's
    :class:`rampart.engine.UserLocks` was built on."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=30)
    rows: list[OperationRow] = []
    for (name, (minimum, locked, why)), event in zip(OPERATIONS.items(), _events(start), strict=True):
        count()
        before = locks.count
        result = engine.handle(event)
        label = name if result.ok else f"{name} (result {result.result.value}: {result.error})"
        rows.append(OperationRow(label, served(), locks.count - before, minimum, LOCK_CALLS if locked else 0, why))
    return rows


def _action(key: str) -> str:
    service, _, action = key.partition(":")
    return {"ram": "", "kms": "KMS ", "resourcemanager": "RM ", "sts": "STS "}.get(service, service + " ") + action


def print_operations(rows: list[OperationRow]) -> None:
    print("\n## API calls per operation (counted by localcloud; IMS counts as ram)\n")
    print("| operation | rampart's calls | of which the lock | minimum | of which the lock | SLS (audit) "
          "| rampart's calls, by action |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        quota = {k: v for k, v in row.served.items() if not k.startswith("sls:")}
        actions = ", ".join(f"{_action(k)} {v}" if v > 1 else _action(k) for k, v in sorted(quota.items()))
        print(f"| {row.name} | {row.calls} | {row.lock_calls} | {row.minimum + row.lock_minimum} | "
              f"{row.lock_minimum} | {row.sls} | {actions} |")
    print(f"\nThe minimum, and why (an event that writes also needs the per-user lock: {LOCK_CALLS} calls, "
          "CreatePolicy + DeletePolicy; a busy lock adds a GetPolicy per try, not shown):\n")
    for row in rows:
        lock = f" + lock {row.lock_minimum}" if row.lock_minimum else ""
        print(f"- **{row.name}** ({row.minimum}{lock}): {row.why}")
