"""Tombstones: a deleted user's last word, read back from the audit trail (no database).

Once a leaver's user is deleted its marker (and the event time on it) is gone, so a joiner
that was sent before the leaver but delivered after it would create the person again. Every
removal the engine applies is audited (``action: removal``) with the event time that decided
it (``detail.event_time``: the leaver's; for the sweep's deletion after the grace period, the
leaver's as recorded on the marker), and a joiner for a person with no user asks for the
latest one: older than it, the joiner is stale; newer, it is a rehire. A deletion's record is
written ahead, with the plan, before DeleteUser: an instance killed after DeleteUser must not
leave a deleted user without its tombstone. (A record whose deletion then failed is harmless:
tombstones are read only for people with no user left.)

Why the event time and not the record's own time: the record is written when the removal is
*applied*, later than the leaver happened; a rehire dated between the two (HR re-hires
someone minutes after the leaver, or the two arrive together and race) would otherwise be
taken for a late joiner and dropped. Records written before the event time was kept fall
back to their own time, which is only more cautious.

Fails closed: when the trail cannot be read (SLS down, the audit query refused), the
lookup raises the cloud error, so the joiner fails and Function Compute retries it later. A
deleted user has no marker left to fall back on, so answering "no removal" would let a late
joiner resurrect a leaver. Only a deployment with no audit sink at all has no tombstones.
Never reads anything but removal records.

Queryable, not just written: SLS indexes a log a moment after PutLogs accepted it ("real-time
data is queryable within about 3 s", GetLogs; alibaba-platform.md §C.5). A late joiner that
takes the user's lock right after the leaver released it would query before the tombstone is
indexed, find no removal and create the person again. So a deletion waits, after the
write-ahead and before its first step, until its own removal record is found by the query a
late event makes (:meth:`Tombstones.await_queryable`), for at most ``TOMBSTONE_WAIT_SECONDS``;
past that the event fails with nothing changed and Function Compute retries it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from rampart.errors import CloudError
from rampart.model import AuditRecord
from rampart.ports import AuditSink

LOOKBACK = timedelta(days=3650)
TOMBSTONE_WAIT_SECONDS = 15.0
"""How long a deletion waits for its tombstone to be queryable: SLS says about 3 s; five times
that absorbs a slow index and a throttled query, and stays well inside the lifecycle function's
timeout (s.yaml: 120 s)."""
_POLL_SECONDS = (0.2, 0.3, 0.5, 1.0)
"""The pauses between two queries (the last one repeats)."""


def removal_time(record: AuditRecord) -> datetime | None:
    """A removal record's tombstone time: the event time it carries, else its own time; None
    when its detail cannot be read."""
    try:
        detail = json.loads(record.detail or "{}")
        when = detail.get("event_time") if isinstance(detail, dict) else None
        if isinstance(when, str) and when:
            return datetime.fromisoformat(when[:-1] + "+00:00" if when.endswith("Z") else when)
        return record.time
    except ValueError:
        return None


class Tombstones:
    def __init__(self, sink: AuditSink | None, clock: Callable[[], datetime]) -> None:
        self._sink = sink
        self._clock = clock
        self._cache: dict[str, datetime] | None = None
        self._by_user: dict[str, datetime] | None = None

    def prefetch(self) -> int:
        """Read every removal of the lookback window in one paged query, so that a bulk import
        of N joiners asks the audit trail once instead of N times. Removals recorded after
        this call are not seen by the cached lookups (an import runs joiners, not leavers).
        Returns the number of people with a removal on record."""
        if self._sink is None:
            return 0
        cache: dict[str, datetime] = {}
        by_user: dict[str, datetime] = {}
        for record in self._removals(self._sink, limit=1_000_000):
            moment = removal_time(record)
            if moment is None:
                continue
            for key, into in ((record.person_id, cache), (record.target, by_user)):
                if key and (key not in into or moment > into[key]):
                    into[key] = moment
        self._cache, self._by_user = cache, by_user
        return len(cache)

    def last_removal(self, person_id: str) -> datetime | None:
        """The latest removal's event time for the person, None when there is none (or no sink);
        raises the cloud error when the trail cannot be read (fail closed)."""
        if self._sink is None:
            return None
        if self._cache is not None:
            return self._cache.get(person_id)
        return self._latest(self._removals(self._sink, person_id=person_id))

    def last_removal_of_user(self, user_name: str) -> datetime | None:
        """The latest removal's event time for the RAM user ``user_name`` (an event that names
        the user, such as a ticket's grant, rather than the person); None when there is none (or
        no sink); raises the cloud error when the trail cannot be read."""
        if self._sink is None:
            return None
        if self._by_user is not None:
            return self._by_user.get(user_name)
        return self._latest(self._removals(self._sink, user_name=user_name))

    def await_queryable(
        self, user_name: str, correlation_id: str, *, budget: float = TOMBSTONE_WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
    ) -> str | None:
        """Wait until the removal record of ``user_name`` written by event ``correlation_id``
        is found by a query, as a late event would make it. None once found (or with no sink);
        else why not: not found within ``budget`` seconds, or the trail could not be read (at
        once: the adapter has retried throttling and 5xx already, what is left is for good,
        such as a permission the role lacks)."""
        if self._sink is None:
            return None
        deadline = monotonic() + budget
        tries = 0
        while True:
            tries += 1
            try:
                # the late event's own query: a replayed record keeps the time it was first written at
                if self._removals(self._sink, user_name=user_name, correlation_id=correlation_id, limit=1):
                    return None
            except CloudError as exc:  # failed for good: the adapter already retried throttling and 5xx
                return f"the audit trail could not be read: {exc}"
            pause = _POLL_SECONDS[min(tries - 1, len(_POLL_SECONDS) - 1)]
            if monotonic() + pause > deadline:
                return f"not found after {tries} quer{'y' if tries == 1 else 'ies'} in {budget:g} s"
            sleep(pause)

    def _removals(
        self, sink: AuditSink, *, person_id: str = "", user_name: str = "", correlation_id: str = "", limit: int = 100,
    ) -> list[AuditRecord]:
        """The removal records of the person, user or event given (all when none is) over the
        lookback window: the one read every lookup and the wait make."""
        now = self._clock()
        return sink.removals(now - LOOKBACK, now + timedelta(minutes=15), person_id=person_id, user_name=user_name,
                             correlation_id=correlation_id, limit=limit)

    @staticmethod
    def _latest(records: list[AuditRecord]) -> datetime | None:
        times = [t for t in (removal_time(r) for r in records) if t is not None]
        return max(times) if times else None
