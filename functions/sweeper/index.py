"""The sweeper (timer trigger): expired time-bound grants, grace-period deletions and key
rotation for every rampart user, then the drift report to SLS; a JSON summary
(``rampart.engine.sweep``)."""

from __future__ import annotations

import json
from typing import Any

from rampart.engine import sweep
from rampart.fc.runtime import Instance

INSTANCE = Instance()
"""Set up once per FC instance (settings, catalog, SDK clients)."""


def handler(event: bytes, context: Any) -> str:
    with INSTANCE.invocation(context):
        timer = sweep.parse_timer(event)
        session = INSTANCE.session(context)
        summary = sweep.run_sweep(timer, session.engine, session.adapters.identities, session.catalog,
                                  session.sink, INSTANCE.now)
        return json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
