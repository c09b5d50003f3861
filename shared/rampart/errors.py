"""rampart's errors: one hierarchy, specific subclasses with the context a user needs.

A user-facing message says what was wrong and what to do; it never carries a secret or a
stack trace. SDK failures are wrapped with ``raise ... from exc`` in the adapters.

Each class says how it ends a command and how it answers a webhook, as class attributes a
subclass inherits (looked up through the class's MRO, as localcloud's ``CloudError`` carries
its ``code`` and ``http_status``):

- ``exit_code``, the CLI's (``rampart.cli``): 1 failed (a cloud call, a permission, a step),
  2 bad input or configuration (arguments, event file, catalog, a request the catalog
  refuses), 3 held by the circuit breaker;
- ``http_status``, the webhook receivers' (``rampart.fc.receiver``): 400 a malformed event,
  422 a well-formed one the catalog or the account refuses (unknown person or profile, a
  catalog policy), 502 a cloud call that failed, 500 anything else; a :class:`SourceError`
  carries the status its source answers (401, 404, 405, 413 ...).
"""

from __future__ import annotations


class RampartError(Exception):
    """Base of every error rampart raises on purpose."""

    exit_code: int = 1
    http_status: int = 500

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
    http_status = 400


class UnknownPerson(EventError):
    """The person or user named by an event does not exist (or is not rampart's)."""

    http_status = 422


class UnknownProfile(EventError):
    """An event asks for a profile the catalog does not define."""

    http_status = 422


class PolicyRefused(EventError):
    """The request breaks a catalog rule: high-risk policy, duration, approval, access mode."""

    http_status = 422


class SourceError(EventError):
    """A webhook delivery refused by its source (``rampart.sources``): the status to answer is
    the instance's own (401 bad or missing signature, stale timestamp or replay; 400 malformed
    payload naming the fields; 404 a path no source serves; 405 not a POST; 413 oversize); the
    message names the problem (and the fields) without echoing secrets or the body."""

    def __init__(self, status: int, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.http_status = status

    @property
    def status(self) -> int:
        return self.http_status


class StaleEvent(RampartError):
    """The event is older than the last one applied for this person: skipped, audited."""


class BreakerOpen(RampartError):
    """Too many disables/deletes in the window: further leaver events are held until release."""

    exit_code = 3


class CloudError(RampartError):
    """A cloud call failed for good (after retries). ``status`` is the cloud's own answer."""

    http_status = 502

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


def http_status(error: BaseException) -> int:
    """The HTTP status answering ``error``: its class's (or a :class:`SourceError`'s own);
    500 for an exception that is not rampart's."""
    return error.http_status if isinstance(error, RampartError) else 500


def exit_code(error: BaseException) -> int:
    """The CLI exit code of ``error``: its class's; 1 for an exception that is not rampart's."""
    return error.exit_code if isinstance(error, RampartError) else 1
