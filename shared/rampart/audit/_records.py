"""Audit records built and read back: the actions that are not a step kind, the redaction
every record goes through before it leaves rampart, and the inverse of
``AuditRecord.contents()`` (a record read back from SLS or from a replay line).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import Any

from rampart.model import AuditRecord, AuditResult
from rampart.redact import REGISTRY, SecretRegistry, redact_text


class AuditAction(Enum):
    """Actions that are not a ``StepKind`` (step records carry the step kind's value)."""

    EVENT = "event"
    """The outcome of one event (its result says how it ended: ok, noop, stale, held ...)."""
    REMOVAL = "removal"
    """A leaver event disabled or deleted a user: what the circuit breaker counts."""
    LEAVER_CERTIFICATE = "leaver-certificate"
    """The read-back after a teardown found nothing left; the detail lists what was removed."""
    BREAKER_RELEASE = "breaker-release"
    """``rampart release``: removals before it no longer count."""
    HANDOVER = "handover"
    """An operator retrieved an initial credential from KMS (who and when; never the value)."""
    PLAN = "plan"
    """Written, and sent at once, before the first step of a plan is applied: the steps about to
    be made (kind and policy only). An instance can die after a step took effect and before
    that step's own record was sent; this write-ahead record still puts the change under the
    event's correlation id."""
    LEDGER_IMPORT = "ledger-import"
    """``rampart ledger import`` gave a person a ledger row (written ahead of the row: the
    detail names the users, their marker's state and event time, and the removal if any)."""
    NOTIFY = "notify"
    """A chat robot or webhook was told of a joiner or leaver (``rampart.notify``): result ok or
    failed, detail the kind and the robot's answer code; never the robot's URL or secret."""



def redact_record(record: AuditRecord, registry: SecretRegistry | None = None) -> AuditRecord:
    """``record`` with every string field redacted (detail by key and pattern, all by value)."""
    reg = REGISTRY if registry is None else registry
    changes: dict[str, Any] = {}
    for name in ("correlation_id", "event_id", "source", "action", "target", "person_id", "actor",
                 "approver", "policy", "scope", "error_code", "plan_hash", "detail"):
        value = getattr(record, name)
        cleaned = redact_text(value, reg)
        if cleaned != value:
            changes[name] = cleaned
    ids = tuple(redact_text(i, reg) for i in record.request_ids)
    if ids != record.request_ids:
        changes["request_ids"] = ids
    return replace(record, **changes) if changes else record



def record_from_contents(contents: Mapping[str, Any]) -> AuditRecord:
    """The inverse of ``AuditRecord.contents()``; raises ValueError on a malformed mapping."""
    try:
        when = datetime.fromisoformat(str(contents["time"]))
        if when.tzinfo is None:
            raise ValueError(f"audit time {contents['time']!r} has no time zone")
        ids = str(contents.get("request_ids", ""))
        return AuditRecord(
            time=when,
            correlation_id=str(contents.get("correlation_id", "")),
            event_id=str(contents.get("event_id", "")),
            source=str(contents.get("source", "")),
            action=str(contents["action"]),
            target=str(contents.get("target", "")),
            result=AuditResult(str(contents["result"])),
            person_id=str(contents.get("person_id", "")),
            actor=str(contents.get("actor", "")),
            approver=str(contents.get("approver", "")),
            policy=str(contents.get("policy", "")),
            scope=str(contents.get("scope", "")),
            error_code=str(contents.get("error_code", "")),
            request_ids=tuple(i for i in ids.split(",") if i),
            duration_ms=int(str(contents.get("duration_ms", "0")) or 0),
            plan_hash=str(contents.get("plan_hash", "")),
            detail=str(contents.get("detail", "")),
        )
    except KeyError as exc:
        raise ValueError(f"audit record without {exc.args[0]!r}") from exc

