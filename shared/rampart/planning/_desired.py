"""Desired state: what a RAM user should look like after a lifecycle event. Pure.

``desire(event, observed, catalog, now=..., user_name=...)`` turns a joiner, mover, grant,
revoke or leaver into a :class:`Desired` (a ``DesiredUser`` plus notes), or refuses:

- :class:`StaleEvent` when the event is older than the last one applied for the person (the
  marker's event time; equal is a redelivery and converges). Once a user is deleted its
  marker is gone: pass ``tombstone`` (the last applied event time, from the audit trail) to
  keep a late joiner from resurrecting a leaver. Grants and revokes are ordered per profile
  on top: a grant or revoke of P is stale when older than the person's last joiner, mover or
  leaver, or than the last grant or revoke of P (``TicketGrant.granted_at``,
  ``Marker.revocations``). They do not move the person's event time, so two tickets for
  different profiles both apply whatever order they arrive in (and a mover is not made stale
  by a newer ticket), while a grant and a revoke of one profile end as the later one says.
- :class:`UnknownProfile`, :class:`UnknownPerson` (an event for a user rampart does not
  manage, or that belongs to another person), :class:`PolicyRefused` (high risk without an
  end, over max_duration, approval missing or not valid, both access modes, a joiner whose
  name is taken by a user rampart does not manage).

Semantics, in brief: a joiner creates or converges (a DISABLED user becomes ACTIVE again: a
rehire); a mover re-evaluates the rules and keeps ticket grants; grant/revoke add or remove a
ticket grant; a leaver disables for the catalog's grace period (unless ``immediate``) or
removes the user; ``desire_sweep`` ends expired grants and deletes users whose grace is over.
Times are cut to whole seconds (the precision of the marker tags), and ``now`` is a
parameter: this module never reads the clock and does no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from rampart.catalog import profiles_for
from rampart.errors import EventError, PolicyRefused, UnknownPerson, UnknownProfile
from rampart.model import (
    AccessMode,
    Catalog,
    DesiredUser,
    EventKind,
    LifecycleEvent,
    LifecycleState,
    ObservedUser,
    Revocation,
)
from rampart.naming import display_name_for
from rampart.planning._desired_user import Desired, Shape, build, teardown
from rampart.planning._event_context import (
    EventContext,
    access_mode,
    check_stale,
    current_access,
    decided_at,
    kept_shape,
    managed,
    person_of,
    profile_name,
    when_text,
)
from rampart.planning._grant_rules import check_grant, whole_seconds
from rampart.planning.timebound import iso_z

__all__ = ["Desired", "decided_at", "desire", "desire_sweep"]


def desire(
    event: LifecycleEvent,
    observed: ObservedUser | None,
    catalog: Catalog,
    *,
    now: datetime,
    user_name: str,
    access: AccessMode | None = None,
    force: bool = False,
    tombstone: datetime | None = None,
) -> Desired:
    """The desired state of ``user_name`` after ``event``.

    ``access``: the access mode the caller decided (when it split a person asking for both
    modes into ``name`` and ``name-api``); otherwise the person's, the marker's (mover), the
    first matching rule's or the catalog default. ``force``: a joiner adopts an existing user
    rampart does not manage; a leaver removes one.
    """
    if observed is not None and observed.user_name != user_name:
        raise EventError(f"observed user {observed.user_name} is not {user_name}")
    ctx = EventContext(event, observed, catalog, whole_seconds(now), user_name, whole_seconds(event.occurred_at), access, force)
    check_stale(ctx, tombstone)
    handlers = {
        EventKind.JOINER: _joiner,
        EventKind.MOVER: _mover,
        EventKind.GRANT: _grant,
        EventKind.REVOKE: _revoke,
        EventKind.LEAVER: _leaver,
    }
    return handlers[event.kind](ctx)


def desire_sweep(observed: ObservedUser, catalog: Catalog, now: datetime) -> Desired:
    """The sweep's view of a user it finds: expired ticket grants end, a disabled user whose
    grace is over is removed. Not an event: the marker's event time does not move."""
    now = whole_seconds(now)
    marker = observed.marker
    if marker is None:
        raise UnknownPerson(f"user {observed.user_name} is not managed by rampart", hint="the sweep touches only rampart's users")
    access = current_access(marker, observed, catalog)
    if marker.state is LifecycleState.DISABLED:
        if marker.grace_until is not None and marker.grace_until <= now:
            return teardown(
                catalog, observed, marker, person_id=marker.person_id, access=access, event_time=marker.event_time,
                now=now, notes=(f"grace period ended at {iso_z(marker.grace_until)}: removing {observed.user_name}",),
            )
        notes = () if marker.grace_until is not None else (
            f"{observed.user_name} is disabled without a grace deadline: kept; remove it with a leaver event (immediate)",
        )
        return build(catalog, observed, kept_shape(observed, marker, access, marker.ticket_grants, marker.event_time), now, notes)
    return build(catalog, observed, kept_shape(observed, marker, access, marker.ticket_grants, marker.event_time), now)


# --- the events ----------------------------------------------------------------------------


def _joiner(ctx: EventContext) -> Desired:
    person = person_of(ctx)
    marker = ctx.marker
    notes: list[str] = []
    if ctx.observed is not None:
        finishing = marker is None and bool(ctx.observed.created_for) and ctx.observed.created_for == person.person_id
        if marker is None and not ctx.force and not finishing:
            raise PolicyRefused(
                f"user {ctx.user_name} already exists and rampart does not manage it",
                hint="pick another logon name for the person (or adopt the user with --force)",
            )
        if marker is not None and marker.person_id != person.person_id:
            raise PolicyRefused(
                f"user {ctx.user_name} already belongs to person {marker.person_id}, not {person.person_id}",
                hint="pick another logon name for the person",
            )
        if finishing:
            notes.append(f"finishing {ctx.user_name}: created for {person.person_id} by an attempt that ended before "
                         "its marker was written")
        elif marker is None:
            notes.append(f"adopting {ctx.user_name}, which rampart did not create (--force)")
    rules, rule_access = profiles_for(ctx.catalog, person.attributes)
    access = access_mode(ctx, person, rule_access, None)
    if marker is not None and marker.state is LifecycleState.DISABLED:
        notes.append(f"rehire: {ctx.user_name} was disabled (grace until {when_text(marker.grace_until)}); restored")
    if marker is not None and marker.access is not None and marker.access is not access:
        notes.append(f"access mode changes from {marker.access.value} to {access.value}")
    shape = Shape(
        user_name=ctx.user_name,
        display_name=display_name_for(person) if person.display_name else ctx.user_name,
        person_id=person.person_id,
        access=access,
        state=LifecycleState.ACTIVE,
        rule_profiles=rules,
        grants=marker.ticket_grants if marker is not None else (),
        event_time=ctx.occurred,
        attributes=person.attributes,
        manager=person.manager,
        revocations=marker.revocations if marker is not None else (),
    )
    return build(ctx.catalog, ctx.observed, shape, ctx.now, notes)


def _mover(ctx: EventContext) -> Desired:
    person = person_of(ctx)
    observed, marker = managed(ctx)
    rules, rule_access = profiles_for(ctx.catalog, person.attributes)
    access = access_mode(ctx, person, rule_access, marker.access)
    notes: list[str] = []
    added, removed = sorted(rules - marker.rule_profiles), sorted(marker.rule_profiles - rules)
    if added or removed:
        notes.append("rule profiles: " + " ".join([*(f"+{p}" for p in added), *(f"-{p}" for p in removed)]))
    if marker.state is LifecycleState.DISABLED:
        notes.append(f"{ctx.user_name} is disabled (grace until {when_text(marker.grace_until)}): the profiles apply on a rehire")
    shape = Shape(
        user_name=ctx.user_name,
        display_name=display_name_for(person) if person.display_name else observed.display_name,
        person_id=marker.person_id,
        access=access,
        state=marker.state,
        rule_profiles=rules,
        grants=marker.ticket_grants,
        event_time=ctx.occurred,
        grace_until=marker.grace_until,
        attributes=person.attributes,
        manager=person.manager,
        revocations=marker.revocations,
    )
    return build(ctx.catalog, observed, shape, ctx.now, notes)


def _grant(ctx: EventContext) -> Desired:
    observed, marker = managed(ctx)
    name = profile_name(ctx)
    profile = ctx.catalog.profiles.get(name)
    if profile is None:
        raise UnknownProfile(
            f"profile {name!r} is not in the catalog {ctx.catalog.source}",
            hint=f"use one of: {', '.join(sorted(ctx.catalog.profiles))}",
        )
    if marker.state is LifecycleState.DISABLED:
        raise PolicyRefused(
            f"user {ctx.user_name} is disabled (leaver, grace until {when_text(marker.grace_until)}): no new grants",
            hint="rehire the person first (a joiner event)",
        )
    grant = check_grant(ctx.catalog, profile, ctx.event, ctx.now)
    notes: list[str] = []
    if name in marker.rule_profiles:
        notes.append(f"{name} is already granted by the HR rules; the ticket grant is recorded as well")
    previous = next((g for g in marker.ticket_grants if g.profile == name), None)
    if previous is not None:
        notes.append(f"replaces the grant of {name} from ticket {previous.ticket_id} (until {when_text(previous.until)})")
    grants = (*(g for g in marker.ticket_grants if g.profile != name), grant)
    revocations = tuple(r for r in marker.revocations if r.profile != name)
    shape = kept_shape(observed, marker, current_access(marker, observed, ctx.catalog), grants, marker.event_time,
                  revocations)
    return build(ctx.catalog, observed, shape, ctx.now, notes)


def _revoke(ctx: EventContext) -> Desired:
    observed, marker = managed(ctx)
    name = profile_name(ctx)
    if name in marker.rule_profiles:
        raise PolicyRefused(
            f"profile {name} of {ctx.user_name} comes from the HR rules, not from a ticket",
            hint="change the person's HR attributes (a mover event) to remove it",
        )
    kept = tuple(g for g in marker.ticket_grants if g.profile != name)
    notes: list[str] = []
    if len(kept) == len(marker.ticket_grants):
        if name not in ctx.catalog.profiles:
            raise UnknownProfile(
                f"profile {name!r} is not in the catalog {ctx.catalog.source} and {ctx.user_name} holds no grant of it",
                hint=f"use one of: {', '.join(sorted(ctx.catalog.profiles))}",
            )
        notes.append(f"{ctx.user_name} holds no ticket grant of {name}: nothing to revoke")
    # The revoke is remembered even when nothing was held: a grant of the profile that is
    # older (delivered late, or racing this one) must not apply after it.
    revocations = (*(r for r in marker.revocations if r.profile != name), Revocation(name, ctx.occurred))
    shape = kept_shape(observed, marker, current_access(marker, observed, ctx.catalog), kept, marker.event_time,
                  revocations)
    return build(ctx.catalog, observed, shape, ctx.now, notes)


def _leaver(ctx: EventContext) -> Desired:
    if ctx.observed is None:
        gone = DesiredUser(
            user_name=ctx.user_name, display_name="", person_id=ctx.event.person_id,
            access=ctx.catalog.options.default_access, state=None,
        )
        return Desired(gone, (f"user {ctx.user_name} does not exist: nothing to remove",))
    observed = ctx.observed
    if observed.marker is None:
        if not ctx.force:
            raise UnknownPerson(
                f"user {ctx.user_name} is not managed by rampart",
                hint="rampart offboards only its own users; use --force to remove it anyway",
            )
        access = AccessMode.CONSOLE if observed.has_login_profile else ctx.catalog.options.default_access
        return teardown(
            ctx.catalog, observed, None, person_id=ctx.event.person_id, access=access, event_time=ctx.occurred,
            now=ctx.now, notes=(f"removing {ctx.user_name}, which rampart did not create (--force)",),
        )
    observed, marker = managed(ctx)
    access = current_access(marker, observed, ctx.catalog)
    grace = ctx.catalog.options.grace_period
    if marker.state is LifecycleState.DISABLED:
        due = ctx.event.immediate or marker.grace_until is None or marker.grace_until <= ctx.now
        if not due:
            notes = (f"{ctx.user_name} is already disabled until {when_text(marker.grace_until)}",)
            return build(ctx.catalog, observed, kept_shape(observed, marker, access, marker.ticket_grants, ctx.occurred), ctx.now, notes)
    elif grace > timedelta(0) and not ctx.event.immediate and ctx.occurred + grace > ctx.now:
        shape = kept_shape(observed, marker, access, marker.ticket_grants, ctx.occurred)
        disabled = replace(shape, state=LifecycleState.DISABLED, grace_until=ctx.occurred + grace)
        notes = (f"disabling {ctx.user_name} until {iso_z(ctx.occurred + grace)} (grace period); a rehire before then restores it",)
        return build(ctx.catalog, observed, disabled, ctx.now, notes)
    return teardown(
        ctx.catalog, observed, marker, person_id=marker.person_id, access=access, event_time=ctx.occurred, now=ctx.now,
        notes=(f"removing {ctx.user_name}",),
    )


