"""Structured JSON logs: one line per record, the correlation id bound per invocation, and
every line redacted before it is written.

Stdlib ``logging`` only (no third-party dependency, nothing to import at cold start). A line
looks like::

    {"time":"2024-05-01T10:00:00.123+00:00","level":"INFO","logger":"rampart.engine",
     "message":"step done","correlation_id":"c-1","event_id":"e-9","step":"create-user"}

Fields come from :func:`bind` (for everything logged inside the ``with`` block, in this
context: thread or task) and from ``extra=`` of one call. ``time``, ``level``, ``logger``,
``message`` and ``correlation_id`` cannot be overridden by either.

Never log a ``Secret``'s revealed value; should one slip in anyway, the formatter masks it
(by key, by ``key=value`` pattern and through ``rampart.redact.REGISTRY``).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import IO, Any

from rampart.redact import REGISTRY, SecretRegistry, dumps

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_FIELDS: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("rampart_log_fields", default=_EMPTY)
_CORE = ("time", "level", "logger", "message", "correlation_id")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def bind(correlation_id: str | None = None, **fields: Any) -> Iterator[Mapping[str, Any]]:
    """Add fields to every line logged inside the block (nested binds stack; exit restores)."""
    merged = dict(_FIELDS.get())
    if correlation_id is not None:
        merged["correlation_id"] = correlation_id
    merged.update(fields)
    view = MappingProxyType(merged)
    token = _FIELDS.set(view)
    try:
        yield view
    finally:
        _FIELDS.reset(token)


def bound() -> dict[str, Any]:
    """The fields bound in this context."""
    return dict(_FIELDS.get())


def correlation_id() -> str:
    """The correlation id bound in this context ("" when none)."""
    return str(_FIELDS.get().get("correlation_id", ""))


class JsonFormatter(logging.Formatter):
    """Renders a record as one redacted JSON line."""

    def __init__(self, *, registry: SecretRegistry | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._registry = REGISTRY if registry is None else registry
        self._clock = clock

    def format(self, record: logging.LogRecord) -> str:
        fields = _FIELDS.get()
        when = self._clock() if self._clock is not None else datetime.fromtimestamp(record.created, tz=timezone.utc)
        payload: dict[str, Any] = {
            "time": when.astimezone(timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": str(fields.get("correlation_id", "")),
        }
        for key, value in fields.items():
            if key not in _CORE:
                payload[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _CORE and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return dumps(payload, self._registry, ensure_ascii=False, separators=(",", ":"))


class JsonLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """rampart's stream handler (``configure`` replaces an earlier one instead of adding twice)."""


def configure(
    stream: IO[str] | None = None,
    level: int | str = logging.INFO,
    *,
    logger: str = "rampart",
    registry: SecretRegistry | None = None,
    clock: Callable[[], datetime] | None = None,
) -> logging.Handler:
    """Send ``logger``'s records (and its children's) to ``stream`` (stderr) as JSON lines.

    The logger stops propagating to the root logger, whose handler Function Compute's runtime
    installs with its own plain-text format: each record is written once, as JSON.
    """
    target = logging.getLogger(logger)
    for handler in list(target.handlers):
        if isinstance(handler, JsonLogHandler):
            target.removeHandler(handler)
    handler = JsonLogHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(JsonFormatter(registry=registry, clock=clock))
    target.addHandler(handler)
    target.setLevel(level.upper() if isinstance(level, str) else level)
    target.propagate = False
    return handler


def get_logger(name: str) -> logging.Logger:
    """A logger under ``rampart`` (``functions/*`` modules are not in the package)."""
    return logging.getLogger(name if name == "rampart" or name.startswith("rampart.") else f"rampart.{name}")
