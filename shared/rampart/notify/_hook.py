"""The lifecycle function's after-event hook: notice -> send -> one audit record.

Called once per applied event (``rampart.fc.lifecycle``), with the event and the engine's
result. When the result notifies (``rampart.notify``: a joiner that created users, a leaver
with a certificate) the notice goes to the configured robot or webhook, and one ``notify``
audit record (``AuditAction.NOTIFY``) is written with the event's correlation id: result
``ok`` or ``failed``, ``error_code`` the robot's code on failure, detail the kind, the
robot's code and message and the users concerned; never the URL, its token or the secret.

A destination that cannot be configured (the KMS secret is not JSON, names an unknown kind,
cannot be read for want of a permission) is a :class:`ConfigError` (or the KMS error),
logged and audited **once** per instance, on the first event after it was found; events that
would have notified meanwhile report ``notified: false``. A transient KMS failure is not
kept: the next event tries again.

Never raises to the caller, never fails the lifecycle work, never renders a secret.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from rampart.audit import AuditAction, AuditTrail
from rampart.errors import CloudError, PermissionDenied, RampartError
from rampart.model import AuditResult, LifecycleEvent
from rampart.notify import _notice as notify
from rampart.notify._notice import NotifyKind, NotifyOutcome
from rampart.ports import AuditSink

if TYPE_CHECKING:
    from rampart.engine import EventResult

Clock = Callable[[], datetime]
_log = logging.getLogger("rampart.notify")


class Sender(Protocol):
    @property
    def kind(self) -> NotifyKind: ...

    def send(self, notice: notify.Notice) -> NotifyOutcome: ...


@dataclass
class NotifySetup:
    """The instance's notification destination: a sender, or the error that prevents one."""

    sender: Sender | None
    error: RampartError | None = None
    _reported: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_error(self) -> RampartError | None:
        """The configuration error, the first time only (it is audited once)."""
        with self._lock:
            if self.error is None or self._reported:
                return None
            self._reported = True
            return self.error


def is_lasting(exc: RampartError) -> bool:
    """A configuration or permission problem (kept for the instance's life), not a passing
    KMS failure (throttling, 5xx, no answer: tried again on the next event)."""
    if isinstance(exc, PermissionDenied) or not isinstance(exc, CloudError):
        return True
    return exc.status is not None and 400 <= exc.status < 500 and "throttl" not in exc.code.lower()


def after_event(
    setup: NotifySetup,
    event: LifecycleEvent,
    result: EventResult,
    *,
    default_domain: Callable[[], str],
    secret_prefix: str,
    sink: AuditSink | None,
    clock: Clock,
) -> bool | None:
    """Notify about ``result`` if it is news; True sent, False not sent, None nothing to send.
    Never raises."""
    try:
        return _after_event(setup, event, result, default_domain, secret_prefix, sink, clock)
    except Exception as exc:  # a bug: the lifecycle work stands; the type only
        _log.error("notification hook raised", extra={"error_type": type(exc).__name__}, exc_info=True)
        return False if notify.has_news(event, result) else None


def _after_event(
    setup: NotifySetup, event: LifecycleEvent, result: EventResult, default_domain: Callable[[], str],
    secret_prefix: str, sink: AuditSink | None, clock: Clock,
) -> bool | None:
    trail = AuditTrail.for_event(event, clock)
    news = notify.has_news(event, result)
    error = setup.take_error()
    if error is not None:
        _log.error("notifications are not configured correctly", extra={"error_type": type(error).__name__,
                                                                        "error": str(error)})
        trail.add(AuditAction.NOTIFY, AuditResult.FAILED, error_code=type(error).__name__,
                  detail={"reason": str(error), "notice_pending": news})
    outcome: bool | None = None
    if news and setup.sender is None:
        if error is None:
            _log.warning("notification skipped: the destination is not configured correctly (reported earlier)")
        outcome = False
    elif news and setup.sender is not None:
        outcome = _send(setup.sender, event, result, trail, default_domain, secret_prefix)
    trail.flush(sink)
    return outcome


def _send(sender: Sender, event: LifecycleEvent, result: EventResult, trail: AuditTrail,
          default_domain: Callable[[], str], secret_prefix: str) -> bool:
    try:
        notice = notify.notice_for(event, result, default_domain=default_domain, secret_prefix=secret_prefix)
    except RampartError as exc:  # the default domain could not be read: nothing was sent
        trail.add(AuditAction.NOTIFY, AuditResult.FAILED, error_code=type(exc).__name__,
                  detail={"kind": sender.kind.value, "reason": f"notice not built: {exc}"})
        return False
    if notice is None:
        return False
    sent = sender.send(notice)
    target = ",".join(notice.users)
    detail = {**sent.as_detail(), "notice": notice.kind.value, "users": list(notice.users)}
    trail.add(AuditAction.NOTIFY, AuditResult.OK if sent.ok else AuditResult.FAILED, target=target,
              error_code="" if sent.ok else sent.code, detail=detail)
    if sent.ok:
        _log.info("notification sent", extra={"kind": sent.kind.value, "notice": notice.kind.value})
    return sent.ok
