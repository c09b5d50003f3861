"""The account-wide sweep and the drift record, shared by ``rampart sweep`` / ``rampart drift``
and the ``sweeper`` function, so the CLI and the timer do exactly the same work.

- :func:`sweep_all`: :meth:`Engine.sweep_user` for every user carrying rampart's marker tag
  (expired time-bound grants, grace-period deletions, key rotation); one user's failure is
  recorded as a FAILED result and the sweep goes on.
- :func:`record_drift`: the drift report (``rampart.engine``) as one ``drift-report`` audit
  record, its detail :meth:`DriftReport.summary`.
- :func:`parse_timer`: FC's timer trigger event (alibaba-platform.md §D.5,
  ``{"triggerTime", "triggerName", "payload"}``), leniently: the payload is the user's text;
  a JSON object there may set ``rotate`` (bool) and ``unused_days`` (int), else defaults.
- :func:`run_sweep`: the sweeper function's work, sweep then drift, as a JSON-ready summary.

Never renders a secret: results carry user names, step kinds and error texts (redacted at
the source, ``rampart.adapters.retry``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rampart.audit import AuditTrail, Delivery
from rampart.clock import Clock
from rampart.engine._drift import DEFAULT_UNUSED_DAYS, DriftReport, find_drift
from rampart.engine._engine import Engine
from rampart.engine._results import UserResult
from rampart.errors import RampartError
from rampart.events import parse_time
from rampart.model import AuditResult, Catalog, Plan
from rampart.naming import MANAGED_BY, MANAGED_VALUE
from rampart.ports import AuditSink, Identities

DRIFT_ACTION = "drift-report"
"""The audit action of the drift report's record."""


def sweep_all(
    engine: Engine,
    identities: Identities,
    *,
    rotate: bool = True,
    progress: Callable[[int, int, UserResult], None] | None = None,
) -> list[UserResult]:
    """Sweep every rampart user; ``progress(number, total, result)`` after each one."""
    users = identities.users_tagged(MANAGED_BY, MANAGED_VALUE)
    results: list[UserResult] = []
    for number, user in enumerate(users, start=1):
        try:
            result = engine.sweep_user(user, rotate=rotate)
        except RampartError as exc:  # one user's trouble does not stop the sweep
            result = UserResult(user, Plan("sweep", user, ()), result=AuditResult.FAILED, failure=exc)
        results.append(result)
        if progress is not None:
            progress(number, len(users), result)
    return results


def record_drift(
    report: DriftReport, sink: AuditSink | None, clock: Clock, *, event_id: str, source: str, actor: str = ""
) -> Delivery:
    """Write the report's summary as one audit record (stderr for replay if SLS refuses)."""
    trail = AuditTrail(correlation_id=event_id, event_id=event_id, source=source, clock=clock, target="account",
                       actor=actor)
    trail.add(DRIFT_ACTION, AuditResult.OK, detail=report.summary())
    return trail.flush(sink)


@dataclass(frozen=True, slots=True)
class TimerEvent:
    trigger_name: str
    trigger_time: datetime | None
    payload: str
    rotate: bool = True
    unused_days: int = DEFAULT_UNUSED_DAYS


def parse_timer(raw: bytes) -> TimerEvent:
    """The timer trigger's event; anything unreadable counts as a bare tick (a sweep needs no input)."""
    try:
        data: Any = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    name, when, payload = data.get("triggerName"), data.get("triggerTime"), data.get("payload")
    moment: datetime | None = None
    if isinstance(when, str):
        try:
            moment = parse_time(when)
        except (ValueError, RampartError):
            moment = None
    text = payload if isinstance(payload, str) else ""
    options: Any = {}
    if text.lstrip().startswith("{"):
        try:
            options = json.loads(text)
        except ValueError:
            options = {}
    rotate, days = options.get("rotate"), options.get("unused_days")
    return TimerEvent(
        name if isinstance(name, str) else "", moment, text,
        rotate=rotate if isinstance(rotate, bool) else True,
        unused_days=days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else DEFAULT_UNUSED_DAYS,
    )


def run_sweep(
    timer: TimerEvent, engine: Engine, identities: Identities, catalog: Catalog, sink: AuditSink | None, clock: Clock
) -> dict[str, Any]:
    """Sweep every rampart user, then write the drift report's record; the summary of both."""
    results = sweep_all(engine, identities, rotate=timer.rotate)
    now = clock()
    report = find_drift(identities, catalog, now, unused_days=timer.unused_days)
    ident = f"drift-{now:%Y%m%dT%H%M%S}"
    delivery = record_drift(report, sink, clock, event_id=ident, source="fc:sweeper", actor=timer.trigger_name)
    failed = [r for r in results if r.result is AuditResult.FAILED]
    return {
        "trigger": timer.trigger_name,
        "users": len(results),
        "summary": dict(Counter(r.result.value for r in results)),
        "changed": [r.user_name for r in results if r.outcomes],
        "failed": [{"user": r.user_name, "error": r.error} for r in failed],
        "drift": {"event_id": ident, "audit": delivery.value, "clean": report.clean, **report.summary()},
    }
