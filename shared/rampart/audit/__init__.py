"""The audit trail: the records of one event (plan, steps, outcome), written to the
``AuditSink`` port.
"""

from __future__ import annotations

from rampart.audit._trail import (
    REPLAY_MARK,
    AuditAction,
    AuditTrail,
    Delivery,
    parse_replay_lines,
    record_from_contents,
    redact_record,
    replay,
    sls_phrase,
)

__all__ = [
    "REPLAY_MARK",
    "AuditAction",
    "AuditTrail",
    "Delivery",
    "parse_replay_lines",
    "record_from_contents",
    "redact_record",
    "replay",
    "sls_phrase",
]
