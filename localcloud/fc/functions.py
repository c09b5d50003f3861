"""What a registered function is, and every rule its configuration must follow.

Limits from the fc20230330 models (alibaba-platform.md §D.7, §D.6, §D.4):
function name 1-64 of letters, digits, ``_``, ``-``, not starting with a digit or ``-``;
memory 128 MB - 32 GB in multiples of 64; timeout 1-86400 s (default 3);
``maxAsyncRetryAttempts`` 0-8 (default 3); ``maxAsyncEventAgeInSeconds`` 1-604800
(default 86400); environment keys start with a letter and hold letters, digits and ``_``,
the ``FC_`` prefix is reserved and all variables together stay within 4 KB.
``reserved_concurrency`` is FC 3.0's ``reservedConcurrency`` (PutConcurrencyConfig's
``PutConcurrencyInput``, https://www.alibabacloud.com/help/en/functioncompute/api-fc-2023-03-30-struct-putconcurrencyinput):
the most instances of the function that run at once, 1-300 (ROS ``ALIYUN::FC3::ConcurrencyConfig``
gives MaxValue 300); None, FC's default, leaves only the account's limit.
A FC 2.0 function (``service`` set) is also addressable in 3.0 as ``<service>$<name>`` (§D.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
SERVICE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
ENV_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_ENV_BYTES = 4096
DEFAULT_MEMORY = 512  # UNCONFIRMED: the console's default; the API model gives none
DEFAULT_TIMEOUT = 3
MAX_CONCURRENCY = 300
"""The most instances localcloud runs at once, per function or in all (ROS's MaxValue for ReservedConcurrency)."""
DEFAULT_CONCURRENCY = 16
"""localcloud's default account-wide limit (``serve --fc-concurrency``); FC's own default is 100
on-demand instances per region (https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2)."""


class FunctionConfigError(ValueError):
    """A registration that FC would refuse; the message says which rule and how to fix it."""


class PythonRuntime(Enum):
    """The built-in runtimes; 3.12 drops ``context.credentials`` and ``context.service`` (§D.3)."""

    PYTHON39 = "python3.9"
    PYTHON310 = "python3.10"
    PYTHON312 = "python3.12"

    @property
    def legacy_context(self) -> bool:
        return self is not PythonRuntime.PYTHON312


class Isolation(Enum):
    """Where localcloud runs a function's handler (a localcloud option; FC always isolates).

    ``inline``: in localcloud's own process, one call at a time (:mod:`localcloud.fc.runtime.executor`).
    ``process``: each FC instance is a worker subprocess, reused while warm, that can crash,
    time out and be killed like an FC instance (:mod:`localcloud.fc.runtime.instances`).
    """

    INLINE = "inline"
    PROCESS = "process"


@dataclass(frozen=True, slots=True)
class AsyncConfig:
    """PutAsyncInvokeConfig, as far as localcloud honours it (task mode is always on)."""

    max_retries: int = 3
    max_event_age: int = 86400
    on_failure: str | None = None
    """A registered function name or an FC function ARN."""
    on_success: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or isinstance(self.max_retries, bool) or not 0 <= self.max_retries <= 8:
            raise FunctionConfigError(f"max_retries must be an integer from 0 to 8 (maxAsyncRetryAttempts), got {self.max_retries!r}")
        if (
            not isinstance(self.max_event_age, int)
            or isinstance(self.max_event_age, bool)
            or not 1 <= self.max_event_age <= 604800
        ):
            raise FunctionConfigError(
                f"max_event_age must be an integer from 1 to 604800 seconds (maxAsyncEventAgeInSeconds), "
                f"got {self.max_event_age!r}"
            )
        for label, value in (("on_failure", self.on_failure), ("on_success", self.on_success)):
            if value is not None and (not isinstance(value, str) or not value):
                raise FunctionConfigError(f"{label} must be a function name or an acs:fc ARN, got {value!r}")

    @classmethod
    def from_json(cls, data: Any) -> AsyncConfig:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise FunctionConfigError('"async" must be an object')
        unknown = set(data) - {"max_retries", "max_event_age", "on_failure", "on_success"}
        if unknown:
            raise FunctionConfigError(
                f'unknown key(s) in "async": {sorted(unknown)}; expected max_retries, max_event_age, on_failure, on_success'
            )
        return cls(
            max_retries=data.get("max_retries", 3),
            max_event_age=data.get("max_event_age", 86400),
            on_failure=data.get("on_failure"),
            on_success=data.get("on_success"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "max_retries": self.max_retries,
            "max_event_age": self.max_event_age,
            "on_failure": self.on_failure,
            "on_success": self.on_success,
        }


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    """The function's name inside its service (2.0) or in the account (3.0)."""
    handler: str
    """``path/to/module.function`` (FC's handler string, relative to the code root)."""
    service: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    role: str | None = None
    """A RAM role name or ``acs:ram::<account>:role/<name>``; FC assumes it for the handler."""
    memory: int = DEFAULT_MEMORY
    timeout: int = DEFAULT_TIMEOUT
    runtime: PythonRuntime = PythonRuntime.PYTHON310
    async_config: AsyncConfig = field(default_factory=AsyncConfig)
    isolation: Isolation = Isolation.INLINE
    reserved_concurrency: int | None = None
    """FC 3.0's ``reservedConcurrency``: at most this many async invocations of it run at once."""

    def __post_init__(self) -> None:
        validate_name(self.name, FUNCTION_NAME, "function name", 64)
        if self.reserved_concurrency is not None:
            validate_concurrency(self.reserved_concurrency, "reserved_concurrency (reservedConcurrency)")
        if not isinstance(self.isolation, Isolation):
            raise FunctionConfigError(f"isolation must be an Isolation, got {self.isolation!r}")
        if self.service is not None:
            validate_name(self.service, SERVICE_NAME, "service name", 128)
        if not isinstance(self.memory, int) or isinstance(self.memory, bool) or not 128 <= self.memory <= 32768 or self.memory % 64:
            raise FunctionConfigError(f"memory must be 128-32768 MB in multiples of 64, got {self.memory!r}")
        if not isinstance(self.timeout, int) or isinstance(self.timeout, bool) or not 1 <= self.timeout <= 86400:
            raise FunctionConfigError(f"timeout must be 1-86400 seconds, got {self.timeout!r}")
        if self.role is not None and (not isinstance(self.role, str) or not self.role):
            raise FunctionConfigError(f"role must be a RAM role name or ARN, got {self.role!r}")
        validate_env(self.env)

    @property
    def key(self) -> str:
        """The 3.0 name: ``name``, or ``service$name`` for a 2.0 function (§D.1)."""
        return f"{self.service}${self.name}" if self.service else self.name

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.key,
            "function_name": self.name,
            "service": self.service,
            "handler": self.handler,
            "env": dict(self.env),
            "role": self.role,
            "memory": self.memory,
            "timeout": self.timeout,
            "runtime": self.runtime.value,
            "async": self.async_config.to_json(),
            "isolation": self.isolation.value,
            "reserved_concurrency": self.reserved_concurrency,
        }


def validate_name(name: object, pattern: re.Pattern[str], label: str, limit: int) -> None:
    if not isinstance(name, str) or not pattern.match(name):
        raise FunctionConfigError(
            f"{label} {name!r} is invalid: 1-{limit} letters, digits, '_' or '-', not starting with a digit or '-'"
        )


def validate_concurrency(value: object, label: str) -> int:
    """``value`` when it is a whole number from 1 to :data:`MAX_CONCURRENCY`, else FunctionConfigError."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CONCURRENCY:
        raise FunctionConfigError(f"{label} must be a whole number from 1 to {MAX_CONCURRENCY}, got {value!r}")
    return value


def validate_env(env: Mapping[str, str]) -> None:
    if not isinstance(env, Mapping):
        raise FunctionConfigError('"env" must be an object of string values')
    size = 0
    for key, value in env.items():
        if not isinstance(key, str) or not ENV_KEY.match(key):
            raise FunctionConfigError(
                f"environment variable name {key!r} is invalid: start with a letter, then letters, digits or '_'"
            )
        if key.startswith("FC_"):
            raise FunctionConfigError(f"environment variable {key!r} uses the reserved prefix FC_")
        if not isinstance(value, str):
            raise FunctionConfigError(f"environment variable {key!r} must be a string, got {type(value).__name__}")
        size += len(key.encode("utf-8")) + len(value.encode("utf-8"))
    if size > MAX_ENV_BYTES:
        raise FunctionConfigError(f"environment variables total {size} bytes; FC allows at most {MAX_ENV_BYTES}")


_JSON_KEYS = {
    "name", "handler", "service", "env", "role", "memory", "timeout", "runtime", "async", "code_root", "isolation",
    "reserved_concurrency",
}


def spec_from_json(data: Mapping[str, Any]) -> FunctionSpec:
    """The admin route's body (``POST /_localcloud/functions``) as a spec; ``code_root`` is read by the caller."""
    unknown = set(data) - _JSON_KEYS
    if unknown:
        raise FunctionConfigError(f"unknown key(s) {sorted(unknown)}; expected some of {sorted(_JSON_KEYS)}")
    for required in ("name", "handler"):
        if not isinstance(data.get(required), str) or not data[required]:
            raise FunctionConfigError(f'"{required}" is required (a string)')
    runtime = data.get("runtime", PythonRuntime.PYTHON310.value)
    try:
        python = PythonRuntime(runtime)
    except ValueError as exc:
        choices = ", ".join(r.value for r in PythonRuntime)
        raise FunctionConfigError(f"runtime {runtime!r} is not served; choose one of {choices}") from exc
    return FunctionSpec(
        name=data["name"],
        handler=data["handler"],
        service=data.get("service"),
        env=data.get("env") or {},
        role=data.get("role"),
        memory=data.get("memory", DEFAULT_MEMORY),
        timeout=data.get("timeout", DEFAULT_TIMEOUT),
        runtime=python,
        async_config=AsyncConfig.from_json(data.get("async")),
        isolation=isolation_of(data.get("isolation", Isolation.INLINE.value)),
        reserved_concurrency=data.get("reserved_concurrency"),
    )


def isolation_of(value: object) -> Isolation:
    """``"inline"`` or ``"process"`` (or the enum itself) as an :class:`Isolation`."""
    if isinstance(value, Isolation):
        return value
    for isolation in Isolation:
        if value == isolation.value:
            return isolation
    choices = ", ".join(repr(i.value) for i in Isolation)
    raise FunctionConfigError(f"isolation {value!r} is not served; choose one of {choices}")
