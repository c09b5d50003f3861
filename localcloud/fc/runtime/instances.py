"""Process-isolated FC instances (``isolation="process"``): start, call, time out, crash, kill.

Each instance is a :mod:`localcloud.fc.runtime.worker` subprocess of ``sys.executable`` that imported the
handler once and serves one invocation at a time; a pool per function hands out an idle
(warm) instance or starts a new (cold) one, so concurrent invocations of one function run in
parallel in separate instances, as FC scales out with instance concurrency 1.

FC behaviour mirrored (sources in localcloud/README.md, FC section):
- an instance that dies mid-invocation fails the attempt with ``UnhandledInvocationError``
  and ``{"errorMessage": "Process exited unexpectedly before completing request (duration:
  Nms, maxMemoryUsage: NMB)"}`` (FC's C# error-handling page; the header for this case is
  UNCONFIRMED); the instance is gone and the next invocation starts a fresh one;
- past the function's ``timeout`` the instance is stopped and the attempt fails with
  ``Function time out after N seconds`` (FC's troubleshooting page names the prefix; the
  rest of the wording is UNCONFIRMED).

Killing and reaping are done under the instance's lock, so a pid is never signalled after it
was reaped (and possibly reused). This module never decides retries (see
:mod:`localcloud.fc.models`) and never logs a protocol message (they carry STS credentials).
"""

from __future__ import annotations

import json
import os
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud.fc.runtime.context import Invocation
from localcloud.fc.runtime.executor import UNHANDLED, Outcome, timed_out
from localcloud.fc.runtime.protocol import ProtocolError, decode, encode, invocation_message, outcome_from, unb64

START_SECONDS = 60.0
"""How long an instance may take to import its handler (outside the function timeout; UNCONFIRMED for FC)."""
STOP_SECONDS = 2.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_HOST_PREFIXES = ("ALIBABA_CLOUD_", "FC_")


class InstanceGone(Exception):
    """The worker process exited (or was killed) before answering."""


CRASHED = "Process exited unexpectedly before completing request"


def crash_outcome(request_id: str, duration_ms: int, max_memory_mb: int, reason: str) -> Outcome:
    """FC's answer for an instance that died or was stopped at the timeout.

    A crash's message carries ``(duration: Nms, maxMemoryUsage: NMB)`` as FC's documented
    example does; a timeout's body is the bare message and the figures go to the log line
    (the layout of FC's ``FC Invoke End RequestId: <id>, Error: <message> (duration: ...)``
    request-log line)."""
    figures = f"(duration: {duration_ms}ms, maxMemoryUsage: {max_memory_mb}MB)"
    message = f"{reason} {figures}" if reason.startswith(CRASHED) else reason
    log = f"FC Invoke Start RequestId: {request_id}\nFC Invoke End RequestId: {request_id}, Error: {reason} {figures}\n"
    return Outcome(json.dumps({"errorMessage": message}).encode(), UNHANDLED, log.encode(), duration_ms)


class Instance:
    """One worker process. Not shared: the pool lends it to one invocation at a time."""

    def __init__(self, handler: str, code_root: str) -> None:
        self.instance_id = "c-" + secrets.token_hex(12)
        self._lock = threading.Lock()
        self._buffer = b""
        self.max_memory_mb = 0
        env = {k: v for k, v in os.environ.items() if not k.startswith(_HOST_PREFIXES)}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "localcloud.fc.runtime.worker", handler, code_root],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, env=env, close_fds=True,
        )
        self.pid = self._process.pid

    # --- lifecycle ----------------------------------------------------------------------

    def wait_ready(self) -> Outcome | None:
        """None once the handler is imported; else the FC error the import produced."""
        started = time.monotonic()
        try:
            message = self._read(started + START_SECONDS)
        except TimeoutError:
            self.kill()
            self.reap()
            return _failure(f"the instance did not import its handler within {START_SECONDS:.0f} s", started)
        except (InstanceGone, ProtocolError):
            self.kill()
            self.reap()
            return _failure(f"{CRASHED} while importing the handler", started)
        if message.get("ready") is True:
            return None
        self.reap()
        body = unb64(message.get("body", ""))
        return Outcome(body, UNHANDLED, b"", int((time.monotonic() - started) * 1000))

    @property
    def alive(self) -> bool:
        with self._lock:
            return self._process.returncode is None and self._process.poll() is None

    def kill(self) -> bool:
        """SIGKILL the worker; False when it had already exited."""
        with self._lock:
            if self._process.returncode is not None:
                return False
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                return False
            return True

    def reap(self) -> None:
        """Collect the exit status (and the peak RSS FC reports as maxMemoryUsage)."""
        with self._lock:
            if self._process.returncode is None:
                try:
                    _, status, usage = os.wait4(self.pid, 0)
                except ChildProcessError:
                    self._process.returncode = -1
                else:
                    self._process.returncode = os.waitstatus_to_exitcode(status)
                    self.max_memory_mb = int(usage.ru_maxrss // 1024)  # KiB on Linux
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()

    def stop(self) -> None:
        """Close stdin (the worker exits after its current call); kill it if it lingers."""
        stdin = self._process.stdin
        try:
            if stdin is not None and not stdin.closed:
                stdin.close()
        except OSError:
            pass
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                if self._process.returncode is not None or self._process.poll() is not None:
                    break
            time.sleep(0.01)
        else:
            self.kill()
        self.reap()

    # --- invocation ---------------------------------------------------------------------

    def call(self, invocation: Invocation, env: dict[str, str], event: bytes) -> Outcome:
        """Run one invocation; a crash or the function timeout becomes FC's error outcome."""
        env = {**env, "FC_INSTANCE_ID": self.instance_id}
        started = time.monotonic()
        timeout = invocation.spec.timeout
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(encode(invocation_message(invocation, env, event)))
            self._process.stdin.flush()
            return outcome_from(self._read(started + timeout))
        except TimeoutError:
            self.kill()
            reason = timed_out(timeout)
        except (InstanceGone, BrokenPipeError, ProtocolError, OSError, ValueError):
            self.kill()
            reason = CRASHED
        self.reap()
        elapsed = int((time.monotonic() - started) * 1000)
        return crash_outcome(invocation.request_id, elapsed, self.max_memory_mb, reason)

    def _read(self, deadline: float) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        poller = select.poll()  # not select.select: a busy localcloud has fds above FD_SETSIZE
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if not poller.poll(max(1, int(remaining * 1000))):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise InstanceGone
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return decode(line)


def _failure(message: str, started: float) -> Outcome:
    return Outcome(json.dumps({"errorMessage": message}).encode(), UNHANDLED, b"", int((time.monotonic() - started) * 1000))


@dataclass(frozen=True, slots=True)
class Source:
    """What an instance imports: FC's handler string and the code root it is relative to."""

    handler: str
    code_root: str


class Pool:
    """The instances of one registration: idle ones are reused (warm), busy ones are tracked."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._idle: list[Instance] = []
        self._busy: set[Instance] = set()
        self._closed = False

    def acquire(self) -> Instance | Outcome:
        """A warm instance, or a new one; an Outcome when a new one cannot import the handler."""
        with self._lock:
            while self._idle:
                instance = self._idle.pop()
                if instance.alive:
                    self._busy.add(instance)
                    return instance
                instance.reap()
        instance = Instance(self.source.handler, self.source.code_root)
        failed = instance.wait_ready()
        if failed is not None:
            return failed
        with self._lock:
            if self._closed:
                instance.stop()
                raise InstanceGone("the function was unregistered while its instance started")
            self._busy.add(instance)
        return instance

    def release(self, instance: Instance) -> None:
        with self._lock:
            self._busy.discard(instance)
            if not self._closed and instance.alive:
                self._idle.append(instance)
                return
        instance.stop()

    def busy(self) -> list[Instance]:
        with self._lock:
            return list(self._busy)

    def pids(self) -> list[int]:
        with self._lock:
            return [i.pid for i in (*self._idle, *self._busy)]

    def close(self, *, kill_busy: bool) -> None:
        """Stop idle instances; busy ones are killed (their callers get the crash error) or,
        without ``kill_busy``, stopped when their call returns (a function registered again)."""
        with self._lock:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
        for instance in busy if kill_busy else []:
            instance.kill()
        for instance in idle:
            instance.stop()
