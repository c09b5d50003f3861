"""Replay of spilled records: re-send the records a failed write left on stderr
(``rampart replay``), skipping those SLS already holds (a "dropped" PutLogs may have been stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from rampart.audit._records import AuditAction
from rampart.audit._spill import parse_replay_lines
from rampart.model import AuditRecord, AuditResult
from rampart.ports import AuditSink


@dataclass(frozen=True, slots=True)
class ReplayReport:
    sent: int
    """Records written to the sink."""
    already_stored: int
    """Records the sink already held (a write that was stored but whose answer was lost)."""
    unreadable: int
    """Marked lines that could not be parsed (reported, not sent)."""
    tombstones: tuple[tuple[str, str], ...] = ()
    """(user, correlation id) of each deletion tombstone sent (``removal`` records): a late
    event can find them only once SLS has indexed them (``rampart.engine``)."""


def _key(contents: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(contents)


def _already_stored(sink: AuditSink, group: Sequence[AuditRecord]) -> set[tuple[tuple[str, str], ...]]:
    """The records of ``group``'s event (by event id, else correlation id) SLS already holds."""
    first = group[0]
    since = min(r.time for r in group).replace(microsecond=0)
    until = max(r.time for r in group).replace(microsecond=0) + timedelta(seconds=1)
    limit = max(100, 4 * len(group))
    if first.event_id:
        stored = sink.by_event(first.event_id, since, until, limit=limit)
    else:
        stored = sink.by_correlation(first.correlation_id, since, until, limit=limit)
    return {_key(r.contents()) for r in stored}


def replay(lines: Iterable[str], sink: AuditSink, *, skip_stored: bool = True) -> ReplayReport:
    """Re-send the marked records in ``lines``, one ``write`` per event (as first written).

    With ``skip_stored`` (the default) a record SLS already holds, identical in every field,
    is not sent again. A sink failure propagates: nothing is lost, re-run the replay. The
    report names the deletion tombstones sent, for the caller to wait until they are
    queryable (``rampart replay`` does) before re-driving the events that were refused.
    """
    records, unreadable = parse_replay_lines(lines)
    groups: dict[tuple[str, str], list[AuditRecord]] = {}
    for record in records:
        groups.setdefault((record.correlation_id, record.event_id), []).append(record)
    sent = stored = 0
    tombstones: set[tuple[str, str]] = set()
    for group in groups.values():
        pending = group
        if skip_stored:
            held = _already_stored(sink, group)
            pending = [r for r in group if _key(r.contents()) not in held]
            stored += len(group) - len(pending)
        if pending:
            sink.write(pending)
            sent += len(pending)
            tombstones.update((r.target, r.correlation_id) for r in pending
                              if r.action == AuditAction.REMOVAL.value and r.result is AuditResult.OK)
    return ReplayReport(sent=sent, already_stored=stored, unreadable=unreadable, tombstones=tuple(sorted(tombstones)))
