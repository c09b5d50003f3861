"""The ledger's rows as Tablestore columns, both ways: one JSON document per person for the
markers (Tablestore has no nested types; tablestore.md §2.8: STRING attributes up to 2 MB),
whole-second UTC times as ISO text. Pure: no I/O.

A row that does not parse is refused loudly (``LedgerCorrupt``), never read as "no record":
reading a damaged row as absent would let a joiner recreate someone who left.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from rampart.errors import RampartError
from rampart.model import (
    AccessMode,
    LifecycleState,
    Marker,
    PersonRecord,
    Removal,
    Revocation,
    TicketGrant,
)


class LedgerCorrupt(RampartError):
    """A ledger row rampart cannot read: reported, never taken for an absent row."""


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def _parse_time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise LedgerCorrupt(f"ledger row {where}: a time must be ISO text, not {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise LedgerCorrupt(f"ledger row {where}: {value[:40]!r} is not an ISO time") from exc
    if parsed.tzinfo is None:
        raise LedgerCorrupt(f"ledger row {where}: {value[:40]!r} has no time zone")
    return parsed.astimezone(timezone.utc)


def _optional_time(value: Any, where: str) -> datetime | None:
    return None if value is None else _parse_time(value, where)


def marker_json(marker: Marker) -> dict[str, Any]:
    return {
        "person": marker.person_id,
        "state": marker.state.value,
        "event_time": _time(marker.event_time),
        "rule_profiles": sorted(marker.rule_profiles),
        "grants": [
            {"profile": g.profile, "ticket": g.ticket_id, "until": _time(g.until), "granted_at": _time(g.granted_at)}
            for g in marker.ticket_grants
        ],
        "grace_until": _time(marker.grace_until),
        "access": None if marker.access is None else marker.access.value,
        "revocations": [{"profile": r.profile, "at": _time(r.at)} for r in marker.revocations],
    }


def marker_from_json(data: Any, where: str) -> Marker:
    if not isinstance(data, dict):
        raise LedgerCorrupt(f"ledger row {where}: a marker must be an object")
    try:
        return Marker(
            person_id=str(data["person"]),
            state=LifecycleState(data["state"]),
            event_time=_parse_time(data["event_time"], where),
            rule_profiles=frozenset(str(p) for p in data.get("rule_profiles", [])),
            ticket_grants=tuple(
                TicketGrant(str(g["profile"]), str(g["ticket"]), _optional_time(g.get("until"), where),
                            _optional_time(g.get("granted_at"), where))
                for g in data.get("grants", [])
            ),
            grace_until=_optional_time(data.get("grace_until"), where),
            access=None if data.get("access") is None else AccessMode(data["access"]),
            revocations=tuple(Revocation(str(r["profile"]), _parse_time(r["at"], where))
                              for r in data.get("revocations", [])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, LedgerCorrupt):
            raise
        raise LedgerCorrupt(f"ledger row {where}: unreadable marker ({type(exc).__name__}: {exc})") from exc


def person_columns(record: PersonRecord) -> dict[str, Any]:
    """The attribute columns of ``record`` (its version and writer token are the adapter's)."""
    removal = record.removal
    return {
        "users": json.dumps({name: marker_json(m) for name, m in sorted(record.users.items())},
                            separators=(",", ":"), sort_keys=True),
        "removal": json.dumps(None if removal is None else
                              {"at": _time(removal.at), "event_id": removal.event_id,
                               "certificate_id": removal.certificate_id}, separators=(",", ":")),
        "handed_over": json.dumps(sorted(record.handed_over), separators=(",", ":")),
    }


def person_from_columns(person_id: str, columns: Mapping[str, Any]) -> PersonRecord:
    where = f"person {person_id!r}"
    try:
        users = json.loads(columns.get("users") or "{}")
        removal = json.loads(columns.get("removal") or "null")
        handed = json.loads(columns.get("handed_over") or "[]")
    except (TypeError, ValueError) as exc:
        raise LedgerCorrupt(f"ledger row {where}: a column is not JSON") from exc
    version = columns.get("version")
    if not isinstance(users, dict) or not isinstance(handed, list) or not isinstance(version, int) or version < 1:
        raise LedgerCorrupt(f"ledger row {where}: missing or malformed users, handed_over or version")
    if removal is not None and not (isinstance(removal, dict) and "at" in removal):
        raise LedgerCorrupt(f"ledger row {where}: malformed removal")
    return PersonRecord(
        person_id=person_id,
        users={str(name): marker_from_json(m, f"{where} user {name!r}") for name, m in users.items()},
        removal=None if removal is None else Removal(_parse_time(removal["at"], where), str(removal.get("event_id", "")),
                                                     str(removal.get("certificate_id", ""))),
        handed_over=frozenset(str(h) for h in handed),
        version=version,
    )
