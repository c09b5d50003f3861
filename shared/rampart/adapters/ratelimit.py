"""A client-side limit on cloud API calls per second, shared by every thread of the process.

Bulk work (``rampart import``) runs many people at once; RAM, IMS, ResourceManager and KMS
each throttle an account's API calls (``Throttling.User`` / ``Throttling.Api`` /
``Rejected.Throttling``, alibaba-platform.md §A.3, §B.4). The per-operation quotas are set in
Quota Center > API Rate Limits and are not published for RAM (UNCONFIRMED;
https://www.alibabacloud.com/help/en/openapi/throttling-and-quota-management gives the
"Request Rate: 5/1 s" form), so rampart limits itself: one :class:`RateLimiter` for all
calls, installed in :func:`rampart.adapters.retry.set_rate_limiter`, so **every** SDK call and every
retry of one (everything that goes through ``rampart.adapters.retry.call``) takes a token. It limits
API calls, not people: a joiner costs about ten calls.

:data:`DEFAULT_RATE` is 20 calls/s for the whole process: well under any quota we have seen
quoted for a single read operation, and one global bucket keeps every single operation under
its own quota too. Raise it (``rampart import --rate``) once you know your account's quotas.

The bucket (a GCRA, "generic cell rate algorithm"): each caller reserves the next free slot
under a lock and then sleeps until it, outside the lock, so callers are served in arrival
order and never wake together. With the default ``burst`` of 1 the slots are exactly
``1/rate`` apart, so no interval of ``t`` seconds holds more than ``rate*t + 1`` calls
(a per-second window quota is never crossed, even right after a quiet spell). Clock and sleep
are injected; tests never wait.

This module never imports an SDK and never sees a request: it only counts.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

DEFAULT_RATE = 20.0
"""Calls per second for the whole process when nothing else is said."""


class RateLimiter:
    """A thread-safe token bucket of ``rate_per_second`` tokens, holding at most ``burst``.

    ``rate_per_second=math.inf`` never waits but still counts (the import's "no limit").
    """

    def __init__(
        self,
        rate_per_second: float = DEFAULT_RATE,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate_per_second > 0:  # also refuses NaN
            raise ValueError(f"rate_per_second must be positive (math.inf: no limit), not {rate_per_second!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst!r}")
        self.rate = float(rate_per_second)
        self.burst = burst
        self._interval = 0.0 if math.isinf(self.rate) else 1.0 / self.rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tat: float | None = None
        """Theoretical arrival time: when the bucket is empty again after the reservations made."""
        self._taken = 0
        self._waited = 0.0
        self._first: float | None = None
        self._last: float | None = None

    def __repr__(self) -> str:
        rate = "unlimited" if self.unlimited else f"{self.rate:g}/s"
        return f"RateLimiter({rate}, burst={self.burst}, taken={self._taken})"

    @property
    def unlimited(self) -> bool:
        return self._interval == 0.0

    def reserve(self) -> float:
        """Take the next token; returns how many seconds the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            tat = now if self._tat is None else max(self._tat, now)
            new_tat = tat + self._interval
            delay = max(0.0, new_tat - self.burst * self._interval - now)
            self._tat = new_tat
            self._taken += 1
            self._waited += delay
            start = now + delay
            self._first = start if self._first is None else min(self._first, start)
            self._last = start if self._last is None else max(self._last, start)
            return delay

    def acquire(self) -> float:
        """Take a token, sleeping until it is due; returns the seconds waited."""
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
        return delay

    @property
    def taken(self) -> int:
        """Tokens handed out: the calls made (or about to be made) under this limiter."""
        with self._lock:
            return self._taken

    @property
    def waited(self) -> float:
        """Total seconds callers were told to wait (summed over threads)."""
        with self._lock:
            return self._waited

    def observed_rate(self, now: float | None = None) -> float:
        """Calls per second since the first token (0.0 before the second)."""
        with self._lock:
            if self._first is None or self._taken < 2:
                return 0.0
            end = max(self._last or self._first, self._clock() if now is None else now)
            span = end - self._first
            return self._taken / span if span > 0 else 0.0
