"""Fault rules: what to inject, into which calls, how often; parsed strictly.

A rule selects calls by service (the product a router identifies: ``ram`` (IMS requests
count as ``ram``), ``kms``, ``resourcemanager``, ``sts``, ``sls``, ``tablestore``, ``fc``) and action (exact,
``*``, or a shell-style pattern such as ``Create*``), and fires on every match, on the first
``count`` matches, or with ``probability`` drawn from ``random.Random(seed)``. Kinds:
``error`` and ``throttle`` answer an error in the service's own format (throttle adds
``x-acs-retry-after: <ms>`` so tea SDKs raise ``ThrottlingException``); ``latency`` delays
the call (fixed ``latency_ms`` or a ``[min, max]`` range); ``drop`` runs the call and then
closes the connection without answering.

Default codes: POP services answer ``ServiceUnavailable`` 503 for errors (POP common error)
and ``Throttling.User`` 400 for throttling (wire-protocol.md §1.8); FC answers
``InternalServerError`` 500 and ``ResourceExhausted`` 429 (FC's common error table); SLS
answers ``InternalServerError`` 500 and ``WriteQuotaExceed`` 403 (wire-protocol.md §3.5; note
the SLS SDK retries any 5xx ten times, one second apart); Tablestore answers
``OTSServerUnavailable`` 503 and ``OTSServerBusy`` 503 (tablestore.md §3.2; the SDK's default policy
retries OTSServerBusy on every API and 503 only on reads). The chat robots (``robot``,
``localcloud.robots``) answer ``-1`` "system busy" with HTTP 500 for an error and DingTalk's
``130101`` rate limit with HTTP 200 for throttling, in a body carrying both robots' code keys.
The default retry-after of 1000 ms is UNCONFIRMED (the real value varies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

SERVICES = ("ram", "kms", "resourcemanager", "sts", "sls", "tablestore", "fc", "robot")
MAX_LATENCY_MS = 600_000
DEFAULT_RETRY_AFTER_MS = 1000


class FaultSpecError(ValueError):
    """A fault rule that cannot be armed; the message names the field and the accepted values."""


class FaultKind(Enum):
    ERROR = "error"
    THROTTLE = "throttle"
    LATENCY = "latency"
    DROP = "drop"


_ERROR_DEFAULTS: dict[str, tuple[str, int, str]] = {
    "fc": ("InternalServerError", 500, "an internal error has occurred. Please retry."),
    "sls": ("InternalServerError", 500, "Internal server error."),
    "tablestore": ("OTSServerUnavailable", 503, "Server is not available."),
    "robot": ("-1", 500, "system busy"),
    "*": ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
}
_THROTTLE_DEFAULTS: dict[str, tuple[str, int, str]] = {
    "fc": ("ResourceExhausted", 429, "Concurrency limit exceeded. Please retry later."),
    "sls": ("WriteQuotaExceed", 403, "Write quota is exceeded."),
    "tablestore": ("OTSServerBusy", 503, "Server is busy."),
    "robot": ("130101", 200, "send too fast, exceed 20 times per minute"),
    "*": ("Throttling.User", 400, "Request was denied due to user flow control."),
}
_KEYS = {
    "service", "action", "kind", "code", "status", "message", "retry_after_ms", "latency_ms",
    "count", "probability", "seed",
}


@dataclass(frozen=True, slots=True)
class FaultSpec:
    service: str
    action: str
    kind: FaultKind
    code: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after_ms: int | None = None
    latency_ms: tuple[float, float] | None = None
    count: int | None = None
    probability: float | None = None
    seed: int = 0

    def answer(self) -> tuple[str, int, str]:
        """(code, status, message) for an error or throttle, the service's defaults filled in."""
        table = _THROTTLE_DEFAULTS if self.kind is FaultKind.THROTTLE else _ERROR_DEFAULTS
        code, status, message = table.get(self.service, table["*"])
        if self.code is not None:
            code = self.code
            message = f"localcloud injected fault: {code}"
        return code, self.status or status, self.message or message

    def to_json(self) -> dict[str, Any]:
        latency: Any = None
        if self.latency_ms is not None:
            low, high = self.latency_ms
            latency = low if low == high else [low, high]
        out: dict[str, Any] = {
            "service": self.service, "action": self.action, "kind": self.kind.value, "code": self.code,
            "status": self.status, "message": self.message, "retry_after_ms": self.retry_after_ms,
            "latency_ms": latency, "count": self.count, "probability": self.probability, "seed": self.seed,
        }
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultSpec:
        if not isinstance(data, Mapping):
            raise FaultSpecError("a fault rule must be a JSON object")
        unknown = set(data) - _KEYS
        if unknown:
            raise FaultSpecError(f"unknown field(s) {sorted(unknown)}; a rule accepts {sorted(_KEYS)}")
        service = data.get("service")
        if service == "ims":
            raise FaultSpecError('IMS requests identify as service "ram": use "service": "ram"')
        if service not in SERVICES:
            raise FaultSpecError(f'"service" must be one of {list(SERVICES)}, got {service!r}')
        action = data.get("action", "*")
        if not isinstance(action, str) or not action:
            raise FaultSpecError('"action" must be an action name, a pattern such as "Create*", or "*"')
        try:
            kind = FaultKind(data.get("kind"))
        except ValueError as exc:
            kinds = [k.value for k in FaultKind]
            raise FaultSpecError(f'"kind" must be one of {kinds}, got {data.get("kind")!r}') from exc
        answers = kind in (FaultKind.ERROR, FaultKind.THROTTLE)
        _only(data, ("code", "status", "message"), answers, "error or throttle")
        _only(data, ("retry_after_ms",), kind is FaultKind.THROTTLE, "throttle")
        _only(data, ("latency_ms",), kind is FaultKind.LATENCY, "latency")
        code = _optional_str(data, "code")
        message = _optional_str(data, "message")
        status = data.get("status")
        if status is not None and (not _is_int(status) or not 400 <= status <= 599):
            raise FaultSpecError(f'"status" must be an HTTP error status from 400 to 599, got {status!r}')
        retry_after = data.get("retry_after_ms")
        if retry_after is not None and (not _is_int(retry_after) or retry_after <= 0):
            raise FaultSpecError(f'"retry_after_ms" must be a positive integer, got {retry_after!r}')
        if kind is FaultKind.THROTTLE and retry_after is None:
            retry_after = DEFAULT_RETRY_AFTER_MS
        latency = _latency(data.get("latency_ms")) if kind is FaultKind.LATENCY else None
        count, probability = data.get("count"), data.get("probability")
        if count is not None and probability is not None:
            raise FaultSpecError('give "count" or "probability", not both')
        if count is not None and (not _is_int(count) or count < 1):
            raise FaultSpecError(f'"count" must be a positive integer, got {count!r}')
        if probability is not None and (
            not isinstance(probability, (int, float)) or isinstance(probability, bool) or not 0 < probability <= 1
        ):
            raise FaultSpecError(f'"probability" must be a number in (0, 1], got {probability!r}')
        seed = data.get("seed", 0)
        if not _is_int(seed):
            raise FaultSpecError(f'"seed" must be an integer, got {seed!r}')
        return cls(
            service=service, action=action, kind=kind, code=code, status=status, message=message,
            retry_after_ms=retry_after, latency_ms=latency, count=count,
            probability=float(probability) if probability is not None else None, seed=seed,
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _only(data: Mapping[str, Any], fields: tuple[str, ...], allowed: bool, kinds: str) -> None:
    for name in fields:
        if name in data and not allowed:
            raise FaultSpecError(f'"{name}" applies only to kind {kinds}')


def _optional_str(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise FaultSpecError(f'"{name}" must be a non-empty string')
    return value


def _latency(value: Any) -> tuple[float, float]:
    def number(item: Any) -> float:
        if not isinstance(item, (int, float)) or isinstance(item, bool) or not 0 <= item <= MAX_LATENCY_MS:
            raise FaultSpecError(f'"latency_ms" values must be numbers from 0 to {MAX_LATENCY_MS}, got {item!r}')
        return float(item)

    if value is None:
        raise FaultSpecError('kind latency needs "latency_ms": a number of milliseconds or [min, max]')
    if isinstance(value, list):
        if len(value) != 2:
            raise FaultSpecError('"latency_ms" as a range must be [min, max]')
        low, high = number(value[0]), number(value[1])
        if low > high:
            raise FaultSpecError(f'"latency_ms" range [{low}, {high}] has min above max')
        return low, high
    fixed = number(value)
    return fixed, fixed
