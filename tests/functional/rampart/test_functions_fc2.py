"""The FC 2.0 hand-off (``RAMPART_FC_API=2021-04-06``, the fc_open20210406 SDK): the receiver
invokes the lifecycle function of a 2.0 *service* asynchronously, with the delivery id as the
stateful async invocation id, so a redelivery meets FC's 409 and is answered 200 duplicate."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram

from localcloud import LocalCloud
from tests.functional.rampart.deployment_names import LIFECYCLE
from tests.functional.rampart.types import Deploy, Deployment

SERVICE = "rampart"
FC2 = {"RAMPART_FC_API": "2021-04-06", "RAMPART_FC_SERVICE": SERVICE, "RAMPART_LIFECYCLE_FUNCTION": "lifecycle"}


@pytest.fixture
def deployment(cloud: LocalCloud, tmp_path: Path, repo_root: Path, deploy: Deploy) -> Deployment:
    deployed = deploy(tmp_path)
    [spec] = [s for s in cloud.functions.specs() if s.key == LIFECYCLE]
    cloud.functions.unregister(LIFECYCLE)
    cloud.functions.register("lifecycle", spec.handler, service=SERVICE, env=dict(spec.env), role=spec.role,
                             timeout=spec.timeout, code_root=repo_root,
                             async_config={"max_retries": 1})
    return deployed


def deliver(deployment: Deployment) -> dict[str, Any]:
    samples = deployment.repo.samples()
    event = samples.trigger_event("generic", "joiner.json", deployment.cloud.now(), samples.demo_config())
    module = deployment.receiver("hr_webhook", None, **FC2)
    answer: dict[str, Any] = module.handler(json.dumps(event).encode(), deployment.context())
    deployment.assert_clean(json.dumps(answer))
    return answer


def test_an_hr_joiner_is_handed_off_to_a_2_0_service_and_applied(deployment: Deployment, cloud: LocalCloud) -> None:
    answer = deliver(deployment)
    assert answer["statusCode"] == 202, answer
    [task] = cloud.functions.tasks(f"{SERVICE}$lifecycle")
    assert task.task_id == "hr-demo-0001"
    cloud.functions.drain()
    assert task.status.value == "Succeeded"
    assert json.loads(task.return_payload)["ok"] == 1
    user = Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.wong")).body.user
    assert user.display_name == "Alice Wong"


def test_a_redelivery_to_a_2_0_service_is_200_duplicate(deployment: Deployment, cloud: LocalCloud) -> None:
    assert deliver(deployment)["statusCode"] == 202
    again = deliver(deployment)
    assert again["statusCode"] == 200
    assert json.loads(again["body"])["status"] == "duplicate"
    assert len(cloud.functions.tasks(f"{SERVICE}$lifecycle")) == 1


def test_the_2_0_api_without_a_service_name_is_refused_before_anything_is_enqueued(
    deployment: Deployment, cloud: LocalCloud, samples: ModuleType
) -> None:
    event = samples.trigger_event("generic", "joiner.json", cloud.now(), samples.demo_config())
    module = deployment.receiver("hr_webhook", RAMPART_FC_API="2021-04-06", RAMPART_FC_SERVICE="")
    answer = module.handler(json.dumps(event).encode(), deployment.context())
    assert answer["statusCode"] == 500
    assert "Traceback" not in answer["body"]
    assert cloud.functions.tasks() == []
