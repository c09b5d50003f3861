"""Tablestore test helpers: SDK clients, custom RAM grants, and raw signed requests for bad input.

Raw requests are signed with localcloud's own recipe (tablestore.md §1.4), so a test can send
bytes the SDK would never build (a bad PlainBuffer checksum, a malformed protobuf) and still get
past authentication.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from datetime import datetime, timezone
from typing import Any

from tablestore.protobuf import table_store_pb2 as pb
from tablestore.retry import NoRetryPolicy

from localcloud.app import LocalCloud
from localcloud.tablestore import signing
from localcloud.tablestore.client import ots_client

INSTANCE = "inst1"


def client(cloud: LocalCloud, ak: str | None = None, sk: str | None = None, token: str | None = None, **options: Any) -> Any:
    """An OTSClient that does not retry unless asked (tests see every answer)."""
    options.setdefault("retry_policy", NoRetryPolicy())
    return ots_client(cloud, INSTANCE, ak, sk, token, **options)


def grant(ram: Any, user: str, actions: list[str], resources: list[str]) -> None:
    from alibabacloud_ram20150501 import models

    name = f"ots-{user}-{len(actions)}-{abs(hash(tuple(actions + resources))) % 10**6}"
    document = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}
    ram.create_policy(models.CreatePolicyRequest(policy_name=name, policy_document=json.dumps(document)))
    ram.attach_policy_to_user(models.AttachPolicyToUserRequest(policy_type="Custom", policy_name=name, user_name=user))


def table_arn(cloud: LocalCloud, table: str, instance: str = INSTANCE) -> str:
    account = cloud.account
    return f"acs:ots:{account.region}:{account.account_id}:instance/{instance.lower()}/table/{table}"


def raw(
    cloud: LocalCloud, api: str, body: bytes, *, secret: str | None = None, instance: str = INSTANCE,
    date: str | None = None, method: str = "POST", tamper: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Send one signed request; ``tamper`` overrides headers after signing."""
    account = cloud.account
    headers = {
        "x-ots-date": date or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "x-ots-apiversion": "2015-12-31",
        "x-ots-accesskeyid": account.root_access_key_id,
        "x-ots-instancename": instance,
        "x-ots-contentmd5": base64.b64encode(hashlib.md5(body).digest()).decode(),  # noqa: S324
    }
    headers["x-ots-signature"] = signing.v2_signature(secret or account.root_access_key_secret, api, headers)
    headers.update(tamper or {})
    connection = http.client.HTTPConnection(cloud.host, cloud.port, timeout=10)
    try:
        connection.request(method, "/" + api, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def error_of(body: bytes) -> tuple[str, str]:
    error = pb.Error()
    error.ParseFromString(body)
    return error.code, error.message
