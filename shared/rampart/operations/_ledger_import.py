"""``rampart ledger import [--dry-run]``: ledger rows for a deployment that ran before the ledger,
built from what it kept: its users' ``rampart:*`` tags (the marker) and its audit trail's
removal records (the tombstones of people with no user left).

Idempotent: a person whose row already says the same is left alone; a row that says something
else is never overwritten, it is reported. What the import cannot prove is reported, not
guessed: a user whose ``rampart:*`` tags do not parse, a user rampart began to create but never
marked (its Comments name a person, no marker), a person whose users' markers disagree on
the person, a removal record without a readable time, and a person with live users who also
has a removal newer than every user's marker (a leaver that did not finish).

Tags are read as authority exactly once, here, by an operator who reviews the dry run first:
after the import the ledger decides, and a tag that disagrees with it is tampering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rampart.audit import AuditAction, AuditTrail
from rampart.engine import LOOKBACK, removal_time
from rampart.errors import LedgerConflict
from rampart.model import AuditResult, Marker, PersonRecord, Removal
from rampart.naming import created_for, is_rampart_tag, marker_from_tags
from rampart.ports import AuditSink, Identities, Ledger

REMOVALS_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class LedgerImport:
    dry_run: bool
    created: tuple[str, ...] = ()
    """Person ids given a row (or, in a dry run, that would be)."""
    unchanged: tuple[str, ...] = ()
    """Person ids whose row already said the same."""
    unproven: tuple[str, ...] = ()
    """What the import could not prove, one sentence each; nothing was written for it."""

    @property
    def ok(self) -> bool:
        return not self.unproven

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "dry_run": self.dry_run, "created": list(self.created),
                "unchanged": list(self.unchanged), "unproven": list(self.unproven)}


def _same(a: PersonRecord, b: PersonRecord) -> bool:
    return dict(a.users) == dict(b.users) and a.removal == b.removal


def _audit(sink: AuditSink | None, rows: list[PersonRecord], clock: Callable[[], datetime], actor: str,
           event_id: str) -> None:
    """One ``ledger-import`` record per row, sent before any row is written (no audit, no write)."""
    if sink is None or not rows:
        return
    trail = AuditTrail(correlation_id=event_id, event_id=event_id, source="cli", clock=clock, actor=actor)
    for row in rows:
        trail.add(AuditAction.LEDGER_IMPORT, AuditResult.OK, target=row.person_id, detail={
            "person_id": row.person_id,
            "users": {name: {"state": m.state.value, "event_time": m.event_time.isoformat()}
                      for name, m in sorted(row.users.items())},
            "removal": None if row.removal is None else {"at": row.removal.at.isoformat(),
                                                         "event_id": row.removal.event_id}})
    sink.write(trail.records)


def import_ledger(
    identities: Identities, sink: AuditSink | None, ledger: Ledger, clock: Callable[[], datetime], *,
    dry_run: bool = False, actor: str = "", event_id: str = "ledger-import",
) -> LedgerImport:
    unproven: list[str] = []
    users: dict[str, dict[str, Marker]] = {}
    for facts in identities.list_users():
        tags = identities.user_tags(facts.user_name)
        marker = marker_from_tags(tags)
        if marker is None:
            if any(is_rampart_tag(key) for key in tags):
                unproven.append(f"user {facts.user_name}: rampart tags that do not make a marker (damaged, or "
                                "no rampart:managed-by / rampart:person)")
            elif created_for(facts.comments):
                unproven.append(f"user {facts.user_name}: created for person {created_for(facts.comments)} "
                                "but never marked (an interrupted joiner): run its joiner again")
            continue
        users.setdefault(marker.person_id, {})[facts.user_name] = marker
    removals: dict[str, Removal] = {}
    if sink is not None:
        now = clock()
        for record in sink.removals(now - LOOKBACK, now, limit=REMOVALS_LIMIT):
            moment = removal_time(record)
            if moment is None:
                unproven.append(f"removal record of {record.target or record.person_id} "
                                f"(event {record.event_id}): no readable time")
                continue
            if record.person_id and (record.person_id not in removals or moment > removals[record.person_id].at):
                removals[record.person_id] = Removal(moment, record.event_id)
    unchanged: list[str] = []
    to_write: list[PersonRecord] = []
    for person_id in sorted(set(users) | set(removals)):
        markers = users.get(person_id, {})
        removal = removals.get(person_id)
        if markers and removal is not None and all(removal.at > m.event_time for m in markers.values()):
            unproven.append(f"person {person_id}: users {', '.join(sorted(markers))} are still there, but a "
                            f"removal of {removal.at.isoformat()} is newer than their markers (a leaver that did not "
                            "finish)")
            continue
        row = PersonRecord(person_id, markers, removal)
        existing = ledger.person(person_id)
        if existing is not None:
            if _same(existing, row):
                unchanged.append(person_id)
            else:
                unproven.append(f"person {person_id}: the ledger already holds a different row (version "
                                f"{existing.version}); not overwritten")
            continue
        to_write.append(row)
    created: list[str] = []
    if dry_run:
        return LedgerImport(True, tuple(r.person_id for r in to_write), tuple(unchanged), tuple(unproven))
    _audit(sink, to_write, clock, actor, event_id)
    for row in to_write:
        try:
            ledger.save(row)
        except LedgerConflict:
            unproven.append(f"person {row.person_id}: written by someone else during the import; not overwritten")
            continue
        created.append(row.person_id)
    return LedgerImport(False, tuple(created), tuple(unchanged), tuple(unproven))
