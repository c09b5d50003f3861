"""Calls RAM with the function's own credentials (the ALIBABA_CLOUD_* variables FC injects)."""

import json
import os
from typing import Any

from alibabacloud_ram20150501 import models
from alibabacloud_ram20150501.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config


def _client() -> Client:
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


def handler(event: bytes, context: Any) -> Any:
    ram = _client()
    results = {}
    calls = {
        "ListUsers": lambda: ram.list_users(models.ListUsersRequest()),
        "GetUser": lambda: ram.get_user(models.GetUserRequest(user_name="alice")),
        "CreateUser": lambda: ram.create_user(models.CreateUserRequest(user_name="mallory")),
    }
    for operation in json.loads(event):
        try:
            calls[operation]()
            results[operation] = "ok"
        except ClientException as exc:
            results[operation] = exc.code
    results["context_key_matches_env"] = (
        context.credentials.access_key_id == os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"]
        and context.credentials.security_token == os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"]
    )
    return json.dumps(results)
