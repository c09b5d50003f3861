"""The per-operation part of ``python -m rampart.bench``: one person through every lifecycle
operation, the calls localcloud served for each, beside the minimum the operation needs.

The minimum is reasoned, not measured: the calls an implementation with rampart's design (no
database: the marker in IMS user tags, secrets in KMS, grants through RAM) cannot skip, if it
trusts its own marker for what it did before; rampart does not (it reads the full picture of
the user on every event, so every event also repairs drift), and the table shows the cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from rampart.events import parse_event
from rampart.model import LifecycleEvent

Count = Callable[[], None]
Served = Callable[[], Counter[str]]

ALICE = {"person_id": "E90001", "display_name": "Alice Wong", "email": "alice.wong@example.com", "manager": "E00001",
         "attributes": {"department": "Engineering", "title": "Engineer", "employment_type": "full-time"}}
BRUNO = {"person_id": "E90002", "display_name": "Bruno Silva", "email": "bruno.silva@example.com", "manager": "E00001",
         "attributes": {"department": "Engineering", "title": "Exporter", "employment_type": "service-account"}}
ALICE_SRE = {**ALICE, "attributes": {**ALICE["attributes"], "title": "SRE"}}  # type: ignore[dict-item]

# (name, minimum, why); the events are made in run_operations. "find" is IMS ListTagResources
# by the person tag plus RAM ListUsers (IMS answers user ids, not names); "marker" is
# ListTagResources on the user.
OPERATIONS = {
    "joiner, console": (8, "ListTagResources (is the person onboarded under another name?), GetUser (is the "
                        "logon name free?), CreateUser, TagResources (the marker), GetPasswordPolicy (a password "
                        "RAM accepts), KMS CreateSecret (escrow before use), CreateLoginProfile, AttachPolicyToUser "
                        "(arms-readonly). rampart: +1, GetUser twice (the collision check, then the observation)"),
    "no-op replay of that joiner": (3, "find (2) + marker (1): its event time is the event's, so nothing is left "
                                    "to do, if the marker is trusted. rampart reads the full picture (12) on "
                                    "every event, so a replay also repairs drift (an orphan key, a lost grant)"),
    "joiner, programmatic": (7, "ListTagResources, GetUser, CreateUser, TagResources, CreateAccessKey, KMS "
                             "CreateSecret, AttachPolicyToUser. rampart: +2, GetUser twice and ListAccessKeys "
                             "after the key (a retried CreateAccessKey whose first answer was lost leaves an "
                             "orphan key, deleted at once)"),
    "mover (Engineer to SRE: arms-readonly to arms-full)": (
        6, "find (2) + marker (1, it records the rule profiles granted), TagResources, DetachPolicyFromUser, "
        "AttachPolicyToUser. rampart: + the full observation (keys, login profile, MFA, grants through RAM and "
        "ResourceManager, groups, KMS secrets, time-bound policies)"),
    "grant, time-bound (break-glass-admin, 2 h)": (
        7, "find (2) + marker (1), GetPolicy (AdministratorAccess's document, to copy), CreatePolicy (the copy "
        "with DateLessThan acs:CurrentTime), AttachPolicyToUser, TagResources (the grant in the marker)"),
    "revoke (break-glass-admin)": (
        6, "find (2) + marker (1), DetachPolicyFromUser, DeletePolicy (the time-bound copy), UntagResources. "
        "rampart: + ListPolicyVersions (a policy with versions cannot be deleted) and the full observation"),
    "leaver with grace (disable now, delete after 30 days)": (
        7, "programmatic user: find (2) + marker (1), ListAccessKeys (key ids are not in the marker), "
        "UpdateAccessKey Inactive, DetachPolicyFromUser, TagResources (state disabled, grace deadline)"),
    "leaver, immediate (teardown, read-back, certificate)": (
        12, "console user: find (2) + marker (1); what DeleteUser refuses to delete around and someone may "
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


def run_operations(engine: Any, count: Count, served: Served) -> list[tuple[str, Counter[str], int, str]]:
    """Each operation in turn on a fresh account; rows of (name, calls served, minimum, why)."""
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=30)
    rows: list[tuple[str, Counter[str], int, str]] = []
    for (name, (minimum, why)), event in zip(OPERATIONS.items(), _events(start), strict=True):
        count()
        result = engine.handle(event)
        label = name if result.ok else f"{name} (result {result.result.value}: {result.error})"
        rows.append((label, served(), minimum, why))
    return rows
