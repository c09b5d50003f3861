"""Tombstone safety: the person's last removal (its *tombstone*, in the audit trail) decides
what a late event may do, and gates every deletion.

- A late joiner must not resurrect a removed person: :func:`joiner_tombstone` hands the
  removal's time to ``desire``, which refuses a joiner dated before it. The tombstone carries
  the leaver's event time, so a rehire dated after the leaver is not mistaken for a late joiner.
- An event naming a user (a ticket's grant or revoke) older than the leaver that deleted the
  user is stale (:func:`stale_for_removed_user`), not refused: a refusal is retried, then
  dead-lettered.
- A deletion writes its tombstone ahead (:func:`write_ahead_tombstone`) and starts only once
  that tombstone is in SLS and queryable (:func:`deletion_unsafe`): one on stderr is no
  tombstone until it is replayed, and SLS indexes a record about 3 s after it is written, so a
  late joiner taking the lock after this event would otherwise create the person again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rampart.audit import AuditTrail, Delivery
from rampart.engine._apply import removals
from rampart.engine._results import Target
from rampart.engine._tombstones import Tombstones
from rampart.errors import RampartError, StaleEvent
from rampart.model import EventKind, LifecycleEvent, ObservedUser, Plan
from rampart.planning import iso_z, whole_seconds


def joiner_tombstone(graves: Tombstones, event: LifecycleEvent, observed: ObservedUser | None) -> datetime | None:
    """The person's last removal, for a joiner whose user does not exist (else None)."""
    if observed is not None or event.kind is not EventKind.JOINER:
        return None
    return graves.last_removal(event.person_id)


def stale_for_removed_user(graves: Tombstones, event: LifecycleEvent, target: Target) -> None:
    """Raise :class:`StaleEvent` for an event naming a user removed by a later leaver. Newer
    than the removal, or with no removal on record, it goes on to be refused as unknown."""
    if target.observed is not None or not event.user_name or event.kind in (EventKind.JOINER, EventKind.LEAVER):
        return
    removed = graves.last_removal_of_user(target.user_name)
    if removed is not None and whole_seconds(event.occurred_at) <= removed:
        raise StaleEvent(f"user {target.user_name} was removed by a leaver of {iso_z(removed)}: "
                         f"this {event.kind.value} of {iso_z(event.occurred_at)} is older and arrived after it")


def write_ahead_tombstone(event: LifecycleEvent, target: Target, plan: Plan, trail: AuditTrail) -> None:
    """The ``removal`` record of a deletion, before any step: an instance killed between
    DeleteUser and the end of the event must not leave a deleted user without one (a late
    joiner would create it again)."""
    marker = target.observed.marker if target.observed is not None else None
    # its time: the leaver's; for the sweep's deletion, the leaver's recorded on the marker
    when = marker.event_time if event.kind is not EventKind.LEAVER and marker is not None else event.occurred_at
    # with what the plan removes: a certificate written late (rampart.engine._certificates) lists it
    trail.removal(target.user_name, {"kind": "delete", "event_time": iso_z(when), "removing": removals(plan.steps)})


def deletion_unsafe(
    graves: Tombstones, user_name: str, trail: AuditTrail, ahead: Delivery, *, has_sink: bool, budget: float,
    sleep: Callable[[float], None],
) -> RampartError | None:
    """Why a deletion must not start yet, or None: its tombstone, written ahead (delivered
    as ``ahead``), must be in SLS and queryable within ``budget`` seconds (module docstring)."""
    if not has_sink:
        return None
    if ahead is not Delivery.WRITTEN:
        problem = "could not be written to the audit trail (SLS)"
    else:
        unseen = graves.await_queryable(user_name, trail.correlation_id, budget=budget, sleep=sleep)
        if unseen is None:
            return None
        problem = f"is written but not queryable in the audit trail (SLS) yet ({unseen})"
    return RampartError(f"the tombstone of {user_name} {problem}: the user is not deleted until it is",
                        hint="Function Compute retries the event")
