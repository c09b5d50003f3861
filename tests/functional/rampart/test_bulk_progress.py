"""rampart.operations.progress_bar with an injected clock and a given limiter: no waiting."""

from __future__ import annotations

import io

from rampart.adapters.ratelimit import RateLimiter
from rampart.operations import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_on_a_terminal_the_line_is_redrawn_with_rate_and_eta() -> None:
    clock, stream = Clock(), Terminal()
    limiter = RateLimiter(1000.0, clock=clock, sleep=lambda _: None)
    draw = progress_bar(stream, width=10, clock=clock, limiter=limiter)
    for _ in range(190):
        limiter.reserve()
    clock.now = 10.0
    draw(512, 1000)
    assert stream.getvalue() == "\r[#####.....] 512/1000 people, 19.0 calls/s, ETA 10s"
    clock.now = 20.0
    draw(1000, 1000)
    assert stream.getvalue().endswith("\r[##########] 1000/1000 people, 9.5 calls/s, ETA 0s\n")


def test_elsewhere_a_line_is_written_for_the_first_person_and_at_every_tenth() -> None:
    clock, stream = Clock(), io.StringIO()
    draw = progress_bar(stream, width=10, clock=clock, limiter=RateLimiter(10.0, clock=clock))
    for done in range(1, 101):
        clock.now = done * 2.0
        draw(done, 100)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0] == "[..........] 1/100 people, 0.0 calls/s, ETA 3m18s"
    assert lines[1] == "[#.........] 10/100 people, 0.0 calls/s, ETA 3m00s"
    assert lines[-1].startswith("[##########] 100/100 people")


def test_before_anyone_is_done_the_eta_is_unknown() -> None:
    clock, stream = Clock(), Terminal()
    progress_bar(stream, width=4, clock=clock, limiter=RateLimiter(10.0, clock=clock))(0, 3)
    assert stream.getvalue() == "\r[....] 0/3 people, 0.0 calls/s, ETA --"
