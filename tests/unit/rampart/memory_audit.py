"""An in-memory implementation of rampart's own ``AuditSink`` port (``rampart.ports``), for
unit tests of the trail, the fallback replay, the notifier hook and the tombstone wait.

Each read keeps what the SLS adapter's ``keep`` predicates keep (shared/rampart/adapters/sls.py),
over [since, until), at most ``limit`` records; the SLS adapter itself is exercised against
localcloud in tests/functional/rampart/test_audit_sls.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rampart.audit import AuditAction
from rampart.model import AuditRecord, AuditResult


class MemorySink:
    """Keeps every written batch; ``fail`` makes every write raise it (SLS down)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.writes: list[list[AuditRecord]] = []
        self.fail = fail

    @property
    def records(self) -> list[AuditRecord]:
        return [r for batch in self.writes for r in batch]

    def write(self, records: Sequence[AuditRecord]) -> None:
        if self.fail is not None:
            raise self.fail
        self.writes.append(list(records))

    def _kept(self, since: datetime, until: datetime, limit: int, keep: Callable[[AuditRecord], bool], *,
              newest_first: bool = False) -> list[AuditRecord]:
        window = [r for r in self.records if since <= r.time < until and keep(r)]
        return (window[::-1] if newest_first else window)[:limit]

    def by_correlation(self, correlation_id: str, since: datetime, until: datetime, *,
                       limit: int = 1000) -> list[AuditRecord]:
        return self._kept(since, until, limit, lambda r: r.correlation_id == correlation_id)

    def by_event(self, event_id: str, since: datetime, until: datetime, *, limit: int = 100) -> list[AuditRecord]:
        return self._kept(since, until, limit, lambda r: r.event_id == event_id)

    def removals(self, since: datetime, until: datetime, *, person_id: str = "", user_name: str = "",
                 correlation_id: str = "", limit: int = 100) -> list[AuditRecord]:
        def keep(r: AuditRecord) -> bool:
            return (r.action == AuditAction.REMOVAL.value and r.result is AuditResult.OK
                    and (not person_id or r.person_id == person_id) and (not user_name or r.target == user_name)
                    and (not correlation_id or r.correlation_id == correlation_id))

        return self._kept(since, until, limit, keep)

    def count_removals(self, since: datetime, until: datetime) -> int:
        return len(self.removals(since, until, limit=len(self.records)))

    def releases(self, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        return self._kept(since, until, limit,
                          lambda r: r.action == AuditAction.BREAKER_RELEASE.value and r.result is AuditResult.OK)

    def outcomes(self, since: datetime, until: datetime, *, held: bool, limit: int = 1000) -> list[AuditRecord]:
        return self._kept(since, until, limit,
                          lambda r: r.action == AuditAction.EVENT.value and (r.result is AuditResult.HELD) == held)

    def handovers(self, user_name: str, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        return self._kept(since, until, limit,
                          lambda r: r.action == AuditAction.HANDOVER.value and r.target == user_name)

    def user_trail(self, user_name: str, since: datetime, until: datetime, *, person_id: str = "",
                   limit: int = 100) -> list[AuditRecord]:
        return self._kept(since, until, limit,
                          lambda r: r.target == user_name or (bool(person_id) and r.person_id == person_id),
                          newest_first=True)
