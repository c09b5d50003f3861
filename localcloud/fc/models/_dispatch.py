"""FC's async queue: queued invocations start as soon as a concurrency slot is free.

Real FC scales out: each async invocation may run in its own instance at the same time, up
to the account's instance limit (100 on-demand instances per region by default) and a
function's ``reservedConcurrency``. Over a limit FC does not fail the invocation: it keeps it
and tries again later, without counting an attempt ("Concurrency limit exceeded: retries for
up to 5 hours using exponential backoff", https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2).
localcloud keeps such a task queued, in submission order, and starts it the moment a slot
frees (no backoff delay); a task the limits hold back does not hold back the tasks behind it.

Slots, counted over the invocations that are running:
- all functions together: :attr:`Dispatcher.concurrency` (``serve --fc-concurrency``);
- one function: its ``reserved_concurrency``, when it has one;
- inline functions together: one, because they share localcloud's own process, one handler at
  a time (:mod:`localcloud.fc.runtime.executor` says why). Waiting here, not on the
  executor's lock, an inline task never times out behind a long queue.

Each started task runs on its own thread (a process-isolated one in its own worker instance,
:mod:`localcloud.fc.runtime.instances`). The dispatcher knows nothing of attempts or
destinations; it calls ``run(task)`` and counts.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from localcloud.fc.functions import DEFAULT_CONCURRENCY, validate_concurrency
from localcloud.fc.models._tasks import AsyncTask

INLINE_SLOTS = 1
"""Inline handlers share localcloud's process and its ``os.environ``: one at a time."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What bounds one function's async invocations when its next task is considered."""

    reserved: int | None
    """Its ``reservedConcurrency``; None: only the account-wide limit."""
    inline: bool
    """It runs in localcloud's own process (shares the single inline slot)."""


@dataclass(frozen=True, slots=True)
class Load:
    concurrency: int
    running: int
    queued: int

    def to_json(self) -> dict[str, int]:
        return {"concurrency": self.concurrency, "running": self.running, "queued": self.queued}


class IdleTimeout(TimeoutError):
    """Tasks were still queued or running when the wait ran out (or were held by pause)."""


class Dispatcher:
    def __init__(
        self,
        run: Callable[[AsyncTask], None],
        limits_of: Callable[[str], Limits],
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """``run(task)`` runs one task to its end; ``limits_of(function)`` is asked, with this
        dispatcher's lock held, each time a queued task of that function is considered."""
        self._run = run
        self._limits_of = limits_of
        self.configured = validate_concurrency(concurrency, "the FC concurrency")
        """The value given at start (``--fc-concurrency``); :meth:`restore` returns to it."""
        self._concurrency = self.configured
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queued: deque[AsyncTask] = deque()
        self._running: Counter[str] = Counter()
        self._inline = 0
        self._threads: set[threading.Thread] = set()
        self._names = itertools.count(1)
        self._paused = False
        self._closed = False

    # --- configuration ------------------------------------------------------------------

    @property
    def concurrency(self) -> int:
        with self._lock:
            return self._concurrency

    def set_concurrency(self, value: object) -> int:
        """A new account-wide limit; raising it starts queued tasks now, lowering it lets the
        running ones finish. Raises FunctionConfigError for anything but 1-300."""
        checked = validate_concurrency(value, "the FC concurrency")
        with self._lock:
            self._concurrency = checked
            self._start_ready()
        return checked

    def restore(self) -> None:
        self.set_concurrency(self.configured)

    def load(self) -> Load:
        with self._lock:
            return Load(self._concurrency, sum(self._running.values()), len(self._queued))

    # --- queue --------------------------------------------------------------------------

    def submit(self, task: AsyncTask) -> None:
        with self._lock:
            self._queued.append(task)
            self._start_ready()

    def pause(self) -> None:
        """Start nothing more until :meth:`resume` (running tasks go on)."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            self._start_ready()

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused

    def drop_queued(self) -> int:
        """Forget every task not yet started; how many were dropped."""
        with self._lock:
            dropped = len(self._queued)
            self._queued.clear()
            self._idle.notify_all()
            return dropped

    def wait_idle(self, timeout: float, busy: Callable[[], list[str]]) -> None:
        """Return once nothing is queued or running; IdleTimeout (naming ``busy()``) otherwise."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._queued or self._running:
                pending = len(self._queued) + sum(self._running.values())
                if self._paused:
                    raise IdleTimeout(f"{pending} async invocation(s) are held by pause(); call resume() first")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise IdleTimeout(
                        f"{pending} async invocation(s) still queued or running after {timeout} s: {busy()}"
                    )
                self._idle.wait(remaining)

    def close(self, timeout: float = 5.0) -> None:
        """Start nothing more; give running tasks ``timeout`` seconds in all to end."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    # --- internals (with self._lock held) -----------------------------------------------

    def _start_ready(self) -> None:
        if self._paused or self._closed:
            return
        total = sum(self._running.values())
        held: deque[AsyncTask] = deque()
        while self._queued and total < self._concurrency:
            task = self._queued.popleft()
            limits = self._limits_of(task.function)
            if (limits.reserved is not None and self._running[task.function] >= limits.reserved) or (
                limits.inline and self._inline >= INLINE_SLOTS
            ):
                held.append(task)
                continue
            self._running[task.function] += 1
            self._inline += limits.inline
            total += 1
            thread = threading.Thread(
                target=self._body, args=(task, limits.inline), name=f"localcloud-fc-{next(self._names)}", daemon=True
            )
            self._threads.add(thread)
            thread.start()
        held.extend(self._queued)
        self._queued = held

    def _body(self, task: AsyncTask, inline: bool) -> None:
        try:
            self._run(task)
        except Exception:  # a localcloud bug: say where, keep the queue moving
            traceback.print_exc(file=sys.stderr)
        finally:
            with self._lock:
                self._running[task.function] -= 1
                if self._running[task.function] <= 0:
                    del self._running[task.function]
                self._inline -= inline
                self._threads.discard(threading.current_thread())
                self._start_ready()
                self._idle.notify_all()
