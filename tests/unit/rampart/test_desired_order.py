"""The order of events for one person, whatever order they arrive in (issue 6, races).

Joiners, movers and leavers are ordered by the marker's event time; grants and revokes per
profile (the grant's time in its tag, a revoke's in ``rampart:revoked:<profile>``), and they
do not move the person's event time. So two tickets for different profiles commute, and a
grant and a revoke of one profile end as the later one says, in either arrival order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from rampart.errors import StaleEvent
from rampart.model import Catalog, EventKind, LifecycleEvent, ObservedUser, Revocation, TicketGrant
from rampart.naming import GRANT_PREFIX, REVOKED_PREFIX, marker_from_tags, marker_tags
from rampart.planning import decided_at, desire, desire_sweep

from tests.unit.rampart.examples import EARLIER, NOW, approval, arms_catalog, event, onboarded, person, with_

T1, T2, T3 = NOW - timedelta(minutes=30), NOW - timedelta(minutes=20), NOW - timedelta(minutes=10)


def grant(profile: str, at: datetime, ticket: str = "T-1", **fields: Any) -> LifecycleEvent:
    return event(EventKind.GRANT, at=at, profile=profile, approval=approval(ticket), **fields)


def revoke(profile: str, at: datetime) -> LifecycleEvent:
    return event(EventKind.REVOKE, at=at, profile=profile)


def apply(observed: ObservedUser, ev: LifecycleEvent, catalog: Catalog) -> ObservedUser:
    """The marker the event writes, as the TAG/UNTAG steps leave it (grants are judged by the marker)."""
    desired = desire(ev, observed, catalog, now=NOW, user_name="alice").user
    return with_(observed, marker=desired.marker, tags=dict(desired.tags))


def profiles(observed: ObservedUser) -> list[str]:
    assert observed.marker is not None
    return sorted(g.profile for g in observed.marker.ticket_grants)


@pytest.mark.parametrize("first, second", [("ops", "arms-full"), ("arms-full", "ops")])
def test_two_grants_of_different_profiles_both_hold_in_either_order(first: str, second: str) -> None:
    catalog = arms_catalog()
    start = onboarded(catalog, department="Sales")
    times = {"ops": T1, "arms-full": T2}
    after = apply(apply(start, grant(second, times[second]), catalog), grant(first, times[first]), catalog)
    assert profiles(after) == ["arms-full", "ops"]
    assert after.marker is not None and start.marker is not None
    assert after.marker.event_time == start.marker.event_time  # tickets do not move the person's time


def test_a_grant_older_than_a_revoke_of_its_profile_is_stale() -> None:
    catalog = arms_catalog()
    revoked = apply(onboarded(catalog, department="Sales"), revoke("ops", T2), catalog)
    assert revoked.tags[REVOKED_PREFIX + "ops"] == "2025-06-01T11:40:00Z"  # remembered though nothing was held
    with pytest.raises(StaleEvent):
        desire(grant("ops", T1), revoked, catalog, now=NOW, user_name="alice")
    newer = apply(revoked, grant("ops", T3), catalog)
    assert profiles(newer) == ["ops"] and REVOKED_PREFIX + "ops" not in newer.tags


def test_a_revoke_older_than_the_grant_of_its_profile_is_stale() -> None:
    catalog = arms_catalog()
    granted = apply(onboarded(catalog, department="Sales"), grant("ops", T2), catalog)
    assert granted.tags[GRANT_PREFIX + "ops"] == "T-1|-|2025-06-01T11:40:00Z"
    with pytest.raises(StaleEvent):
        desire(revoke("ops", T1), granted, catalog, now=NOW, user_name="alice")


def test_a_redelivered_grant_converges_and_a_later_ticket_of_the_profile_replaces_it() -> None:
    catalog = arms_catalog()
    once = apply(onboarded(catalog, department="Sales"), grant("ops", T1, "T-1"), catalog)
    assert apply(once, grant("ops", T1, "T-1"), catalog).tags == once.tags
    later = apply(once, grant("ops", T2, "T-2"), catalog)
    assert [g.ticket_id for g in later.marker.ticket_grants] == ["T-2"]  # type: ignore[union-attr]
    with pytest.raises(StaleEvent):
        desire(grant("ops", T1, "T-1"), later, catalog, now=NOW, user_name="alice")


def test_person_level_events_still_order_tickets() -> None:
    """A grant older than the person's last joiner, mover or leaver stays stale (an immediate
    leaver and a rejoin must not receive a ticket from before); a mover is not stale after a
    newer ticket."""
    catalog = arms_catalog()
    start = onboarded(catalog, department="Sales", at=T2)
    with pytest.raises(StaleEvent):
        desire(grant("ops", T1), start, catalog, now=NOW, user_name="alice")
    granted = apply(start, grant("ops", T3 + timedelta(minutes=5)), catalog)
    moved = desire(event(EventKind.MOVER, at=T3, person=person(department="Operations")), granted, catalog,
                   now=NOW, user_name="alice").user
    assert moved.marker is not None and moved.marker.event_time == T3
    assert [g.profile for g in moved.marker.ticket_grants] == ["ops"]


def test_revocations_the_person_time_covers_are_dropped() -> None:
    catalog = arms_catalog()
    revoked = apply(onboarded(catalog, department="Sales", at=T1), revoke("ops", T2), catalog)
    moved = desire(event(EventKind.MOVER, at=T3, person=person(department="Sales")), revoked, catalog,
                   now=NOW, user_name="alice").user
    assert moved.marker is not None and moved.marker.revocations == ()
    assert REVOKED_PREFIX + "ops" not in moved.tags


def test_a_grant_that_ended_is_remembered_as_decided_when_it_was_granted() -> None:
    catalog = arms_catalog()
    granted = apply(onboarded(catalog, department="Sales"), grant("ecs-temp", T1, until=T1 + timedelta(days=1)), catalog)
    swept = desire_sweep(granted, catalog, NOW + timedelta(days=2)).user
    assert swept.marker is not None and swept.marker.revocations == (Revocation("ecs-temp", T1),)
    assert decided_at(swept.marker, "ecs-temp") == T1 and decided_at(swept.marker, "ops") is None


def test_grant_and_revocation_tags_read_back_and_older_grant_tags_still_read() -> None:
    catalog = arms_catalog()
    granted = apply(onboarded(catalog, department="Sales"), grant("ops", T1, "T-9"), catalog)
    assert granted.marker is not None
    tags = {**marker_tags(granted.marker), REVOKED_PREFIX + "arms-full": "2025-06-01T11:50:00Z"}
    back = marker_from_tags(tags)
    assert back is not None
    assert back.ticket_grants == (TicketGrant("ops", "T-9", None),) and back.ticket_grants[0].granted_at == T1
    assert back.revocations == (Revocation("arms-full", T3),)
    legacy = marker_from_tags({**tags, GRANT_PREFIX + "ops": "T-9|-"})
    assert legacy is not None and legacy.ticket_grants[0].granted_at is None
    assert decided_at(legacy, "ops") is None  # an old tag: the person's event time orders it, as before


def test_the_joiner_keeps_recorded_revocations() -> None:
    catalog = arms_catalog()
    revoked = apply(onboarded(catalog, department="Sales", at=EARLIER - timedelta(hours=1)), revoke("ops", T1), catalog)
    rejoined = desire(event(EventKind.JOINER, at=EARLIER, person=person(department="Sales")), revoked, catalog,
                      now=NOW, user_name="alice").user
    assert rejoined.marker is not None and rejoined.marker.revocations == (Revocation("ops", T1),)
