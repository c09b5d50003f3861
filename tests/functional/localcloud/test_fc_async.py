"""Async InvokeFunction: 202, background runs, retries, event age, destinations, task ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_fc_open20210406 import models as fc2_models
from alibabacloud_fc_open20210406.client import Client as Fc2
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_util.models import RuntimeOptions as Fc2RuntimeOptions
from darabonba.runtime import RuntimeOptions

from localcloud import LocalCloud
from localcloud.fc.models import DrainTimeout
from tests.functional.localcloud.fcfuncs import store
from tests.functional.localcloud.types import Admin

FUNCS = "tests/functional/localcloud/fcfuncs"


@pytest.fixture(autouse=True)
def _clean_store() -> Iterator[None]:
    store.clear()
    yield
    store.clear()


@pytest.fixture
def fc3(cloud: LocalCloud) -> Fc3:
    return Fc3(cloud.config())


@pytest.fixture
def fc2(cloud: LocalCloud) -> Fc2:
    return Fc2(cloud.config())


def submit3(fc3: Fc3, name: str, body: bytes = b"{}", task_id: str | None = None) -> fc3_models.InvokeFunctionResponse:
    headers = fc3_models.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id=task_id)
    return fc3.invoke_function_with_options(name, fc3_models.InvokeFunctionRequest(body=body), headers, RuntimeOptions())


def submit2(fc2: Fc2, service: str, name: str, body: bytes = b"{}", task_id: str | None = None) -> Any:
    headers = fc2_models.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_stateful_async_invocation_id=task_id)
    request = fc2_models.InvokeFunctionRequest(body=body)
    return fc2.invoke_function_with_options(service, name, request, headers, Fc2RuntimeOptions())



def test_async_invoke_3_0_answers_202_at_once_and_runs_in_the_background(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    response = submit3(fc3, "flaky", b"job-1", task_id="job-1")
    assert response.status_code == 202
    assert response.body.read() == b""
    assert response.headers["x-fc-async-task-id"] == "job-1"
    assert response.headers["x-fc-request-id"]
    cloud.functions.drain()
    assert store.records("flaky") == ["job-1"]
    [task] = cloud.functions.tasks("flaky")
    assert task.status.value == "Succeeded"
    assert task.return_payload == "succeeded on call 1"


def test_async_invoke_2_0_answers_202_with_the_invocation_id(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", service="svc", env={"FAIL_TIMES": "0"})
    response = submit2(fc2, "svc", "flaky", b"job-2", task_id="job-2")
    assert response.status_code == 202
    assert response.body == b""
    assert response.headers["x-fc-stateful-async-invocation-id"] == "job-2"
    cloud.functions.drain()
    assert store.records("flaky") == ["job-2"]


def test_a_task_id_is_generated_when_omitted(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    first = submit3(fc3, "flaky").headers["x-fc-async-task-id"]
    second = submit3(fc3, "flaky").headers["x-fc-async-task-id"]
    assert first and second and first != second


def test_a_reused_task_id_is_refused_with_409_in_3_0(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    submit3(fc3, "flaky", task_id="once")
    with pytest.raises(ClientException) as caught:
        submit3(fc3, "flaky", task_id="once")
    assert caught.value.status_code == 409
    assert caught.value.code == "StatefulAsyncInvocationAlreadyExists"
    cloud.functions.drain()
    assert len(store.records("flaky")) == 1


def test_a_reused_invocation_id_is_refused_with_409_in_2_0(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", service="svc", env={"FAIL_TIMES": "0"})
    submit2(fc2, "svc", "flaky", task_id="once")
    with pytest.raises(ClientException) as caught:
        submit2(fc2, "svc", "flaky", task_id="once")
    assert caught.value.status_code == 409
    assert caught.value.code == "StatefulAsyncInvocationAlreadyExists"


def test_a_malformed_task_id_is_invalid_argument(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler")
    for bad in ("1starts-with-digit", "has space", "x" * 129):
        with pytest.raises(ClientException) as caught:
            submit3(fc3, "flaky", task_id=bad)
        assert caught.value.code == "InvalidArgument"
        assert caught.value.status_code == 400


def test_a_failing_call_is_retried_max_retries_times_then_failed(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", async_config={"max_retries": 2})
    submit3(fc3, "flaky", b"attempt", task_id="t1")
    cloud.functions.drain()
    assert store.records("flaky") == ["attempt"] * 3
    [task] = cloud.functions.tasks("flaky")
    assert task.status.value == "Failed"
    assert task.already_retried == 2
    assert task.error_message == "UnhandledInvocationError"
    statuses = [event.status.value for event in task.events]
    assert statuses == ["Enqueued", "Running", "Retrying", "Running", "Retrying", "Running", "Failed"]


def test_the_default_is_three_retries(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler")
    submit3(fc3, "flaky")
    cloud.functions.drain()
    assert len(store.records("flaky")) == 4


def test_retries_stop_once_the_handler_succeeds(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "2"})
    submit3(fc3, "flaky")
    cloud.functions.drain()
    [task] = cloud.functions.tasks("flaky")
    assert task.status.value == "Succeeded"
    assert task.attempts == 3
    assert task.return_payload == "succeeded on call 3"


def test_the_on_failure_destination_receives_fc_destination_payload(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("dead_letters", f"{FUNCS}/recorder.handler")
    cloud.functions.register(
        "flaky", f"{FUNCS}/flaky.handler", async_config={"max_retries": 1, "on_failure": "dead_letters"}
    )
    response = submit3(fc3, "flaky", b'{"user": "alice"}')
    cloud.functions.drain()
    [payload] = store.records("dead_letters")
    assert set(payload) == {"timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"}
    assert payload["requestContext"] == {
        "requestId": response.headers["x-fc-request-id"],
        "functionArn": f"acs:fc:{cloud.account.region}:{cloud.account.account_id}:functions/flaky",
        "condition": "UnhandledInvocationError",
        "approximateInvokeCount": 2,
    }
    assert payload["requestPayload"] == '{"user": "alice"}'
    assert payload["responseContext"] == {"statusCode": 200, "functionError": "UnhandledInvocationError"}
    assert json.loads(payload["responsePayload"])["errorMessage"] == "failure number 2"
    [task] = cloud.functions.tasks("flaky")
    assert task.destination_status == "Succeeded"


def test_an_arn_names_a_destination_too(cloud: LocalCloud, fc3: Fc3) -> None:
    arn = f"acs:fc:{cloud.account.region}:{cloud.account.account_id}:functions/dead_letters"
    cloud.functions.register("dead_letters", f"{FUNCS}/recorder.handler")
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", async_config={"max_retries": 0, "on_failure": arn})
    submit3(fc3, "flaky")
    cloud.functions.drain()
    assert len(store.records("dead_letters")) == 1


def test_the_on_success_destination_receives_the_result(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("done", f"{FUNCS}/recorder.handler")
    cloud.functions.register(
        "flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"}, async_config={"on_success": "done"}
    )
    submit3(fc3, "flaky", b"ok")
    cloud.functions.drain()
    [payload] = store.records("done")
    assert payload["requestContext"]["approximateInvokeCount"] == 1
    assert payload["responseContext"] == {"statusCode": 200, "functionError": ""}
    assert payload["responsePayload"] == "succeeded on call 1"


def test_an_event_older_than_max_event_age_expires_without_running(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("dead_letters", f"{FUNCS}/recorder.handler")
    cloud.functions.register(
        "flaky", f"{FUNCS}/flaky.handler", async_config={"max_event_age": 60, "on_failure": "dead_letters"}
    )
    cloud.functions.pause()
    submit3(fc3, "flaky", task_id="stale")
    cloud.clock_advance(61)
    cloud.functions.resume()
    cloud.functions.drain()
    assert store.records("flaky") == []
    [task] = cloud.functions.tasks("flaky")
    assert task.status.value == "Expired"
    [payload] = store.records("dead_letters")
    assert payload["requestContext"]["condition"] == "EventAgeExceeded"
    assert payload["requestContext"]["approximateInvokeCount"] == 0


def test_an_event_within_max_event_age_runs(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"}, async_config={"max_event_age": 60})
    cloud.functions.pause()
    submit3(fc3, "flaky")
    cloud.clock_advance(30)
    cloud.functions.resume()
    cloud.functions.drain()
    assert len(store.records("flaky")) == 1


def test_get_async_task_3_0_reports_the_task(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", async_config={"max_retries": 1})
    submit3(fc3, "flaky", b"payload", task_id="task-3")
    cloud.functions.drain()
    task = fc3.get_async_task("flaky", "task-3", fc3_models.GetAsyncTaskRequest()).body
    assert task.task_id == "task-3"
    assert task.status == "Failed"
    assert task.already_retried_times == 1
    assert task.task_payload == "payload"
    assert task.task_error_message == "UnhandledInvocationError"
    assert task.function_arn.endswith(":functions/flaky")
    assert [event.status for event in task.events][-1] == "Failed"
    assert task.end_time >= task.started_time > 0


def test_get_stateful_async_invocation_2_0_reports_the_task(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", service="svc", env={"FAIL_TIMES": "0"})
    submit2(fc2, "svc", "flaky", b"payload", task_id="inv-2")
    cloud.functions.drain()
    task = fc2.get_stateful_async_invocation("svc", "flaky", "inv-2", fc2_models.GetStatefulAsyncInvocationRequest()).body
    assert task.invocation_id == "inv-2"
    assert task.status == "Succeeded"
    assert task.service_name == "svc" and task.function_name == "flaky"
    assert task.invocation_payload == "payload"


def test_get_async_task_for_an_unknown_id_is_not_found(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler")
    with pytest.raises(ClientException) as caught:
        fc3.get_async_task("flaky", "nope", fc3_models.GetAsyncTaskRequest())
    assert caught.value.status_code == 404
    assert caught.value.code == "StatefulAsyncInvocationNotFound"


def test_drain_while_paused_fails_with_a_clear_error(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler")
    cloud.functions.pause()
    submit3(fc3, "flaky")
    with pytest.raises(DrainTimeout, match="held by pause"):
        cloud.functions.drain(0.2)


def test_the_drain_route_returns_once_idle(cloud: LocalCloud, fc3: Fc3, admin: Admin) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    submit3(fc3, "flaky")
    assert admin("POST", "/functions/drain", {"timeout": 10}) == (200, {"drained": True})
    assert len(store.records("flaky")) == 1


def test_the_drain_route_answers_504_on_timeout(cloud: LocalCloud, fc3: Fc3, admin: Admin) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler")
    assert admin("POST", "/functions/pause")[0] == 200
    submit3(fc3, "flaky")
    status, body = admin("POST", "/functions/drain", {"timeout": 0.2})
    assert status == 504
    assert "1 async invocation(s)" in body["error"]


def test_the_tasks_route_lists_a_functions_tasks(cloud: LocalCloud, fc3: Fc3, admin: Admin) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", async_config={"max_retries": 0})
    cloud.functions.register("other", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    submit3(fc3, "flaky", task_id="a1")
    submit3(fc3, "other", task_id="b1")
    cloud.functions.drain()
    status, body = admin("GET", "/functions/tasks?function=flaky")
    assert status == 200
    [task] = body["tasks"]
    assert (task["taskId"], task["status"], task["attempts"]) == ("a1", "Failed", 1)


def test_reset_drops_queued_invocations_and_forgets_task_ids(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    cloud.functions.pause()
    submit3(fc3, "flaky", b"old", task_id="job-1")
    cloud.functions.reset()
    cloud.functions.register("flaky", f"{FUNCS}/flaky.handler", env={"FAIL_TIMES": "0"})
    submit3(fc3, "flaky", b"new", task_id="job-1")
    cloud.functions.drain()
    assert store.records("flaky") == ["new"]
