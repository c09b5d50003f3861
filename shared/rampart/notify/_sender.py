"""Sends a notice to the configured chat robot or webhook over HTTPS (``rampart.notify``).

Standard library only (``urllib.request``): nothing to import at cold start, no SDK. One POST
with a 3 s timeout; one retry (signed afresh) when no answer came or the endpoint answered
5xx. A robot's refusal (a bad signature, a stale timestamp, a rate limit) is not retried: it
would be refused again, and a notification must never hold up the lifecycle work.

:meth:`Notifier.send` **never raises**: it returns a :class:`rampart.notify.NotifyOutcome`
(ok, the robot's code, its message) that the caller audits. Before a message is signed it
passes through ``rampart.redact`` once more (a second line of defence: a notice holds only
names, but a secret pasted into a display name must not reach a chat). The signing secret
and the URL's token are registered with the process's redaction registry, so no log line
can show them either; neither is ever put in an outcome.
"""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from rampart.notify._notice import Notice, NotifyConfig, NotifyKind, NotifyOutcome
from rampart.notify._wire import OutboundRequest, answer, payload, request, retryable
from rampart.redact import REGISTRY, redact

DEFAULT_TIMEOUT = 3.0
ATTEMPTS = 2
"""The first try and one retry."""
MAX_ANSWER_BYTES = 64 * 1024
MIN_MASKED = 12
"""Shorter signing secrets are not added to the process-wide masking (masking a common short
word everywhere would shred the logs); they are never rendered in any case."""

Clock = Callable[[], datetime]
Post = Callable[[OutboundRequest, float], tuple[int, bytes]]
"""POST the request within the timeout: (HTTP status, body); raises OSError when no answer came."""

_log = logging.getLogger("rampart.notify")


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def post(outbound: OutboundRequest, timeout: float) -> tuple[int, bytes]:
    """The real POST. Loopback (localcloud) bypasses any proxy; elsewhere the environment's
    proxy settings apply as usual."""
    url = outbound.url.reveal()
    handlers = [urllib.request.ProxyHandler({})] if _is_loopback(url) else []
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, data=outbound.body, headers=dict(outbound.headers), method="POST")  # noqa: S310 - https (or loopback http) checked by parse_config
    try:
        with opener.open(req, timeout=timeout) as response:
            return int(response.status), response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:  # a non-2xx answer is still an answer
        with exc:
            return int(exc.code), exc.read(MAX_ANSWER_BYTES)


def _register(value: str) -> None:
    if len(value) >= MIN_MASKED:
        REGISTRY.register(value)


class Notifier:
    def __init__(self, config: NotifyConfig, *, clock: Clock, timeout: float = DEFAULT_TIMEOUT,
                 post: Post = post) -> None:
        self.config = config
        self._clock = clock
        self._timeout = timeout
        self._post = post
        _register(config.secret.reveal())
        for token in _tokens(config):
            _register(token)

    @property
    def kind(self) -> NotifyKind:
        return self.config.kind

    def send(self, notice: Notice) -> NotifyOutcome:
        """POST ``notice``; never raises (module docstring)."""
        kind = self.config.kind
        try:
            document = redact(payload(kind, notice))
            code, message = "transport", ""
            for attempt in range(1, ATTEMPTS + 1):
                outbound = request(self.config, document, self._clock())
                try:
                    status, body = self._post(outbound, self._timeout)
                except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
                    code, message = "transport", f"no answer from {self.config.where()}: {type(exc).__name__}"
                    _log.warning("notification not delivered", extra={"attempt": attempt, "reason": message})
                    continue
                read = answer(kind, status, body)
                if read.ok:
                    return NotifyOutcome(kind, True, read.code, read.message, attempt)
                code, message = read.code, REGISTRY.redact(read.message)
                _log.warning("notification refused", extra={"attempt": attempt, "code": code, "status": status})
                if not retryable(status):
                    return NotifyOutcome(kind, False, code, message, attempt)
            return NotifyOutcome(kind, False, code, message, ATTEMPTS)
        except Exception as exc:  # a bug must not fail the lifecycle work: the type only
            _log.error("notification raised", extra={"error_type": type(exc).__name__}, exc_info=True)
            return NotifyOutcome(kind, False, "internal", f"rampart could not send the notification: {type(exc).__name__}")


def _tokens(config: NotifyConfig) -> list[str]:
    """The access token inside the robot's URL (DingTalk's query, Feishu's last segment)."""
    parts = urlsplit(config.url.reveal())
    if config.kind is NotifyKind.DINGTALK:
        return [t for t in parse_qs(parts.query).get("access_token", []) if t]
    if config.kind is NotifyKind.FEISHU:
        return [parts.path.rsplit("/", 1)[-1]] if "/hook/" in parts.path else []
    return []
