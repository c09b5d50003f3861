"""The lifecycle function's work: every event of one invocation (the receivers' hand-off, an
EventBridge CloudEvent or batch, RocketMQ / MNS messages; ``sources.envelopes``) through the
engine, and a report with one entry per item.

- **Partial failures** are reported per item (its index in the batch, the message's id, the
  event id, the engine's result or the reason it could not be read) and the invocation
  succeeds, so the items that were applied are not re-sent.
- **Every item failed** (or nothing could be read): :class:`BatchFailed` is raised, so FC's
  async retry runs the invocation again and, after the last attempt, sends it to the
  on-failure destination.
- **Duplicates are harmless**: the envelope drops an event id seen earlier in the batch, and
  the engine is idempotent (a replayed event plans nothing; an older one is stale).

An item counts as failed when it could not be read, when the engine refused it or failed a
step, or when handling it raised. Never renders a secret: reports carry ids, results and
error texts that are redacted where they are made.

**Notifications** (``notify``, optional): after each event the engine handled, the hook tells
the configured robot or webhook about a joiner or leaver (``rampart.notify``); the item
reports ``notified`` (true / false) when there was something to tell. Whatever the hook does,
raising included, never changes the item's result.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rampart import logs
from rampart.engine import Engine, EventResult
from rampart.errors import RampartError, SourceError
from rampart.fc.envelopes import ItemResult, parse_envelope
from rampart.model import AuditResult, LifecycleEvent

FAILED_RESULTS = frozenset({AuditResult.FAILED, AuditResult.REFUSED})
Notify = Callable[[LifecycleEvent, EventResult], bool | None]
"""After-event hook: True notified, False not (failed), None nothing to tell."""

_log = logging.getLogger("rampart.fc.lifecycle")


class BatchFailed(RampartError):
    """No item of the invocation could be applied: raised so Function Compute retries it."""


@dataclass(frozen=True, slots=True)
class ItemReport:
    index: int
    delivery_id: str
    event_id: str
    ok: bool
    result: str
    error_type: str = ""
    error: str = ""
    notified: bool | None = None
    """Whether the robot or webhook was told (None: nothing to tell, or none configured)."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "delivery_id": self.delivery_id, "event_id": self.event_id,
                               "ok": self.ok, "result": self.result, "error_type": self.error_type,
                               "error": self.error}
        if self.notified is not None:
            out["notified"] = self.notified
        return out


@dataclass(frozen=True, slots=True)
class BatchReport:
    items: tuple[ItemReport, ...]

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if not item.ok)

    @property
    def all_failed(self) -> bool:
        return bool(self.items) and self.failed == len(self.items)

    def as_dict(self) -> dict[str, Any]:
        return {"items": len(self.items), "ok": len(self.items) - self.failed, "failed": self.failed,
                "results": [item.as_dict() for item in self.items]}


def run_batch(raw: bytes, engine: Callable[[], Engine], notify: Notify | None = None) -> BatchReport:
    """Every item of ``raw`` through the engine (``engine()`` is called only if there is an
    event), then ``notify`` (module docstring)."""
    try:
        items = parse_envelope(raw)
    except SourceError as exc:
        return BatchReport((ItemReport(0, "", "", False, "unreadable", type(exc).__name__, exc.message),))
    return BatchReport(tuple(_run(item, engine, notify) for item in items))


def _notify(notify: Notify | None, event: LifecycleEvent, result: EventResult) -> bool | None:
    if notify is None:
        return None
    try:
        return notify(event, result)
    except Exception as exc:  # the hook must never fail the item
        _log.error("notification hook raised", extra={"error_type": type(exc).__name__}, exc_info=True)
        return False


def _run(item: ItemResult, engine: Callable[[], Engine], notify: Notify | None = None) -> ItemReport:
    if item.event is None:
        unread = item.error if item.error is not None else SourceError(400, "no event")
        return ItemReport(item.index, item.delivery_id, "", False, "unreadable", type(unread).__name__, unread.message)
    event = item.event
    with logs.bind(event.correlation_id or event.event_id, event_id=event.event_id, delivery_id=item.delivery_id):
        try:
            result = engine().handle(event)
        except RampartError as exc:
            _log.warning("event not applied", extra={"error_type": type(exc).__name__})
            return ItemReport(item.index, item.delivery_id, event.event_id, False, "failed", type(exc).__name__, str(exc))
        except Exception as exc:  # a bug: the type only; the log has the trace
            _log.error("event handling raised", extra={"error_type": type(exc).__name__}, exc_info=True)
            return ItemReport(item.index, item.delivery_id, event.event_id, False, "failed", type(exc).__name__,
                              "internal error")
        outcome = {"result": result.result.value}
        if result.error_type:  # why a refusal or a failure, so the log alone answers "why was it dead-lettered?"
            outcome |= {"error_type": result.error_type, "error": result.error}
        _log.info("event handled", extra=outcome)
        notified = _notify(notify, event, result)
    return ItemReport(item.index, item.delivery_id, event.event_id, result.result not in FAILED_RESULTS,
                      result.result.value, result.error_type, result.error, notified)


def respond(report: BatchReport) -> str:
    """The invocation's JSON result; raises :class:`BatchFailed` when no item succeeded."""
    if report.all_failed:
        first = report.items[0]
        raise BatchFailed(f"all {len(report.items)} item(s) failed; first (index {first.index}): "
                          f"{first.error_type or first.result}: {first.error[:300]}")
    return json.dumps(report.as_dict(), ensure_ascii=False, separators=(",", ":"))
