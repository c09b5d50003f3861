"""The lifecycle function (async invocations and EventBridge / MNS triggers): every event of
the invocation through the engine; a JSON report per item; raises only when every item failed,
so FC retries (``rampart.fc.lifecycle``); after a joiner or leaver, the configured robot or
webhook is told (``rampart.notify``)."""

from __future__ import annotations

from typing import Any

from rampart.fc import lifecycle
from rampart.fc.runtime import Instance

INSTANCE = Instance()
"""Set up once per FC instance (settings, catalog, SDK clients)."""


def handler(event: bytes, context: Any) -> str:
    with INSTANCE.invocation(context):
        report = lifecycle.run_batch(event, lambda: INSTANCE.session(context).engine,
                                     lambda item, result: INSTANCE.session(context).notify(item, result))
        return lifecycle.respond(report)
