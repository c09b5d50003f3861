"""``rampart status USER``: one RAM user as rampart sees it, and its recent audit trail.

Reads only (the calls of ``rampart.engine``, one GetAccessKeyLastUsed per key, one IMS
GetDefaultDomain, one SLS GetLogs). Every grant is explained by where it comes from:

- ``rule``: a profile the HR rules give the person (the marker's ``rampart:profiles``);
- ``ticket``: a ticket grant (``rampart:grant:<profile>``), with its ticket and, when
  time-bound, its end (the time-bound policy's ``DateLessThan`` ends it in RAM itself);
- ``time-bound``: one of the user's time-bound policies that no recorded grant explains
  (the sweep deletes it);
- ``catalog``: a catalog profile's policy that none of the person's profiles grants (the
  next event or sweep detaches it);
- ``manual``: granted outside rampart (drift; left alone unless ``manage_manual_grants``).

Never shows a secret value: secrets are listed by name. The audit part is best effort: when
SLS cannot be read, the rest is still shown and ``audit_error`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rampart.engine import observe
from rampart.errors import RampartError, UnknownPerson
from rampart.model import Attachment, Catalog, ObservedUser, PolicyRef, PolicyType, SecretKind
from rampart.naming import logon_principal
from rampart.planning import (
    is_timebound_name,
    iso_z,
    managed_attachments,
    managed_groups,
    timebound_policy_name,
    timebound_prefix,
)
from rampart.ports import AuditSink, Identities, Secrets

AUDIT_DAYS = 30
AUDIT_LIMIT = 20
AUDIT_FIELDS = ("time", "action", "result", "target", "actor", "approver", "event_id", "source", "policy", "scope",
                "error_code", "detail")


def _iso(when: datetime | None) -> str | None:
    return iso_z(when) if when is not None else None


@dataclass(frozen=True, slots=True)
class KeyStatus:
    access_key_id: str
    active: bool
    created_at: datetime
    age_days: int
    last_used: datetime | None
    secret_name: str | None
    """The KMS secret whose ACSCurrent version escrows it; None: not escrowed (an orphan, or
    the key a rotation is taking out: the next run deletes it)."""

    def as_dict(self) -> dict[str, Any]:
        return {"access_key_id": self.access_key_id, "active": self.active, "created_at": _iso(self.created_at),
                "age_days": self.age_days, "last_used": _iso(self.last_used), "secret_name": self.secret_name}


@dataclass(frozen=True, slots=True)
class GrantStatus:
    kind: str
    """``policy`` or ``group``."""
    name: str
    scope: str
    source: str
    profile: str = ""
    ticket: str = ""
    until: datetime | None = None
    expired: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "scope": self.scope, "source": self.source,
                "profile": self.profile, "ticket": self.ticket, "until": _iso(self.until), "expired": self.expired}


@dataclass(frozen=True, slots=True)
class UserStatus:
    user_name: str
    user_id: str
    display_name: str
    logon_principal: str
    managed: bool
    person_id: str = ""
    state: str = ""
    access: str = ""
    event_time: datetime | None = None
    grace_until: datetime | None = None
    console_login: bool = False
    mfa_device: str | None = None
    keys: tuple[KeyStatus, ...] = ()
    secrets: tuple[dict[str, Any], ...] = ()
    grants: tuple[GrantStatus, ...] = ()
    rule_profiles: tuple[str, ...] = ()
    audit: tuple[dict[str, str], ...] = ()
    audit_error: str = ""
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "user": self.user_name, "user_id": self.user_id, "display_name": self.display_name,
            "logon_principal": self.logon_principal, "managed": self.managed, "person_id": self.person_id,
            "state": self.state, "access": self.access, "event_time": _iso(self.event_time),
            "grace_until": _iso(self.grace_until), "console_login": self.console_login, "mfa_device": self.mfa_device,
            "keys": [k.as_dict() for k in self.keys], "secrets": list(self.secrets),
            "rule_profiles": list(self.rule_profiles), "grants": [g.as_dict() for g in self.grants],
            "audit": list(self.audit), "audit_error": self.audit_error, "notes": list(self.notes),
        }


def explain_grants(observed: ObservedUser, catalog: Catalog, now: datetime) -> list[GrantStatus]:
    """Every attachment and group of the user with the reason it is there (module docstring)."""
    user = observed.user_name
    why: dict[Attachment, GrantStatus] = {}
    group_why: dict[str, GrantStatus] = {}
    marker = observed.marker
    if marker is not None:
        for name in sorted(marker.rule_profiles):
            profile = catalog.profiles.get(name)
            if profile is None:
                continue
            for ref in profile.policies:
                a = Attachment(ref, profile.scope)
                why.setdefault(a, GrantStatus("policy", str(ref), str(profile.scope), "rule", name))
            for group in profile.groups:
                group_why.setdefault(group, GrantStatus("group", group, "account", "rule", name))
        for grant in marker.ticket_grants:
            profile = catalog.profiles.get(grant.profile)
            if profile is None:
                continue
            expired = grant.until is not None and grant.until <= now
            for ref in profile.policies:
                if grant.until is None:
                    a = Attachment(ref, profile.scope)
                else:
                    a = Attachment(PolicyRef(PolicyType.CUSTOM, timebound_policy_name(user, grant.profile, ref, grant.until)),
                                   profile.scope)
                why.setdefault(a, GrantStatus("policy", str(a.policy), str(a.scope), "ticket", grant.profile,
                                              grant.ticket_id, grant.until, expired))
            for group in profile.groups:
                group_why.setdefault(group, GrantStatus("group", group, "account", "ticket", grant.profile,
                                                        grant.ticket_id, grant.until, expired))
    managed = managed_attachments(catalog)
    out: list[GrantStatus] = []
    for a in sorted(observed.attachments):
        if a in why:
            out.append(why[a])
        elif is_timebound_name(user, a.policy.name):
            out.append(GrantStatus("policy", str(a.policy), str(a.scope), "time-bound"))
        elif a in managed:
            out.append(GrantStatus("policy", str(a.policy), str(a.scope), "catalog"))
        else:
            out.append(GrantStatus("policy", str(a.policy), str(a.scope), "manual"))
    groups = managed_groups(catalog)
    for group in sorted(observed.groups):
        fallback = GrantStatus("group", group, "account", "catalog" if group in groups else "manual")
        out.append(group_why.get(group, fallback))
    return out


def recent_audit(sink: AuditSink, user_name: str, now: datetime, *, person_id: str = "", days: int = AUDIT_DAYS,
                 limit: int = AUDIT_LIMIT) -> list[dict[str, str]]:
    """The newest audit records about the user (``target``) or its person, newest first."""
    records = sink.user_trail(user_name, now - timedelta(days=days), now + timedelta(minutes=1), person_id=person_id,
                              limit=limit)
    rows = [dict(record.contents()) for record in records[:limit]]
    return [{name: row.get(name, "") for name in AUDIT_FIELDS} for row in rows]


def user_status(
    identities: Identities, secrets: Secrets, sink: AuditSink | None, catalog: Catalog, user_name: str, now: datetime
) -> UserStatus:
    observed = observe(identities, secrets, user_name, timebound_prefix=timebound_prefix(user_name))
    if observed is None:
        raise UnknownPerson(f"no RAM user {user_name}", hint="check the name (rampart drift lists every user)")
    key_secrets = [s for s in observed.secrets if s.kind is SecretKind.ACCESS_KEY and not s.pending_deletion]
    escrowed = {s.access_key_id: s.name for s in key_secrets if s.access_key_id}
    rotated_out = {s.previous_access_key_id: s.name for s in key_secrets if s.previous_access_key_id}
    keys = tuple(
        KeyStatus(k.access_key_id, k.active, k.created_at, max(0, (now - k.created_at).days),
                  identities.key_last_used(user_name, k.access_key_id), escrowed.get(k.access_key_id))
        for k in observed.keys
    )
    marker = observed.marker
    audit: list[dict[str, str]] = []
    audit_error = ""
    if sink is not None:
        try:
            audit = recent_audit(sink, user_name, now, person_id=marker.person_id if marker else "")
        except RampartError as exc:
            audit_error = str(exc)
    notes: list[str] = []
    if marker is None:
        notes.append(f"{user_name} is not managed by rampart: rampart leaves it alone")
    notes += [f"key {k.access_key_id} is being rotated out (the ACSPrevious version of {rotated_out[k.access_key_id]}): "
              "the next run deletes it" if k.access_key_id in rotated_out else
              f"key {k.access_key_id} has no escrowed secret in KMS: the next run replaces it"
              for k in keys if k.secret_name is None and marker is not None]
    return UserStatus(
        user_name=observed.user_name,
        user_id=observed.user_id,
        display_name=observed.display_name,
        logon_principal=logon_principal(observed.user_name, identities.default_domain()),
        managed=marker is not None,
        person_id=marker.person_id if marker else "",
        state=marker.state.value if marker else "",
        access=marker.access.value if marker and marker.access else "",
        event_time=marker.event_time if marker else None,
        grace_until=marker.grace_until if marker else None,
        console_login=observed.has_login_profile,
        mfa_device=observed.mfa_serial,
        keys=keys,
        secrets=tuple({"name": s.name, "kind": s.kind.value, "access_key_id": s.access_key_id,
                       "previous_access_key_id": s.previous_access_key_id,
                       "pending_deletion": s.pending_deletion} for s in observed.secrets),
        grants=tuple(explain_grants(observed, catalog, now)),
        rule_profiles=tuple(sorted(marker.rule_profiles)) if marker else (),
        audit=tuple(audit),
        audit_error=audit_error,
        notes=tuple(notes),
    )
