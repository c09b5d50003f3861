"""What the event handlers of ``rampart.planning`` share: the event in context, and the checks
on it (staleness, the person record, whether rampart manages the user, the access mode). Pure.

Staleness: an event older than the last one applied for the person (the marker's event time,
or the tombstone of a deleted user) is refused; equal is a redelivery and converges. Grants
and revokes are also ordered per profile (``decided_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rampart.errors import EventError, PolicyRefused, StaleEvent, UnknownPerson
from rampart.model import (
    HR_RECORD_ATTRIBUTE,
    HR_RECORD_IDS_ONLY,
    AccessMode,
    Catalog,
    EventKind,
    LifecycleEvent,
    Marker,
    ObservedUser,
    Person,
    Revocation,
    TicketGrant,
)
from rampart.planning._desired_user import Shape
from rampart.planning._grant_rules import whole_seconds
from rampart.planning.timebound import iso_z


@dataclass(frozen=True, slots=True)
class EventContext:
    """One event as the handlers see it: times cut to whole seconds, the caller's choices."""

    event: LifecycleEvent
    observed: ObservedUser | None
    catalog: Catalog
    now: datetime
    user_name: str
    occurred: datetime
    access: AccessMode | None
    force: bool

    @property
    def marker(self) -> Marker | None:
        return self.observed.marker if self.observed is not None else None



def decided_at(marker: Marker, profile: str) -> datetime | None:
    """When a grant or revoke of ``profile`` was last applied (None: never, or not recorded)."""
    times = [g.granted_at for g in marker.ticket_grants if g.profile == profile and g.granted_at is not None]
    times += [r.at for r in marker.revocations if r.profile == profile]
    return max(times) if times else None


def check_stale(ctx: EventContext, tombstone: datetime | None) -> None:
    marker = ctx.marker
    last = marker.event_time if marker is not None else None
    if marker is not None and ctx.event.kind in (EventKind.GRANT, EventKind.REVOKE) and ctx.event.profile:
        decided = decided_at(marker, ctx.event.profile)
        if decided is not None and (last is None or decided > last):
            last = decided
    if tombstone is not None and (last is None or whole_seconds(tombstone) > last):
        last = whole_seconds(tombstone)
    if last is not None and ctx.occurred < last:
        who = marker.person_id if marker is not None else ctx.event.person_id
        raise StaleEvent(
            f"{ctx.event.kind.value} event {ctx.event.event_id} occurred at {iso_z(ctx.occurred)}, before the last "
            f"event applied for person {who} ({iso_z(last)}): skipped",
            hint="a newer event already decided this person's state",
        )


def person_of(ctx: EventContext) -> Person:
    if ctx.event.person is None:
        raise EventError(
            f"{ctx.event.kind.value} event {ctx.event.event_id} carries no person record",
            hint="joiner and mover events need the person's current HR record",
        )
    if ctx.event.person.attributes.get(HR_RECORD_ATTRIBUTE) == HR_RECORD_IDS_ONLY:
        raise EventError(
            f"{ctx.event.kind.value} event {ctx.event.event_id} from {ctx.event.source or 'its source'} names person "
            f"{ctx.event.person_id} by id only, without the HR record (name, department, title) rampart plans from",
            hint="send joiners and movers through a source that carries the record (the generic contract, Feishu, "
                 "BambooHR's field-based webhook); fetching it from the HR system's API is not supported yet",
        )
    return ctx.event.person


def managed(ctx: EventContext) -> tuple[ObservedUser, Marker]:
    if ctx.observed is None:
        raise UnknownPerson(
            f"no RAM user {ctx.user_name} for {ctx.event.kind.value} event {ctx.event.event_id}",
            hint="onboard the person first (a joiner event)",
        )
    if ctx.observed.marker is None:
        raise UnknownPerson(
            f"user {ctx.user_name} is not managed by rampart",
            hint="rampart changes only the users it created; onboard the person with a joiner event (--force adopts)",
        )
    marker = ctx.observed.marker
    if ctx.event.person_id and marker.person_id != ctx.event.person_id:
        raise UnknownPerson(
            f"user {ctx.user_name} belongs to person {marker.person_id}, not {ctx.event.person_id}",
            hint="check the person id or the user name in the event",
        )
    return ctx.observed, marker


def access_mode(ctx: EventContext, person: Person | None, rule_access: AccessMode | None, current: AccessMode | None) -> AccessMode:
    if ctx.access is not None:
        return ctx.access
    requested = tuple(dict.fromkeys(person.access)) if person is not None else ()
    if len(requested) > 1:
        raise PolicyRefused(
            f"person {person.person_id if person else ctx.event.person_id} asks for both console and programmatic "
            "access; rampart gives one access mode per RAM user",
            hint="ask for one, or set options.split_access_modes to give two users (NAME and NAME-api)",
        )
    if requested:
        return requested[0]
    if current is not None:
        return current
    return rule_access if rule_access is not None else ctx.catalog.options.default_access


def current_access(marker: Marker, observed: ObservedUser, catalog: Catalog) -> AccessMode:
    if marker.access is not None:
        return marker.access
    if observed.has_login_profile:
        return AccessMode.CONSOLE
    return AccessMode.PROGRAMMATIC if observed.keys else catalog.options.default_access


def kept_shape(
    observed: ObservedUser, marker: Marker, access: AccessMode, grants: tuple[TicketGrant, ...], event_time: datetime,
    revocations: tuple[Revocation, ...] | None = None,
) -> Shape:
    """The user as it is, with new grants: no person record (grant, revoke, sweep)."""
    return Shape(
        user_name=observed.user_name,
        display_name=observed.display_name,
        person_id=marker.person_id,
        access=access,
        state=marker.state,
        rule_profiles=marker.rule_profiles,
        grants=grants,
        event_time=event_time,
        grace_until=marker.grace_until,
        revocations=marker.revocations if revocations is None else revocations,
    )


def profile_name(ctx: EventContext) -> str:
    if not ctx.event.profile:
        raise EventError(f"{ctx.event.kind.value} event {ctx.event.event_id} names no profile", hint="give --profile")
    return ctx.event.profile



def when_text(when: datetime | None) -> str:
    return iso_z(when) if when is not None else "-"
