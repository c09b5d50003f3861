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

import json
import logging
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import IO, Any

from rampart.model import AuditRecord, AuditResult, LifecycleEvent, Plan, Step
from rampart.ports import AuditSink
from rampart.redact import REGISTRY, SecretRegistry, dumps, redact_exception, redact_text

Clock = Callable[[], datetime]
REPLAY_MARK = "rampart_audit_replay"

_log = logging.getLogger("rampart.audit")


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
    NOTIFY = "notify"
    """A chat robot or webhook was told of a joiner or leaver (``rampart.notify``): result ok or
    failed, detail the kind and the robot's answer code; never the robot's URL or secret."""


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


# --- replay ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplayReport:
    sent: int
    """Records written to the sink."""
    already_stored: int
    """Records the sink already held (a write that was stored but whose answer was lost)."""
    unreadable: int
    """Marked lines that could not be parsed (reported, not sent)."""
    tombstones: tuple[tuple[str, str], ...] = ()
    """(user, correlation id) of each deletion tombstone sent (``removal`` records): a late
    event can find them only once SLS has indexed them (``rampart.engine``)."""


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


def sls_phrase(value: str) -> str:
    """``value`` as a quoted SLS search phrase."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(contents: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(contents)


def _already_stored(sink: AuditSink, group: Sequence[AuditRecord]) -> set[tuple[tuple[str, str], ...]]:
    first = group[0]
    field, value = ("event_id", first.event_id) if first.event_id else ("correlation_id", first.correlation_id)
    since = min(r.time for r in group).replace(microsecond=0)
    until = max(r.time for r in group).replace(microsecond=0) + timedelta(seconds=1)
    rows = sink.query(f"{field}: {sls_phrase(value)}", since, until, limit=max(100, 4 * len(group)))
    names = [name for name, _ in first.contents()]
    return {_key((name, str(row.get(name, ""))) for name in names) for row in rows}


def replay(lines: Iterable[str], sink: AuditSink, *, skip_stored: bool = True) -> ReplayReport:
    """Re-send the marked records in ``lines``, one ``write`` per event (as first written).

    With ``skip_stored`` (the default) a record SLS already holds, identical in every field,
    is not sent again. A sink failure propagates: nothing is lost, re-run the replay. The
    report names the deletion tombstones sent, for the caller to wait until they are
    queryable (``rampart replay`` does) before re-driving the events that were refused.
    """
    records, unreadable = parse_replay_lines(lines)
    groups: dict[tuple[str, str], list[AuditRecord]] = {}
    for record in records:
        groups.setdefault((record.correlation_id, record.event_id), []).append(record)
    sent = stored = 0
    tombstones: set[tuple[str, str]] = set()
    for group in groups.values():
        pending = group
        if skip_stored:
            held = _already_stored(sink, group)
            pending = [r for r in group if _key(r.contents()) not in held]
            stored += len(group) - len(pending)
        if pending:
            sink.write(pending)
            sent += len(pending)
            tombstones.update((r.target, r.correlation_id) for r in pending
                              if r.action == AuditAction.REMOVAL.value and r.result is AuditResult.OK)
    return ReplayReport(sent=sent, already_stored=stored, unreadable=unreadable, tombstones=tuple(sorted(tombstones)))
