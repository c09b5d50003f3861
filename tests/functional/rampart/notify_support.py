"""Notifications on a localcloud deployment: a robot registered in localcloud, the KMS secret
that points the lifecycle function at it, and the permission to read that secret.

The worker policy of ``deploy/policies`` carries ``kms:GetSecretValue`` on
``acs:kms:*:*:secret/rampart-notify/*`` only (the notification secret's own prefix, README.md
"Notifications", deploy/README.md); :func:`revoke_notify_read` makes a version of it without
that statement the default, as an operator who trims it would, to show what then happens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.adapters.sls import SlsAuditSink
from rampart.audit import AuditAction
from rampart.config import ENV_NOTIFY_SECRET_NAME

from localcloud import LocalCloud
from tests.functional.rampart.adapter_support import settings_for
from tests.functional.rampart.functions_support import LIFECYCLE, POLICIES, REPO, WORKER_POLICY, WORKER_ROLE, Deployment

NOTIFY_SECRET = "rampart-notify/chat"  # a KMS secret's name
ROBOT_TOKEN = "d3b07384d113edec49eaa6238ad5ff00c86e0a8f2b3c"  # localcloud's robot token
ROBOT_SECRET = "SECf1d2d2f924e986ac86fdf7b36c94bcdf32beec15"  # localcloud's robot signing key
NOTIFY_READ = "kms:GetSecretValue"
"""The worker policy's one action on the notification secret."""
URL_PATH = {"dingtalk": "/robot/send?access_token={token}", "feishu": "/open-apis/bot/v2/hook/{token}",
            "generic": "/webhooks/{token}"}
LOCALCLOUD_KIND = {"dingtalk": "dingtalk", "feishu": "feishu", "generic": "webhook"}


@dataclass(frozen=True)
class Robot:
    kind: str
    token: str

    def messages(self, cloud: LocalCloud) -> list[dict[str, Any]]:
        return [m.to_json() for m in cloud.robots.messages(LOCALCLOUD_KIND[self.kind], self.token)]

    def texts(self, cloud: LocalCloud) -> list[str]:
        """What each delivered message says (markdown, text, or the generic document's text)."""
        out = []
        for message in self.messages(cloud):
            body = message["body"]
            if self.kind == "dingtalk":
                out.append(body["markdown"]["text"])
            elif self.kind == "feishu":
                out.append(body["content"]["text"])
            else:
                out.append(body["text"])
        return out


def revoke_notify_read(cloud: LocalCloud) -> None:
    """The worker policy's new default version: ``deploy/policies/rampart-worker.json`` without
    its ``kms:GetSecretValue`` statement (RAM CreatePolicyVersion, SetAsDefault)."""
    document = json.loads((POLICIES / f"{WORKER_POLICY}.json").read_text(encoding="utf-8"))
    kept = [s for s in document["Statement"] if NOTIFY_READ not in s["Action"]]
    assert len(kept) == len(document["Statement"]) - 1, "the worker policy has no notify statement"
    document["Statement"] = kept
    Ram(cloud.config()).create_policy_version(ram_models.CreatePolicyVersionRequest(
        policy_name=WORKER_POLICY, policy_document=json.dumps(document), set_as_default=True))


def configure(deployment: Deployment, kind: str = "dingtalk", *, signing_secret: str = ROBOT_SECRET,
              value: str | None = None, grant: bool = True) -> Robot:
    """A ``kind`` robot in localcloud, the notify secret (``value``, else pointing at the robot
    and signed with ``signing_secret``), and the lifecycle function re-registered with
    ``RAMPART_NOTIFY_SECRET_NAME`` (a fresh instance). ``grant=False``: the worker policy
    without its permission to read the secret (:func:`revoke_notify_read`)."""
    cloud = deployment.cloud
    cloud.robots.register(LOCALCLOUD_KIND[kind], ROBOT_TOKEN, ROBOT_SECRET)
    url = f"http://{cloud.endpoint}" + URL_PATH[kind].format(token=ROBOT_TOKEN)
    data = value if value is not None else json.dumps({"kind": kind, "url": url, "secret": signing_secret})
    Kms(cloud.config()).create_secret(kms_models.CreateSecretRequest(
        secret_name=NOTIFY_SECRET, secret_data=data, version_id="v1", secret_data_type="text"))
    if not grant:
        revoke_notify_read(cloud)
    deployment.secret_values |= {ROBOT_SECRET, ROBOT_TOKEN, signing_secret}
    env = {**deployment.env, ENV_NOTIFY_SECRET_NAME: NOTIFY_SECRET}
    cloud.functions.register(LIFECYCLE, "functions/lifecycle/index.handler", env=env, role=WORKER_ROLE, timeout=120,
                             code_root=REPO, async_config={"max_retries": 1})
    return Robot(kind, ROBOT_TOKEN)


def notify_records(cloud: LocalCloud, correlation_id: str | None = None) -> list[dict[str, str]]:
    sink = SlsAuditSink(settings_for(cloud))
    now = cloud.now()
    records = sink.by_action(AuditAction.NOTIFY.value, now - timedelta(hours=1), now + timedelta(seconds=5),
                             correlation_id=correlation_id or "", limit=100)
    return [dict(r.contents()) for r in records]
