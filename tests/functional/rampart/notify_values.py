"""The values of notifications in the functional tests (declarations only): the robot localcloud
registers (its token and signing key), the notify secret's name in KMS, and each kind's URL."""

from __future__ import annotations

NOTIFY_SECRET = "rampart-notify/chat"  # a KMS secret's name
ROBOT_TOKEN = "d3b07384d113edec49eaa6238ad5ff00c86e0a8f2b3c"  # localcloud's robot token
ROBOT_SECRET = "SECf1d2d2f924e986ac86fdf7b36c94bcdf32beec15"  # localcloud's robot signing key
NOTIFY_READ = "kms:GetSecretValue"
"""The worker policy's one action on the notification secret."""
URL_PATH = {"dingtalk": "/robot/send?access_token={token}", "feishu": "/open-apis/bot/v2/hook/{token}",
            "generic": "/webhooks/{token}"}
LOCALCLOUD_KIND = {"dingtalk": "dingtalk", "feishu": "feishu", "generic": "webhook"}
