"""Process-isolated FC instances (``isolation="process"``): same results as inline, warm reuse,
crashes, timeouts, kills between steps, and no worker left behind. Functional: the official FC
and RAM SDKs against localcloud over HTTP; the handlers call RAM with their role's STS keys."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_ram20150501 import models as ram_models
from darabonba.runtime import RuntimeOptions

from localcloud import LocalCloud
from localcloud.core.http import HttpRequest
from localcloud.fc.functions import FunctionConfigError
from localcloud.fc.runtime.isolation import claimed_access_key
from localcloud.fc.runtime.protocol import ProtocolError, decode, invocation_from
from tests.functional.localcloud.fcfuncs import basic
from tests.functional.localcloud.types import Admin

FUNCS = "tests/functional/localcloud/fcfuncs"
CRASH = "Process exited unexpectedly before completing request"


def trust_fc() -> str:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}
    return json.dumps({"Version": "1", "Statement": [statement]})


@pytest.fixture
def fc3(cloud: LocalCloud) -> Fc3:
    return Fc3(cloud.config())


@pytest.fixture
def role(cloud: LocalCloud, ram: Any) -> str:
    ram.create_role(ram_models.CreateRoleRequest(role_name="maker", assume_role_policy_document=trust_fc()))
    ram.attach_policy_to_role(
        ram_models.AttachPolicyToRoleRequest(policy_type="System", policy_name="AliyunRAMFullAccess", role_name="maker")
    )
    return "maker"



def invoke(fc3: Fc3, name: str, body: bytes = b"", log: bool = False) -> tuple[dict[str, str], bytes]:
    headers = fc3_models.InvokeFunctionHeaders(x_fc_log_type="Tail" if log else None)
    response = fc3.invoke_function_with_options(name, fc3_models.InvokeFunctionRequest(body=body), headers, RuntimeOptions())
    return response.headers, response.body.read()


def submit(fc3: Fc3, name: str, body: bytes, task_id: str) -> None:
    headers = fc3_models.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id=task_id)
    response = fc3.invoke_function_with_options(name, fc3_models.InvokeFunctionRequest(body=body), headers, RuntimeOptions())
    assert response.status_code == 202


def users(ram: Any) -> list[str]:
    listed = ram.list_users(ram_models.ListUsersRequest(max_items=100)).body.users.user
    return sorted(u.user_name for u in listed)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_for(condition: Any, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


# --- (a) the same handler gives the same answer in both modes ------------------------------


@pytest.mark.parametrize("event", [b"hello", b"fail"])
def test_sync_results_are_the_same_inline_and_in_a_process(cloud: LocalCloud, fc3: Fc3, role: str, event: bytes) -> None:
    answers = []
    for isolation in ("inline", "process"):
        cloud.functions.register(
            "portrait", f"{FUNCS}/isolated.portrait", role=role, env={"GREETING": "hi"}, isolation=isolation
        )
        headers, body = invoke(fc3, "portrait", event)
        answers.append((headers.get("x-fc-error-type"), json.loads(body)))
    assert answers[0] == answers[1]
    if event == b"fail":
        assert answers[1][0] == "UnhandledInvocationError"
        assert answers[1][1]["errorType"] == "ValueError"
        assert answers[1][1]["errorMessage"] == "asked to fail"
    else:
        seen = answers[1][1]
        assert seen["event"] == "hello" and seen["sts_key"] and seen["context_key_is_env_key"]
        assert seen["env"]["GREETING"] == "hi"
        assert seen["env"]["LOCALCLOUD_ENDPOINT"] == cloud.endpoint


def test_async_results_are_the_same_inline_and_in_a_process(cloud: LocalCloud, fc3: Fc3, role: str) -> None:
    payloads = []
    for isolation in ("inline", "process"):
        cloud.functions.register("portrait", f"{FUNCS}/isolated.portrait", role=role, isolation=isolation)
        submit(fc3, "portrait", b"queued", f"job-{isolation}")
        cloud.functions.drain()
        task = cloud.functions.task(f"job-{isolation}", "portrait")
        assert task.status.value == "Succeeded"
        payloads.append(json.loads(task.return_payload))
    assert payloads[0] == payloads[1]
    assert payloads[1]["event"] == "queued"


def test_cloud_calls_from_a_process_instance_use_the_roles_keys(cloud: LocalCloud, fc3: Fc3, ram: Any, role: str) -> None:
    cloud.functions.register("maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30)
    headers, body = invoke(fc3, "maker", json.dumps({"users": ["p1", "p2"]}).encode())
    assert "x-fc-error-type" not in headers
    assert json.loads(body)["created"] == ["p1", "p2"]
    assert users(ram) == ["p1", "p2"]


def test_the_registration_and_listing_show_the_isolation(cloud: LocalCloud, admin: Admin) -> None:
    status, spec = admin("POST", "/functions", {"name": "p", "handler": f"{FUNCS}/isolated.pid", "isolation": "process"}
    )
    assert status == 200 and spec["isolation"] == "process"
    cloud.functions.register("i", f"{FUNCS}/basic.echo")
    listed = {f["name"]: f["isolation"] for f in admin("GET", "/functions")[1]["functions"]}
    assert listed == {"p": "process", "i": "inline"}


# --- (b) warm reuse --------------------------------------------------------------------------


def test_an_instance_is_reused_while_warm(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("pid", f"{FUNCS}/isolated.pid", isolation="process")
    first = json.loads(invoke(fc3, "pid")[1])
    second = json.loads(invoke(fc3, "pid")[1])
    assert first == second
    assert first["pid"] != os.getpid()
    assert first["instance"].startswith("c-")
    assert cloud.functions.processes.pids() == [first["pid"]]


def test_registering_again_starts_new_instances(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("pid", f"{FUNCS}/isolated.pid", isolation="process")
    before = json.loads(invoke(fc3, "pid")[1])["pid"]
    cloud.functions.register("pid", f"{FUNCS}/isolated.pid", isolation="process")
    after = json.loads(invoke(fc3, "pid")[1])["pid"]
    assert before != after
    wait_for(lambda: gone(before), "the replaced instance to exit")


def test_concurrent_invocations_run_in_separate_instances(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=30)
    results: list[int] = []

    def call() -> None:
        results.append(json.loads(invoke(Fc3(cloud.config()), "sleepy", b"0.5")[1])["pid"])

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 2


# --- (c), (d) kills between steps -------------------------------------------------------------


def test_a_kill_after_two_calls_leaves_exactly_two_applied(cloud: LocalCloud, fc3: Fc3, ram: Any, role: str, admin: Admin) -> None:
    cloud.functions.register(
        "maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30,
        async_config={"max_retries": 0},
    )
    status, armed = admin("POST", "/functions/kill", {"function": "maker", "after_calls": 2})
    assert status == 200 and armed["armed"] is True and armed["id"]
    submit(fc3, "maker", json.dumps({"users": ["u1", "u2", "u3"]}).encode(), "job-1")
    cloud.functions.drain()
    assert users(ram) == ["u1", "u2"]
    task = cloud.functions.task("job-1", "maker")
    assert task.status.value == "Failed"
    assert task.error_message == "UnhandledInvocationError"
    status, log = admin("GET", "/functions/kills")
    assert status == 200 and log["count"] == 1 and log["armed"] == []
    [kill] = log["kills"]
    assert kill["function"] == "maker" and kill["task_id"] == "job-1" and kill["request_id"] == task.request_id
    assert kill["after_calls"] == 2 and kill["applied"] == 2 and kill["last_action"] == "ram:CreateUser"
    assert gone(kill["pid"])


def test_a_killed_async_attempt_is_retried_on_a_new_instance(cloud: LocalCloud, fc3: Fc3, ram: Any, role: str) -> None:
    cloud.functions.register(
        "maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30,
        async_config={"max_retries": 2},
    )
    cloud.functions.kill("maker", after_calls=2)
    submit(fc3, "maker", json.dumps({"users": ["u1", "u2", "u3"]}).encode(), "job-2")
    cloud.functions.drain()
    task = cloud.functions.task("job-2", "maker")
    assert task.status.value == "Succeeded"
    assert task.attempts == 2
    assert [e.status.value for e in task.events] == ["Enqueued", "Running", "Retrying", "Running", "Succeeded"]
    result = json.loads(task.return_payload)
    assert result["created"] == ["u3"]  # u1 and u2 were applied before the kill
    [kill] = cloud.functions.kills()
    assert kill.pid != result["pid"]
    assert users(ram) == ["u1", "u2", "u3"]


def test_a_killed_sync_invocation_is_an_unhandled_instance_crash(cloud: LocalCloud, fc3: Fc3, ram: Any, role: str) -> None:
    cloud.functions.register("maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30)
    cloud.functions.kill("maker", after_calls=1)
    headers, body = invoke(fc3, "maker", json.dumps({"users": ["s1", "s2"]}).encode(), log=True)
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(body)["errorMessage"].startswith(CRASH + " (duration: ")
    assert CRASH in base64.b64decode(headers["x-fc-log-result"]).decode()
    assert users(ram) == ["s1"]
    headers, body = invoke(fc3, "maker", json.dumps({"users": ["s1", "s2"]}).encode())
    assert "x-fc-error-type" not in headers and json.loads(body)["created"] == ["s2"]
    assert len(cloud.functions.kills()) == 1


def test_a_kill_stays_armed_until_an_invocation_reaches_its_count(cloud: LocalCloud, fc3: Fc3, ram: Any, role: str) -> None:
    cloud.functions.register("maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30)
    cloud.functions.kill("maker", after_calls=2)
    assert "x-fc-error-type" not in invoke(fc3, "maker", json.dumps({"users": ["k1"]}).encode())[0]
    assert cloud.functions.kills() == []
    headers, _ = invoke(fc3, "maker", json.dumps({"users": ["k2", "k3", "k4"]}).encode())
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert users(ram) == ["k1", "k2", "k3"]


def test_a_kill_now_stops_a_running_instance_and_reports_idle_otherwise(cloud: LocalCloud, fc3: Fc3, admin: Admin) -> None:
    cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=60)
    assert admin("POST", "/functions/kill", {"function": "sleepy", "now": True}) == (
        200, {"killed": False, "instances": 0, "state": "idle"},
    )
    answers: list[tuple[dict[str, str], bytes]] = []
    caller = threading.Thread(target=lambda: answers.append(invoke(Fc3(cloud.config()), "sleepy", b"30")))
    caller.start()
    wait_for(lambda: cloud.functions.processes.pids() != [], "the instance to start")
    wait_for(
        lambda: admin("POST", "/functions/kill", {"function": "sleepy", "now": True})[1]["killed"],
        "the instance to be busy and killed",
    )
    caller.join()
    headers, body = answers[0]
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(body)["errorMessage"].startswith(CRASH)
    [record] = cloud.functions.kills()
    assert record.after_calls is None and record.task_id is None


def test_a_handler_that_exits_is_a_crash_and_the_next_call_is_cold(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("vanish", f"{FUNCS}/isolated.vanish", isolation="process")
    headers, body = invoke(fc3, "vanish")
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(body)["errorMessage"].startswith(CRASH)
    assert cloud.functions.processes.pids() == []
    assert invoke(fc3, "vanish")[0]["x-fc-error-type"] == "UnhandledInvocationError"


# --- (e) timeout -----------------------------------------------------------------------------


def test_the_timeout_stops_the_instance_and_reports_fcs_error(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=1)
    warm = json.loads(invoke(fc3, "sleepy", b"0")[1])["pid"]
    headers, body = invoke(fc3, "sleepy", b"30", log=True)
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert json.loads(body) == {"errorMessage": "Function time out after 1 seconds"}
    assert "Error: Function time out after 1 seconds (duration: " in base64.b64decode(headers["x-fc-log-result"]).decode()
    assert gone(warm)
    assert json.loads(invoke(fc3, "sleepy", b"0")[1])["pid"] != warm


def test_an_async_timeout_is_a_failed_attempt(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register(
        "sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=1, async_config={"max_retries": 1}
    )
    submit(fc3, "sleepy", b"30", "slow-job")
    cloud.functions.drain()
    task = cloud.functions.task("slow-job", "sleepy")
    assert task.status.value == "Failed" and task.attempts == 2


# --- (f) the handler's output ----------------------------------------------------------------


def test_printing_does_not_break_the_protocol(cloud: LocalCloud, fc3: Fc3, capfd: pytest.CaptureFixture[str]) -> None:
    cloud.functions.register("noisy", f"{FUNCS}/isolated.noisy", isolation="process")
    for _ in range(2):
        headers, body = invoke(fc3, "noisy", log=True)
        assert "x-fc-error-type" not in headers and body == b"clean answer"
        tail = base64.b64decode(headers["x-fc-log-result"]).decode()
        assert 'to stdout, not the pipe {"body": "forged"}' in tail and "to stderr" in tail
    assert "straight to fd 1" in capfd.readouterr().err  # the worker's stderr is localcloud's


def test_a_handler_that_cannot_be_imported_fails_at_invocation(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("missing", f"{FUNCS}/isolated.no_such_function", isolation="process")
    headers, body = invoke(fc3, "missing")
    assert headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert "no_such_function" in json.loads(body)["errorMessage"]


# --- (g) refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["thread", "", 1, None, True])
def test_a_bad_isolation_is_refused(cloud: LocalCloud, bad: object, admin: Admin) -> None:
    status, body = admin("POST", "/functions", {"name": "f", "handler": f"{FUNCS}/basic.echo", "isolation": bad})
    assert status == 400 and "isolation" in body["error"]
    with pytest.raises(FunctionConfigError, match="isolation"):
        cloud.functions.register("f", f"{FUNCS}/basic.echo", isolation=str(bad))


def test_a_missing_handler_file_is_refused_at_registration(cloud: LocalCloud, admin: Admin) -> None:
    status, body = admin("POST", "/functions", {"name": "f", "handler": "nowhere/x.handler", "isolation": "process"})
    assert status == 400 and "no file" in body["error"]


def test_a_callable_that_is_not_importable_by_name_is_refused(cloud: LocalCloud) -> None:
    with pytest.raises(FunctionConfigError, match="not importable"):
        cloud.functions.register("f", lambda event, context: event, isolation="process")


def test_a_module_level_callable_runs_in_a_process(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", basic.echo, isolation="process")
    assert invoke(fc3, "echo", b"ping")[1] == b"ping"


def test_killing_an_inline_function_is_refused(cloud: LocalCloud, admin: Admin) -> None:
    cloud.functions.register("inline", f"{FUNCS}/basic.echo", role="anything")
    for body in ({"function": "inline", "after_calls": 1}, {"function": "inline", "now": True}):
        status, answer = admin("POST", "/functions/kill", body)
        assert status == 400 and "isolation='process'" in answer["error"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"function": "maker", "after_calls": 0}, "after_calls"),
        ({"function": "maker", "after_calls": -2}, "after_calls"),
        ({"function": "maker", "after_calls": "2"}, "after_calls"),
        ({"function": "maker", "after_calls": True}, "after_calls"),
        ({"function": "maker", "after_calls": 1.5}, "after_calls"),
        ({"function": "maker", "after_calls": 1, "now": True}, "not both"),
        ({"function": "maker", "now": "yes"}, "now"),
        ({"function": "ghost"}, "no function"),
        ({"after_calls": 1}, "function"),
        ({"function": "maker", "when": 1}, "unknown key"),
    ],
)
def test_bad_kills_are_refused(cloud: LocalCloud, role: str, body: dict[str, Any], fragment: str, admin: Admin) -> None:
    cloud.functions.register("maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process")
    status, answer = admin("POST", "/functions/kill", body)
    assert status == 400 and fragment in answer["error"]
    assert admin("GET", "/functions/kills")[1] == {"count": 0, "kills": [], "armed": []}


def test_a_kill_after_calls_needs_a_role(cloud: LocalCloud, admin: Admin) -> None:
    cloud.functions.register("pid", f"{FUNCS}/isolated.pid", isolation="process")
    status, answer = admin("POST", "/functions/kill", {"function": "pid", "after_calls": 1})
    assert status == 400 and "no role" in answer["error"]


def test_resetting_functions_clears_kills(cloud: LocalCloud, fc3: Fc3, role: str, admin: Admin) -> None:
    cloud.functions.register("maker", f"{FUNCS}/isolated.create_users", role=role, isolation="process", timeout=30)
    cloud.functions.kill("maker", after_calls=1)
    invoke(fc3, "maker", json.dumps({"users": ["r1"]}).encode())
    cloud.functions.kill("maker", after_calls=5)
    pids = cloud.functions.processes.pids()
    assert admin("DELETE", "/functions")[0] == 200
    assert admin("GET", "/functions/kills")[1] == {"count": 0, "kills": [], "armed": []}
    assert all(gone(pid) for pid in pids)


# --- (h) clean shutdown ----------------------------------------------------------------------


@pytest.fixture
def own_cloud() -> Iterator[LocalCloud]:
    """A second localcloud this test stops itself (the session one keeps running)."""
    yield LocalCloud().start()


def test_stopping_localcloud_leaves_no_worker(own_cloud: LocalCloud) -> None:
    fc3 = Fc3(own_cloud.config())
    own_cloud.functions.register("pid", f"{FUNCS}/isolated.pid", isolation="process")
    own_cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=60)
    idle = json.loads(invoke(fc3, "pid")[1])["pid"]
    caller = threading.Thread(target=lambda: _swallow(lambda: invoke(Fc3(own_cloud.config()), "sleepy", b"30")))
    caller.start()
    wait_for(lambda: len(own_cloud.functions.processes.pids()) == 2, "the busy instance to start")
    pids = own_cloud.functions.processes.pids()
    assert idle in pids
    own_cloud.stop()
    caller.join()
    assert all(gone(pid) for pid in pids)


def _swallow(call: Any) -> None:
    with contextlib.suppress(Exception):  # the server stops under the call: only the workers matter here
        call()


def test_registering_again_lets_a_running_call_finish(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=30)
    answers: list[tuple[dict[str, str], bytes]] = []
    caller = threading.Thread(target=lambda: answers.append(invoke(Fc3(cloud.config()), "sleepy", b"1")))
    caller.start()
    wait_for(lambda: cloud.functions.processes.pids() != [], "the instance to start")
    cloud.functions.register("sleepy", f"{FUNCS}/isolated.sleepy", isolation="process", timeout=30)
    caller.join()
    headers, body = answers[0]
    assert "x-fc-error-type" not in headers
    wait_for(lambda: gone(json.loads(body)["pid"]), "the replaced instance to exit")


# --- the pieces, and bad input to them ---------------------------------------------------------


def _request(headers: dict[str, str], target: str = "/") -> HttpRequest:
    return HttpRequest("POST", target, {k.lower(): v for k, v in headers.items()}, b"", "127.0.0.1")


@pytest.mark.parametrize(
    ("headers", "target", "expected"),
    [
        ({"Authorization": "ACS3-HMAC-SHA256 Credential=STS.abc,SignedHeaders=host,Signature=00"}, "/", "STS.abc"),
        ({"Authorization": "SLS4-HMAC-SHA256 Credential=STS.k/20260101/cn-hangzhou/sls/aliyun_v4_request,Signature=1"}, "/", "STS.k"),
        ({"Authorization": "LOG STS.log:c2lnbmF0dXJl"}, "/", "STS.log"),
        ({}, "/?AccessKeyId=STS.v1&Signature=x", "STS.v1"),
        ({}, "/?Action=GetUser", None),
        ({"Authorization": "ACS3-HMAC-SHA256 SignedHeaders=host"}, "/", None),
        ({"Authorization": "Bearer whatever"}, "/", None),
    ],
)
def test_the_claimed_access_key_is_read_from_every_signature_scheme(
    headers: dict[str, str], target: str, expected: str | None
) -> None:
    assert claimed_access_key(_request(headers, target)) == expected


@pytest.mark.parametrize("line", [b"not json", b"[1, 2]", b'{"event": "AAAA"}', b'{"event": "!!", "env": {}, "invocation": {}}'])
def test_malformed_protocol_lines_are_protocol_errors(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        invocation_from(decode(line))


def test_a_worker_given_a_malformed_line_exits_without_answering() -> None:
    worker = subprocess.run(
        [sys.executable, "-m", "localcloud.fc.runtime.worker", f"{FUNCS}/isolated.pid", os.getcwd()],
        input=b"garbage\n", capture_output=True, timeout=60, check=False,
    )
    assert worker.returncode == 2
    assert [json.loads(line)["ready"] for line in worker.stdout.splitlines()] == [True]
    assert b"not a JSON line" in worker.stderr


def test_a_worker_needs_its_two_arguments() -> None:
    worker = subprocess.run([sys.executable, "-m", "localcloud.fc.runtime.worker"], capture_output=True, timeout=60, check=False)
    assert worker.returncode == 2 and b"usage" in worker.stderr
