"""The stderr fallback: records the sink refused, written as JSON lines marked
``{"rampart_audit_replay": true, ...}`` (Function Compute keeps stderr in the function's log),
and read back from such a log for :func:`rampart.audit.replay`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import IO, Any

from rampart.audit._records import record_from_contents, redact_record
from rampart.model import AuditRecord
from rampart.redact import SecretRegistry, dumps

REPLAY_MARK = "rampart_audit_replay"


class Delivery(Enum):
    EMPTY = "empty"
    """Nothing to write."""
    WRITTEN = "written"
    """The sink took every record."""
    DEFERRED = "deferred"
    """The sink failed; the records are on stderr, marked for replay."""
    LOST = "lost"
    """The sink failed and so did stderr."""


_SEVERITY = (Delivery.EMPTY, Delivery.WRITTEN, Delivery.DEFERRED, Delivery.LOST)


def replay_line(record: AuditRecord, registry: SecretRegistry | None = None) -> str:
    """One stderr line for ``record``: the mark, then the SLS contents."""
    payload: dict[str, Any] = {REPLAY_MARK: True}
    payload.update(redact_record(record, registry).contents())
    return dumps(payload, registry, ensure_ascii=False)


def spill(records: Sequence[AuditRecord], stream: IO[str] | None = None, registry: SecretRegistry | None = None) -> Delivery:
    """Write ``records`` as replay lines to ``stream`` (stderr), all in one write."""
    target = sys.stderr if stream is None else stream
    text = "".join(replay_line(r, registry) + "\n" for r in records)
    try:
        target.write(text)
        target.flush()
    except (OSError, ValueError):
        return Delivery.LOST
    return Delivery.DEFERRED



def parse_replay_lines(lines: Iterable[str]) -> tuple[list[AuditRecord], int]:
    """The marked records in ``lines`` (a log dump may prefix them or mix other lines in),
    and how many marked lines could not be read."""
    records: list[AuditRecord] = []
    unreadable = 0
    for line in lines:
        if REPLAY_MARK not in line:
            continue
        start = line.find("{")
        try:
            payload = json.loads(line[start:]) if start >= 0 else None
            if not isinstance(payload, dict) or payload.get(REPLAY_MARK) is not True:
                raise ValueError("not a replay record")
            records.append(record_from_contents(payload))
        except ValueError:
            unreadable += 1
    return records, unreadable

