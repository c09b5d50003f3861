"""Synchronously invokes another function (named in the event) with its own role's credentials."""

import os
from typing import Any

from alibabacloud_fc20230330 import models
from alibabacloud_fc20230330.client import Client
from alibabacloud_tea_openapi.models import Config


def handler(event: bytes, context: Any) -> Any:
    fc = Client(
        Config(
            access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
            access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
            security_token=os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"],
            endpoint=os.environ["LOCALCLOUD_ENDPOINT"],
            protocol="http",
            region_id=os.environ["FC_REGION"],
        )
    )
    inner = fc.invoke_function(event.decode(), models.InvokeFunctionRequest(body=b"from outer"))
    return b"outer saw: " + inner.body.read() + b" / env still " + os.environ["WHO"].encode()
