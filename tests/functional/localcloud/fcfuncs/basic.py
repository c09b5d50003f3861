"""Event handlers with FC's signature ``handler(event, context)``."""

import json
import logging
import os
import time


def echo(event, context):
    return event


def text(event, context):
    return "héllo"


def as_dict(event, context):
    return {"ok": True, "n": 1}


def fail(event, context):
    raise ValueError("something is wrong")


def describe(event, context):
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


def environment(event, context):
    wanted = json.loads(event) if event else []
    return json.dumps({name: os.environ.get(name) for name in wanted})


def env_value(event, context):
    time.sleep(0.05)  # overlap concurrent invocations
    return os.environ.get("WHO", "")


def logs(event, context):
    print("printed line")
    logging.getLogger().info("logged line")
    return "done"


def slow(event, context):
    time.sleep(1.3)
    return "late"


def leaky(event, context):
    os.environ["LEAKED_BY_HANDLER"] = "1"
    return "set"
