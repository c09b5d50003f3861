"""``rampart drift``: what in the account rampart did not put there, or no longer needs.

Three findings:

- **unmanaged users**: RAM users without rampart's marker (``rampart:managed-by``); rampart
  never touches them, so someone else must own them;
- **unused keys**: AccessKeys (of any user) not used for ``unused_days``, by RAM
  GetAccessKeyLastUsed, or never used and older than that;
- **manual grants**: on rampart's users, attachments and groups no catalog profile grants
  and that are not rampart's time-bound policies: what the planner reports as "manual grant
  left alone" (``rampart.planning``), found here for every user at once.

Read-only. Calls: one RAM ListUsers and one IMS ListTagResources for the account; per user
one ListAccessKeys and one GetAccessKeyLastUsed per key; per rampart user also its grants
(ListPoliciesForUser, ListPolicyAttachments) and ListGroupsForUser. The CLI writes the
report to SLS as one ``drift-report`` audit record (:meth:`DriftReport.summary` is its
detail: counts plus the first names of each list, well under SLS's 1 MB per value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rampart.model import Catalog
from rampart.naming import MANAGED_BY, MANAGED_VALUE
from rampart.planning import is_timebound_name, iso_z, managed_attachments, managed_groups
from rampart.ports import Identities

DEFAULT_UNUSED_DAYS = 90
SUMMARY_ITEMS = 50
"""Names per list in the audit record's detail (the full report is the command's output)."""


@dataclass(frozen=True, slots=True)
class UnusedKey:
    user_name: str
    access_key_id: str
    active: bool
    created_at: datetime
    last_used: datetime | None
    idle_days: int
    managed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user_name, "access_key_id": self.access_key_id, "active": self.active,
                "created_at": iso_z(self.created_at), "last_used": iso_z(self.last_used) if self.last_used else None,
                "idle_days": self.idle_days, "managed": self.managed}


@dataclass(frozen=True, slots=True)
class ManualGrant:
    user_name: str
    kind: str
    """``policy`` or ``group``."""
    name: str
    scope: str

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user_name, "kind": self.kind, "name": self.name, "scope": self.scope}


@dataclass(frozen=True, slots=True)
class DriftReport:
    checked_at: datetime
    unused_days: int
    users: int
    managed_users: int
    unmanaged_users: tuple[str, ...]
    unused_keys: tuple[UnusedKey, ...]
    manual_grants: tuple[ManualGrant, ...]

    @property
    def clean(self) -> bool:
        return not (self.unmanaged_users or self.unused_keys or self.manual_grants)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked_at": iso_z(self.checked_at), "unused_days": self.unused_days, "users": self.users,
            "managed_users": self.managed_users, "clean": self.clean,
            "unmanaged_users": list(self.unmanaged_users),
            "unused_keys": [k.as_dict() for k in self.unused_keys],
            "manual_grants": [g.as_dict() for g in self.manual_grants],
        }

    def summary(self) -> dict[str, Any]:
        """The audit record's detail: counts and the first names of each finding."""
        return {
            "users": self.users, "managed_users": self.managed_users, "unused_days": self.unused_days,
            "unmanaged_users": len(self.unmanaged_users), "unused_keys": len(self.unused_keys),
            "manual_grants": len(self.manual_grants),
            "unmanaged": list(self.unmanaged_users[:SUMMARY_ITEMS]),
            "unused": [f"{k.user_name}:{k.access_key_id}" for k in self.unused_keys[:SUMMARY_ITEMS]],
            "manual": [f"{g.user_name}:{g.kind}:{g.name}@{g.scope}" for g in self.manual_grants[:SUMMARY_ITEMS]],
        }


def find_drift(
    identities: Identities,
    catalog: Catalog,
    now: datetime,
    *,
    unused_days: int = DEFAULT_UNUSED_DAYS,
    progress: Callable[[int, int, str], None] | None = None,
) -> DriftReport:
    """The drift report for the whole account (module docstring); ``progress(done, total, user)``
    is called after each user."""
    users = sorted(u.user_name for u in identities.list_users())
    managed = set(identities.users_tagged(MANAGED_BY, MANAGED_VALUE))
    explained = managed_attachments(catalog)
    groups = managed_groups(catalog)
    idle_limit = timedelta(days=unused_days)
    unused: list[UnusedKey] = []
    manual: list[ManualGrant] = []
    for done, user in enumerate(users, start=1):
        is_managed = user in managed
        for key in identities.access_keys(user):
            last = identities.key_last_used(user, key.access_key_id)
            idle = now - (last or key.created_at)
            if idle >= idle_limit:
                unused.append(UnusedKey(user, key.access_key_id, key.active, key.created_at, last, idle.days, is_managed))
        if is_managed:
            for a in sorted(identities.attachments(user)):
                if a not in explained and not is_timebound_name(user, a.policy.name):
                    manual.append(ManualGrant(user, "policy", str(a.policy), str(a.scope)))
            manual += [ManualGrant(user, "group", g, "account") for g in sorted(identities.groups(user) - groups)]
        if progress is not None:
            progress(done, len(users), user)
    return DriftReport(
        checked_at=now,
        unused_days=unused_days,
        users=len(users),
        managed_users=len(managed & set(users)),
        unmanaged_users=tuple(u for u in users if u not in managed),
        unused_keys=tuple(unused),
        manual_grants=tuple(manual),
    )
