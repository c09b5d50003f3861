"""Injected faults as the official SDKs surface them (exception class, code, status)."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_ims20190815.client import Client as Ims
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import (
    AlibabaCloudException,
    ClientException,
    ServerException,
    ThrottlingException,
)
from alibabacloud_tea_openapi.models import Config
from darabonba.exceptions import UnretryableException
from darabonba.runtime import RuntimeOptions

from localcloud import LocalCloud
from tests.functional.localcloud.types import SlsRaw

FUNCS = "tests/functional/localcloud/fcfuncs"


def create(ram: Ram, name: str) -> None:
    ram.create_user(ram_models.CreateUserRequest(user_name=name))


def outcomes(ram: Ram, names: list[str]) -> list[str]:
    """'ok' or the error code for each CreateUser, in order."""
    results = []
    for name in names:
        try:
            create(ram, name)
            results.append("ok")
        except AlibabaCloudException as exc:
            results.append(exc.code)
    return results


def test_an_error_fault_raises_server_exception_with_the_default_code(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "error", "CreateUser")
    with pytest.raises(ServerException) as caught:
        create(ram, "alice")
    assert caught.value.code == "ServiceUnavailable"
    assert caught.value.status_code == 503
    assert caught.value.request_id


def test_an_error_fault_with_a_4xx_status_raises_client_exception(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "error", "CreateUser", code="EntityAlreadyExists.User", status=409, message="exists")
    with pytest.raises(ClientException) as caught:
        create(ram, "alice")
    assert caught.value.code == "EntityAlreadyExists.User"
    assert caught.value.status_code == 409
    assert "exists" in caught.value.message


def test_an_error_fault_means_the_action_did_not_run(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "error", "CreateUser", count=1)
    with pytest.raises(ServerException):
        create(ram, "alice")
    with pytest.raises(ClientException) as caught:
        ram.get_user(ram_models.GetUserRequest(user_name="alice"))
    assert caught.value.code == "EntityNotExist.User"


def test_a_throttle_fault_raises_throttling_exception_with_retry_after(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "throttle", "CreateUser")
    with pytest.raises(ThrottlingException) as caught:
        create(ram, "alice")
    assert caught.value.code == "Throttling.User"
    assert caught.value.status_code == 400
    assert caught.value.retry_after == 1000


def test_a_throttle_fault_takes_status_code_and_retry_after(cloud: LocalCloud, sts: Sts) -> None:
    cloud.faults.add("sts", "throttle", "GetCallerIdentity", code="Throttling.Api", status=429, retry_after_ms=250)
    with pytest.raises(ThrottlingException) as caught:
        sts.get_caller_identity()
    assert (caught.value.code, caught.value.status_code, caught.value.retry_after) == ("Throttling.Api", 429, 250)


def test_a_throttled_call_succeeds_when_the_sdk_retries(cloud: LocalCloud) -> None:
    from alibabacloud_ram20150501.client import Client
    from darabonba.policy.retry import RetryOptions

    cloud.faults.add("ram", "throttle", "CreateUser", count=2, retry_after_ms=10)
    config: Config = cloud.config()
    config.retry_options = RetryOptions(
        {"retryable": True, "retryCondition": [{"maxAttempts": 3, "exception": ["ThrottlingException"]}]}
    )
    Client(config).create_user(ram_models.CreateUserRequest(user_name="alice"))
    assert [entry.kind for entry in cloud.faults.log()] == ["throttle", "throttle"]


def test_a_latency_fault_delays_the_call_and_is_logged(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "latency", "CreateUser", latency_ms=50)
    create(ram, "alice")
    ram.get_user(ram_models.GetUserRequest(user_name="alice"))
    [entry] = cloud.faults.log()
    assert (entry.service, entry.action, entry.kind, entry.latency_ms) == ("ram", "CreateUser", "latency", 50.0)


def test_a_latency_range_is_drawn_from_the_seed(cloud: LocalCloud, ram: Ram) -> None:
    def latencies() -> list[float | None]:
        cloud.faults.clear()
        cloud.faults.add("ram", "latency", "GetUser", latency_ms=[1, 30], seed=7)
        for _ in range(4):
            with pytest.raises(ClientException):
                ram.get_user(ram_models.GetUserRequest(user_name="nobody"))
        return [entry.latency_ms for entry in cloud.faults.log()]

    first = latencies()
    assert all(value is not None and 1 <= value <= 30 for value in first)
    assert len(set(first)) > 1
    assert latencies() == first


def test_a_latency_longer_than_the_read_timeout_times_the_client_out(cloud: LocalCloud) -> None:
    from alibabacloud_ram20150501.client import Client

    cloud.faults.add("ram", "latency", "CreateUser", latency_ms=700, count=1)
    client = Client(cloud.config())
    with pytest.raises(UnretryableException):
        client.create_user_with_options(ram_models.CreateUserRequest(user_name="alice"), RuntimeOptions(read_timeout=200))


def test_drop_applies_the_action_but_the_client_sees_a_connection_error(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "drop", "CreateUser", count=1)
    with pytest.raises(UnretryableException):
        create(ram, "alice")
    assert ram.get_user(ram_models.GetUserRequest(user_name="alice")).body.user.user_name == "alice"
    with pytest.raises(ClientException) as caught:  # the naive retry
        create(ram, "alice")
    assert caught.value.code == "EntityAlreadyExists.User"
    [entry] = cloud.faults.log()
    assert (entry.kind, entry.response_status) == ("drop", 200)


def test_count_fires_on_the_first_n_matching_calls_only(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "error", "CreateUser", code="Boom", status=400, count=2)
    assert outcomes(ram, ["a", "b", "c", "d"]) == ["Boom", "Boom", "ok", "ok"]
    [rule] = cloud.faults.rules()
    assert rule.to_json()["remaining"] == 0


def test_probability_with_a_seed_is_reproducible(cloud: LocalCloud, ram: Ram) -> None:
    def run(prefix: str) -> list[str]:
        cloud.faults.clear()
        cloud.faults.add("ram", "error", "CreateUser", code="Boom", status=400, probability=0.5, seed=42)
        return outcomes(ram, [f"{prefix}{i}" for i in range(12)])

    first = run("a")
    assert "Boom" in first and "ok" in first
    assert run("b") == first


def test_a_rule_matches_only_its_service_and_action(cloud: LocalCloud, ram: Ram, sts: Sts) -> None:
    cloud.faults.add("ram", "error", "Create*", code="Boom", status=400)
    with pytest.raises(ClientException):
        ram.get_user(ram_models.GetUserRequest(user_name="nobody"))  # EntityNotExist, not Boom
    assert outcomes(ram, ["alice"]) == ["Boom"]
    sts.get_caller_identity()
    assert [entry.action for entry in cloud.faults.log()] == ["CreateUser"]


def test_a_wildcard_action_matches_every_call_of_the_service(cloud: LocalCloud, sts: Sts) -> None:
    cloud.faults.add("sts", "error", "*", count=1)
    with pytest.raises(ServerException):
        sts.get_caller_identity()
    sts.get_caller_identity()


def test_ims_calls_count_as_service_ram(cloud: LocalCloud, ims: Ims) -> None:
    cloud.faults.add("ram", "error", "*", code="Boom", status=400)
    with pytest.raises(ClientException) as caught:
        ims.get_default_domain()
    assert caught.value.code == "Boom"


def test_an_fc_fault_answers_in_fcs_error_format(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    cloud.faults.add("fc", "throttle", "InvokeFunction")
    with pytest.raises(ThrottlingException) as caught:
        Fc3(cloud.config()).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b""))
    assert (caught.value.code, caught.value.status_code) == ("ResourceExhausted", 429)
    assert caught.value.data["ErrorCode"] == "ResourceExhausted"


def test_a_dropped_async_submission_was_accepted_so_its_retry_gets_409(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    cloud.faults.add("fc", "drop", "InvokeFunction", count=1)
    fc3 = Fc3(cloud.config())
    headers = fc3_models.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id="job-1")
    request = fc3_models.InvokeFunctionRequest(body=b"x")
    with pytest.raises(UnretryableException):
        fc3.invoke_function_with_options("echo", request, headers, RuntimeOptions())
    with pytest.raises(ClientException) as caught:
        fc3.invoke_function_with_options("echo", request, headers, RuntimeOptions())
    assert caught.value.status_code == 409
    cloud.functions.drain()
    assert [task.status.value for task in cloud.functions.tasks("echo")] == ["Succeeded"]


def test_the_log_records_time_service_action_kind_and_code(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "throttle", "CreateUser", count=1)
    cloud.faults.add("ram", "error", "CreateUser", count=1)
    outcomes(ram, ["a", "b", "c"])
    log = [entry.to_json() for entry in cloud.faults.log()]
    assert [(e["seq"], e["kind"], e["code"], e["status"]) for e in log] == [
        (1, "throttle", "Throttling.User", 400),
        (2, "error", "ServiceUnavailable", 503),
    ]
    assert all(e["service"] == "ram" and e["action"] == "CreateUser" and e["time"].endswith("Z") for e in log)


def test_reset_keeps_faults_and_clear_removes_them(cloud: LocalCloud, ram: Ram) -> None:
    cloud.faults.add("ram", "error", "CreateUser", code="Boom", status=400)
    cloud.reset()
    assert outcomes(ram, ["a"]) == ["Boom"]
    assert cloud.faults.clear() == 1
    assert cloud.faults.log() == []
    assert outcomes(ram, ["a"]) == ["ok"]


def _sls(cloud: LocalCloud, sls_raw: SlsRaw) -> Any:
    from localcloud.sls.client import log_client

    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
    client.create_project("audit-trail", "")
    client.create_logstore("audit-trail", "events", ttl=30)
    client.create_index("audit-trail", "events", sls_raw.index_config())  # GetLogs needs an index
    return client


def _put_logs(client: Any) -> None:
    import time

    from aliyun.log import LogItem, PutLogsRequest

    client.put_logs(PutLogsRequest("audit-trail", "events", "", None, [LogItem(int(time.time()), [("k", "v")])]))


def test_an_sls_throttle_answers_in_sls_error_format(cloud: LocalCloud, sls_raw: SlsRaw) -> None:
    from aliyun.log import LogException

    client = _sls(cloud, sls_raw)
    cloud.faults.add("sls", "throttle", "PutLogs", count=1)
    with pytest.raises(LogException) as caught:
        _put_logs(client)
    assert caught.value.get_error_code() == "WriteQuotaExceed"
    assert caught.value.get_resp_status() == 403
    assert caught.value.get_request_id()
    _put_logs(client)


def test_an_sls_drop_stores_the_logs_but_the_client_sees_a_request_error(
    cloud: LocalCloud, sls_raw: SlsRaw,
) -> None:
    import time

    from aliyun.log import GetLogsRequest, LogException

    client = _sls(cloud, sls_raw)
    cloud.faults.add("sls", "drop", "PutLogs", count=1)
    with pytest.raises(LogException) as caught:
        _put_logs(client)
    assert caught.value.get_error_code() == "LogRequestError"
    now = int(time.time())
    stored = client.get_logs(GetLogsRequest("audit-trail", "events", now - 3600, now + 3600)).get_logs()
    assert len(stored) == 1
