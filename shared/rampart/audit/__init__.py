"""The audit trail: the records of one event (plan, steps, outcome), written to the
``AuditSink`` port; the stderr fallback when the sink refuses them, and their replay.
"""

from __future__ import annotations

from rampart.audit._records import AuditAction, record_from_contents, redact_record
from rampart.audit._replay import ReplayReport, replay
from rampart.audit._spill import REPLAY_MARK, Delivery, parse_replay_lines, replay_line, spill
from rampart.audit._trail import AuditTrail, render_detail

__all__ = [
    "REPLAY_MARK",
    "AuditAction",
    "AuditTrail",
    "Delivery",
    "ReplayReport",
    "parse_replay_lines",
    "record_from_contents",
    "redact_record",
    "render_detail",
    "replay",
    "replay_line",
    "spill",
]
