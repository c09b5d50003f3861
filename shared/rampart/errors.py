"""rampart's errors: one base, specific subclasses with the context a user needs.

A user-facing message says what was wrong and what to do; it never carries a secret or a
stack trace. SDK failures are wrapped with ``raise ... from exc`` in the adapters.
"""

from __future__ import annotations


class RampartError(Exception):
    """Base of every error rampart raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(RampartError):
    """Bad settings (environment, arguments)."""

    exit_code = 2


class CatalogError(RampartError):
    """The catalog file is invalid: names the file, the path inside it and the fix."""

    exit_code = 2

    def __init__(self, file: str, path: str, problem: str, fix: str = "") -> None:
        self.file = file
        self.path = path
        self.problem = problem
        self.fix = fix
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {problem}", hint=fix)


class EventError(RampartError):
    """An event is malformed or refers to something that cannot be (bad input, 4xx)."""

    exit_code = 2


class UnknownPerson(EventError):
    """The person or user named by an event does not exist (or is not rampart's)."""


class UnknownProfile(EventError):
    """An event asks for a profile the catalog does not define."""


class PolicyRefused(EventError):
    """The request breaks a catalog rule: high-risk policy, duration, approval, access mode."""


class StaleEvent(RampartError):
    """The event is older than the last one applied for this person: skipped, audited."""


class BreakerOpen(RampartError):
    """Too many disables/deletes in the window: further leaver events are held until release."""


class CloudError(RampartError):
    """A cloud call failed for good (after retries)."""

    def __init__(
        self, service: str, action: str, code: str, message: str, *, request_id: str = "", status: int | None = None
    ) -> None:
        self.service = service
        self.action = action
        self.code = code
        self.request_id = request_id
        self.status = status
        detail = f"{service} {action} failed: {code}: {message}"
        if request_id:
            detail += f" (request id {request_id})"
        super().__init__(detail)


class PermissionDenied(CloudError):
    """rampart's own credentials lack a permission (a deployment problem, not an input one)."""


class LedgerConflict(RampartError):
    """A conditional ledger write lost: the row changed since it was read (another instance
    wrote first). Nothing was written; read again and decide again."""
