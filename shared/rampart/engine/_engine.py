"""The lifecycle engine: one event in, the cloud converged, the audit trail written.

    resolve the RAM user(s) -> lock -> observe -> desire -> plan -> (breaker) -> gate -> apply
      -> read back -> audit

Every step of the way is one of the pure modules (``rampart.planning``), a port, or one of the
engine's own parts: target resolution (``_targets``), tombstone safety and the deletion gate
(``_gate``), leaver certificates (``_certificates``), the per-user sweep (``_user_sweep``);
this module only sequences them and turns their refusals into an :class:`EventResult`
(``_results``) that carries the typed error. A dry run (:meth:`Engine.plan_event`) stops after
planning and writes nothing.

What the engine guarantees on top of the parts:
- one event at a time per RAM user (``_lock``): concurrent deliveries for one person
  (separate FC instances) never interleave their steps; the one that finds the user locked
  waits, then fails with ``LockBusy`` (nothing changed) for FC's async retry;
- a stale event (older than the last one applied for the person, or than the person's last
  removal recorded in the audit trail: the *tombstone*) changes nothing and is audited;
- a leaver's removal passes the circuit breaker first, or is held (audited with the event,
  so ``rampart release`` can re-submit it);
- after a full offboarding a read-back checks nothing is left before the leaver
  certificate is written;
- audit: a write-ahead ``plan`` record before the first step, each applied step's record as
  soon as it is applied, then the outcome (one PutLogs each, so a change survives an instance
  that dies before the next step on record); if SLS is down the records go to stderr for
  replay and the lifecycle work still counts, except a deletion: it waits until its tombstone
  is written to SLS and queryable (``_gate``), FC retrying the event if either does not happen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from rampart.audit import AuditAction, AuditTrail
from rampart.engine import _certificates, _gate, _targets
from rampart.engine._apply import Applier, ApplyContext, StepOutcome
from rampart.engine._breaker import Breaker
from rampart.engine._lock import LockBusy, UserLocks
from rampart.engine._results import EventResult, Target, UserResult, overall
from rampart.engine._tombstones import TOMBSTONE_WAIT_SECONDS, Tombstones
from rampart.engine._user_sweep import sweep_event, sweep_plan
from rampart.errors import BreakerOpen, RampartError, StaleEvent
from rampart.events import event_to_dict
from rampart.model import AuditResult, Catalog, EventKind, LifecycleEvent, Plan, StepKind
from rampart.planning import desire, iso_z
from rampart.planning import plan as make_plan
from rampart.ports import AuditSink, Identities, Secrets
from rampart.redact import SecretRegistry

Clock = Callable[[], datetime]

REMOVAL_STEPS = {StepKind.DELETE_USER, StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_LOGIN_PROFILE}


class Engine:
    def __init__(
        self,
        identities: Identities,
        secrets: Secrets,
        catalog: Catalog,
        *,
        sink: AuditSink | None,
        clock: Clock,
        breaker: Breaker | None = None,
        force: bool = False,
        locks: UserLocks | None = None,
        tombstone_wait: float = TOMBSTONE_WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._identities = identities
        self._secrets = secrets
        self._catalog = catalog
        self._sink = sink
        self._clock = clock
        self._breaker = breaker
        self._force = force
        self._locks = locks if locks is not None else UserLocks(identities, clock)
        self._graves = Tombstones(sink, clock)
        self._tombstone_wait = tombstone_wait
        """How long a deletion waits for its tombstone to be queryable (``_gate``)."""
        self._sleep = sleep

    # --- resolving who the event is about (``_targets``) ------------------------------------

    def targets(self, event: LifecycleEvent, *, user_names: Sequence[str] | None = None) -> list[Target]:
        """The users the event is about, observed (``rampart.engine._targets.targets``)."""
        return _targets.targets(self._identities, self._secrets, self._catalog, event, user_names=user_names)

    def lock_names(self, event: LifecycleEvent) -> list[str]:
        """The users to lock before observing (``rampart.engine._targets.lock_names``)."""
        return _targets.lock_names(self._identities, self._graves, event)

    def prefetch_tombstones(self) -> int:
        """One paged query for every removal on record (a bulk import of joiners); see
        :meth:`rampart.engine.Tombstones.prefetch`."""
        return self._graves.prefetch()

    # --- planning ----------------------------------------------------------------------------

    def plan_event(
        self, event: LifecycleEvent, *, user_names: Sequence[str] | None = None,
    ) -> list[tuple[Target, Plan, tuple[str, ...]]]:
        """Dry run: the plan per user; raises the refusal (stale, unknown, refused) as is."""
        now = self._clock()
        out = []
        for target in self.targets(event, user_names=user_names):
            _gate.stale_for_removed_user(self._graves, event, target)
            desired = desire(
                event, target.observed, self._catalog, now=now, user_name=target.user_name,
                access=target.access, force=self._force,
                tombstone=_gate.joiner_tombstone(self._graves, event, target.observed),
            )
            plan = make_plan(desired.user, target.observed, event_id=event.event_id,
                             options=self._catalog.options, now=now)
            out.append((target, plan, desired.notes))
        return out

    # --- the event sequence ------------------------------------------------------------------

    def handle(self, event: LifecycleEvent) -> EventResult:
        """Observe, plan, apply and audit ``event`` while holding its users' locks."""
        started = time.monotonic()
        registry = SecretRegistry()
        trail = AuditTrail.for_event(event, self._clock, registry)
        try:
            names = self.lock_names(event)
        except StaleEvent as exc:
            if event.kind is EventKind.LEAVER:
                _certificates.certify_late(self._identities, self._secrets, self._sink, self._clock, event, trail)
            return self._refused(event, trail, AuditResult.STALE, exc, started)
        except RampartError as exc:
            return self._refused(event, trail, AuditResult.REFUSED, exc, started)
        return self._under_locks(event, names, trail, started,
                                 lambda: self._handle_locked(event, names, trail, registry, started))

    def _under_locks(
        self, event: LifecycleEvent, names: Sequence[str], trail: AuditTrail, started: float,
        body: Callable[[], EventResult],
    ) -> EventResult:
        """``body`` with ``names`` locked; a lock not obtained (busy, or RAM failing) is a FAILED
        event that changed nothing, so FC's async retry delivers it again."""
        acquired = False
        try:
            with self._locks.holding(names):
                acquired = True
                return body()
        except RampartError as exc:
            if acquired:
                raise
            return self._refused(event, trail, AuditResult.FAILED, exc, started)

    def _handle_locked(
        self, event: LifecycleEvent, names: list[str], trail: AuditTrail, registry: SecretRegistry, started: float,
    ) -> EventResult:
        kind = event.kind.value
        try:
            planned = self.plan_event(event, user_names=names)
        except StaleEvent as exc:
            return self._refused(event, trail, AuditResult.STALE, exc, started)
        except RampartError as exc:
            return self._refused(event, trail, AuditResult.REFUSED, exc, started)
        more = sorted({target.user_name for target, _, _ in planned} - set(names))
        if more:  # a joiner resolved to another name (a collision, a split -api user): lock it too, look again
            return self._under_locks(event, more, trail, started,
                                     lambda: self._handle_locked(event, [*names, *more], trail, registry, started))
        if event.kind is EventKind.LEAVER and self._breaker is not None and any(
            step.kind in REMOVAL_STEPS for _, plan, _ in planned for step in plan.steps
        ):
            try:
                self._breaker.check()
            except BreakerOpen as exc:
                trail.outcome(AuditResult.HELD, {"kind": kind, "reason": str(exc), "event": event_to_dict(event)})
                return self._finish(event, trail, AuditResult.HELD, (), exc, started)
        results = [self._apply(event, target, plan, notes, trail, registry) for target, plan, notes in planned]
        failure = next((r.failure for r in results if r.result is AuditResult.FAILED), None)
        result = overall(results)
        trail.outcome(result, {"kind": kind, "users": [r.user_name for r in results],
                               "steps": sum(len(r.plan.steps) for r in results)})
        return self._finish(event, trail, result, tuple(results), failure, started)

    def _apply(
        self, event: LifecycleEvent, target: Target, plan: Plan, notes: Sequence[str], trail: AuditTrail,
        registry: SecretRegistry,
    ) -> UserResult:
        if plan.is_noop:
            return UserResult(target.user_name, plan, (), AuditResult.NOOP, notes=tuple(notes))
        trail.set_plan(plan)
        options = self._catalog.options
        context = ApplyContext(
            person_id=event.person_id,
            manager=event.person.manager if event.person is not None else "",
            secret_prefix=options.secret_prefix,
            password_reset_required=options.password_reset_required,
            mfa_bind_required=options.mfa_bind_required,
            registry=registry,
        )

        def audit_step(outcome: StepOutcome) -> None:
            trail.step(outcome.step, outcome.result, error_code=outcome.error_code,
                       request_ids=outcome.request_ids, duration_ms=outcome.duration_ms,
                       detail=outcome.detail or outcome.step.reason)
            trail.flush_now(self._sink)  # a change made is on record before the next step (a crash may come)

        trail.add(AuditAction.PLAN, AuditResult.OK, detail={"kind": event.kind.value, "steps": [
            f"{s.kind.value}:{s.detail.as_dict().get('policy', '')}".rstrip(":") for s in plan.steps]})
        deleting = any(s.kind is StepKind.DELETE_USER for s in plan.steps)
        if deleting:
            _gate.write_ahead_tombstone(event, target, plan, trail)
        ahead = trail.flush_now(self._sink)  # write-ahead: on record before anything changes
        unsafe = _gate.deletion_unsafe(self._graves, target.user_name, trail, ahead, has_sink=self._sink is not None,
                                       budget=self._tombstone_wait, sleep=self._sleep) if deleting else None
        if unsafe is not None:  # nothing changed yet; FC retries the event
            return UserResult(target.user_name, plan, (), AuditResult.FAILED, unsafe, tuple(notes))
        applied = Applier(self._identities, self._secrets, clock=self._clock, on_step=audit_step).apply(plan, context)
        if not applied.ok:
            return UserResult(target.user_name, plan, applied.outcomes, AuditResult.FAILED, applied.error, tuple(notes))
        certificate = None
        if any(o.step.kind is StepKind.DELETE_USER for o in applied.outcomes):
            certificate = _certificates.certify(self._identities, self._secrets, event, target, applied.removed, trail)
        elif event.kind is EventKind.LEAVER and any(o.step.kind in REMOVAL_STEPS for o in applied.outcomes):
            trail.removal(target.user_name, {"kind": "disable", "grace": True, "event_time": iso_z(event.occurred_at)})
        return UserResult(target.user_name, plan, applied.outcomes, AuditResult.OK, notes=tuple(notes),
                          certificate=certificate)

    def _refused(
        self, event: LifecycleEvent, trail: AuditTrail, result: AuditResult, error: RampartError, started: float,
    ) -> EventResult:
        """An event that changed nothing: stale (skipped), refused, or failed to lock."""
        if result is AuditResult.STALE:
            trail.outcome(result, {"kind": event.kind.value, "reason": error.message})
        else:
            trail.outcome(result, {"kind": event.kind.value, "reason": str(error)}, error_code=type(error).__name__)
        return self._finish(event, trail, result, (), error, started)

    def _finish(
        self, event: LifecycleEvent, trail: AuditTrail, result: AuditResult, users: tuple[UserResult, ...],
        failure: RampartError | None, started: float,
    ) -> EventResult:
        delivery = trail.flush(self._sink)
        return EventResult(
            event_id=event.event_id,
            correlation_id=event.correlation_id or event.event_id,
            kind=event.kind.value,
            result=result,
            users=users,
            failure=failure,
            delivery=delivery,
            extra={"duration_ms": int((time.monotonic() - started) * 1000)},
        )

    # --- the sweep (``_user_sweep``) ---------------------------------------------------------

    def sweep_user(self, user_name: str, *, rotate: bool = True) -> UserResult:
        """Expired grants, grace-period deletions and (optionally) key rotation for one user.
        A user with work to do is locked first and looked at again (``_lock``); one an event
        holds right now is skipped: the next sweep finds it."""
        first = sweep_plan(self._identities, self._secrets, self._catalog, self._clock(), user_name, rotate)
        if isinstance(first, UserResult) or first[2].is_noop:
            return first if isinstance(first, UserResult) else UserResult(user_name, first[2], notes=first[1].notes)
        acquired = False
        try:
            with self._locks.holding([user_name], patient=False):
                acquired = True
                return self._sweep_locked(user_name, rotate)
        except LockBusy as exc:
            if acquired:
                raise
            return UserResult(user_name, first[2], result=AuditResult.SKIPPED, notes=(str(exc),))

    def _sweep_locked(self, user_name: str, rotate: bool) -> UserResult:
        found = sweep_plan(self._identities, self._secrets, self._catalog, self._clock(), user_name, rotate)
        if isinstance(found, UserResult):
            return found
        observed, desired, plan = found
        event = sweep_event(user_name, observed, plan, self._clock())
        registry = SecretRegistry()
        trail = AuditTrail.for_event(event, self._clock, registry)
        target = Target(user_name, observed.marker.access if observed.marker is not None else None, observed)
        result = self._apply(event, target, plan, desired.notes, trail, registry)
        if not plan.is_noop:
            trail.outcome(result.result, {"kind": "sweep", "users": [user_name]})
        trail.flush(self._sink)
        return result
