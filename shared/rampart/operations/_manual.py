"""Lifecycle events an operator makes by hand: ``rampart join``, ``grant``, ``revoke``, ``leave``.

Pure: the caller passes the time, the operator and a random token. Each action becomes an
ordinary :class:`LifecycleEvent` (source ``cli``, actor = the operator's ARN, id
``cli-<verb>-<token>``), built as the JSON of an event file and parsed by the same schema
(``rampart.events``), so a manual action obeys exactly the rules an HR or ticket event does
and is audited the same way. A problem names the command-line argument, not the JSON path.

**A manual joiner with profiles.** The catalog gives profiles to people through rules on HR
attributes, and an operator typing ``--profile`` has no attributes to offer. Inventing
attributes would make the rules lie; attaching profiles outside the marker would make them
manual grants the next mover detaches or reports as drift. So ``join`` is two kinds of
event, applied in order: a joiner for a person *without attributes* (the user, its access
mode and credential, plus whatever rule matches everyone), then one **ticket grant per
profile**, addressed by person id (the engine may have picked ``NAME2`` if ``NAME`` belongs
to someone else). Every grant passes the catalog's checks (high risk, ``max_duration``,
approval) *before* anything is created (``rampart.planning.precheck``): a refused profile refuses the
whole join and nothing is left half done.

**Approval.** ``--ticket ID --approver NAME`` (always together) record an approved ticket:
requester = the operator (the short name of the caller ARN), approver = NAME. The catalog's
check refuses an approver who is the requester, so an operator cannot approve their own
request; :func:`approval_for` also refuses an approver who is the grantee. A profile that
needs approval without ``--ticket`` is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rampart.durations import parse_duration
from rampart.errors import EventError
from rampart.events import EventErrors, format_time, parse_event, parse_time
from rampart.model import AccessMode, EventKind, LifecycleEvent
from rampart.naming import validate_display_name, validate_user_name
from rampart.planning import check_not_grantee

SOURCE = "cli"
APPROVED = "approved"

# Event JSON paths -> the command-line argument that fed them (for error messages).
_ARGUMENTS = {
    "person_id": "PERSON_ID",
    "person.person_id": "PERSON_ID",
    "person.user_name": "--user",
    "person.display_name": "--display-name",
    "person.email": "--email",
    "person.manager": "--manager",
    "person.access": "--access",
    "user_name": "USER",
    "profile": "--profile",
    "until": "--until",
    "approval.ticket_id": "--ticket",
    "approval.approver": "--approver",
    "actor": "the caller identity",
}


@dataclass(frozen=True, slots=True)
class Operator:
    """Who runs the command: the ARN of the credentials (STS GetCallerIdentity)."""

    arn: str

    @property
    def name(self) -> str:
        """The short name an approver is compared with: ``user/<name>`` -> name, an assumed
        role -> its session name, the account itself -> ``root``."""
        resource = self.arn.rsplit(":", 1)[-1]
        if resource == "root":
            return "root"
        return resource.rsplit("/", 1)[-1] if "/" in resource else resource


def event_id(verb: str, token: str) -> str:
    return f"cli-{verb}-{token}"


def parse_until(text: str, now: datetime) -> datetime:
    """``--until``: an ISO 8601 time with an offset, or a duration from now (``PT4H``, ``P1D``)."""
    value = text.strip()
    try:
        if value[:1].upper() == "P":
            return now + parse_duration(value)
        return parse_time(value)
    except ValueError as exc:
        raise EventError(f"--until: {exc}", hint="write e.g. 2026-03-01T18:00:00+08:00, or a duration like PT4H") from None


def _parse(data: Mapping[str, Any]) -> LifecycleEvent:
    try:
        return parse_event(data)
    except EventErrors as exc:
        listed = "; ".join(f"{_ARGUMENTS.get(path, path or 'event')}: {problem}" for path, problem, _ in exc.problems)
        raise EventError(listed, hint=exc.problems[0][2]) from None


def approval_for(ticket: str | None, approver: str | None, operator: Operator, grantees: Sequence[str]) -> dict[str, str] | None:
    """The approval JSON of a manual grant, or None without ``--ticket``/``--approver``."""
    if ticket is None and approver is None:
        return None
    if not ticket or not approver:
        raise EventError("--ticket and --approver go together", hint="give both, or neither for a profile that needs no approval")
    check_not_grantee(ticket, approver, grantees)
    return {"ticket_id": ticket, "status": APPROVED, "requester": operator.name, "approver": approver}


def _base(kind: EventKind, verb: str, token: str, now: datetime, operator: Operator) -> dict[str, Any]:
    ident = event_id(verb, token)
    return {
        "event_id": ident,
        "kind": kind.value,
        "occurred_at": format_time(now),
        "source": SOURCE,
        "actor": operator.arn,
        "correlation_id": ident,
    }


def join_events(
    *,
    person_id: str,
    user_name: str,
    display_name: str,
    access: AccessMode,
    profiles: Sequence[str],
    operator: Operator,
    now: datetime,
    token: str,
    email: str = "",
    manager: str = "",
    ticket: str | None = None,
    approver: str | None = None,
    until: datetime | None = None,
) -> list[LifecycleEvent]:
    """The joiner, then one grant per profile (same time, same correlation id)."""
    validate_user_name(user_name)
    try:
        validate_display_name(display_name)
    except EventError as exc:
        raise EventError(f"--display-name: {exc.message}", hint=exc.hint) from None
    joiner = _base(EventKind.JOINER, "join", token, now, operator)
    person: dict[str, Any] = {
        "person_id": person_id, "display_name": display_name, "user_name": user_name, "access": [access.value],
    }
    if email:
        person["email"] = email
    if manager:
        person["manager"] = manager
    joiner.update(person_id=person_id, person=person)
    events = [_parse(joiner)]
    approval = approval_for(ticket, approver, operator, [user_name, person_id])
    for name in dict.fromkeys(profiles):
        grant = _base(EventKind.GRANT, "join", token, now, operator)
        grant.update(event_id=f"{joiner['event_id']}.grant-{name}", person_id=person_id, profile=name,
                     correlation_id=joiner["event_id"])
        if until is not None:
            grant["until"] = format_time(until)
        if approval is not None:
            grant["approval"] = approval
        events.append(_parse(grant))
    return events


def grant_event(
    *, user_name: str, profile: str, operator: Operator, now: datetime, token: str,
    until: datetime | None = None, ticket: str | None = None, approver: str | None = None,
) -> LifecycleEvent:
    data = _base(EventKind.GRANT, "grant", token, now, operator)
    data.update(user_name=user_name, profile=profile)
    if until is not None:
        data["until"] = format_time(until)
    approval = approval_for(ticket, approver, operator, [user_name])
    if approval is not None:
        data["approval"] = approval
    return _parse(data)


def revoke_event(*, user_name: str, profile: str, operator: Operator, now: datetime, token: str) -> LifecycleEvent:
    data = _base(EventKind.REVOKE, "revoke", token, now, operator)
    data.update(user_name=user_name, profile=profile)
    return _parse(data)


def leave_event(
    *, person_id: str, user_name: str | None, immediate: bool, operator: Operator, now: datetime, token: str
) -> LifecycleEvent:
    """By person (every user of the person) or by user name (one user)."""
    data = _base(EventKind.LEAVER, "leave", token, now, operator)
    if person_id:
        data["person_id"] = person_id
    if user_name:
        data["user_name"] = user_name
    if immediate:
        data["immediate"] = True
    return _parse(data)
