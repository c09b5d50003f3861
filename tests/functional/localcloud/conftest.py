"""Fixtures for localcloud's own tests: its admin routes over plain HTTP, and requests the SDKs
never build (so bad input reaches localcloud), each signed with the SDK's own routine or, for
Tablestore, localcloud's recipe (tablestore.md §1.4), so only the chosen field is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_tea_openapi.utils import Utils
from aliyun.log.auth import AuthV1
from aliyun.log.credentials import StaticCredentialsProvider
from aliyun.log.log_logs_pb2 import LogGroup  # type: ignore[attr-defined]  # generated protobuf
from tablestore.protobuf import table_store_pb2 as pb
from tablestore.retry import NoRetryPolicy

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from localcloud.sls.models.query import DELIMITERS
from localcloud.tablestore import signing
from localcloud.tablestore.client import ots_client
from tests.functional.localcloud.types import Admin, OtsRaw, RawPop, SlsRaw


@pytest.fixture
def admin(cloud: LocalCloud) -> Admin:
    """``(status, JSON answer)`` of a method on ``/_localcloud{path}`` (loopback only)."""

    def call(method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = requests.request(method, f"http://{cloud.endpoint}/_localcloud{path}", json=body, timeout=30)
        return response.status_code, response.json()

    return call


class _RawPop:
    """Signed with the SDK's own ACS3 routine (``alibabacloud_tea_openapi.utils.Utils.get_authorization``)."""

    def signed_headers(
        self, endpoint: str, action: str, version: str, query: dict[str, str], ak: str, secret: str, *,
        when: datetime | None = None, nonce: str | None = None,
    ) -> dict[str, str]:
        stamp = (when or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "host": endpoint,
            "x-acs-version": version,
            "x-acs-action": action,
            "user-agent": "rampart-tests",
            "x-acs-date": stamp,
            "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
            "accept": "application/json",
            "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        }
        request = SimpleNamespace(pathname="/", query=query, headers=headers, method="POST")
        headers["Authorization"] = Utils.get_authorization(
            request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], ak, secret
        )
        return headers

    def post(self, endpoint: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        response = requests.post(f"http://{endpoint}/?{urlencode(query)}", headers=headers, timeout=10)
        return response.status_code, response.json()


@pytest.fixture
def raw_pop() -> RawPop:
    """Hand-built POP requests for the hostile cases the SDK never sends (stale dates, replayed
    nonces, missing signatures)."""
    return _RawPop()


@dataclass(frozen=True)
class _SlsRaw:
    """Two levels, both on the SDK's own code: :meth:`send` goes through ``LogClient._send`` (the
    SDK signs and sends, so only the body and headers chosen are unusual) and :meth:`tampered` signs
    with the SDK's ``AuthV1`` and then changes one thing before sending with ``requests``."""

    cloud: LocalCloud

    def log_group(self, logs: Sequence[tuple[int, Sequence[tuple[str, str]]]], topic: str = "",
                  source: str = "src") -> bytes:
        group = LogGroup()
        group.Topic = topic
        group.Source = source
        for stamp, contents in logs:
            log = group.Logs.add()
            log.Time = stamp
            for key, value in contents:
                content = log.Contents.add()
                content.Key = key
                content.Value = value
        return bytes(group.SerializeToString())

    def one_log_group(self) -> bytes:
        return self.log_group([(int(time.time()), [("k", "v")])])

    def index_config(self, text_keys: Sequence[str] = (), long_keys: Sequence[str] = ()) -> Any:
        """An ``aliyun.log.IndexConfig`` with a full-text index and these field indexes, all with the
        default delimiters: SLS searches a logstore only through its index."""
        from aliyun.log import IndexConfig, IndexKeyConfig, IndexLineConfig

        tokens = sorted(DELIMITERS)
        keys = {name: IndexKeyConfig(token_list=tokens) for name in text_keys}
        keys.update({name: IndexKeyConfig(index_type="long") for name in long_keys})
        return IndexConfig(line_config=IndexLineConfig(token_list=tokens), key_config_list=keys)

    def send(self, client: Any, method: str, project: str, resource: str, body: bytes, headers: dict[str, str],
             params: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        """Through the SDK's own signing and sending path; raises ``LogException`` like any SDK call."""
        result: tuple[Any, dict[str, str]] = client._send(method, project, body, resource, params or {},
                                                          dict(headers))
        return result

    def tampered(
        self, ak: str, sk: str, method: str, project: str, resource: str, body: bytes = b"",
        headers: dict[str, str] | None = None, change: Callable[[dict[str, str]], object] | None = None,
        send_body: bytes | None = None,
    ) -> requests.Response:
        """Sign like the SDK does (``AuthV1``), let ``change`` alter the signed headers, then send
        ``send_body`` (default: the signed body)."""
        cloud = self.cloud
        signed = {"x-log-bodyrawsize": str(len(body)), "x-log-apiversion": "0.6.0",
                  "Host": f"{project}.{cloud.host}", "Content-Length": str(len(body)), **(headers or {})}
        signer = AuthV1(StaticCredentialsProvider(ak, sk, ""))  # type: ignore[no-untyped-call]
        signer.sign_request(method, resource, {}, signed, body)  # type: ignore[no-untyped-call]
        if change is not None:
            change(signed)
        return requests.request(method, f"http://{cloud.host}:{cloud.port}{resource}",
                                data=body if send_body is None else send_body, headers=signed, timeout=10)

    def indexed_logstore(self, project: str, store: str, text_keys: Sequence[str] = (),
                         long_keys: Sequence[str] = ()) -> Any:
        """A root ``LogClient`` with ``project``/``store`` created and indexed
        (``index_config(text_keys, long_keys)``), ready for PutLogs and GetLogs."""
        info = self.cloud.info()
        client = log_client(self.cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
        client.create_project(project, "")
        client.create_logstore(project, store)
        client.create_index(project, store, self.index_config(text_keys, long_keys))
        return client


@pytest.fixture
def sls_raw(cloud: LocalCloud) -> SlsRaw:
    """SLS requests the SDK's public methods never send (deflate bodies, garbage, tampered
    headers), a protobuf LogGroup builder, an index configuration and an indexed logstore."""
    return _SlsRaw(cloud)


@dataclass(frozen=True)
class _OtsRaw:
    cloud: LocalCloud
    instance: str = "inst1"

    def on(self, cloud: LocalCloud) -> OtsRaw:
        return replace(self, cloud=cloud)

    def client(self, ak: str | None = None, sk: str | None = None, token: str | None = None,
               **options: Any) -> Any:
        """An OTSClient that does not retry unless asked (tests see every answer)."""
        options.setdefault("retry_policy", NoRetryPolicy())
        return ots_client(self.cloud, self.instance, ak, sk, token, **options)

    def grant(self, ram: Any, user: str, actions: list[str], resources: list[str]) -> None:
        name = f"ots-{user}-{len(actions)}-{abs(hash(tuple(actions + resources))) % 10**6}"
        document = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}
        ram.create_policy(ram_models.CreatePolicyRequest(policy_name=name, policy_document=json.dumps(document)))
        ram.attach_policy_to_user(
            ram_models.AttachPolicyToUserRequest(policy_type="Custom", policy_name=name, user_name=user))

    def table_arn(self, table: str, instance: str | None = None) -> str:
        account = self.cloud.account
        return f"acs:ots:{account.region}:{account.account_id}:instance/{(instance or self.instance).lower()}/table/{table}"

    def raw(
        self, api: str, body: bytes, *, secret: str | None = None, instance: str | None = None,
        date: str | None = None, method: str = "POST", tamper: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one signed request; ``tamper`` overrides headers after signing."""
        cloud = self.cloud
        account = cloud.account
        headers = {
            "x-ots-date": date or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "x-ots-apiversion": "2015-12-31",
            "x-ots-accesskeyid": account.root_access_key_id,
            "x-ots-instancename": instance or self.instance,
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

    def error_of(self, body: bytes) -> tuple[str, str]:
        error = pb.Error()
        error.ParseFromString(body)
        return error.code, error.message


@pytest.fixture
def ots_raw(cloud: LocalCloud) -> OtsRaw:
    """Tablestore SDK clients on instance ``inst1``, custom RAM grants, and raw signed requests,
    so a test can send bytes the SDK would never build (a bad PlainBuffer checksum, a malformed
    protobuf) and still get past authentication."""
    return _OtsRaw(cloud)
