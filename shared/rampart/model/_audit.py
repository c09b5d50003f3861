"""Account facts rampart reads (the password policy) and the audit record's schema.

Frozen data, no I/O (see ``rampart.model``).
"""


from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

# --- account facts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """RAM's password policy (GetPasswordPolicy); generated passwords must satisfy it."""

    minimum_length: int = 8
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True


# --- audit -------------------------------------------------------------------------------


class AuditResult(Enum):
    OK = "ok"
    """The step changed the cloud as planned."""
    CONVERGED = "converged"
    """The cloud already was as the step wanted (EntityAlreadyExists / EntityNotExist)."""
    FAILED = "failed"
    SKIPPED = "skipped"
    NOOP = "noop"
    STALE = "stale"
    HELD = "held"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit record: one per applied step and one per event outcome. Fixed schema;
    ``detail`` is free text and is redacted before it is written."""

    time: datetime
    correlation_id: str
    event_id: str
    source: str
    action: str
    """A StepKind value, or ``event`` for the outcome record, or a CLI verb."""
    target: str
    """The RAM user name (or person id when no user is known)."""
    result: AuditResult
    person_id: str = ""
    actor: str = ""
    approver: str = ""
    policy: str = ""
    scope: str = ""
    error_code: str = ""
    request_ids: tuple[str, ...] = ()
    duration_ms: int = 0
    plan_hash: str = ""
    detail: str = ""

    def contents(self) -> list[tuple[str, str]]:
        """The record as SLS log contents (every value a string, fixed key order)."""
        return [
            ("time", self.time.isoformat()),
            ("correlation_id", self.correlation_id),
            ("event_id", self.event_id),
            ("source", self.source),
            ("action", self.action),
            ("target", self.target),
            ("result", self.result.value),
            ("person_id", self.person_id),
            ("actor", self.actor),
            ("approver", self.approver),
            ("policy", self.policy),
            ("scope", self.scope),
            ("error_code", self.error_code),
            ("request_ids", ",".join(self.request_ids)),
            ("duration_ms", str(self.duration_ms)),
            ("plan_hash", self.plan_hash),
            ("detail", self.detail),
        ]
