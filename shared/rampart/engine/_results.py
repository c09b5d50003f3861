"""What the engine answers: per user (:class:`UserResult`) and per event (:class:`EventResult`).

A refusal or failure travels as the typed error itself (``failure``), so a caller maps it by
class (``rampart.errors``: ``exit_code``, ``http_status``); its text and class name are made
only where the result is rendered (``as_dict``, ``error``, ``error_type``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rampart.audit import Delivery
from rampart.engine._apply import StepOutcome
from rampart.errors import RampartError
from rampart.model import AccessMode, AuditResult, ObservedUser, Plan


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
    failure: RampartError | None = None
    """Why the user's plan was not applied (a failed step, a deletion not yet safe), if so."""
    notes: tuple[str, ...] = ()
    certificate: dict[str, Any] | None = None
    """The leaver certificate written for this user by this run (its audit detail), if any:
    the read-back found nothing left (``rampart.notify`` reports it after a leaver)."""

    @property
    def error(self) -> str:
        return str(self.failure) if self.failure is not None else ""

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
    failure: RampartError | None = None
    """The refusal (stale, unknown, refused, held) or the first user's failure, typed."""
    delivery: Delivery = Delivery.EMPTY
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result in (AuditResult.OK, AuditResult.NOOP, AuditResult.CONVERGED)

    @property
    def error(self) -> str:
        return str(self.failure) if self.failure is not None else ""

    @property
    def error_type(self) -> str:
        """The failure's class name, for reports and logs (map by class with ``failure``)."""
        return type(self.failure).__name__ if self.failure is not None else ""

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


def overall(results: Sequence[UserResult]) -> AuditResult:
    """An event's result from its users': failed if any failed, no-op if all were, else OK."""
    if any(r.result is AuditResult.FAILED for r in results):
        return AuditResult.FAILED
    if all(r.result is AuditResult.NOOP for r in results):
        return AuditResult.NOOP
    return AuditResult.OK
