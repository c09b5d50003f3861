"""The lifecycle engine: one event in, the cloud converged, the audit trail written. It
observes, plans, gates deletions, applies steps idempotently, certifies leavers, and
runs the sweep and the drift report, through the ports only. :func:`build_engine` is the
one way the functions and the CLI assemble it from settings.
"""

from __future__ import annotations

from rampart.engine._apply import StepOutcome
from rampart.engine._breaker import Breaker
from rampart.engine._drift import DriftReport, find_drift
from rampart.engine._engine import Engine
from rampart.engine._factory import build_breaker, build_engine
from rampart.engine._lock import LEASE, LEASE_MARGIN_S, LockBusy, UserLocks, lock_document, lock_name, read_lock
from rampart.engine._observe import (
    CALLS_ABSENT,
    CALLS_PER_ACCESS_KEY_SECRET,
    CALLS_PRESENT,
    find_user_for_person,
    observe,
    users_for_person,
)
from rampart.engine._results import EventResult, Target, UserResult
from rampart.engine._tombstones import LOOKBACK, TOMBSTONE_WAIT_SECONDS, Tombstones, removal_time

__all__ = [
    "CALLS_ABSENT",
    "CALLS_PER_ACCESS_KEY_SECRET",
    "CALLS_PRESENT",
    "LEASE",
    "LEASE_MARGIN_S",
    "LOOKBACK",
    "TOMBSTONE_WAIT_SECONDS",
    "Breaker",
    "DriftReport",
    "Engine",
    "EventResult",
    "LockBusy",
    "StepOutcome",
    "Target",
    "Tombstones",
    "UserLocks",
    "UserResult",
    "build_breaker",
    "build_engine",
    "find_drift",
    "find_user_for_person",
    "lock_document",
    "lock_name",
    "observe",
    "read_lock",
    "removal_time",
    "users_for_person",
]
