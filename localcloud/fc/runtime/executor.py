"""Runs one handler call the way FC's Python runtime does, inside this process.

Why handlers run one at a time: FC gives every instance its own process, so the role's
credentials live in that process's environment (``ALIBABA_CLOUD_*``). In-process, the
environment is shared by every thread; two invocations running at once would read each
other's credentials. So the executor applies the function's environment to ``os.environ``
for the length of the call, under one process-wide lock, and restores it afterwards:
the handler, threads it starts and subprocesses it spawns all see exactly its variables
(and no ``ALIBABA_CLOUD_*``/``FC_*`` of the host). Correctness beats speed here; FC 3.0
standard runtimes also run one request per instance.

A handler that *synchronously* invokes another function (signing with its role's
credentials, as it must) would wait for the lock it holds; the executor recognises the
caller's AccessKeyId as the credential of the running invocation and runs the nested call
inline, stacking and restoring the environment. This module never decides retries or
destinations (see :mod:`localcloud.fc.models`).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TextIO

from localcloud.fc import errors
from localcloud.fc.runtime.context import Context
from localcloud.fc.runtime.loader import Handler

UNHANDLED = "UnhandledInvocationError"
LOG_TAIL_BYTES = 4096  # "Tail: returns the last 4 KB of logs" (fc_open20210406 InvokeFunctionHeaders)
LOCK_WAIT_SECONDS = 300.0
_HOST_PREFIXES = ("ALIBABA_CLOUD_", "FC_")


def timed_out(timeout: int) -> str:
    """FC's timeout message: its troubleshooting page names the prefix "Function time out after"
    (https://www.alibabacloud.com/help/en/fc/support/how-to-handle-an-execution-timeout-error);
    the rest of the wording is UNCONFIRMED. Inline and process isolation answer the same."""
    return f"Function time out after {timeout} seconds"


@dataclass(frozen=True, slots=True)
class Outcome:
    body: bytes
    error_type: str | None
    """``UnhandledInvocationError`` when the handler raised, else None."""
    log: bytes
    duration_ms: int

    @property
    def failed(self) -> bool:
        return self.error_type is not None

    def log_result(self) -> str:
        return base64.b64encode(self.log[-LOG_TAIL_BYTES:]).decode("ascii")


class _Tee(io.TextIOBase):
    """Writes to the captured log and to the stream it replaces (nothing is hidden)."""

    def __init__(self, sink: io.StringIO, original: TextIO) -> None:
        self._sink = sink
        self._original = original

    def write(self, text: str) -> int:
        self._sink.write(text)
        return self._original.write(text)

    def flush(self) -> None:
        self._original.flush()


class _FcLogFormatter(logging.Formatter):
    """FC's Python log line: ``<time> <request id> [LEVEL] message`` (UNCONFIRMED exact layout)."""

    def __init__(self, request_id: str) -> None:
        super().__init__()
        self._request_id = request_id

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return f"{when} {self._request_id} [{record.levelname}] {record.getMessage()}"


class Executor:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._meta = threading.Lock()
        self._running_keys: list[str] = []

    def execute(
        self,
        function: Handler,
        event: bytes,
        context: Context,
        env: dict[str, str],
        *,
        timeout: int,
        caller_key: str | None = None,
    ) -> Outcome:
        with self._meta:
            nested = caller_key is not None and caller_key in self._running_keys
        if nested:
            return self._run(function, event, context, env, timeout)
        if not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise errors.InternalServerError(
                f"localcloud runs handlers one at a time and another handler held the runtime for more than "
                f"{LOCK_WAIT_SECONDS:.0f} s; a handler that invokes a function synchronously must sign with its "
                "role's credentials (ALIBABA_CLOUD_*) so localcloud can run the nested call inline."
            )
        try:
            return self._run(function, event, context, env, timeout)
        finally:
            self._lock.release()

    def _run(self, function: Handler, event: bytes, context: Context, env: dict[str, str], timeout: int) -> Outcome:
        key = env.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
        log = io.StringIO()
        log.write(f"FC Invoke Start RequestId: {context.request_id}\n")
        with self._running(key), _environment(env), _captured(log, context.request_id):
            started = time.monotonic()
            try:
                result: Any = function(event, context)
                body, error_type = to_bytes(result), None
            except (Exception, SystemExit) as exc:
                body, error_type = error_body(exc), UNHANDLED
                log.write(f"{context.request_id} [ERROR] {type(exc).__name__}: {exc}\n")
            elapsed = time.monotonic() - started
        log.write(f"FC Invoke End RequestId: {context.request_id}\n")
        if elapsed > timeout:
            # FC stops the instance at the timeout; a thread cannot be stopped, so localcloud
            # reports the timeout after the fact (side effects past the limit did happen).
            body = json.dumps({"errorMessage": timed_out(timeout)}).encode()
            error_type = UNHANDLED
        return Outcome(body, error_type, log.getvalue().encode("utf-8", errors="replace"), int(elapsed * 1000))

    @contextmanager
    def _running(self, key: str | None) -> Iterator[None]:
        if key is None:
            yield
            return
        with self._meta:
            self._running_keys.append(key)
        try:
            yield
        finally:
            with self._meta:
                self._running_keys.remove(key)


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """During the call ``os.environ`` is the host's minus its FC/Alibaba variables, plus ``env``;
    afterwards it is exactly the host's again (whatever the handler set or deleted)."""
    saved = dict(os.environ)
    for name in [k for k in os.environ if k.startswith(_HOST_PREFIXES)]:
        del os.environ[name]
    os.environ.update(env)
    try:
        yield
    finally:
        for name in [k for k in os.environ if k not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextmanager
def _captured(log: io.StringIO, request_id: str) -> Iterator[None]:
    stdout, stderr = sys.stdout, sys.stderr
    handler = logging.StreamHandler(log)
    handler.setFormatter(_FcLogFormatter(request_id))
    root = logging.getLogger()
    level = root.level
    fc_logger = logging.getLogger("localcloud.fc")
    sys.stdout, sys.stderr = _Tee(log, stdout), _Tee(log, stderr)
    root.setLevel(logging.INFO)  # FC's runtime configures the root logger at INFO
    root.addHandler(handler)
    fc_logger.addHandler(handler)
    fc_logger.propagate = False  # captured once, not twice through the root handler
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
        root.removeHandler(handler)
        root.setLevel(level)
        fc_logger.removeHandler(handler)
        fc_logger.propagate = True


def to_bytes(result: Any) -> bytes:
    """The response body for a handler's return value.

    bytes pass through and str is UTF-8 (FC's documented cases); None is an empty body and
    anything else is JSON-encoded (UNCONFIRMED: FC's behaviour for dicts is not documented).
    """
    if isinstance(result, (bytes, bytearray, memoryview)):
        return bytes(result)
    if isinstance(result, str):
        return result.encode("utf-8")
    if result is None:
        return b""
    try:
        return json.dumps(result, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        return str(result).encode("utf-8")


def error_body(exc: BaseException) -> bytes:
    """FC's unhandled-error body (https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/error-handling-1-1):
    ``{"errorMessage", "errorType", "stackTrace": [["File \\"<path>\\"", "line N", "in <fn>", "<source>"], ...]}``.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    stack = [[f'File "{f.filename}"', f"line {f.lineno}", f"in {f.name}", (f.line or "").strip()] for f in frames]
    payload = {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": stack}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
