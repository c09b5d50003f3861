"""``Tombstones.await_queryable``: the poll a deletion makes until its tombstone is indexed
(pure logic: a scripted audit port, a fake clock and sleep; the SLS side is in
tests/functional/rampart/test_index_delay.py on localcloud)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from rampart.engine import LOOKBACK, Tombstones
from rampart.errors import CloudError
from rampart.model import AuditRecord, AuditResult

from tests.unit.rampart.memory_audit import MemorySink

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


class ScriptedTrail(MemorySink):
    """Answers each read of removals from a script: a list of records, or an exception to raise;
    the wait reads nothing else, and never writes."""

    def __init__(self, answers: Sequence[list[AuditRecord] | Exception]) -> None:
        super().__init__()
        self.answers = list(answers)
        self.queries: list[dict[str, object]] = []

    def write(self, records: Sequence[AuditRecord]) -> None:
        raise AssertionError("a wait never writes")

    def removals(self, since: datetime, until: datetime, *, person_id: str = "", user_name: str = "",
                 correlation_id: str = "", limit: int = 100) -> list[AuditRecord]:
        assert since <= NOW - LOOKBACK and until > NOW  # the late event's window: replayed records are old
        self.queries.append({"person_id": person_id, "user_name": user_name, "correlation_id": correlation_id})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


ROW = AuditRecord(time=NOW, correlation_id="c-1", event_id="e-1", source="hr:generic", action="removal",
                  target="alice", result=AuditResult.OK)


def _wait(trail: ScriptedTrail, budget: float = 15.0) -> tuple[str | None, FakeTime]:
    clock = FakeTime()
    graves = Tombstones(trail, lambda: NOW)
    return graves.await_queryable("alice", "c-1", budget=budget, sleep=clock.sleep, monotonic=clock.monotonic), clock


def test_found_at_once_costs_one_query_and_no_pause() -> None:
    trail = ScriptedTrail([[ROW]])
    unseen, clock = _wait(trail)
    assert unseen is None
    assert clock.pauses == []
    assert trail.queries == [{"person_id": "", "user_name": "alice", "correlation_id": "c-1"}]


def test_not_yet_indexed_is_polled_with_growing_pauses_until_found() -> None:
    trail = ScriptedTrail([[], [], [], [], [], [ROW]])
    unseen, clock = _wait(trail)
    assert unseen is None
    assert clock.pauses == [0.2, 0.3, 0.5, 1.0, 1.0]
    assert len(trail.queries) == 6


def test_a_failed_read_ends_the_wait_at_once_with_the_error() -> None:
    """The adapter retried throttling and 5xx already: what reaches the wait is for good."""
    denied = CloudError("sls", "GetLogs", "Unauthorized", "denied by the role's policy")
    trail = ScriptedTrail([[], denied, [ROW]])
    unseen, clock = _wait(trail)
    assert unseen is not None
    assert unseen.startswith("the audit trail could not be read: ")
    assert "Unauthorized" in unseen
    assert clock.pauses == [0.2]
    assert len(trail.queries) == 2


def test_never_found_gives_up_at_the_budget_and_says_why() -> None:
    unseen, clock = _wait(ScriptedTrail([[]]), budget=3.0)
    assert unseen == "not found after 6 queries in 3 s"
    assert sum(clock.pauses) <= 3.0
    assert clock.pauses == [0.2, 0.3, 0.5, 1.0, 1.0]  # the sixth query at 3.0 s, the last in budget


def test_a_zero_budget_queries_once() -> None:
    trail = ScriptedTrail([[]])
    unseen, clock = _wait(trail, budget=0)
    assert unseen == "not found after 1 query in 0 s"
    assert clock.pauses == [] and len(trail.queries) == 1


def test_without_an_audit_trail_there_is_nothing_to_wait_for() -> None:
    assert Tombstones(None, lambda: NOW).await_queryable("alice", "c-1") is None
