"""Function Compute's state and rules: the registry, sync and async invocation, retries,
event age, destinations, task-id deduplication, and draining (``cloud.functions``).

Async rules (alibaba-platform.md §D.6, https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2):
a submission answers at once and the handler runs in the background; a function error is
retried ``maxAsyncRetryAttempts`` times; an event older than ``maxAsyncEventAgeInSeconds``
(by localcloud's clock) is dropped; internal errors (here: the role cannot be assumed) are
not retried. After the last attempt the on-failure destination function receives FC's
destination payload (https://help.aliyun.com/zh/functioncompute/user-guide/result-callback);
after a success, the on-success one. localcloud retries at once, without FC's backoff
(UNCONFIRMED delays), and supports only function destinations.

Registrations live here, not in ``CloudState``: they hold Python callables, so they are
neither pickled with ``--state`` nor cleared by ``cloud.reset()`` (use :meth:`reset`).
Never call a handler while holding ``state.lock``: handlers call localcloud over HTTP.
Process-isolated functions run through :class:`localcloud.fc.runtime.isolation.ProcessRuntime`.
Async invocations wait in ``_dispatch`` (FC's async queue: how many run at once) and run in
``_delivery``; function configuration is in :mod:`localcloud.fc.functions`.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localcloud.core.errors import CloudError
from localcloud.fc import errors
from localcloud.fc.functions import (
    DEFAULT_CONCURRENCY,
    AsyncConfig,
    FunctionSpec,
    Isolation,
    PythonRuntime,
    isolation_of,
    spec_from_json,
)
from localcloud.fc.models import _delivery
from localcloud.fc.models._api import FC_SERVICE, MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, V2, V3
from localcloud.fc.models._delivery import ms as _ms
from localcloud.fc.models._destinations import function_arn
from localcloud.fc.models._dispatch import Dispatcher, IdleTimeout, Limits, Load
from localcloud.fc.models._tasks import AsyncTask, TaskStatus, TaskStore, validate_task_id
from localcloud.fc.runtime.context import Invocation, RoleCredentials, context_for, environment_for
from localcloud.fc.runtime.executor import Executor, Outcome
from localcloud.fc.runtime.instances import Source
from localcloud.fc.runtime.isolation import ArmedKill, KillRecord, KillRefused, ProcessRuntime
from localcloud.fc.runtime.loader import LoadedHandler, describe, resolve

if TYPE_CHECKING:
    from localcloud.state import CloudState

__all__ = [
    "FC_SERVICE", "MAX_ASYNC_PAYLOAD", "MAX_SYNC_PAYLOAD", "V2", "V3", "DrainTimeout", "FunctionService", "Load",
    "Registered",
]


class DrainTimeout(IdleTimeout):
    """Async invocations were still queued or running when the wait ran out."""


@dataclass(frozen=True, slots=True)
class Registered:
    spec: FunctionSpec
    handler: LoadedHandler | None
    """None with ``isolation="process"``: each instance imports the module, localcloud never does."""
    instance_id: str
    code_path: str

    def addressed_name(self, api_version: str) -> str:
        return self.spec.name if api_version == V2 else self.spec.key


class FunctionService:
    def __init__(
        self,
        state_of: Callable[[], CloudState],
        endpoint_of: Callable[[], str],
        *,
        code_root: Path | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """``concurrency``: how many async invocations run at once in all (1-300; FunctionConfigError otherwise)."""
        self._state_of = state_of
        self._endpoint_of = endpoint_of
        self.code_root = code_root
        """Where handler paths start; None: the current working directory at registration."""
        self._lock = threading.Lock()
        self._functions: dict[str, Registered] = {}
        self._tasks = TaskStore()
        self._generation = 0
        self._dispatcher = Dispatcher(lambda task: _delivery.process(self, task), self._limits, concurrency)
        self.executor = Executor()
        self.processes = ProcessRuntime(lambda: state_of().clock)
        """Process-isolated instances and kills (``isolation="process"``)."""

    # --- registry -----------------------------------------------------------------------

    def register(
        self,
        name: str,
        handler: str | Callable[[bytes, Any], Any],
        *,
        service: str | None = None,
        env: Mapping[str, str] | None = None,
        role: str | None = None,
        memory: int = 512,
        timeout: int = 3,
        runtime: str | PythonRuntime = PythonRuntime.PYTHON310,
        async_config: AsyncConfig | Mapping[str, Any] | None = None,
        code_root: str | Path | None = None,
        isolation: str | Isolation = Isolation.INLINE,
        reserved_concurrency: int | None = None,
    ) -> FunctionSpec:
        """Register (or replace) a function; ``handler`` is FC's handler string or a callable.

        ``isolation="process"`` runs each instance in a worker subprocess (:mod:`localcloud.fc.runtime.instances`);
        ``reserved_concurrency`` (FC 3.0's ``reservedConcurrency``) caps how many of its async invocations run at once."""
        config = async_config if isinstance(async_config, AsyncConfig) else AsyncConfig.from_json(async_config)
        handler_text = handler if isinstance(handler, str) else describe(handler)
        spec = FunctionSpec(
            name=name, handler=handler_text, service=service, env=dict(env or {}), role=role, memory=memory,
            timeout=timeout, runtime=PythonRuntime(runtime), async_config=config, isolation=isolation_of(isolation),
            reserved_concurrency=reserved_concurrency,
        )
        root = Path(code_root) if code_root else (self.code_root or Path.cwd())
        loaded, code_path = resolve(handler, handler_text, spec.isolation, root)
        with self._lock:
            self._functions[spec.key] = Registered(spec, loaded, "c-" + secrets.token_hex(12), code_path)
        if spec.isolation is Isolation.PROCESS:
            self.processes.install(spec.key, Source(handler_text, str(root)))
        else:
            self.processes.remove(spec.key)
        return spec

    def register_json(self, data: Mapping[str, Any]) -> FunctionSpec:
        spec = spec_from_json(data)
        code_root = data.get("code_root")
        if code_root is not None and not isinstance(code_root, str):
            raise ValueError('"code_root" must be a directory path')
        return self.register(
            spec.name, spec.handler, service=spec.service, env=spec.env, role=spec.role, memory=spec.memory,
            timeout=spec.timeout, runtime=spec.runtime, async_config=spec.async_config, code_root=code_root,
            isolation=spec.isolation, reserved_concurrency=spec.reserved_concurrency,
        )

    def unregister(self, name: str) -> None:
        with self._lock:
            if self._functions.pop(name, None) is None:
                raise KeyError(f"no function named {name!r}")
        self.processes.remove(name)

    def specs(self) -> list[FunctionSpec]:
        with self._lock:
            return [r.spec for r in self._functions.values()]

    def resolve(self, api_version: str, function: str, service: str | None = None) -> Registered:
        """The function a request addresses, or FC's not-found error for that API version."""
        with self._lock:
            if api_version == V2:
                assert service is not None
                if not any(r.spec.service == service for r in self._functions.values()):
                    raise errors.ServiceNotFound(f"service '{service}' does not exist")
                found = self._functions.get(f"{service}${function}")
                if found is None:
                    raise errors.FunctionNotFound(f"function '{function}' does not exist in service '{service}'")
                return found
            found = self._functions.get(function)
            if found is None:
                raise errors.FunctionNotFound(f"function '{function}' does not exist.")
            return found

    # --- invocation ---------------------------------------------------------------------

    def request_id(self, api_version: str) -> str:
        """3.0 ids look like ``1-64e70cf1-5cbef92ea8fc8c42899cf5d1`` (Error struct example); 2.0 ids are UUIDs."""
        if api_version == V3:
            stamp = int(self._state_of().clock.now().timestamp())
            return f"1-{stamp:08x}-{secrets.token_hex(12)}"
        return str(uuid.uuid4())

    def invocation(self, target: Registered, api_version: str, request_id: str, qualifier: str | None) -> Invocation:
        """Everything a call needs, with fresh STS credentials of the function's role (§E)."""
        state = self._state_of()
        credentials: RoleCredentials | None = None
        with state.lock:
            account, region = state.account.account_id, state.account.region
            if target.spec.role:
                session_name = "fc-" + "".join(c if c.isalnum() or c in ".@-_" else "-" for c in target.spec.key)
                try:
                    session = state.sts.assume_for_service(target.spec.role, FC_SERVICE, session_name[:64])
                except CloudError as exc:
                    # UNCONFIRMED: FC checks the role at CreateFunction; what an invocation answers when
                    # the role later becomes unusable is not documented.
                    raise errors.AccessDenied(
                        f"Function Compute cannot assume the function's role {target.spec.role!r}: {exc.error_message}"
                    ) from exc
                credentials = RoleCredentials(session.access_key_id, session.secret, session.security_token)
        return Invocation(
            spec=target.spec, function_name=target.addressed_name(api_version), api_version=api_version,
            request_id=request_id, region=region, account_id=account, qualifier=qualifier,
            credentials=credentials, instance_id=target.instance_id, code_path=target.code_path,
        )

    def run(
        self, target: Registered, invocation: Invocation, payload: bytes, caller_key: str | None = None,
        task_id: str | None = None,
    ) -> Outcome:
        """Run the handler now; the caller must not hold ``state.lock``."""
        env = environment_for(invocation, self._endpoint_of())
        if target.handler is None:
            return self.processes.execute(target.spec.key, invocation, env, payload, task_id)
        return self.executor.execute(
            target.handler.function, payload, context_for(invocation), env,
            timeout=target.spec.timeout, caller_key=caller_key,
        )

    def submit(
        self, target: Registered, api_version: str, request_id: str, payload: bytes,
        task_id: str | None, qualifier: str | None,
    ) -> AsyncTask:
        """Queue an async invocation; a used task id is refused with 409."""
        if task_id is not None:
            validate_task_id(task_id)
        state = self._state_of()
        with state.lock:
            account, region = state.account.account_id, state.account.region
        now = state.clock.now()
        task = AsyncTask(
            task_id=task_id or str(uuid.uuid4()), request_id=request_id, function=target.spec.key,
            function_arn=function_arn(target.spec, api_version, region, account), api_version=api_version,
            qualifier=qualifier, payload=payload, submitted=now, generation=self._generation,
        )
        with self._lock:
            task.generation = self._generation
            self._tasks.reserve(task, now)
            task.record(TaskStatus.ENQUEUED, _ms(now))
        self._dispatcher.submit(task)  # never under self._lock: the dispatcher asks _limits under its own
        return task

    # --- concurrency --------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        """How many async invocations run at once, over all functions (``serve --fc-concurrency``)."""
        return self._dispatcher.concurrency

    def set_concurrency(self, value: int) -> int:
        """Change it now (1-300, else FunctionConfigError); :meth:`reset` returns to the value given at start."""
        return self._dispatcher.set_concurrency(value)

    def load(self) -> Load:
        """The limit, and how many async invocations run and wait now."""
        return self._dispatcher.load()

    def _limits(self, function: str) -> Limits:
        with self._lock:
            found = self._functions.get(function)
        if found is None:  # gone: _delivery records it INVALID at once
            return Limits(None, False)
        return Limits(found.spec.reserved_concurrency, found.handler is not None)

    # --- control ------------------------------------------------------------------------

    def tasks(self, function: str | None = None) -> list[AsyncTask]:
        with self._lock:
            return self._tasks.for_function(function)

    def task(self, task_id: str, function: str) -> AsyncTask:
        with self._lock:
            found = self._tasks.get(task_id)
            if found is None or found.function != function:
                raise errors.AsyncTaskNotFound(f"async task '{task_id}' of function '{function}' does not exist")
            return found

    def kill(self, function: str, *, after_calls: int = 1, now: bool = False) -> ArmedKill | int:
        """Arm a kill of ``function``'s instance after its ``after_calls``-th applied request,
        or (``now``) kill its busy instances at once, answering how many. Raises KillRefused."""
        with self._lock:
            target = self._functions.get(function)
        if target is None:
            raise KillRefused(f"no function named {function!r} is registered")
        return self.processes.kill(target.spec, after_calls=after_calls, now=now)

    def kills(self) -> list[KillRecord]:
        """Kills that fired, in order."""
        return self.processes.fired()

    def pause(self) -> None:
        """Hold queued async invocations (submissions still answer 202) until :meth:`resume`."""
        self._dispatcher.pause()

    def resume(self) -> None:
        self._dispatcher.resume()

    def drain(self, timeout: float = 30.0) -> None:
        """Return once no async invocation is queued or running (destinations included)."""
        try:
            self._dispatcher.wait_idle(timeout, self._busy)
        except IdleTimeout as exc:
            raise DrainTimeout(str(exc)) from None

    def _busy(self) -> list[str]:
        with self._lock:
            return [t.task_id for t in self._tasks.tasks.values() if not t.status.finished]

    def reset(self, timeout: float = 30.0) -> None:
        """Drop queued invocations, wait for running ones, forget functions and tasks; the
        concurrency returns to the value given at start."""
        with self._lock:
            self._generation += 1
            self._functions.clear()
            self._tasks.clear()
        self._dispatcher.drop_queued()
        self._dispatcher.resume()
        self._dispatcher.restore()
        try:
            self.drain(timeout)
        finally:
            self.processes.reset()

    def shutdown(self) -> None:
        self.processes.shutdown()
        self._dispatcher.close()

