"""The audit trail of one event: a write-ahead ``plan`` record, one record per applied step,
one per outcome, written to the ``AuditSink`` (SLS). The plan and each step's record are sent
at once (:meth:`AuditTrail.flush_now`), not at the end of the event: an instance that dies
between two steps (killed at its timeout, crashed) must not take the record of a change that
stays with it, since the retry finds the change made and does not make, or record, it again.

Audit never fails the lifecycle work (one exception, the engine's: a deletion waits until its
tombstone is in SLS): when the sink refuses or is unreachable, the records
go to stderr as JSON lines marked ``{"rampart_audit_replay": true, ...}`` (Function Compute
keeps stderr in the function's log), and :func:`replay` re-sends them later (``rampart``
CLI), skipping those SLS already holds (a "dropped" PutLogs may have been stored).

Every string of every record is redacted (``rampart.redact``) before it leaves this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import IO, Any

from rampart.audit._records import AuditAction, redact_record
from rampart.audit._spill import _SEVERITY, Delivery, spill
from rampart.model import AuditRecord, AuditResult, LifecycleEvent, Plan, Step
from rampart.ports import AuditSink
from rampart.redact import REGISTRY, SecretRegistry, dumps, redact_exception, redact_text

Clock = Callable[[], datetime]

_log = logging.getLogger("rampart.audit")


def render_detail(detail: str | Mapping[str, Any], registry: SecretRegistry | None = None) -> str:
    """A detail as stored: text redacted, or a mapping redacted by key and dumped as JSON."""
    if isinstance(detail, str):
        return redact_text(detail, registry)
    return dumps(detail, registry, sort_keys=True, ensure_ascii=False)


class AuditTrail:
    """Collects the records of one event and writes them in one ``AuditSink.write``."""

    def __init__(
        self,
        *,
        correlation_id: str,
        event_id: str,
        source: str,
        clock: Clock,
        target: str = "",
        person_id: str = "",
        actor: str = "",
        approver: str = "",
        plan_hash: str = "",
        registry: SecretRegistry | None = None,
    ) -> None:
        self.correlation_id = correlation_id
        self.event_id = event_id
        self.source = source
        self.target = target
        self.person_id = person_id
        self.actor = actor
        self.approver = approver
        self.plan_hash = plan_hash
        self._clock = clock
        self._registry = REGISTRY if registry is None else registry
        self._records: list[AuditRecord] = []
        self._written = Delivery.EMPTY
        """The worst delivery of the records already flushed early (:meth:`flush_now`)."""

    @classmethod
    def for_event(cls, event: LifecycleEvent, clock: Clock, registry: SecretRegistry | None = None) -> AuditTrail:
        return cls(
            correlation_id=event.correlation_id or event.event_id,
            event_id=event.event_id,
            source=event.source,
            clock=clock,
            target=event.user_name or event.person_id,
            person_id=event.person_id,
            actor=event.actor,
            approver=event.approval.approver if event.approval is not None else "",
            registry=registry,
        )

    def set_plan(self, plan: Plan) -> None:
        """Every later record carries the plan's hash; the target becomes the plan's user."""
        self.plan_hash = plan.hash
        if plan.user_name:
            self.target = plan.user_name

    @property
    def records(self) -> tuple[AuditRecord, ...]:
        return tuple(self._records)

    # --- adding records -------------------------------------------------------------------

    def add(
        self,
        action: str | AuditAction,
        result: AuditResult,
        *,
        target: str | None = None,
        policy: str = "",
        scope: str = "",
        error_code: str = "",
        request_ids: Sequence[str] = (),
        duration_ms: int = 0,
        detail: str | Mapping[str, Any] = "",
    ) -> AuditRecord:
        """Any record (a CLI verb, a handover); the trail's context fills the common fields."""
        record = AuditRecord(
            time=self._clock().astimezone(timezone.utc),
            correlation_id=self.correlation_id,
            event_id=self.event_id,
            source=self.source,
            action=action.value if isinstance(action, AuditAction) else action,
            target=self.target if target is None else target,
            result=result,
            person_id=self.person_id,
            actor=self.actor,
            approver=self.approver,
            policy=policy,
            scope=scope,
            error_code=error_code,
            request_ids=tuple(i for i in request_ids if i),
            duration_ms=max(0, int(duration_ms)),
            plan_hash=self.plan_hash,
            detail=render_detail(detail, self._registry),
        )
        record = redact_record(record, self._registry)
        self._records.append(record)
        return record

    def step(
        self,
        step: Step,
        result: AuditResult,
        *,
        error_code: str = "",
        request_ids: Sequence[str] = (),
        duration_ms: int = 0,
        detail: str | Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """The record of one applied step (action = the step kind; detail defaults to its reason)."""
        acts_on = step.detail.as_dict()
        return self.add(
            step.kind.value,
            result,
            target=step.user_name,
            policy=str(acts_on.get("policy", "")),
            scope=str(acts_on.get("scope", "")),
            error_code=error_code,
            request_ids=request_ids,
            duration_ms=duration_ms,
            detail=step.reason if detail is None else detail,
        )

    def outcome(
        self, result: AuditResult, detail: str | Mapping[str, Any] = "", *, error_code: str = "", duration_ms: int = 0
    ) -> AuditRecord:
        """The one record that says how the event ended."""
        return self.add(AuditAction.EVENT, result, error_code=error_code, duration_ms=duration_ms, detail=detail)

    def removal(self, target: str, detail: str | Mapping[str, Any] = "") -> AuditRecord:
        """A leaver event disabled or deleted ``target`` (the circuit breaker counts these)."""
        return self.add(AuditAction.REMOVAL, AuditResult.OK, target=target, detail=detail)

    def leaver_certificate(
        self, user: str, person_id: str, removed: Mapping[str, Sequence[str]], *, late: bool = False,
    ) -> AuditRecord:
        """Proof of a complete offboarding: what was removed, by kind (secrets, access_keys,
        policies, groups, ...). Written after the read-back found nothing left. ``late``: written
        by a later delivery of the leaver, the instance that removed the user having died before
        its read-back; ``removed`` is then what that instance's plan removed (write-ahead)."""
        listing = {kind: sorted(str(item) for item in items) for kind, items in sorted(removed.items())}
        detail: dict[str, Any] = {
            "certificate": "leaver",
            "user": user,
            "person_id": person_id,
            "removed": listing,
            "removed_count": sum(len(items) for items in listing.values()),
        }
        if late:
            detail["late"] = True
        record = self.add(AuditAction.LEAVER_CERTIFICATE, AuditResult.OK, target=user, detail=detail)
        if person_id and record.person_id != person_id:
            record = replace(record, person_id=person_id)
            self._records[-1] = record
        return record

    # --- writing --------------------------------------------------------------------------

    def flush_now(self, sink: AuditSink | None, *, stream: IO[str] | None = None) -> Delivery:
        """Write what is collected so far, at once: the record of a step that changed the cloud
        must not wait for the end of the event, or an instance that dies between two steps
        (Function Compute kills it at its timeout, or it crashes) loses the record of a change
        that stays, and the retry, finding the change done, never records it. The final
        :meth:`flush` reports the worst delivery of all."""
        delivery = self._write(sink, stream)
        self._written = max(self._written, delivery, key=_SEVERITY.index)
        return delivery

    def flush(self, sink: AuditSink | None, *, stream: IO[str] | None = None) -> Delivery:
        """Write every collected record in one ``sink.write``; on any failure, to ``stream``
        (stderr) for replay. Never raises: the lifecycle work must not fail on audit. Returns the
        worst delivery of this write and of every :meth:`flush_now` before it."""
        return max(self._written, self._write(sink, stream), key=_SEVERITY.index)

    def _write(self, sink: AuditSink | None, stream: IO[str] | None) -> Delivery:
        records = tuple(redact_record(r, self._registry) for r in self._records)
        self._records.clear()
        if not records:
            return Delivery.EMPTY
        if sink is not None:
            try:
                sink.write(records)
                return Delivery.WRITTEN
            except Exception as exc:
                _log.warning(
                    "audit sink failed: %d record(s) of event %s written to stderr for replay",
                    len(records), self.event_id, extra={"error": redact_exception(exc, self._registry)},
                )
        return spill(records, stream, self._registry)

