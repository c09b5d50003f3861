"""The HR and ticket webhook functions on localcloud: a signed delivery is answered 202 and
handed off to the lifecycle function (FC async, task id = delivery id), which creates the
user; a redelivery is 200 "duplicate" (FC's 409); refusals change nothing and enqueue nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.events import parse_time
from rampart.fc.http_trigger import http_event
from rampart.sources.base import MAX_BODY_BYTES

from localcloud import LocalCloud
from tests.functional.rampart.deployment_names import LIFECYCLE
from tests.functional.rampart.types import Deploy, Deployment, Escrowed


@pytest.fixture
def deployment(tmp_path: Path, deploy: Deploy) -> Iterator[Deployment]:
    yield deploy(tmp_path)


def signed(deployment: Deployment, source: str, name: str) -> bytes:
    """The sample signed now (by localcloud's clock): a signature is good for 5 minutes."""
    samples = deployment.repo.samples()
    event = samples.trigger_event(source, name, deployment.cloud.now(), samples.demo_config())
    return json.dumps(event).encode()


def body(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])


def call(deployment: Deployment, function: str, event: bytes, **env: str) -> dict[str, Any]:
    answer: dict[str, Any] = deployment.receiver(function, None, **env).handler(event, deployment.context())
    deployment.assert_clean(json.dumps(answer))
    return answer


def test_a_signed_hr_joiner_is_accepted_handed_off_and_applied(
    deployment: Deployment, cloud: LocalCloud, capsys: pytest.CaptureFixture[str], escrowed: Escrowed
) -> None:
    answer = call(deployment, "hr_webhook", signed(deployment, "generic", "joiner.json"))
    assert answer["statusCode"] == 202
    assert body(answer) == {"status": "accepted", "delivery_id": "hr-demo-0001", "events": ["hr-demo-0001"]}
    [task] = cloud.functions.tasks(LIFECYCLE)
    assert task.task_id == "hr-demo-0001"
    cloud.functions.drain()
    assert task.status.value == "Succeeded"
    report = json.loads(task.return_payload)
    assert report["ok"] == 1 and report["results"][0]["result"] == "ok"
    user = Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.wong")).body.user
    assert user.display_name == "Alice Wong"
    assert [n for n, _ in escrowed() if n.startswith("rampart/")] == ["rampart/alice.wong/console-password"]
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert {line["logger"] for line in logged} >= {"rampart.fc.receiver", "rampart.fc.lifecycle"}
    assert all(line["correlation_id"] for line in logged)
    deployment.assert_clean(*(json.dumps(line) for line in logged))


def test_a_redelivered_webhook_answers_200_duplicate_and_runs_once(deployment: Deployment, cloud: LocalCloud) -> None:
    event = signed(deployment, "generic", "joiner.json")
    assert call(deployment, "hr_webhook", event)["statusCode"] == 202
    again = call(deployment, "hr_webhook", event)
    assert again["statusCode"] == 200
    assert body(again)["status"] == "duplicate"
    assert len(cloud.functions.tasks(LIFECYCLE)) == 1


def test_a_forged_signature_is_401_and_nothing_is_enqueued(deployment: Deployment, cloud: LocalCloud) -> None:
    event = json.loads(signed(deployment, "generic", "joiner.json"))
    event["body"] = event["body"].replace("Alice Wong", "Mallory")
    answer = call(deployment, "hr_webhook", json.dumps(event).encode())
    assert answer["statusCode"] == 401
    assert "error" in body(answer) and "Mallory" not in answer["body"]
    assert cloud.functions.tasks() == []


def test_an_oversize_body_is_413_and_nothing_is_enqueued(deployment: Deployment, cloud: LocalCloud) -> None:
    big = http_event("POST", "/hr/generic", b"x" * (MAX_BODY_BYTES + 1), cloud.now())
    answer = call(deployment, "hr_webhook", json.dumps(big).encode())
    assert answer["statusCode"] == 413
    assert cloud.functions.tasks() == []


def test_a_path_no_source_serves_is_404(deployment: Deployment) -> None:
    event = http_event("POST", "/hr/workday", b"{}", deployment.cloud.now())
    assert call(deployment, "hr_webhook", json.dumps(event).encode())["statusCode"] == 404


def test_a_source_without_a_configured_secret_is_404(deployment: Deployment) -> None:
    answer = call(deployment, "hr_webhook", signed(deployment, "generic", "joiner.json"),
                  RAMPART_GENERIC_HR_SECRET_NAME="")
    assert answer["statusCode"] == 404
    assert "not configured" in body(answer)["error"]


def test_feishu_url_verification_is_answered_with_the_challenge(deployment: Deployment, cloud: LocalCloud) -> None:
    answer = call(deployment, "hr_webhook", signed(deployment, "feishu", "url-verification.json"))
    assert (answer["statusCode"], body(answer)) == (200, {"challenge": "rampart-demo-challenge-7f3a9c"})
    assert cloud.functions.tasks() == []


def test_sync_apply_answers_after_the_engine_applied(deployment: Deployment, cloud: LocalCloud) -> None:
    answer = call(deployment, "hr_webhook", signed(deployment, "generic", "joiner.json"), RAMPART_SYNC_APPLY="1")
    assert answer["statusCode"] == 200
    assert body(answer)["events"] == [{"event_id": "hr-demo-0001", "result": "ok", "error_type": "", "error": ""}]
    assert cloud.functions.tasks() == []
    assert Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.wong")).body.user.user_name


def test_a_jira_approval_is_handed_off_under_the_webhook_identifier(deployment: Deployment, cloud: LocalCloud) -> None:
    wrapped = deployment.repo.event("ticket", "jira-issue-approved.fc-http.json")
    signed_at = parse_time("2025-03-01T09:00:01Z")  # the sample's own time (Jira's body timestamp + 1 s)
    cloud.functions.pause()  # the grant's person does not exist here: only the hand-off is checked
    module = deployment.receiver("ticket_webhook", clock=lambda: signed_at)
    answer = module.handler(wrapped, deployment.context())
    assert answer["statusCode"] == 202, answer
    delivery = "ticket-jira-a1b2c3d4-0042-4e5f-9a8b-000000010100"
    assert body(answer)["delivery_id"] == delivery
    assert [t.task_id for t in cloud.functions.tasks(LIFECYCLE)] == [delivery]


def test_env_credentials_win_over_the_context(deployment: Deployment) -> None:
    module = deployment.receiver("hr_webhook", ALIBABA_CLOUD_ACCESS_KEY_ID="LTAIunknown0000000000",
                                 ALIBABA_CLOUD_ACCESS_KEY_SECRET="not-a-real-secret-value")
    settings = module.INSTANCE.settings(deployment.context())
    assert settings.access_key_id == "LTAIunknown0000000000"
