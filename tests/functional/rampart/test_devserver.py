"""``rampart dev``: the deployment on localcloud (``rampart_dev.devstack``) and the HTTP front end
(``rampart_dev.devserver``) that wraps each request exactly as FC 3.0's HTTP trigger does and
invokes the webhook functions synchronously through the FC 3.0 SDK.

Requests go over real HTTP (``http.client``) to the dev server; the functions run in the
test's localcloud (``cloud`` fixture), registered through its admin route. Where a test needs
to see the event a function received, it registers a recording function under the
receiver's name with localcloud's callable registration (a function, not a mock)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.adapters import build
from rampart.cli import main
from rampart_dev.admin import Admin
from rampart_dev.cli_dev import register
from rampart_dev.devcloud import DevCloud
from rampart_dev.devserver import DevServer, function_for, timer_event, trigger_event
from rampart_dev.devstack import (
    DEAD_LETTER_FUNCTION,
    HR_FUNCTION,
    LIFECYCLE_FUNCTION,
    RECEIVER_ROLE,
    SWEEPER_FUNCTION,
    WORKER_ROLE,
    Deployment,
    demo_webhook_values,
    deploy,
)

from localcloud import LocalCloud
from tests.functional.rampart.types import RepoFiles


@pytest.fixture
def deployed(cloud: LocalCloud, tmp_path: Path) -> Deployment:
    return deploy(Admin(cloud.endpoint), tmp_path)


@pytest.fixture
def progress() -> list[dict[str, Any]]:
    """The dev server's progress lines."""
    return []


@pytest.fixture
def server(cloud: LocalCloud, progress: list[dict[str, Any]]) -> Iterator[DevServer]:
    target = Admin(cloud.endpoint).target()
    fc = DevCloud(build(target.settings(), account_id=target.account_id).clients)
    with DevServer(fc, account_id=target.account_id, region=target.region, sweep_every=0, clock=cloud.now,
                   log=progress.append) as running:
        yield running


def send(server: DevServer | str, method: str, target: str, body: bytes = b"",
         headers: list[tuple[str, str]] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request on the wire; repeated header names are sent as separate lines."""
    url = urlsplit(server if isinstance(server, str) else server.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
    try:
        connection.putrequest(method, target)
        for name, value in headers or []:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def signed_hr(cloud: LocalCloud, samples: ModuleType, name: str = "joiner.json") -> tuple[bytes, list[tuple[str, str]]]:
    request = samples.signed_request("generic", name, cloud.now(), samples.demo_config())
    return request.body, list(request.headers.items())


def shape(value: Any, key: str = "") -> Any:
    """The keys of a JSON value, recursively (values replaced by their type name; the header
    and query maps by "map of str")."""
    if key in ("headers", "queryParameters") and isinstance(value, dict):
        return "map of str" if all(isinstance(v, str) for v in value.values()) else "map"
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    return type(value).__name__


def no_demo_secret_in(*texts: str) -> None:
    values = [v for source in demo_webhook_values().values() for k, v in source.items()
              if isinstance(v, str) and k not in ("path", "company_id", "person_id_key", "owner_key")]
    for text in texts:
        for value in values:
            assert value not in text


# --- the FC 3.0 HTTP trigger, both ways -----------------------------------------------------


def test_a_request_is_wrapped_exactly_as_fc3s_http_trigger_wraps_it(
    cloud: LocalCloud, server: DevServer, progress: list[dict[str, Any]], repo_files: RepoFiles
) -> None:
    reference = json.loads(repo_files.event("fc", "http-trigger-reference.json"))
    seen: list[dict[str, Any]] = []

    def recorder(event: bytes, context: Any) -> dict[str, Any]:
        seen.append(json.loads(event))
        answer = base64.b64encode(b"\x00\xffreply").decode()
        return {"statusCode": 201, "headers": {"X-Echo": "yes", "Content-Type": "application/octet-stream"},
                "isBase64Encoded": True, "body": answer}

    cloud.functions.register(HR_FUNCTION, recorder)
    body = bytes(range(256))
    status, headers, reply = send(server, "POST", "/hr/r%C3%A9sum%C3%A9?tag=x&tag=y&empty=", body, [
        ("Content-Type", "application/octet-stream"), ("X-Tag", "a"), ("X-Tag", "b"), ("User-Agent", "curl/8.5.0")])
    assert (status, headers["x-echo"], reply) == (201, "yes", b"\x00\xffreply")
    assert headers["content-type"] == "application/octet-stream" and headers["x-fc-request-id"].startswith("1-")
    [event] = seen
    assert shape(event) == shape(reference)  # the documented shape, key for key, type for type
    assert event["version"] == "v1"
    assert event["rawPath"] == "/hr/r%C3%A9sum%C3%A9"
    assert event["requestContext"]["http"] == {"method": "POST", "path": "/hr/résumé", "protocol": "HTTP/1.1",
                                               "sourceIp": "127.0.0.1", "userAgent": "curl/8.5.0"}
    assert event["headers"]["X-Tag"] == "a,b" and event["headers"]["Content-Type"] == "application/octet-stream"
    assert event["queryParameters"] == {"tag": "x,y", "empty": ""}
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == body
    context = event["requestContext"]
    assert context["accountId"] == cloud.account.account_id
    assert context["domainName"] == f"{context['domainPrefix']}.{cloud.account.region}.fcapp.run"
    assert context["timeEpoch"].isdigit()
    when = datetime.fromtimestamp(int(context["timeEpoch"]) / 1000, tz=cloud.now().tzinfo)
    assert context["time"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (progress[-1]["status"], progress[-1]["function"]) == (201, HR_FUNCTION)


def test_a_text_body_is_passed_as_the_exact_string(cloud: LocalCloud, server: DevServer) -> None:
    seen: list[dict[str, Any]] = []

    def recorder(event: bytes, context: Any) -> dict[str, Any]:
        seen.append(json.loads(event))
        return {"statusCode": 200, "headers": {}, "isBase64Encoded": False, "body": "ok"}

    cloud.functions.register("rampart-ticket-webhook", recorder)
    raw = '{"b": 1,  "a": "李"}'.encode()
    assert send(server, "POST", "/ticket/jira", raw, [("Content-Type", "application/json")])[0] == 200
    assert seen[0]["isBase64Encoded"] is False and seen[0]["body"].encode() == raw


def test_the_wrapping_matches_the_sample_event_built_for_the_same_request(repo_files: RepoFiles) -> None:
    sample = json.loads(repo_files.event("fc", "http-trigger-binary.json"))
    when = datetime.fromtimestamp(int(sample["requestContext"]["timeEpoch"]) / 1000).astimezone()
    made = trigger_event("POST", "/upload/r%C3%A9sum%C3%A9?tag=x&tag=y", [
        ("Content-Type", "application/octet-stream"), ("X-Tag", "a"), ("X-Tag", "b")], bytes(range(256)), when,
        source_ip="11.11.11.11", account_id="1234567890123456", region="cn-hangzhou")
    made["requestContext"]["requestId"] = sample["requestContext"]["requestId"]
    made["requestContext"]["domainName"] = sample["requestContext"]["domainName"]
    made["requestContext"]["domainPrefix"] = sample["requestContext"]["domainPrefix"]
    assert made == sample


@pytest.mark.parametrize(("path", "function"), [
    ("/hr/generic", "rampart-hr-webhook"), ("/hr", "rampart-hr-webhook"), ("/ticket/jira", "rampart-ticket-webhook"),
    ("/", None), ("/hrx/generic", None), ("/tickets", None), ("/admin/hr/generic", None), ("", None)])
def test_paths_route_to_the_function_serving_them(path: str, function: str | None) -> None:
    assert function_for(path) == function


def test_an_unknown_path_is_404_json_and_nothing_is_invoked(
    cloud: LocalCloud, server: DevServer, progress: list[dict[str, Any]]
) -> None:
    status, headers, body = send(server, "POST", "/payroll/export", b"{}")
    assert status == 404 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"] == "nothing is served at '/payroll/export'"
    assert cloud.functions.tasks() == []
    assert "function" not in progress[-1]


def test_a_function_that_raises_is_502_without_its_error_text(cloud: LocalCloud, server: DevServer) -> None:
    def broken(event: bytes, context: Any) -> dict[str, Any]:
        raise RuntimeError("internal detail: do-not-show-this")

    cloud.functions.register(HR_FUNCTION, broken)
    status, headers, body = send(server, "POST", "/hr/generic", b"{}")
    assert status == 502
    assert json.loads(body) == {"error": "the function failed", "request_id": headers["x-fc-request-id"]}
    assert b"do-not-show-this" not in body


def test_a_return_value_that_is_not_the_response_struct_is_a_200_body(cloud: LocalCloud, server: DevServer) -> None:
    cloud.functions.register(HR_FUNCTION, lambda event, context: "plain text")
    assert send(server, "GET", "/hr/x")[::2] == (200, b"plain text")


# --- the deployed functions, end to end -----------------------------------------------------


def test_a_signed_hr_joiner_over_http_is_accepted_and_creates_the_user(
    cloud: LocalCloud, deployed: Deployment, server: DevServer, progress: list[dict[str, Any]],
    capfd: pytest.CaptureFixture[str], samples: ModuleType
) -> None:
    body, headers = signed_hr(cloud, samples)
    status, _, reply = send(server, "POST", "/hr/generic", body, headers)
    assert status == 202, reply
    assert json.loads(reply) == {"status": "accepted", "delivery_id": "hr-demo-0001", "events": ["hr-demo-0001"]}
    Admin(cloud.endpoint).drain()
    [task] = cloud.functions.tasks(LIFECYCLE_FUNCTION)
    assert (task.task_id, task.status.value, task.attempts) == ("hr-demo-0001", "Succeeded", 1)
    user = Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.wong")).body.user
    assert user.display_name == "Alice Wong"
    out, err = capfd.readouterr()
    no_demo_secret_in(out, err, reply.decode(), json.dumps(progress))


def test_a_forged_signature_is_401_and_nothing_changes(cloud: LocalCloud, deployed: Deployment,
                                                       server: DevServer, samples: ModuleType) -> None:
    body, headers = signed_hr(cloud, samples)
    forged = body.replace(b"Alice Wong", b"Mallory X")
    status, _, reply = send(server, "POST", "/hr/generic", forged, headers)
    assert status == 401 and b"Mallory" not in reply
    Admin(cloud.endpoint).drain()
    assert cloud.functions.tasks() == []
    with pytest.raises(ClientException) as gone:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.wong"))
    assert gone.value.code == "EntityNotExist.User"


def test_a_redelivery_answers_200_duplicate_and_runs_once(cloud: LocalCloud, deployed: Deployment,
                                                          server: DevServer, samples: ModuleType) -> None:
    body, headers = signed_hr(cloud, samples)
    assert send(server, "POST", "/hr/generic", body, headers)[0] == 202
    status, _, reply = send(server, "POST", "/hr/generic", body, headers)
    assert (status, json.loads(reply)["status"]) == (200, "duplicate")
    Admin(cloud.endpoint).drain()
    assert len(cloud.functions.tasks(LIFECYCLE_FUNCTION)) == 1


def test_the_sweeper_timer_fires_an_async_timer_event(cloud: LocalCloud, deployed: Deployment,
                                                      server: DevServer) -> None:
    task_id = server.timer.tick()
    Admin(cloud.endpoint).drain()
    [task] = cloud.functions.tasks(SWEEPER_FUNCTION)
    assert task.task_id == task_id and task.status.value == "Succeeded", task.error_message
    summary = json.loads(task.return_payload)
    assert summary["trigger"] == "dev-sweep" and summary["failed"] == []
    event = json.loads(task.payload)
    assert event == timer_event(datetime.fromisoformat(event["triggerTime"].replace("Z", "+00:00")))
    assert event["payload"] == '{"rotate": true}' and event["triggerTime"].endswith("Z")


def test_the_timer_thread_fires_on_its_own(cloud: LocalCloud, deployed: Deployment) -> None:
    target = deployed.target
    fc = DevCloud(build(target.settings(), account_id=target.account_id).clients)
    fired = threading.Event()

    def record(entry: dict[str, Any]) -> None:
        if entry.get("event") == "timer" and entry.get("task_id"):
            fired.set()

    with DevServer(fc, account_id=target.account_id, region=target.region, sweep_every=0.05, log=record):
        assert fired.wait(60)
    Admin(cloud.endpoint).drain()
    assert cloud.functions.tasks(SWEEPER_FUNCTION)


def test_the_deployment_uses_least_privilege_roles_and_is_idempotent(cloud: LocalCloud, tmp_path: Path, repo_root: Path) -> None:
    first = deploy(Admin(cloud.endpoint), tmp_path / "a")
    again = deploy(Admin(cloud.endpoint), tmp_path / "b")
    assert again.resource_group == first.resource_group
    ram = Ram(cloud.config())
    for role in (RECEIVER_ROLE, WORKER_ROLE):
        trust = json.loads(ram.get_role(ram_models.GetRoleRequest(role_name=role)).body.role.assume_role_policy_document)
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": ["fc.aliyuncs.com"]}]
        policies = ram.list_policies_for_role(ram_models.ListPoliciesForRoleRequest(role_name=role)).body.policies.policy
        assert [(p.policy_name, p.policy_type) for p in policies] == [(role, "Custom")]
        document = ram.get_policy(ram_models.GetPolicyRequest(policy_name=role, policy_type="Custom")).body
        wanted = json.loads((repo_root / "deploy" / "policies" / f"{role}.json").read_text())
        assert json.loads(document.default_policy_version.policy_document) == wanted
    specs = {spec.name: spec for spec in cloud.functions.specs()}
    assert set(specs) == {*first.functions, DEAD_LETTER_FUNCTION}
    assert specs[HR_FUNCTION].role == RECEIVER_ROLE and specs[LIFECYCLE_FUNCTION].role == WORKER_ROLE
    assert specs[LIFECYCLE_FUNCTION].async_config.to_json() == {
        "max_retries": 3, "max_event_age": 86400, "on_failure": DEAD_LETTER_FUNCTION, "on_success": None}
    assert specs[HR_FUNCTION].env["RAMPART_FEISHU_SECRET_NAME"] == "rampart-webhook/feishu"
    assert "RAMPART_JIRA_SECRET_NAME" not in specs[HR_FUNCTION].env
    assert not any(k.startswith("ALIBABA_CLOUD_ACCESS") for spec in specs.values() for k in spec.env)


def test_a_poison_invocation_is_retried_then_dead_lettered(cloud: LocalCloud, deployed: Deployment) -> None:
    target = deployed.target
    fc = DevCloud(build(target.settings(), account_id=target.account_id).clients)
    fc.invoke_async(LIFECYCLE_FUNCTION, b'{"not": "an event"}', task_id="poison-1")
    Admin(cloud.endpoint).drain()
    [task] = cloud.functions.tasks(LIFECYCLE_FUNCTION)
    assert (task.status.value, task.attempts, task.destination) == ("Failed", 4, DEAD_LETTER_FUNCTION)
    [letter] = cloud.functions.tasks(DEAD_LETTER_FUNCTION)
    summary = json.loads(letter.return_payload)
    assert summary["function"].endswith(f"functions/{LIFECYCLE_FUNCTION}") and summary["attempts"] == 4


def test_a_missing_localcloud_is_a_clear_configuration_error(tmp_path: Path) -> None:
    err = _cli("dev", "--endpoint", "127.0.0.1:9", "--port", "0")
    assert err[0] == 2 and "cannot be reached" in err[2]


@pytest.mark.parametrize("argv", [["--endpoint", "http://127.0.0.1:1"], ["--endpoint", "localhost"],
                                  ["--port", "70000"], ["--port", "-1"], ["--sweep-every", "-5"],
                                  ["--sweep-every", "nan"], ["--sweep-every", "soon"]])
def test_bad_arguments_are_usage_errors(argv: list[str]) -> None:
    code, _, err = _cli("dev", *argv)
    assert code == 2 and err.startswith("rampart: error: rampart dev:")


def _cli(*argv: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, environ={}, extra_verbs=[register])
    return code, out.getvalue(), err.getvalue()


# --- the command, in its own process -----------------------------------------------------------


def test_rampart_dev_starts_serves_and_stops_on_sigterm(repo_root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))}
    env["PYTHONPATH"] = str(repo_root / "shared")  # localcloud is found beside shared/ by rampart dev itself
    process = subprocess.Popen([sys.executable, "-m", "rampart_dev", "dev", "--port", "0", "--sweep-every", "0"],
                               cwd=repo_root / "shared", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        assert set(started) >= {"url", "endpoint", "functions"}
        assert started["functions"][:4] == ["rampart-hr-webhook", "rampart-ticket-webhook", "rampart-lifecycle",
                                             "rampart-sweeper"]
        assert send(started["url"], "POST", "/nowhere", b"{}")[0] == 404
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err[-2000:]
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["event"] == "request" and lines[0]["status"] == 404 and lines[-1] == {"event": "stopping"}
    assert "functions: rampart-hr-webhook" in err and "Traceback" not in err
    no_demo_secret_in(out, err)


def test_the_library_imports_neither_localcloud_nor_an_sdk_for_rampart_dev(repo_root: Path) -> None:
    code = ("import sys, rampart.cli, rampart_dev.devserver, rampart_dev.devstack, rampart_dev.devcloud;"
            "print([m for m in sys.modules if m.startswith(('localcloud', 'alibabacloud', 'aliyun'))])")
    run = subprocess.run([sys.executable, "-c", code], cwd=repo_root / "shared", capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(repo_root / "shared")})
    assert (run.returncode, run.stdout.strip()) == (0, "[]"), run.stderr


def _raw(server: DevServer, request: bytes) -> bytes:
    import socket

    url = urlsplit(server.url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=60) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(("head", "status"), [
    (b"Content-Length: twelve\r\n", b"400"),
    (b"Content-Length: -1\r\n", b"400"),
    (b"Content-Length: 99999999999\r\n", b"413"),
    (b"Transfer-Encoding: chunked\r\n", b"400"),  # the body below is not chunked
])
def test_broken_request_framing_is_refused_and_nothing_is_invoked(
    cloud: LocalCloud, server: DevServer, head: bytes, status: bytes
) -> None:
    calls: list[bytes] = []
    cloud.functions.register(HR_FUNCTION, lambda event, context: calls.append(event))
    answer = _raw(server, b"POST /hr/generic HTTP/1.1\r\nHost: x\r\n" + head + b"\r\nnot-chunked-body")
    assert answer.startswith(b"HTTP/1.1 " + status) and calls == []


def test_a_chunked_body_is_reassembled_before_wrapping(cloud: LocalCloud, server: DevServer) -> None:
    seen: list[dict[str, Any]] = []

    def recorder(event: bytes, context: Any) -> dict[str, Any]:
        seen.append(json.loads(event))
        return {"statusCode": 204, "headers": {}, "isBase64Encoded": False, "body": ""}

    cloud.functions.register(HR_FUNCTION, recorder)
    answer = _raw(server, b"POST /hr/generic HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 204") and seen[0]["body"] == "hello world"
