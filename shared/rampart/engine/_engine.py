"""The lifecycle engine: one event in, the cloud converged, the audit trail written.

    resolve the RAM user(s) -> observe -> desire -> plan -> (breaker) -> apply -> verify -> audit

Every step of the way is one of the pure modules (``desired``, ``plan``) or a port; this
module only sequences them and turns their refusals into an :class:`EventResult`. A dry
run (:meth:`Engine.plan_event`) stops after planning and writes nothing.

What the engine guarantees on top of the parts:
- one event at a time per RAM user (``rampart.engine``): concurrent deliveries for one
  person (separate FC instances) never interleave their steps; the one that finds the user
  locked waits, then fails with ``LockBusy`` (nothing changed) for FC's async retry;
- a stale event (older than the last one applied for the person, or than the person's last
  removal recorded in the audit trail: the *tombstone*, which carries the leaver's event
  time, so a rehire dated after the leaver is not mistaken for a late joiner) changes
  nothing and is audited;
- a leaver's removal passes the circuit breaker first, or is held (audited with the event,
  so ``rampart release`` can re-submit it);
- after a full offboarding a read-back checks nothing is left before the leaver
  certificate is written;
- audit: a write-ahead ``plan`` record before the first step, each applied step's record as
  soon as it is applied, then the outcome (one PutLogs each, so a change survives an instance
  that dies before the next step on record); if SLS is down the records go to stderr for
  replay and the lifecycle work still counts, except a deletion: it waits until its tombstone
  is written to SLS (a tombstone on stderr cannot stop a late joiner), and then until SLS has
  indexed it (queryable, about 3 s later), FC retrying the event if either does not happen.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rampart import naming
from rampart.audit import AuditAction, AuditTrail, Delivery
from rampart.catalog import profiles_for
from rampart.engine._apply import Applier, ApplyContext, StepOutcome, removals
from rampart.engine._breaker import Breaker
from rampart.engine._lock import LockBusy, UserLocks
from rampart.engine._observe import observe, users_for_person
from rampart.engine._tombstones import TOMBSTONE_WAIT_SECONDS, Tombstones
from rampart.errors import BreakerOpen, EventError, RampartError, StaleEvent, UnknownPerson
from rampart.events import event_to_dict
from rampart.model import AccessMode, AuditResult, Catalog, EventKind, LifecycleEvent, ObservedUser, Plan, StepKind
from rampart.naming import created_for, marker_from_tags
from rampart.planning import Desired, desire, desire_sweep, iso_z, plan_rotation, timebound_prefix, whole_seconds
from rampart.planning import plan as make_plan
from rampart.ports import AuditSink, Identities, Secrets
from rampart.redact import SecretRegistry

Clock = Callable[[], datetime]
_log = logging.getLogger("rampart.engine")

REMOVAL_STEPS = {StepKind.DELETE_USER, StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_LOGIN_PROFILE}


@dataclass(frozen=True, slots=True)
class Target:
    user_name: str
    access: AccessMode | None
    observed: ObservedUser | None


@dataclass(frozen=True, slots=True)
class UserResult:
    user_name: str
    plan: Plan
    outcomes: tuple[StepOutcome, ...] = ()
    result: AuditResult = AuditResult.NOOP
    error: str = ""
    notes: tuple[str, ...] = ()
    certificate: dict[str, Any] | None = None
    """The leaver certificate written for this user by this run (its audit detail), if any:
    the read-back found nothing left (``rampart.notify`` reports it after a leaver)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "user": self.user_name,
            "result": self.result.value,
            "plan_hash": self.plan.hash,
            "steps": [
                {**o.step.as_dict(), "result": o.result.value, "error_code": o.error_code, "done": o.detail}
                for o in self.outcomes
            ] or [s.as_dict() for s in self.plan.steps],
            "notes": list(self.notes) + list(self.plan.notes),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class EventResult:
    event_id: str
    correlation_id: str
    kind: str
    result: AuditResult
    users: tuple[UserResult, ...] = ()
    error: str = ""
    error_type: str = ""
    delivery: Delivery = Delivery.EMPTY
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result in (AuditResult.OK, AuditResult.NOOP, AuditResult.CONVERGED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "correlation_id": self.correlation_id,
            "kind": self.kind,
            "result": self.result.value,
            "users": [u.as_dict() for u in self.users],
            "error": self.error,
            "error_type": self.error_type,
            "audit": self.delivery.value,
            **self.extra,
        }


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
        """How long a deletion waits for its tombstone to be queryable (rampart.engine)."""
        self._sleep = sleep

    # --- resolving who the event is about ---------------------------------------------------

    def _owner_of(self, name: str) -> str | None:
        facts = self._identities.get_user(name)
        if facts is None:
            return None
        marker = marker_from_tags(self._identities.user_tags(name))
        # no marker: the person rampart created it for (an attempt that died before the marker), or nobody
        return marker.person_id if marker is not None else created_for(facts.comments)

    def targets(self, event: LifecycleEvent, *, user_names: Sequence[str] | None = None) -> list[Target]:
        """The users the event is about, observed. ``user_names``: the users already resolved
        for a leaver, mover, grant or revoke (:meth:`lock_names`), so they are not looked up twice."""
        prefix = timebound_prefix
        found: list[tuple[str, AccessMode | None]]
        if event.kind is not EventKind.JOINER and user_names:
            found = [(name, None) for name in user_names]
        elif event.kind is EventKind.JOINER:
            if event.person is None:
                raise EventError("a joiner event needs the person's record", hint="add a 'person' object")
            existing = users_for_person(self._identities, event.person_id)
            if existing:
                found = [(name, None) for name in existing]
            else:
                _, rule_access = profiles_for(self._catalog, event.person.attributes)
                base = naming.derive_user_name(event.person)
                name = naming.resolve_collision(base, self._owner_of, event.person_id)
                found = [(n, mode) for n, mode in naming.access_plan(
                    event.person, rule_access, self._catalog.options, name)]
        elif event.user_name:
            found = [(event.user_name, None)]
        else:
            names = users_for_person(self._identities, event.person_id)
            if not names:
                raise UnknownPerson(
                    f"no RAM user is managed for person {event.person_id!r}",
                    hint="send a joiner event first, or name the user",
                )
            found = [(name, None) for name in names]
        return [
            Target(name, access, observe(self._identities, self._secrets, name, timebound_prefix=prefix(name)))
            for name, access in found
        ]

    def prefetch_tombstones(self) -> int:
        """One paged query for every removal on record (a bulk import of joiners); see
        :meth:`rampart.engine.Tombstones.prefetch`."""
        return self._graves.prefetch()

    def _tombstone(self, event: LifecycleEvent, observed: ObservedUser | None) -> datetime | None:
        """The person's last removal, from the audit trail: a late joiner must not resurrect it."""
        if observed is not None or event.kind is not EventKind.JOINER:
            return None
        return self._graves.last_removal(event.person_id)

    def _stale_for_removed_user(self, event: LifecycleEvent, target: Target) -> None:
        """An event that names a user (a ticket's grant or revoke) older than the leaver that
        deleted that user is stale, like a mover or grant for a removed person (:meth:`lock_names`):
        skipped, not refused (a refusal is retried, then dead-lettered). Newer than the removal,
        or with no removal on record, it goes on to be refused as an unknown user."""
        if target.observed is not None or not event.user_name or event.kind in (EventKind.JOINER, EventKind.LEAVER):
            return
        removed = self._graves.last_removal_of_user(target.user_name)
        if removed is not None and whole_seconds(event.occurred_at) <= removed:
            raise StaleEvent(f"user {target.user_name} was removed by a leaver of {iso_z(removed)}: "
                             f"this {event.kind.value} of {iso_z(event.occurred_at)} is older and arrived after it")

    # --- planning ----------------------------------------------------------------------------

    def plan_event(
        self, event: LifecycleEvent, *, user_names: Sequence[str] | None = None,
    ) -> list[tuple[Target, Plan, tuple[str, ...]]]:
        """Dry run: the plan per user; raises the refusal (stale, unknown, refused) as is."""
        now = self._clock()
        out = []
        for target in self.targets(event, user_names=user_names):
            self._stale_for_removed_user(event, target)
            desired = desire(
                event, target.observed, self._catalog, now=now, user_name=target.user_name,
                access=target.access, force=self._force, tombstone=self._tombstone(event, target.observed),
            )
            plan = make_plan(desired.user, target.observed, event_id=event.event_id,
                             options=self._catalog.options, now=now)
            out.append((target, plan, desired.notes))
        return out

    # --- applying ----------------------------------------------------------------------------

    def lock_names(self, event: LifecycleEvent) -> list[str]:
        """The users to lock before observing: a joiner's derived logon name (locked before the
        name is resolved, so two copies of one joiner cannot both find it "taken" by the other's
        half-made user), else the named user or the person's users."""
        if event.kind is EventKind.JOINER:
            if event.person is None:
                raise EventError("a joiner event needs the person's record", hint="add a 'person' object")
            return [naming.derive_user_name(event.person)]
        if event.user_name:
            return [event.user_name]
        names = users_for_person(self._identities, event.person_id)
        if not names:
            removed = self._graves.last_removal(event.person_id)
            if removed is not None and whole_seconds(event.occurred_at) <= removed:
                # a redelivered leaver, or a mover or grant older than the leaver that removed the
                # person: skipped like any stale event, not refused (a refusal is retried, then dead-lettered)
                raise StaleEvent(f"person {event.person_id!r} was removed by a leaver of {iso_z(removed)}: "
                                 f"this {event.kind.value} of {iso_z(event.occurred_at)} is older and arrived after it")
            raise UnknownPerson(
                f"no RAM user is managed for person {event.person_id!r}",
                hint="send a joiner event first, or name the user",
            )
        return names

    def handle(self, event: LifecycleEvent) -> EventResult:
        """Observe, plan, apply and audit ``event`` while holding its users' locks."""
        started = time.monotonic()
        registry = SecretRegistry()
        trail = AuditTrail.for_event(event, self._clock, registry)
        kind = event.kind.value
        try:
            names = self.lock_names(event)
        except StaleEvent as exc:
            if event.kind is EventKind.LEAVER:
                self._certify_late(event, trail)
            trail.outcome(AuditResult.STALE, {"kind": kind, "reason": exc.message})
            return self._finish(event, trail, AuditResult.STALE, (), exc, started)
        except RampartError as exc:
            trail.outcome(AuditResult.REFUSED, {"kind": kind, "reason": str(exc)}, error_code=type(exc).__name__)
            return self._finish(event, trail, AuditResult.REFUSED, (), exc, started)
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
            trail.outcome(AuditResult.FAILED, {"kind": event.kind.value, "reason": str(exc)},
                          error_code=type(exc).__name__)
            return self._finish(event, trail, AuditResult.FAILED, (), exc, started)

    def _handle_locked(
        self, event: LifecycleEvent, names: list[str], trail: AuditTrail, registry: SecretRegistry, started: float,
    ) -> EventResult:
        kind = event.kind.value
        try:
            planned = self.plan_event(event, user_names=names)
        except StaleEvent as exc:
            trail.outcome(AuditResult.STALE, {"kind": kind, "reason": exc.message})
            return self._finish(event, trail, AuditResult.STALE, (), exc, started)
        except RampartError as exc:
            trail.outcome(AuditResult.REFUSED, {"kind": kind, "reason": str(exc)}, error_code=type(exc).__name__)
            return self._finish(event, trail, AuditResult.REFUSED, (), exc, started)
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
        results: list[UserResult] = []
        failure: RampartError | None = None
        for target, plan, notes in planned:
            result = self._apply(event, target, plan, notes, trail, registry)
            results.append(result)
            if result.result is AuditResult.FAILED and failure is None:
                failure = RampartError(result.error)
        overall = _overall(results)
        trail.outcome(overall, {"kind": kind, "users": [r.user_name for r in results],
                                "steps": sum(len(r.plan.steps) for r in results)})
        return self._finish(event, trail, overall, tuple(results), failure, started)

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
            recovery_window_days=options.secret_recovery_window_days,
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
            f"{s.kind.value}:{s.detail.get('policy', '')}".rstrip(":") for s in plan.steps]})
        deleting = any(s.kind is StepKind.DELETE_USER for s in plan.steps)
        if deleting:
            # the tombstone goes ahead too: an instance killed between DeleteUser and the end of the
            # event must not leave a deleted user without one (a late joiner would create it again)
            marker = target.observed.marker if target.observed is not None else None
            # its time: the leaver's; for the sweep's deletion, the leaver's recorded on the marker
            when = marker.event_time if event.kind is not EventKind.LEAVER and marker is not None else event.occurred_at
            # with what the plan removes: a certificate written late (:meth:`_certify_late`) lists it
            trail.removal(target.user_name, {"kind": "delete", "event_time": iso_z(when), "removing": removals(plan.steps)})
        ahead = trail.flush_now(self._sink)  # write-ahead: on record before anything changes
        refusal = self._tombstone_unsafe(target.user_name, trail, ahead) if deleting else None
        if refusal is not None:  # nothing changed yet; FC retries the event
            return UserResult(target.user_name, plan, (), AuditResult.FAILED, refusal, tuple(notes))
        applied = Applier(self._identities, self._secrets, clock=self._clock, on_step=audit_step).apply(plan, context)
        if not applied.ok:
            return UserResult(target.user_name, plan, applied.outcomes, AuditResult.FAILED,
                              str(applied.error), tuple(notes))
        certificate = None
        if any(o.step.kind is StepKind.DELETE_USER for o in applied.outcomes):
            certificate = self._certify(event, target, applied.removed, trail)
        elif event.kind is EventKind.LEAVER and any(o.step.kind in REMOVAL_STEPS for o in applied.outcomes):
            trail.removal(target.user_name, {"kind": "disable", "grace": True, "event_time": iso_z(event.occurred_at)})
        return UserResult(target.user_name, plan, applied.outcomes, AuditResult.OK, notes=tuple(notes),
                          certificate=certificate)

    def _tombstone_unsafe(self, user_name: str, trail: AuditTrail, ahead: Delivery) -> str | None:
        """Why a deletion must not start yet, or None: its tombstone, written ahead, must be in
        SLS (one on stderr is no tombstone until it is replayed) and queryable (SLS indexes it
        about 3 s later), or a late joiner taking the lock after this event would create the
        person again (rampart.engine)."""
        if self._sink is None:
            return None
        if ahead is not Delivery.WRITTEN:
            problem = "could not be written to the audit trail (SLS)"
        else:
            unseen = self._graves.await_queryable(user_name, trail.correlation_id,
                                                  budget=self._tombstone_wait, sleep=self._sleep)
            if unseen is None:
                return None
            problem = f"is written but not queryable in the audit trail (SLS) yet ({unseen})"
        return str(RampartError(f"the tombstone of {user_name} {problem}: the user is not deleted until it is",
                                hint="Function Compute retries the event"))

    def _certify(
        self, event: LifecycleEvent, target: Target, removed: dict[str, list[str]], trail: AuditTrail
    ) -> dict[str, Any] | None:
        """Read back: the user must be gone and every secret of it pending deletion. Returns
        the certificate's (redacted) detail, or None when the read-back found something left."""
        left = observe(self._identities, self._secrets, target.user_name,
                       timebound_prefix=timebound_prefix(target.user_name))
        live = [s.name for s in self._secrets.for_user(target.user_name) if not s.pending_deletion]
        if left is not None or live:
            trail.add("leaver-verify", AuditResult.FAILED, target=target.user_name,
                      detail={"user_still_exists": left is not None, "live_secrets": live})
            return None
        person_id = target.observed.marker.person_id if target.observed and target.observed.marker else event.person_id
        record = trail.leaver_certificate(target.user_name, person_id, removed)
        detail = json.loads(record.detail)
        return detail if isinstance(detail, dict) else None

    def _certify_late(self, event: LifecycleEvent, trail: AuditTrail) -> None:
        """The leaver certificate of a removal whose instance died after DeleteUser, before the
        read-back (killed, timed out): written when the leaver comes again (FC's retry, a
        redelivery), which finds the person gone and is stale. For each user this event's
        write-ahead ``removal`` record names with no certificate: the same read-back (user gone,
        no live secret), then the certificate listing what the plan removed, marked ``late``.
        Best effort: the event stays stale whatever happens here."""
        if self._sink is None:
            return
        since = whole_seconds(event.occurred_at) - timedelta(days=1)
        try:
            rows = self._sink.by_correlation(trail.correlation_id, since, self._clock() + timedelta(minutes=15),
                                             limit=1000)
            certified = {r.target for r in rows if r.action == AuditAction.LEAVER_CERTIFICATE.value}
            for row in rows:
                if row.action != AuditAction.REMOVAL.value or row.target in certified:
                    continue
                detail = json.loads(row.detail or "{}")
                if not isinstance(detail, dict) or detail.get("kind") != "delete":
                    continue
                user = row.target
                certified.add(user)
                gone = self._identities.get_user(user) is None
                if gone and not [s for s in self._secrets.for_user(user) if not s.pending_deletion]:
                    trail.leaver_certificate(user, row.person_id or event.person_id,
                                             detail.get("removing") or {}, late=True)
        except (RampartError, ValueError) as exc:
            _log.warning("no late leaver certificate", extra={"event_id": event.event_id, "error": str(exc)})

    def _finish(
        self, event: LifecycleEvent, trail: AuditTrail, result: AuditResult, users: tuple[UserResult, ...],
        error: RampartError | None, started: float,
    ) -> EventResult:
        delivery = trail.flush(self._sink)
        return EventResult(
            event_id=event.event_id,
            correlation_id=event.correlation_id or event.event_id,
            kind=event.kind.value,
            result=result,
            users=users,
            error=str(error) if error is not None else "",
            error_type=type(error).__name__ if error is not None else "",
            delivery=delivery,
            extra={"duration_ms": int((time.monotonic() - started) * 1000)},
        )

    # --- the sweep ---------------------------------------------------------------------------

    def sweep_user(self, user_name: str, *, rotate: bool = True) -> UserResult:
        """Expired grants, grace-period deletions and (optionally) key rotation for one user.
        A user with work to do is locked first and looked at again (``rampart.engine``);
        one an event holds right now is skipped: the next sweep finds it."""
        first = self._sweep_plan(user_name, rotate)
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

    def _sweep_plan(self, user_name: str, rotate: bool) -> UserResult | tuple[ObservedUser, Desired, Plan]:
        now = self._clock()
        observed = observe(self._identities, self._secrets, user_name, timebound_prefix=timebound_prefix(user_name))
        if observed is None or observed.marker is None:
            return UserResult(user_name, Plan("sweep", user_name, ()), result=AuditResult.SKIPPED,
                              notes=("not managed by rampart",))
        desired = desire_sweep(observed, self._catalog, now)
        plan = make_plan(desired.user, observed, event_id=f"sweep-{now:%Y%m%dT%H%M%S}", options=self._catalog.options,
                         now=now)
        if plan.is_noop and rotate:
            plan = plan_rotation(observed, self._catalog.options, now, event_id=f"rotate-{now:%Y%m%dT%H%M%S}")
        return observed, desired, plan

    def _sweep_locked(self, user_name: str, rotate: bool) -> UserResult:
        found = self._sweep_plan(user_name, rotate)
        if isinstance(found, UserResult):
            return found
        observed, desired, plan = found
        assert observed.marker is not None  # _sweep_plan skips users without one
        now = self._clock()
        sweep_event = LifecycleEvent(
            event_id=plan.event_id, kind=EventKind.MOVER, occurred_at=now, source="sweep",
            person_id=observed.marker.person_id, user_name=user_name, correlation_id=plan.event_id,
        )
        registry = SecretRegistry()
        trail = AuditTrail.for_event(sweep_event, self._clock, registry)
        target = Target(user_name, observed.marker.access, observed)
        result = self._apply(sweep_event, target, plan, desired.notes, trail, registry)
        if not plan.is_noop:
            trail.outcome(result.result, {"kind": "sweep", "users": [user_name]})
        trail.flush(self._sink)
        return result


def _overall(results: Sequence[UserResult]) -> AuditResult:
    if any(r.result is AuditResult.FAILED for r in results):
        return AuditResult.FAILED
    if all(r.result is AuditResult.NOOP for r in results):
        return AuditResult.NOOP
    return AuditResult.OK
