"""Event handlers with FC's signature ``handler(event, context)``."""

import json
import logging
import os
import time
from typing import Any


def echo(event: bytes, context: Any) -> Any:
    return event


def text(event: bytes, context: Any) -> Any:
    return "héllo"


def as_dict(event: bytes, context: Any) -> Any:
    return {"ok": True, "n": 1}


def fail(event: bytes, context: Any) -> Any:
    raise ValueError("something is wrong")


def describe(event: bytes, context: Any) -> Any:
    function = context.function
    return json.dumps(
        {
            "event_type": type(event).__name__,
            "request_id": context.request_id,
            "region": context.region,
            "account_id": context.account_id,
            "function": {
                "name": function.name,
                "handler": function.handler,
                "memory": function.memory,
                "timeout": function.timeout,
            },
            "has_credentials": hasattr(context, "credentials"),
            "has_service": hasattr(context, "service"),
            "service_name": context.service.name if hasattr(context, "service") else None,
            "logger": context.logger is not None,
        }
    )


def environment(event: bytes, context: Any) -> Any:
    wanted = json.loads(event) if event else []
    return json.dumps({name: os.environ.get(name) for name in wanted})


def env_value(event: bytes, context: Any) -> Any:
    time.sleep(0.05)  # overlap concurrent invocations
    return os.environ.get("WHO", "")


def logs(event: bytes, context: Any) -> Any:
    print("printed line")
    logging.getLogger().info("logged line")
    return "done"


def slow(event: bytes, context: Any) -> Any:
    time.sleep(1.3)
    return "late"


def leaky(event: bytes, context: Any) -> Any:
    os.environ["LEAKED_BY_HANDLER"] = "1"
    return "set"
