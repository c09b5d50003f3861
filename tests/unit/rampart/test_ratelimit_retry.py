"""The rate-limit hook in rampart.adapters.retry.call: every attempt takes a token, retries included.

The failures are the SDK's own exception classes (no client involved, nothing mocked); time
is injected, so nothing waits.
"""

from __future__ import annotations

from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from rampart.adapters import retry
from rampart.adapters.ratelimit import RateLimiter
from rampart.adapters.retry import RetryPolicy, call
from rampart.errors import CloudError


class Tokens:
    """A limiter that only counts (the Limiter protocol)."""

    def __init__(self) -> None:
        self.taken = 0

    def acquire(self) -> float:
        self.taken += 1
        return 0.0


def instant() -> RetryPolicy:
    return RetryPolicy.seeded(1, sleep=lambda _: None, clock=lambda: 0.0)


def test_each_attempt_takes_a_token() -> None:
    tokens = Tokens()
    attempts = [0]

    def flaky() -> str:
        attempts[0] += 1
        if attempts[0] < 3:
            raise ThrottlingException(code="Throttling.User", message="slow down", retry_after=10)
        return "ok"

    with retry.rate_limited(tokens):
        assert call("ram", "GetUser", flaky, policy=instant()) == "ok"
    assert tokens.taken == 3 == attempts[0]


def test_a_final_failure_took_its_token_too() -> None:
    tokens = Tokens()

    def refused() -> str:
        raise ClientException(code="InvalidParameter", message="no", data={"statusCode": 400})

    with retry.rate_limited(tokens):
        try:
            call("ram", "CreateUser", refused, policy=instant())
        except CloudError as exc:
            assert exc.code == "InvalidParameter"
    assert tokens.taken == 1


def test_the_limiter_is_removed_when_the_block_ends() -> None:
    tokens = Tokens()
    with retry.rate_limited(tokens):
        assert retry.rate_limiter() is tokens
    assert retry.rate_limiter() is None
    call("ram", "GetUser", lambda: "ok", policy=instant())
    assert tokens.taken == 0


def test_blocks_nest_and_restore_the_outer_limiter() -> None:
    outer, inner = Tokens(), Tokens()
    with retry.rate_limited(outer):
        with retry.rate_limited(inner):
            call("ram", "GetUser", lambda: "ok", policy=instant())
        call("ram", "GetUser", lambda: "ok", policy=instant())
    assert (outer.taken, inner.taken) == (1, 1)


def test_set_rate_limiter_returns_the_one_it_replaced() -> None:
    first = RateLimiter(5.0)
    assert retry.set_rate_limiter(first) is None
    try:
        assert retry.set_rate_limiter(None) is first
    finally:
        retry.set_rate_limiter(None)
