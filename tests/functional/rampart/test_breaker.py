"""The circuit breaker counted from the SLS audit trail on localcloud (its query subset, its
clock): removals in the window, releases, allowances and held events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rampart.adapters.sls import SlsAuditSink
from rampart.audit import AuditTrail
from rampart.config import Settings
from rampart.engine import Breaker
from rampart.errors import BreakerOpen
from rampart.model import AuditResult, CatalogOptions

from localcloud import LocalCloud

LIMIT = 3
OPTIONS = CatalogOptions(breaker_max_removals=LIMIT, breaker_window=timedelta(hours=1))


@pytest.fixture
def sink(cloud: LocalCloud) -> SlsAuditSink:
    info = cloud.info()
    settings = Settings.from_env(
        {}, access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"],
        endpoint=cloud.endpoint, region=info["region"], sls_project="rampart-breaker-test", sls_logstore="lifecycle",
    )
    made = SlsAuditSink(settings)
    made.ensure()
    return made


@pytest.fixture
def breaker(cloud: LocalCloud, sink: SlsAuditSink) -> Breaker:
    """Stamped and judged by localcloud's clock (PutLogs only takes times near it)."""
    return Breaker(sink, OPTIONS, cloud.now)


def leavers(cloud: LocalCloud, sink: SlsAuditSink, count: int, *, result: AuditResult = AuditResult.OK) -> None:
    """``count`` leaver events, each writing its own records (one PutLogs per event)."""
    for n in range(count):
        trail = AuditTrail(correlation_id=f"c-{n}", event_id=f"leave-{cloud.now().timestamp()}-{n}",
                           source="hr:generic", clock=cloud.now)
        trail.add("delete-user", result, target=f"user{n}")
        if result is AuditResult.OK:
            trail.removal(f"user{n}")
        trail.outcome(result)
        trail.flush(sink)


def test_removals_below_the_limit_are_allowed(cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker) -> None:
    assert breaker.allow_removal()
    leavers(cloud, sink, LIMIT - 1)
    state = breaker.check()
    assert (state.removals, state.limit, state.is_open) == (LIMIT - 1, LIMIT, False)


def test_the_limit_reached_within_the_window_holds_the_next_removal(
    cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker
) -> None:
    leavers(cloud, sink, LIMIT)
    assert not breaker.allow_removal()
    with pytest.raises(BreakerOpen) as info:
        breaker.check()
    assert f"{LIMIT} user(s) disabled or deleted" in str(info.value)
    assert "limit 3 per 1h" in str(info.value)
    assert "rampart release" in info.value.hint


def test_failed_removals_and_other_records_are_not_counted(
    cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker
) -> None:
    leavers(cloud, sink, LIMIT + 2, result=AuditResult.FAILED)
    assert breaker.state().removals == 0


def test_removals_older_than_the_window_no_longer_count(cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker) -> None:
    leavers(cloud, sink, LIMIT)
    cloud.clock_advance(OPTIONS.breaker_window.total_seconds() + 60)
    assert breaker.allow_removal()
    leavers(cloud, sink, 1)
    assert breaker.state().removals == 1


def test_a_release_resets_the_count_to_removals_after_it(cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker) -> None:
    leavers(cloud, sink, LIMIT)
    cloud.clock_advance(1)
    record = breaker.release("ops-oncall", reason="HR confirmed the batch")
    assert (record.action, record.actor, record.target) == ("breaker-release", "ops-oncall", "breaker")
    state = breaker.state()
    assert (state.removals, state.released_at) == (0, record.time)
    cloud.clock_advance(1)
    leavers(cloud, sink, LIMIT)
    assert not breaker.allow_removal()


def test_a_release_may_allow_more_removals_until_the_next_release(
    cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker
) -> None:
    leavers(cloud, sink, LIMIT)
    cloud.clock_advance(1)
    breaker.release("ops-oncall", allow=10)
    cloud.clock_advance(1)
    leavers(cloud, sink, LIMIT + 2)
    state = breaker.check()
    assert (state.removals, state.limit) == (LIMIT + 2, 10)


def test_held_events_are_listed_for_release(cloud: LocalCloud, sink: SlsAuditSink, breaker: Breaker) -> None:
    start = cloud.now() - timedelta(seconds=1)
    trail = AuditTrail(correlation_id="c-h", event_id="leave-held", source="hr:generic", clock=cloud.now)
    trail.outcome(AuditResult.HELD, {"event": {"kind": "leaver", "person_id": "p-9"}})
    trail.flush(sink)
    leavers(cloud, sink, 1)
    held = breaker.held(start)
    assert [record.event_id for record in held] == ["leave-held"]
