"""rampart.adapters.ratelimit with an injected clock and sleep: no test waits or reads the wall clock."""

from __future__ import annotations

import math
import threading

import pytest
from rampart.adapters.ratelimit import DEFAULT_RATE, RateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def limiter(time: FakeTime, rate: float = 10.0, **kwargs: int) -> RateLimiter:
    return RateLimiter(rate, clock=time.clock, sleep=time.sleep, **kwargs)


def test_the_first_call_goes_at_once_and_the_next_waits_one_interval() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0)
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.1)
    assert bucket.acquire() == pytest.approx(0.2)
    assert time.sleeps == [pytest.approx(0.1), pytest.approx(0.2)]


def test_reservations_are_spaced_exactly_one_interval_apart() -> None:
    time = FakeTime()
    bucket = limiter(time, 4.0)
    delays = [bucket.reserve() for _ in range(8)]
    assert delays == [pytest.approx(i * 0.25) for i in range(8)]


def test_a_quiet_spell_does_not_bank_tokens_beyond_the_burst() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0)
    bucket.reserve()
    time.now += 60.0  # a minute of silence
    assert [bucket.reserve() for _ in range(3)] == [0.0, pytest.approx(0.1), pytest.approx(0.2)]


def test_a_burst_lets_that_many_calls_go_at_once_then_paces() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0, burst=3)
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, pytest.approx(0.1), pytest.approx(0.2)]


def test_time_passing_frees_the_next_slot() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0)
    bucket.reserve()
    bucket.reserve()  # due at +0.1
    time.now += 0.15
    assert bucket.reserve() == pytest.approx(0.05)  # due at +0.2


def test_no_window_of_one_second_holds_more_than_rate_plus_one_calls() -> None:
    time = FakeTime()
    bucket = limiter(time, 20.0)
    starts = []
    for step in range(200):
        time.now = 100.0 + step * 0.013  # callers arrive faster than the rate
        starts.append(time.now + bucket.reserve())
    for first in starts:
        assert sum(1 for s in starts if first <= s < first + 1.0) <= 21


def test_unlimited_never_waits_but_counts() -> None:
    time = FakeTime()
    bucket = limiter(time, math.inf)
    assert [bucket.acquire() for _ in range(1000)] == [0.0] * 1000
    assert bucket.taken == 1000
    assert bucket.unlimited
    assert time.sleeps == []


def test_threads_get_distinct_slots() -> None:
    time = FakeTime()
    bucket = limiter(time, 50.0)
    delays: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            delay = bucket.reserve()
            with lock:
                delays.append(delay)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(delays) == [pytest.approx(i * 0.02) for i in range(200)]
    assert bucket.taken == 200


def test_observed_rate_is_calls_over_the_span_since_the_first() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0)
    assert bucket.observed_rate() == 0.0
    for _ in range(11):
        bucket.reserve()  # starts at +0.0 .. +1.0
    assert bucket.observed_rate(now=time.now + 2.0) == pytest.approx(11 / 2.0)


def test_waited_sums_the_delays_handed_out() -> None:
    time = FakeTime()
    bucket = limiter(time, 10.0)
    for _ in range(4):
        bucket.reserve()
    assert bucket.waited == pytest.approx(0.1 + 0.2 + 0.3)


@pytest.mark.parametrize("rate", [0.0, -1.0, math.nan])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(rate)


def test_a_burst_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="burst"):
        RateLimiter(5.0, burst=0)


def test_the_default_rate_is_documented() -> None:
    assert RateLimiter().rate == DEFAULT_RATE == 20.0
