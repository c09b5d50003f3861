"""rampart.adapters.retry with injected sleep, clock and seeded random: instant and repeatable.

The failures are the SDK's own exception classes, built as the SDK builds them (no client is
involved, so nothing is mocked).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.exceptions import RetryError, UnretryableException
from darabonba.policy.retry import RetryPolicyContext
from rampart.adapters import retry
from rampart.adapters.retry import RetryPolicy, call, is_already_exists, is_not_found
from rampart.errors import CloudError, PermissionDenied


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def policy(time: FakeTime, seed: int = 7, **overrides: Any) -> RetryPolicy:
    return RetryPolicy.seeded(seed, sleep=time.sleep, clock=time.clock, **overrides)


def failing(*failures: BaseException, result: str = "ok") -> tuple[Callable[[], str], list[int]]:
    """A call that raises ``failures`` in turn, then returns ``result``; counts its attempts."""
    attempts = [0]

    def fn() -> str:
        attempts[0] += 1
        if attempts[0] <= len(failures):
            raise failures[attempts[0] - 1]
        return result

    return fn, attempts


def throttled(retry_after: int | None = 1000) -> ThrottlingException:
    return ThrottlingException(status_code=400, code="Throttling.User", message="code: 400, flow control request id: R1",
                               request_id="R1", retry_after=retry_after)


def server_error(code: str = "ServiceUnavailable", status: int = 503) -> ServerException:
    return ServerException(status_code=status, code=code, message=f"code: {status}, busy request id: R5", request_id="R5")


def client_error(code: str, status: int = 400, message: str = "bad") -> ClientException:
    return ClientException(status_code=status, code=code, message=f"code: {status}, {message} request id: R4",
                           request_id="R4")


def dropped(text: str = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
            ) -> UnretryableException:
    return UnretryableException(RetryPolicyContext(exception=RetryError(text)))


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(throttled(), id="ThrottlingException"),
        pytest.param(client_error("Throttling.User"), id="Throttling.User without retry-after"),
        pytest.param(client_error("Throttling"), id="Throttling"),
        pytest.param(client_error("Rejected.Throttling", 429), id="KMS Rejected.Throttling"),
        pytest.param(client_error("ResourceExhausted", 429), id="FC ResourceExhausted"),
        pytest.param(server_error(), id="ServerException 503"),
        pytest.param(server_error("InternalError", 500), id="InternalError 500"),
        pytest.param(client_error("ServiceUnavailable", 400), id="ServiceUnavailable code"),
        pytest.param(dropped(), id="applied then dropped"),
        pytest.param(dropped("Connection reset by peer"), id="connection reset"),
        pytest.param(dropped("HTTPConnectionPool(host='x', port=1): Read timed out."), id="read timeout"),
    ],
)
def test_each_transient_failure_is_retried_until_the_call_succeeds(failure: BaseException) -> None:
    time = FakeTime()
    fn, attempts = failing(failure, failure)
    assert call("ram", "CreateUser", fn, policy=policy(time)) == "ok"
    assert attempts[0] == 3
    assert len(time.sleeps) == 2


def test_a_final_error_is_raised_at_once_as_cloud_error_with_code_request_id_and_status() -> None:
    time = FakeTime()
    original = client_error("EntityAlreadyExists.User", 409, "The user does already EXIST.")
    fn, attempts = failing(original)
    with pytest.raises(CloudError) as caught:
        call("ram", "CreateUser", fn, policy=policy(time))
    error = caught.value
    assert (error.service, error.action, error.code, error.request_id, error.status) == (
        "ram", "CreateUser", "EntityAlreadyExists.User", "R4", 409)
    assert str(error) == "ram CreateUser failed: EntityAlreadyExists.User: The user does already EXIST. (request id R4)"
    assert error.__cause__ is original
    assert attempts[0] == 1 and time.sleeps == []


@pytest.mark.parametrize("code", ["NoPermission", "Forbidden.NoPermission", "Unauthorized"])
def test_permission_errors_become_permission_denied(code: str) -> None:
    fn, _ = failing(client_error(code, 403))
    with pytest.raises(PermissionDenied) as caught:
        call("kms", "CreateSecret", fn, policy=policy(FakeTime()))
    assert caught.value.code == code


def test_the_retry_after_of_a_throttled_answer_is_honoured() -> None:
    time = FakeTime()
    fn, _ = failing(throttled(1500), throttled(1500))
    call("ram", "CreateUser", fn, policy=policy(time, base_delay=0.01))
    assert time.sleeps and all(s >= 1.5 for s in time.sleeps)


def test_delays_are_full_jitter_within_a_doubling_window_capped_at_max_delay() -> None:
    time = FakeTime()
    fn, _ = failing(*[server_error()] * 7)
    call("ram", "GetUser", fn, policy=policy(time, max_attempts=8, base_delay=0.1, max_delay=0.5, budget=100))
    windows = [min(0.5, 0.1 * 2**n) for n in range(7)]
    assert all(0 <= s <= w for s, w in zip(time.sleeps, windows, strict=True))
    assert len(set(time.sleeps)) == 7


def test_the_same_seed_gives_the_same_delays() -> None:
    def delays(seed: int) -> list[float]:
        time = FakeTime()
        fn, _ = failing(*[server_error()] * 4)
        call("ram", "GetUser", fn, policy=policy(time, seed=seed))
        return time.sleeps

    assert delays(3) == delays(3)
    assert delays(3) != delays(4)


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    time = FakeTime()
    fn, attempts = failing(*[server_error()] * 10)
    with pytest.raises(CloudError) as caught:
        call("ram", "GetUser", fn, policy=policy(time, max_attempts=3))
    assert attempts[0] == 3 and len(time.sleeps) == 2
    assert caught.value.code == "ServiceUnavailable"
    assert "after 3 attempts" in caught.value.message


def test_the_time_budget_stops_retries_that_would_end_after_it() -> None:
    time = FakeTime()
    fn, attempts = failing(*[throttled(4000)] * 10)
    with pytest.raises(CloudError) as caught:
        call("ram", "CreateUser", fn, policy=policy(time, budget=10.0, max_attempts=50))
    assert attempts[0] == 3  # waits of 4 s at t=0 and t=4; a third would end at 12 s > 10 s
    assert time.now <= 10.0
    assert caught.value.code == "Throttling.User"
    assert "budget" in caught.value.message


def test_a_retry_after_longer_than_the_budget_is_not_waited_for() -> None:
    time = FakeTime()
    fn, attempts = failing(throttled(60_000))
    with pytest.raises(CloudError):
        call("ram", "CreateUser", fn, policy=policy(time, budget=30.0))
    assert attempts[0] == 1 and time.sleeps == []


def test_a_dropped_create_is_retried_and_its_already_exists_is_raised_for_the_caller_to_converge() -> None:
    fn, attempts = failing(dropped(), client_error("EntityAlreadyExists.User", 409))
    with pytest.raises(CloudError) as caught:
        call("ram", "CreateUser", fn, policy=policy(FakeTime()))
    assert attempts[0] == 2
    assert is_already_exists(caught.value.code)


def test_a_network_error_never_carries_the_request_url_or_its_parameters() -> None:
    text = ("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: "
            "/?Password=Hunter2-Very-Secret&UserName=alice (Caused by NewConnectionError('refused'))")
    fn, _ = failing(*[dropped(text)] * 3)
    with pytest.raises(CloudError) as caught:
        call("ram", "CreateLoginProfile", fn, policy=policy(FakeTime(), max_attempts=3))
    error = caught.value
    assert error.code == "NetworkError"
    assert "refused" in error.message
    rendered = f"{error!s} {error!r} {error.__cause__!s} {error.__cause__!r}"
    assert "Hunter2" not in rendered and "Password=" not in rendered
    assert isinstance(error.__cause__, retry.TransportError)


def test_credentials_echoed_in_an_error_message_are_masked() -> None:
    leaky = client_error("InvalidParameter", 400, 'bad request {"AccessKeySecret": "abcDEF123secret"} SecretData=xyz789')
    fn, _ = failing(leaky)
    with pytest.raises(CloudError) as caught:
        call("kms", "CreateSecret", fn, policy=policy(FakeTime()))
    assert "abcDEF123secret" not in str(caught.value)
    assert "xyz789" not in str(caught.value)


def test_a_non_json_answer_is_final() -> None:
    broken = UnretryableException(RetryPolicyContext(exception=RuntimeError('Failed to parse the value as json format')))
    fn, attempts = failing(broken)
    with pytest.raises(CloudError) as caught:
        call("ram", "GetUser", fn, policy=policy(FakeTime()))
    assert caught.value.code == "InvalidResponse" and attempts[0] == 1


def test_recording_collects_request_ids_and_attempts() -> None:
    class Body:
        request_id = "REQ-1"

    class Response:
        body = Body()

    fn, _ = failing(server_error(), result="unused")
    with retry.recording() as log:
        call("ram", "GetUser", lambda: Response(), policy=policy(FakeTime()))
        call("ram", "ListUsers", fn, policy=policy(FakeTime()))
    assert [(r.action, r.attempts) for r in log.records] == [("GetUser", 1), ("ListUsers", 2)]
    assert log.request_ids == ("REQ-1",)
    assert log.attempts == 3


@pytest.mark.parametrize(
    "code",
    ["EntityAlreadyExists.User", "EntityAlreadyExists.User.LoginProfile", "EntityAlreadyExists.User.Group",
     "EntityAlreadyExists.User.Policy", "EntityAlreadyExists.Policy", "EntityAlreadyExists.ResourceGroup",
     "Rejected.ResourceExist", "StatefulAsyncInvocationAlreadyExists"],
)
def test_already_exists_codes(code: str) -> None:
    assert is_already_exists(code)
    assert not is_not_found(code)


@pytest.mark.parametrize(
    "code",
    ["EntityNotExist.User", "EntityNotExist.User.AccessKey", "EntityNotExist.User.LoginProfile",
     "EntityNotExist.User.MFADevice", "EntityNotExist.User.Policy", "EntityNotExist.User.Group",
     "EntityNotExist.Policy", "EntityNotExist.Policy.Version", "EntityNotExist.VirtualMFADevice",
     "EntityNotExists.ResourceGroup", "Forbidden.ResourceNotFound"],
)
def test_not_found_codes(code: str) -> None:
    assert is_not_found(code)
    assert not is_already_exists(code)


@pytest.mark.parametrize(
    "code", ["DeleteConflict.User.Policy", "LimitExceeded.User.AccessKey", "Rejected.ResourceInDeleteWindow",
             "NoPermission", "InvalidParameter"],
)
def test_other_codes_are_neither(code: str) -> None:
    assert not is_already_exists(code) and not is_not_found(code)
