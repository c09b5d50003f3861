"""``rampart dev`` turns notifications on as an operator would (deploy/README.md "Notification
secret"): a DingTalk robot in localcloud, the KMS secret ``rampart-notify/robot`` pointing at
it, the lifecycle function's ``RAMPART_NOTIFY_SECRET_NAME``, read under the worker role's own
policy (no extra grant). A joiner through the deployed lifecycle function reaches the robot,
signed; the robot's key and the secret's value are never in an answer or a log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from rampart.adapters import build
from rampart_dev.admin import Admin
from rampart_dev.devcloud import DevCloud
from rampart_dev.devstack import (
    DEV_ROBOT_KIND,
    DEV_ROBOT_SECRET,
    DEV_ROBOT_TOKEN,
    LIFECYCLE_FUNCTION,
    NOTIFY_SECRET_NAME,
    SWEEPER_FUNCTION,
    deploy,
)

from localcloud import LocalCloud
from tests.functional.rampart.types import RepoFiles


def secret_value(cloud: LocalCloud) -> str:
    request = kms_models.GetSecretValueRequest(secret_name=NOTIFY_SECRET_NAME)
    return str(Kms(cloud.config()).get_secret_value(request).body.secret_data)


def test_a_joiner_on_rampart_dev_is_announced_on_localclouds_robot(
    cloud: LocalCloud, tmp_path: Path, capfd: pytest.CaptureFixture[str], repo_files: RepoFiles
) -> None:
    progress: list[str] = []
    deployed = deploy(Admin(cloud.endpoint), tmp_path, progress=progress.append)
    specs = {spec.name: spec for spec in cloud.functions.specs()}
    assert specs[LIFECYCLE_FUNCTION].env["RAMPART_NOTIFY_SECRET_NAME"] == NOTIFY_SECRET_NAME == "rampart-notify/robot"
    assert "RAMPART_NOTIFY_SECRET_NAME" not in specs[SWEEPER_FUNCTION].env
    stored = json.loads(secret_value(cloud))
    assert (stored["kind"], stored["secret"]) == (DEV_ROBOT_KIND, DEV_ROBOT_SECRET)
    assert stored["url"] == f"http://{cloud.endpoint}/robot/send?access_token={DEV_ROBOT_TOKEN}"

    target = deployed.target
    fc = DevCloud(build(target.settings(), account_id=target.account_id).clients)
    fc.invoke_async(LIFECYCLE_FUNCTION, repo_files.event("mq", "cloudevent-single.json"), task_id="joiner-1")
    Admin(cloud.endpoint).drain()
    [task] = cloud.functions.tasks(LIFECYCLE_FUNCTION)
    [item] = json.loads(task.return_payload)["results"]
    assert (task.status.value, item["result"], item["notified"]) == ("Succeeded", "ok", True)
    [message] = cloud.robots.messages(DEV_ROBOT_KIND, DEV_ROBOT_TOKEN)
    text = message.body["markdown"]["text"]
    assert "E3001" in text and "console-password" in text and "rampart handover" in text
    out, err = capfd.readouterr()
    for shown in (out, err, task.return_payload, json.dumps(progress), json.dumps(message.to_json())):
        assert DEV_ROBOT_SECRET not in shown


def test_deploying_again_keeps_the_notification_secret(cloud: LocalCloud, tmp_path: Path) -> None:
    deploy(Admin(cloud.endpoint), tmp_path / "a")
    first = secret_value(cloud)
    deploy(Admin(cloud.endpoint), tmp_path / "b")
    assert secret_value(cloud) == first
    versions = Kms(cloud.config()).list_secret_version_ids(
        kms_models.ListSecretVersionIdsRequest(secret_name=NOTIFY_SECRET_NAME)).body.version_ids.version_id
    assert len(versions) == 1
    assert [(r.kind, r.token) for r in cloud.robots.robots()] == [(DEV_ROBOT_KIND, DEV_ROBOT_TOKEN)]
