"""The circuit breaker on removals, kept in the audit trail: no database.

A bad HR feed can offboard half a company in minutes. So: when more than
``CatalogOptions.breaker_max_removals`` users were disabled or deleted within
``breaker_window``, further leaver events are held (audited with result ``held``) until an
operator runs ``rampart release``.

The facts live in SLS, written by the lifecycle function through ``rampart.audit``:

- a ``removal`` record (``AuditTrail.removal``) for each leaver event that disabled or
  deleted a user (once per event; the sweep's deletion of an already-disabled user is not a
  new removal);
- a ``breaker-release`` record (:meth:`Breaker.release`): removals before the latest
  release no longer count; its optional ``allow`` raises the limit until the next release
  (to let a known, large, legitimate batch through).

The count is one read of the trail (``AuditSink.count_removals``: in SLS one
``select count(*)``), the release one more. It is a soft limit: concurrent invocations may each see the last free slot,
and SLS makes new logs searchable within seconds (alibaba-platform.md §C.5), so a burst can
overshoot by the number of events in flight.

Usage in the lifecycle function, for a leaver plan that disables or deletes::

    breaker.check()            # raises BreakerOpen: audit the event as held, stop
    ... apply ...
    trail.removal(user)        # counted from now on
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rampart.audit import AuditAction, AuditTrail
from rampart.errors import BreakerOpen
from rampart.model import AuditRecord, AuditResult, CatalogOptions
from rampart.ports import AuditSink

Clock = Callable[[], datetime]
RELEASE_TARGET = "breaker"
_SLACK = timedelta(seconds=1)
"""GetLogs' range is right-open: a record stamped exactly ``now`` needs ``until`` past it."""


@dataclass(frozen=True, slots=True)
class BreakerState:
    removals: int
    """Removals counted: within the window and after the latest release."""
    limit: int
    counted_since: datetime
    released_at: datetime | None
    window: timedelta

    @property
    def is_open(self) -> bool:
        """Open (holding leaver events) once ``limit`` removals are counted."""
        return self.removals >= self.limit

    def explain(self) -> str:
        return (
            f"circuit breaker open: {self.removals} user(s) disabled or deleted since "
            f"{self.counted_since.isoformat()} (limit {self.limit} per {_human(self.window)}); "
            "leaver events are held"
        )


def _human(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _allowance(record: AuditRecord) -> int | None:
    try:
        detail = json.loads(record.detail or "{}")
    except ValueError:
        return None
    allow = detail.get("allow") if isinstance(detail, dict) else None
    return allow if isinstance(allow, int) and not isinstance(allow, bool) and allow >= 0 else None


class Breaker:
    def __init__(self, sink: AuditSink, options: CatalogOptions, clock: Clock) -> None:
        self._sink = sink
        self._options = options
        self._clock = clock

    def state(self, now: datetime | None = None) -> BreakerState:
        now = self._clock() if now is None else now
        window = self._options.breaker_window
        since = now - window
        until = now + _SLACK
        limit = self._options.breaker_max_removals
        released_at: datetime | None = None
        releases = self._sink.releases(since, until, limit=1000)
        if releases:
            latest = max(releases, key=lambda r: r.time)
            released_at = latest.time
            since = max(since, released_at)
            allow = _allowance(latest)
            if allow is not None:
                limit = allow
        removals = self._sink.count_removals(since, until)
        return BreakerState(removals, limit, since, released_at, window)

    def allow_removal(self, now: datetime | None = None) -> bool:
        """True while fewer than the limit were removed in the window (since the last release)."""
        return not self.state(now).is_open

    def check(self, now: datetime | None = None) -> BreakerState:
        """The state, or ``BreakerOpen`` when the next removal must be held."""
        state = self.state(now)
        if state.is_open:
            raise BreakerOpen(
                state.explain(),
                hint="check the HR feed, then run `rampart release` to let held leaver events through",
            )
        return state

    def release(
        self, actor: str, *, allow: int | None = None, reason: str = "", correlation_id: str = "", source: str = "cli"
    ) -> AuditRecord:
        """Write a release record now (not buffered: a release SLS never saw does nothing).

        ``allow``: removals admitted until the next release (default: the catalog's limit).
        Raises the sink's error (``CloudError``) if the record cannot be written.
        """
        if allow is not None and allow < 0:
            raise ValueError("allow must be zero or more")
        now = self._clock()
        trail = AuditTrail(
            correlation_id=correlation_id or f"release-{now.strftime('%Y%m%dT%H%M%S%fZ')}",
            event_id="", source=source, clock=lambda: now, target=RELEASE_TARGET, actor=actor,
        )
        detail: dict[str, object] = {"reason": reason}
        if allow is not None:
            detail["allow"] = allow
        record = trail.add(AuditAction.BREAKER_RELEASE, AuditResult.OK, detail=detail)
        self._sink.write([record])
        return record

    def held(self, since: datetime, until: datetime | None = None, limit: int = 1000) -> list[AuditRecord]:
        """Outcome records of events held by the breaker in [since, until) (``rampart release``
        re-submits them; the lifecycle function puts the event in the record's detail)."""
        end = self._clock() + _SLACK if until is None else until
        return self._sink.outcomes(since, end, held=True, limit=limit)
