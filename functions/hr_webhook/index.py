"""HR webhooks (HTTP trigger): generic, Feishu/Lark, BambooHR and DingTalk, verified on the raw
body and handed off to the lifecycle function (``rampart.fc.receiver``)."""

from __future__ import annotations

from typing import Any

from rampart.fc.receiver import HR_ROUTES, receive
from rampart.fc.runtime import Instance

INSTANCE = Instance()
"""Set up once per FC instance (settings, catalog, the sources' KMS secrets)."""


def handler(event: bytes, context: Any) -> dict[str, Any]:
    return receive(event, context, INSTANCE, HR_ROUTES)
