"""What an operator runs: ``rampart init``, ``status``, ``handover``, the manual lifecycle
events (``join``, ``grant``, ``revoke``, ``leave``), the bulk import and the ledger import.
"""

from __future__ import annotations

from rampart.operations._bulk import (
    DEFAULT_CONCURRENCY,
    ImportReport,
    Outcome,
    PersonOutcome,
    import_csv,
    progress_bar,
)
from rampart.operations._bulk_csv import ImportRow, event_id_for, group_rows, read_csv, source_for
from rampart.operations._handover import HandoverResult, NoTerminal, Terminal, hand_over, open_terminal
from rampart.operations._initialise import InitReport, initialise
from rampart.operations._ledger_import import LedgerImport, import_ledger
from rampart.operations._manual import (
    Operator,
    approval_for,
    event_id,
    grant_event,
    join_events,
    leave_event,
    parse_until,
    revoke_event,
)
from rampart.operations._status import UserStatus, user_status

__all__ = [
    "DEFAULT_CONCURRENCY",
    "HandoverResult",
    "ImportReport",
    "ImportRow",
    "InitReport",
    "LedgerImport",
    "NoTerminal",
    "Operator",
    "Outcome",
    "PersonOutcome",
    "Terminal",
    "UserStatus",
    "approval_for",
    "event_id",
    "event_id_for",
    "grant_event",
    "group_rows",
    "hand_over",
    "import_csv",
    "import_ledger",
    "initialise",
    "join_events",
    "leave_event",
    "open_terminal",
    "parse_until",
    "progress_bar",
    "read_csv",
    "revoke_event",
    "source_for",
    "user_status",
]
