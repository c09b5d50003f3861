"""The catalog's rules for a ticket grant: duration, high risk, approval. Pure.

A refusal is a :class:`rampart.errors.PolicyRefused` saying what was wrong and what to do;
the lifecycle function audits it as REFUSED and answers 4xx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from rampart.catalog import document_is_high_risk, get_profile, is_high_risk
from rampart.errors import EventError, PolicyRefused
from rampart.model import Approval, Catalog, EventKind, LifecycleEvent, PolicyType, Profile, RiskTier, TicketGrant

APPROVED = "approved"
"""The one approval status that counts (case-insensitive): ticket tools normalise to it."""


def whole_seconds(when: datetime) -> datetime:
    """UTC, without microseconds: the precision of the marker tags, so that a time read back
    from a tag equals the one computed from the event (names and tags stay stable)."""
    if when.tzinfo is None:
        raise EventError(f"time {when.isoformat()} has no timezone", hint="send ISO 8601 times with Z or an offset")
    return when.astimezone(timezone.utc).replace(microsecond=0)


def is_high_risk_profile(catalog: Catalog, profile: Profile) -> bool:
    """High risk: its tier says so, or it carries a high-risk system policy, or a custom
    document allowing ``*``-like actions (``rampart.catalog``)."""
    if profile.risk is RiskTier.HIGH or any(is_high_risk(ref) for ref in profile.policies):
        return True
    documents = {spec.name: spec.document for p in catalog.profiles.values() for spec in p.custom_policies}
    return any(
        ref.policy_type is PolicyType.CUSTOM and ref.name in documents and document_is_high_risk(documents[ref.name])
        for ref in profile.policies
    )


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def check_approval(profile: Profile, approval: Approval | None, *, required: bool) -> None:
    """Approval facts: approved status, an approver who is not the requester, and one the
    profile allows. A present approval is always checked, even when none was required."""
    if approval is None:
        if required:
            raise PolicyRefused(
                f"profile {profile.name} needs an approved ticket",
                hint="grant it from an approved ticket (--ticket ID --approver NAME)",
            )
        return
    ticket = approval.ticket_id or "(no id)"
    if not _same(approval.status, APPROVED):
        raise PolicyRefused(
            f"ticket {ticket} for profile {profile.name} is {approval.status!r}, not approved",
            hint="grant it once the ticket is approved",
        )
    if not approval.approver.strip():
        raise PolicyRefused(f"ticket {ticket} for profile {profile.name} names no approver", hint="record who approved it")
    if approval.requester.strip() and _same(approval.approver, approval.requester):
        raise PolicyRefused(
            f"ticket {ticket}: {approval.approver} approved their own request for profile {profile.name}",
            hint="someone other than the requester must approve",
        )
    if profile.approvers and not any(_same(approval.approver, allowed) for allowed in profile.approvers):
        raise PolicyRefused(
            f"ticket {ticket}: {approval.approver} may not approve profile {profile.name}",
            hint=f"ask one of: {', '.join(profile.approvers)}",
        )


def check_not_grantee(ticket: str, approver: str, grantees: Iterable[str]) -> None:
    """Refuse an approver who is one of the ``grantees`` (the person id or logon name the grant
    is for): nobody approves their own access. The CLI applies it to ``--approver``, the ticket
    receiver to a ticket's approver, both before anything is applied."""
    for grantee in grantees:
        if grantee and _same(approver, grantee):
            raise PolicyRefused(
                f"ticket {ticket}: {approver} cannot approve their own access",
                hint="someone other than the grantee must approve",
            )


def check_grant(catalog: Catalog, profile: Profile, event: LifecycleEvent, now: datetime) -> TicketGrant:
    """The ticket grant an event asks for, or PolicyRefused saying which rule it breaks."""
    until = whole_seconds(event.until) if event.until is not None else None
    high = is_high_risk_profile(catalog, profile)
    if until is not None and until <= now:
        raise PolicyRefused(
            f"the grant of {profile.name} would end at {until.isoformat()}, which is already past",
            hint="give an --until in the future",
        )
    if high and not profile.allow_high_risk:
        raise PolicyRefused(
            f"profile {profile.name} carries a high-risk policy and does not allow it",
            hint="set allow_high_risk and max_duration on the profile, or grant a narrower profile",
        )
    if high and until is None:
        raise PolicyRefused(
            f"profile {profile.name} is high risk: it is granted only time-bound",
            hint="give --until (at most the profile's max_duration from now)",
        )
    if profile.max_duration is not None:
        if until is None:
            raise PolicyRefused(
                f"profile {profile.name} is granted only time-bound, for at most {profile.max_duration}",
                hint="give --until",
            )
        if until - now > profile.max_duration:
            raise PolicyRefused(
                f"the grant of {profile.name} until {until.isoformat()} lasts {until - now}, "
                f"over the profile's max_duration of {profile.max_duration}",
                hint=f"give an --until no later than {(now + profile.max_duration).isoformat()}",
            )
    check_approval(profile, event.approval, required=profile.approval_required or high)
    ticket = event.approval.ticket_id if event.approval is not None and event.approval.ticket_id else event.event_id
    # The marker tag holds "<ticket>|<until>" (rampart.naming): keep the separator out of the id.
    return TicketGrant(profile=profile.name, ticket_id=ticket.replace("|", "/"), until=until,
                       granted_at=whole_seconds(event.occurred_at))


def precheck(catalog: Catalog, events: Sequence[LifecycleEvent], now: datetime) -> None:
    """Every grant among ``events`` against the catalog (profile known, duration, high risk,
    approval), before any of them is applied: raises the first refusal."""
    for event in events:
        if event.kind is EventKind.GRANT and event.profile is not None:
            check_grant(catalog, get_profile(catalog, event.profile), event, now)
