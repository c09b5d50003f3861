"""Handlers for process-isolated functions (``isolation="process"``): they make real cloud calls
with the role's credentials (official RAM SDK), report their pid, print, sleep and crash."""

import json
import os
import sys
import time
from typing import Any

from alibabacloud_ram20150501 import models
from alibabacloud_ram20150501.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config


def _ram() -> Client:
    return Client(
        Config(
            access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
            access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
            security_token=os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"],
            endpoint=os.environ["LOCALCLOUD_ENDPOINT"],
            protocol="http",
            region_id=os.environ["FC_REGION"],
        )
    )


def create_users(event: bytes, context: Any) -> Any:
    """Creates each user named in the event, in order; idempotent (an existing user is kept)."""
    ram = _ram()
    created = []
    for name in json.loads(event)["users"]:
        try:
            ram.create_user(models.CreateUserRequest(user_name=name))
            created.append(name)
        except ClientException as exc:
            if exc.code != "EntityAlreadyExists.User":
                raise
    return json.dumps({"created": created, "function": context.function.name, "pid": os.getpid()})


def pid(event: bytes, context: Any) -> Any:
    return json.dumps({"pid": os.getpid(), "instance": os.environ.get("FC_INSTANCE_ID")})


def noisy(event: bytes, context: Any) -> Any:
    print("to stdout, not the pipe {\"body\": \"forged\"}")
    sys.stdout.write("no newline at the end")
    os.write(1, b"straight to fd 1\n")
    print("to stderr", file=sys.stderr)
    return "clean answer"


def sleepy(event: bytes, context: Any) -> Any:
    time.sleep(float(event or b"5"))
    return json.dumps({"woke": True, "pid": os.getpid()})


def vanish(event: bytes, context: Any) -> Any:
    os._exit(3)


def portrait(event: bytes, context: Any) -> Any:
    """What a handler sees: event, context and environment (per-call values reduced to their shape)."""
    if event == b"fail":
        raise ValueError("asked to fail")
    function = context.function
    credentials = getattr(context, "credentials", None)
    env = {name: os.environ.get(name) for name in sorted(os.environ) if name.startswith(("FC_", "LOCALCLOUD_", "GREETING"))}
    env.pop("FC_INSTANCE_ID", None)
    return json.dumps(
        {
            "event": event.decode(),
            "event_type": type(event).__name__,
            "request_id_is_set": bool(context.request_id),
            "region": context.region,
            "account_id": context.account_id,
            "function": [function.name, function.handler, function.memory, function.timeout, function.qualifier],
            "service": getattr(getattr(context, "service", None), "name", None),
            "logger": context.logger is not None,
            "context_key_is_env_key": credentials is not None
            and credentials.access_key_id == os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
            and credentials.security_token == os.environ.get("ALIBABA_CLOUD_SECURITY_TOKEN"),
            "sts_key": os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID", "").startswith("STS."),
            "env": env,
        },
        sort_keys=True,
    )
