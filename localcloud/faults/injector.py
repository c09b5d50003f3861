"""The fault injector: armed rules, the dispatch hook that applies them, and the fault log.

It wraps every routed cloud request (``LocalCloud.around_dispatch``), never admin routes.
At most one rule fires per request: the first armed rule, in the order added, that matches
and whose count or probability lets it fire. Error answers are built by the router's
``error_response(code, status, message, headers)`` so each service keeps its own error format
(POP JSON, FC JSON, SLS's ``errorCode``/``errorMessage``); a router without one gets POP JSON.
The log records every injected fault with localcloud's clock, so a test can count what its
code survived. Rules and log live outside ``CloudState``: they are test-harness state, not
cloud resources, so ``cloud.reset()`` leaves them alone (``clear()`` empties both).
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from localcloud.core import ids
from localcloud.core.clock import Clock
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.faults.rules import FaultKind, FaultSpec

Proceed = Callable[[], HttpResponse]
DROPPED = -1
"""The status that makes localcloud.server close the connection without an answer."""


@dataclass(slots=True)
class FaultLogEntry:
    seq: int
    time: str
    """localcloud's clock, ``2026-11-28T03:42:30.123Z``."""
    service: str
    action: str
    kind: str
    rule: str
    code: str | None = None
    status: int | None = None
    latency_ms: float | None = None
    response_status: int | None = None
    """For ``drop``: the status the applied call produced before the connection was closed."""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class ArmedFault:
    id: str
    spec: FaultSpec
    rng: random.Random = field(repr=False)
    matched: int = 0
    fired: int = 0

    def matches(self, service: str, action: str) -> bool:
        return self.spec.service == service and (
            self.spec.action == "*" or fnmatch.fnmatchcase(action, self.spec.action)
        )

    def fires(self) -> bool:
        """Count this matching call; True when the rule injects into it."""
        self.matched += 1
        if self.spec.count is not None:
            return self.fired < self.spec.count
        if self.spec.probability is not None:
            return self.rng.random() < self.spec.probability
        return True

    def latency(self) -> float:
        assert self.spec.latency_ms is not None
        low, high = self.spec.latency_ms
        return low if low == high else round(self.rng.uniform(low, high), 3)

    def to_json(self) -> dict[str, Any]:
        remaining = None if self.spec.count is None else self.spec.count - self.fired
        out = {"id": self.id, **self.spec.to_json(), "matched": self.matched, "fired": self.fired}
        if remaining is not None:
            out["remaining"] = remaining
        return out


class FaultInjector:
    def __init__(self, clock_of: Callable[[], Clock]) -> None:
        self._clock_of = clock_of
        self._lock = threading.Lock()
        self._rules: list[ArmedFault] = []
        self._log: list[FaultLogEntry] = []
        self._ids = itertools.count(1)

    # --- the Python API behind the admin routes -----------------------------------------

    def add(self, service: str, kind: str, action: str = "*", **fields: Any) -> ArmedFault:
        """Arm a rule, e.g. ``add("ram", "throttle", "CreateUser", count=2)``; raises FaultSpecError."""
        return self.add_json({"service": service, "kind": kind, "action": action, **fields})

    def add_json(self, data: Mapping[str, Any]) -> ArmedFault:
        spec = FaultSpec.from_json(data)
        with self._lock:
            armed = ArmedFault(f"fault-{next(self._ids)}", spec, random.Random(spec.seed))
            self._rules.append(armed)
        return armed

    def rules(self) -> list[ArmedFault]:
        with self._lock:
            return list(self._rules)

    def log(self) -> list[FaultLogEntry]:
        with self._lock:
            return list(self._log)

    def clear(self) -> int:
        """Disarm every rule and empty the log; returns how many rules there were."""
        with self._lock:
            count = len(self._rules)
            self._rules.clear()
            self._log.clear()
        return count

    # --- the dispatch hook --------------------------------------------------------------

    def intercept(self, request: HttpRequest, identity: tuple[str, str], router: object, proceed: Proceed) -> HttpResponse:
        chosen = self._select(identity[0].lower(), identity[1])
        if chosen is None:
            return proceed()
        armed, entry = chosen
        kind = armed.spec.kind
        if kind is FaultKind.LATENCY:
            assert entry.latency_ms is not None
            time.sleep(entry.latency_ms / 1000.0)
            return proceed()
        if kind is FaultKind.DROP:
            response = proceed()  # the action takes effect; the client never hears of it
            entry.response_status = response.status
            return HttpResponse(status=DROPPED)
        code, status, message = armed.spec.answer()
        headers: dict[str, str] = {}
        if kind is FaultKind.THROTTLE and armed.spec.retry_after_ms is not None:
            headers["x-acs-retry-after"] = str(armed.spec.retry_after_ms)
        maker = getattr(router, "error_response", None)
        if callable(maker):
            answer = maker(code, status, message, headers)
            assert isinstance(answer, HttpResponse)
            return answer
        return pop_error(armed.spec.service, code, status, message, headers)

    def _select(self, service: str, action: str) -> tuple[ArmedFault, FaultLogEntry] | None:
        with self._lock:
            for armed in self._rules:
                if not armed.matches(service, action) or not armed.fires():
                    continue
                armed.fired += 1
                code, status = None, None
                if armed.spec.kind in (FaultKind.ERROR, FaultKind.THROTTLE):
                    code, status, _ = armed.spec.answer()
                latency = armed.latency() if armed.spec.kind is FaultKind.LATENCY else None
                now = self._clock_of().now()
                entry = FaultLogEntry(
                    seq=len(self._log) + 1,
                    time=now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    service=service, action=action, kind=armed.spec.kind.value, rule=armed.id,
                    code=code, status=status, latency_ms=latency,
                )
                self._log.append(entry)
                return armed, entry
        return None


def pop_error(product: str, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
    """A POP error body (wire-protocol.md §1.8) for routers that bring no format of their own."""
    request_id = ids.request_id()
    body = {
        "RequestId": request_id, "HostId": f"{product}.aliyuncs.com", "Code": code, "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product={product}",
    }
    return HttpResponse.json(status, body, {"x-acs-request-id": request_id, **headers})
