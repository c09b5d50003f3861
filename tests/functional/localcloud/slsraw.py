"""SLS requests the SDK's public methods never send: deflate bodies, garbage, tampered headers.

Two levels, both on the SDK's own code: :func:`send` goes through ``LogClient._send`` (the
SDK signs and sends, so only the body and headers we chose are unusual) and :func:`tampered`
signs with the SDK's ``AuthV1`` and then changes one thing before sending with ``requests``.
Also the shared fixtures' helpers: a protobuf LogGroup builder, an index configuration and an
indexed logstore.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from aliyun.log.auth import AuthV1
from aliyun.log.credentials import StaticCredentialsProvider
from aliyun.log.log_logs_pb2 import LogGroup

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from localcloud.sls.models.query import DELIMITERS


def log_group(logs: Sequence[tuple[int, Sequence[tuple[str, str]]]], topic: str = "", source: str = "src") -> bytes:
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


def index_config(text_keys: Sequence[str] = (), long_keys: Sequence[str] = ()) -> Any:
    """An ``aliyun.log.IndexConfig`` with a full-text index and these field indexes, all with the
    default delimiters: SLS searches a logstore only through its index."""
    from aliyun.log import IndexConfig, IndexKeyConfig, IndexLineConfig

    tokens = sorted(DELIMITERS)
    keys = {name: IndexKeyConfig(token_list=tokens) for name in text_keys}
    keys.update({name: IndexKeyConfig(index_type="long") for name in long_keys})
    return IndexConfig(line_config=IndexLineConfig(token_list=tokens), key_config_list=keys)


def one_log_group() -> bytes:
    return log_group([(int(time.time()), [("k", "v")])])


def send(client: Any, method: str, project: str, resource: str, body: bytes, headers: dict[str, str],
         params: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """Through the SDK's own signing and sending path; raises ``LogException`` like any SDK call."""
    result: tuple[Any, dict[str, str]] = client._send(method, project, body, resource, params or {}, dict(headers))
    return result


def tampered(
    cloud: LocalCloud, ak: str, sk: str, method: str, project: str, resource: str, body: bytes = b"",
    headers: dict[str, str] | None = None, change: Callable[[dict[str, str]], None] | None = None,
    send_body: bytes | None = None,
) -> requests.Response:
    """Sign like the SDK does (``AuthV1``), let ``change`` alter the signed headers, then send
    ``send_body`` (default: the signed body)."""
    signed = {"x-log-bodyrawsize": str(len(body)), "x-log-apiversion": "0.6.0",
              "Host": f"{project}.{cloud.host}", "Content-Length": str(len(body)), **(headers or {})}
    AuthV1(StaticCredentialsProvider(ak, sk, "")).sign_request(method, resource, {}, signed, body)
    if change is not None:
        change(signed)
    return requests.request(method, f"http://{cloud.host}:{cloud.port}{resource}", data=body if send_body is None else send_body, headers=signed,
                            timeout=10)


def indexed_logstore(cloud: LocalCloud, project: str, store: str, text_keys: Sequence[str] = (),
                     long_keys: Sequence[str] = ()) -> Any:
    """A root ``LogClient`` on ``cloud`` with ``project``/``store`` created and indexed
    (``index_config(text_keys, long_keys)``), ready for PutLogs and GetLogs."""
    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
    client.create_project(project, "")
    client.create_logstore(project, store)
    client.create_index(project, store, index_config(text_keys, long_keys))
    return client
