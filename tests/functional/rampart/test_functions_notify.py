"""Notifications from the lifecycle function, deployed on localcloud under its role and invoked
through the FC 3.0 SDK, posting over HTTP to localcloud's chat robots: a joiner is announced
with its logon and where its credential is (never the credential), a leaver with its
certificate, each audited; a refused or misconfigured notification never fails the work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_ims20190815.client import Client as Ims
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.fc import runtime

from localcloud import LocalCloud
from tests.functional.rampart.deployment_names import LIFECYCLE
from tests.functional.rampart.notify_values import ROBOT_SECRET
from tests.functional.rampart.types import ConfigureNotify, Deploy, Deployment, NotifyRecords

JOINER = "hr-generic-E3001-joined"
LEAVER = "hr-generic-E3001-left-now"


@pytest.fixture
def deployment(cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               deploy: Deploy) -> Iterator[Deployment]:
    monkeypatch.setattr(runtime, "DEFAULT_CLOCK", cloud.now)  # the function signs with localcloud's clock
    yield deploy(tmp_path)


def sample(deployment: Deployment, name: str) -> bytes:
    return deployment.repo.event("mq", name)


def joined_user(cloud: LocalCloud) -> str:
    users = Ram(cloud.config()).list_users(ram_models.ListUsersRequest()).body.users.user
    names = [u.user_name for u in users if not u.user_name.startswith("rampart-")]
    assert len(names) == 1, names
    return str(names[0])


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "generic"])
def test_a_joiner_is_announced_with_its_logon_and_where_its_credential_is(deployment: Deployment, kind: str, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    robot = configure_notify(deployment, kind)
    error, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    assert error == "" and report["results"][0]["result"] == "ok"
    assert report["results"][0]["notified"] is True
    cloud = deployment.cloud
    user = joined_user(cloud)
    domain = Ims(cloud.config()).get_default_domain().body.default_domain_name
    [text] = robot.texts(cloud)
    for fact in (f"{user}@{domain}", f"https://signin.aliyun.com/{domain}/login.htm", "console access",
                 f"rampart/{user}/console-password", f"rampart handover {user}", "E3001", "李雷"):
        assert fact in text
    deployment.assert_clean(json.dumps([m["body"] for m in robot.messages(cloud)], ensure_ascii=False), json.dumps(report))
    [record] = notify_records(JOINER)
    assert (record["result"], record["target"], record["error_code"]) == ("ok", user, "")
    detail = json.loads(record["detail"])
    assert (detail["kind"], detail["notice"], detail["code"]) == (kind, "joiner", "0" if kind != "generic" else "200")
    deployment.assert_clean(json.dumps(record))


def test_the_generic_webhook_gets_the_documented_json(deployment: Deployment, configure_notify: ConfigureNotify) -> None:
    robot = configure_notify(deployment, "generic")
    deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    [message] = robot.messages(deployment.cloud)
    body = message["body"]
    assert (body["type"], body["event_id"], body["person"]["person_id"]) == ("rampart.joiner", JOINER, "E3001")
    [user] = body["users"]
    assert set(user) == {"user", "logon_principal", "login_url", "access", "profiles", "secret_name", "handover"}
    assert user["access"] == "console" and user["secret_name"] == f"rampart/{user['user']}/console-password"


def test_a_leaver_is_announced_with_its_certificate(deployment: Deployment, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    robot = configure_notify(deployment)
    deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    user = joined_user(deployment.cloud)
    error, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-leaver-immediate.json"))
    assert error == "" and report["results"][0]["result"] == "ok" and report["results"][0]["notified"] is True
    _, leaver_text = robot.texts(deployment.cloud)
    assert f"RAM user {user} deleted, certificate on record" in leaver_text and "Leaver: person E3001" in leaver_text
    assert "item(s) removed" in leaver_text and "schedule-secret-deletion 1" in leaver_text
    [record] = notify_records(LEAVER)
    assert record["result"] == "ok" and json.loads(record["detail"])["notice"] == "leaver"
    deployment.assert_clean(leaver_text, json.dumps(report))


def test_a_replayed_joiner_notifies_nobody_again(deployment: Deployment, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    robot = configure_notify(deployment)
    deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    _, again = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    assert again["results"][0]["result"] == "noop" and "notified" not in again["results"][0]
    assert len(robot.messages(deployment.cloud)) == 1
    assert len(notify_records(JOINER)) == 1


def test_a_refused_notification_is_audited_and_the_joiner_still_succeeds(deployment: Deployment, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    robot = configure_notify(deployment, signing_secret="SEC-not-the-robots-key-0123456789")
    error, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    item = report["results"][0]
    assert error == "" and (item["ok"], item["result"], item["notified"]) == (True, "ok", False)
    assert robot.messages(deployment.cloud) == []
    assert joined_user(deployment.cloud)
    [record] = notify_records(JOINER)
    assert (record["result"], record["error_code"]) == ("failed", "310000")
    assert "sign not match" in json.loads(record["detail"])["message"]
    deployment.assert_clean(json.dumps(record), json.dumps(report))


def test_a_bad_notify_secret_is_audited_once_and_the_work_is_done(deployment: Deployment, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    configure_notify(deployment, value=json.dumps({"kind": "slack", "url": "https://example.com/x", "secret": ROBOT_SECRET}))
    _, joined = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    _, left = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-leaver-immediate.json"))
    for report in (joined, left):
        assert (report["results"][0]["ok"], report["results"][0]["notified"]) == (True, False)
    records = notify_records()
    assert [(r["correlation_id"], r["result"], r["error_code"]) for r in records] == [(JOINER, "failed", "ConfigError")]
    assert "kind must be one of dingtalk, feishu, generic" in json.loads(records[0]["detail"])["reason"]
    deployment.assert_clean(json.dumps(records))


def test_without_permission_to_read_the_notify_secret_the_joiner_still_succeeds(deployment: Deployment, configure_notify: ConfigureNotify, notify_records: NotifyRecords) -> None:
    robot = configure_notify(deployment, grant=False)
    _, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    assert (report["results"][0]["result"], report["results"][0]["notified"]) == ("ok", False)
    assert robot.messages(deployment.cloud) == []
    [record] = notify_records(JOINER)
    assert (record["result"], record["error_code"]) == ("failed", "PermissionDenied")
    assert "GetSecretValue" in json.loads(record["detail"])["reason"]


def test_without_a_notify_secret_name_nothing_is_notified_or_reported(deployment: Deployment, notify_records: NotifyRecords) -> None:
    _, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    assert report["results"][0]["result"] == "ok" and "notified" not in report["results"][0]
    assert notify_records() == []
