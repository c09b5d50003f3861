"""Who an event is about: the RAM users to lock before observing, then the users observed.

A joiner's users are locked by its derived logon name before the name is resolved (two copies
of one joiner cannot both find it "taken" by the other's half-made user); a collision or a
split ``-api`` user resolves to further names the engine locks in turn. Any other event names
its user, or the person's users are found by their marker tags (``rampart.naming``). A person
with no user left whose removal is on record after the event is stale, not unknown: a
refusal is retried, then dead-lettered; a stale event is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from rampart import naming
from rampart.catalog import profiles_for
from rampart.engine._observe import observe, users_for_person
from rampart.engine._results import Target
from rampart.engine._tombstones import Tombstones
from rampart.errors import EventError, StaleEvent, UnknownPerson
from rampart.model import AccessMode, Catalog, EventKind, LifecycleEvent
from rampart.naming import created_for, marker_from_tags
from rampart.planning import iso_z, timebound_prefix, whole_seconds
from rampart.ports import Identities, Secrets


def _no_user(person_id: str) -> UnknownPerson:
    return UnknownPerson(f"no RAM user is managed for person {person_id!r}",
                         hint="send a joiner event first, or name the user")


def _needs_person() -> EventError:
    return EventError("a joiner event needs the person's record", hint="add a 'person' object")


def owner_of(identities: Identities, name: str) -> str | None:
    """The person the RAM user ``name`` belongs to, or None (no such user, or not rampart's)."""
    facts = identities.get_user(name)
    if facts is None:
        return None
    marker = marker_from_tags(identities.user_tags(name))
    # no marker: the person rampart created it for (an attempt that died before the marker), or nobody
    return marker.person_id if marker is not None else created_for(facts.comments)


def lock_names(identities: Identities, graves: Tombstones, event: LifecycleEvent) -> list[str]:
    """The users to lock before observing: a joiner's derived logon name, else the named user
    or the person's users (module docstring)."""
    if event.kind is EventKind.JOINER:
        if event.person is None:
            raise _needs_person()
        return [naming.derive_user_name(event.person)]
    if event.user_name:
        return [event.user_name]
    names = users_for_person(identities, event.person_id)
    if not names:
        removed = graves.last_removal(event.person_id)
        if removed is not None and whole_seconds(event.occurred_at) <= removed:
            # a redelivered leaver, or a mover or grant older than the leaver that removed the
            # person: skipped like any stale event, not refused (a refusal is retried, then dead-lettered)
            raise StaleEvent(f"person {event.person_id!r} was removed by a leaver of {iso_z(removed)}: "
                             f"this {event.kind.value} of {iso_z(event.occurred_at)} is older and arrived after it")
        raise _no_user(event.person_id)
    return names


def targets(
    identities: Identities, secrets: Secrets, catalog: Catalog, event: LifecycleEvent,
    *, user_names: Sequence[str] | None = None,
) -> list[Target]:
    """The users the event is about, observed. ``user_names``: the users already resolved for
    a leaver, mover, grant or revoke (:func:`lock_names`), so they are not looked up twice."""
    found: list[tuple[str, AccessMode | None]]
    if event.kind is not EventKind.JOINER and user_names:
        found = [(name, None) for name in user_names]
    elif event.kind is EventKind.JOINER:
        if event.person is None:
            raise _needs_person()
        existing = users_for_person(identities, event.person_id)
        if existing:
            found = [(name, None) for name in existing]
        else:
            _, rule_access = profiles_for(catalog, event.person.attributes)
            base = naming.derive_user_name(event.person)
            name = naming.resolve_collision(base, lambda n: owner_of(identities, n), event.person_id)
            found = [(n, mode) for n, mode in naming.access_plan(event.person, rule_access, catalog.options, name)]
    elif event.user_name:
        found = [(event.user_name, None)]
    else:
        names = users_for_person(identities, event.person_id)
        if not names:
            raise _no_user(event.person_id)
        found = [(name, None) for name in names]
    return [
        Target(name, access, observe(identities, secrets, name, timebound_prefix=timebound_prefix(name)))
        for name, access in found
    ]
