"""Process isolation's bookkeeping: instance pools, who is calling, and kills between steps.

- Pools: one :class:`~localcloud.fc.runtime.instances.Pool` per function registered with
  ``isolation="process"``; replaced when the function is registered again.
- Who is calling: every invocation gets fresh STS credentials of the function's role
  (:meth:`localcloud.fc.models.FunctionService.invocation`), so a cloud request signed with
  that AccessKeyId comes from that invocation's instance. :meth:`ProcessRuntime.intercept`
  (a ``LocalCloud.around_dispatch`` hook placed inside the fault injector) counts the
  requests each running invocation got *applied* (the service answered below 400, so its
  effect is in localcloud's state; a request the fault injector refused never reaches it,
  one it drops after applying does).
- Kills: ``arm(function, after_calls=N)`` makes the first invocation of that function whose
  N-th applied request completes have its instance SIGKILLed before the answer is sent (the
  client connection is closed unanswered): the handler dies between two steps, as a crash
  right after a call returned. A kill stays armed until it fires; counts restart with each
  invocation. ``kill_now`` kills the function's busy instances at once. Fired kills are
  logged with localcloud's clock.

Armed kills and the log are harness state, not cloud state: ``cloud.reset()`` keeps them,
``FunctionService.reset()`` (``DELETE /_localcloud/functions``, the ``cloud`` fixture) clears
them. This module never reads a request's secret or token, only the AccessKeyId it claims.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.core.clock import Clock
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.fc import errors
from localcloud.fc.functions import FunctionSpec, Isolation
from localcloud.fc.runtime.context import Invocation
from localcloud.fc.runtime.executor import Outcome
from localcloud.fc.runtime.instances import Instance, InstanceGone, Pool, Source

DROPPED = -1
"""The status that makes localcloud.server close the connection without an answer."""

Proceed = Callable[[], HttpResponse]


@dataclass(slots=True)
class Running:
    """An invocation in progress in a process-isolated instance."""

    function: str
    instance: Instance
    request_id: str
    task_id: str | None
    applied: int = 0
    last_action: str | None = None


@dataclass(frozen=True, slots=True)
class ArmedKill:
    id: str
    function: str
    after_calls: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "function": self.function, "after_calls": self.after_calls}


@dataclass(frozen=True, slots=True)
class KillRecord:
    id: str
    time: str
    """localcloud's clock, ``2026-11-28T03:42:30.123Z``."""
    function: str
    request_id: str
    task_id: str | None
    after_calls: int | None
    """None for a kill ``now``."""
    applied: int
    """Requests the invocation had got applied when it was killed."""
    last_action: str | None
    """``service:Action`` of the last applied request (``ram:CreateUser``), if any."""
    pid: int
    instance_id: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def claimed_access_key(request: HttpRequest) -> str | None:
    """The AccessKeyId a request says it is signed with (POP ACS3/V1, FC, SLS v1/v4), unverified.

    Only used to attribute requests the service then *accepted*, i.e. whose signature checked."""
    authorization = request.header("authorization").strip()
    if authorization.startswith(("ACS3-HMAC-SHA256 ", "SLS4-HMAC-SHA256 ")):
        for part in authorization.split(" ", 1)[1].split(","):
            name, _, value = part.strip().partition("=")
            if name == "Credential":
                return value.split("/", 1)[0] or None
        return None
    if authorization.startswith("LOG "):
        return authorization[4:].rpartition(":")[0].strip() or None
    for name, value in request.query_pairs():
        if name == "AccessKeyId":
            return value or None
    return None


class KillRefused(ValueError):
    """A kill that cannot be armed; the message says why and what to do."""


class ProcessRuntime:
    def __init__(self, clock_of: Callable[[], Clock]) -> None:
        self._clock_of = clock_of
        self._lock = threading.Lock()
        self._pools: dict[str, Pool] = {}
        self._running: dict[Instance, Running] = {}
        self._by_key: dict[str, Running] = {}
        """Running invocations by the STS AccessKeyId they were given (functions with a role)."""
        self._armed: list[ArmedKill] = []
        self._fired: list[KillRecord] = []
        self._ids = itertools.count(1)

    # --- pools --------------------------------------------------------------------------

    def install(self, function: str, source: Source) -> None:
        """A (re)registered function: a new pool; the old one's instances are stopped."""
        with self._lock:
            old = self._pools.get(function)
            self._pools[function] = Pool(source)
        if old is not None:
            old.close(kill_busy=False)

    def remove(self, function: str) -> None:
        with self._lock:
            old = self._pools.pop(function, None)
        if old is not None:
            old.close(kill_busy=False)

    def pids(self) -> list[int]:
        """Every live worker's pid (for tests and the chaos campaign's checks)."""
        with self._lock:
            pools = list(self._pools.values())
        return [pid for pool in pools for pid in pool.pids()]

    def execute(
        self, function: str, invocation: Invocation, env: dict[str, str], event: bytes, task_id: str | None
    ) -> Outcome:
        with self._lock:
            pool = self._pools.get(function)
        if pool is None:
            raise errors.FunctionNotFound(f"function '{function}' does not exist.")
        try:
            got = pool.acquire()
        except InstanceGone as exc:
            raise errors.FunctionNotFound(f"function '{function}' does not exist: {exc}") from exc
        if isinstance(got, Outcome):
            return got
        instance = got
        invocation = dataclasses.replace(invocation, instance_id=instance.instance_id)
        key = invocation.credentials.access_key_id if invocation.credentials is not None else None
        running = Running(function, instance, invocation.request_id, task_id)
        with self._lock:
            self._running[instance] = running
            if key is not None:
                self._by_key[key] = running
        try:
            return instance.call(invocation, env, event)
        finally:
            with self._lock:
                self._running.pop(instance, None)
                if key is not None:
                    self._by_key.pop(key, None)
            pool.release(instance)

    # --- kills --------------------------------------------------------------------------

    def kill(self, spec: FunctionSpec, *, after_calls: object = 1, now: bool = False) -> ArmedKill | int:
        """Arm a kill after ``after_calls`` applied requests, or (``now``) kill busy instances at once."""
        function = spec.key
        if spec.isolation is not Isolation.PROCESS:
            raise KillRefused(
                f"function {function!r} runs inline (in localcloud's own process) and cannot be killed; "
                "register it with isolation='process'"
            )
        if now:
            return self.kill_now(function)
        if not isinstance(after_calls, int) or isinstance(after_calls, bool) or after_calls < 1:
            raise KillRefused(f"after_calls must be an integer of at least 1, got {after_calls!r}")
        if not spec.role:
            raise KillRefused(
                f"function {function!r} has no role: localcloud attributes an instance's requests by the STS "
                "credentials of its role, so a kill after N calls needs one (a kill now does not)"
            )
        return self.arm(function, after_calls)

    def arm(self, function: str, after_calls: int) -> ArmedKill:
        with self._lock:
            armed = ArmedKill(f"kill-{next(self._ids)}", function, after_calls)
            self._armed.append(armed)
        return armed

    def armed(self) -> list[ArmedKill]:
        with self._lock:
            return list(self._armed)

    def kill_now(self, function: str) -> int:
        """Kill every busy instance of ``function``; how many were killed (0: it was idle)."""
        with self._lock:
            victims = [r for r in self._running.values() if r.function == function]
            records = [self._record(r, None) for r in victims]
        killed = 0
        for running, record in zip(victims, records, strict=True):
            if running.instance.kill():
                killed += 1
                with self._lock:
                    self._fired.append(record)
        return killed

    def fired(self) -> list[KillRecord]:
        with self._lock:
            return list(self._fired)

    def intercept(self, request: HttpRequest, identity: tuple[str, str], router: object, proceed: Proceed) -> HttpResponse:
        key = claimed_access_key(request)
        if key is None:
            return proceed()
        with self._lock:
            running = self._by_key.get(key)
        if running is None:
            return proceed()
        response = proceed()
        if not 0 <= response.status < 400:
            return response
        with self._lock:
            running.applied += 1
            running.last_action = f"{identity[0].lower()}:{identity[1]}"
            due = next(
                (a for a in self._armed if a.function == running.function and running.applied >= a.after_calls), None
            )
            if due is None:
                return response
            self._armed.remove(due)
            self._fired.append(self._record(running, due.after_calls, due.id))
        running.instance.kill()
        return HttpResponse(status=DROPPED)

    def _record(self, running: Running, after_calls: int | None, kill_id: str | None = None) -> KillRecord:
        now = self._clock_of().now()
        return KillRecord(
            id=kill_id or f"kill-{next(self._ids)}",
            time=now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            function=running.function, request_id=running.request_id, task_id=running.task_id,
            after_calls=after_calls, applied=running.applied, last_action=running.last_action,
            pid=running.instance.pid, instance_id=running.instance.instance_id,
        )

    # --- control ------------------------------------------------------------------------

    def reset(self) -> None:
        """Stop every instance, disarm every kill, empty the kill log."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
            self._armed.clear()
            self._fired.clear()
        for pool in pools:
            pool.close(kill_busy=True)

    def shutdown(self) -> None:
        self.reset()
