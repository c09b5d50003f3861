"""The types of this directory's fixtures (tests/functional/localcloud/conftest.py), for annotations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

import requests

from localcloud import LocalCloud


class Admin(Protocol):
    """localcloud's admin routes over plain HTTP: ``(status, JSON answer)`` of ``method`` on
    ``/_localcloud{path}``."""

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]: ...


class MakeUser(Protocol):
    """tests/conftest.py's ``make_user``: a RAM user with these system policies attached; its
    ``(AccessKey id, AccessKey secret)``."""

    def __call__(self, name: str, *system_policies: str) -> tuple[str, str]: ...


class RawPop(Protocol):
    """Hand-built POP requests for what the SDK never sends (stale dates, replayed nonces)."""

    def signed_headers(
        self, endpoint: str, action: str, version: str, query: dict[str, str], ak: str, secret: str, *,
        when: datetime | None = None, nonce: str | None = None,
    ) -> dict[str, str]: ...

    def post(self, endpoint: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]: ...


class SlsRaw(Protocol):
    """SLS requests the SDK's public methods never send, and the builders SLS tests share."""

    def log_group(self, logs: Sequence[tuple[int, Sequence[tuple[str, str]]]], topic: str = "",
                  source: str = "src") -> bytes: ...

    def one_log_group(self) -> bytes: ...

    def index_config(self, text_keys: Sequence[str] = (), long_keys: Sequence[str] = ()) -> Any: ...

    def send(self, client: Any, method: str, project: str, resource: str, body: bytes, headers: dict[str, str],
             params: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]: ...

    def tampered(
        self, ak: str, sk: str, method: str, project: str, resource: str, body: bytes = b"",
        headers: dict[str, str] | None = None, change: Callable[[dict[str, str]], object] | None = None,
        send_body: bytes | None = None,
    ) -> requests.Response: ...

    def indexed_logstore(self, project: str, store: str, text_keys: Sequence[str] = (),
                         long_keys: Sequence[str] = ()) -> Any: ...


class OtsRaw(Protocol):
    """Tablestore SDK clients, custom RAM grants and raw signed requests, on one localcloud."""

    @property
    def instance(self) -> str: ...

    def on(self, cloud: LocalCloud) -> OtsRaw: ...

    def client(self, ak: str | None = None, sk: str | None = None, token: str | None = None,
               **options: Any) -> Any: ...

    def grant(self, ram: Any, user: str, actions: list[str], resources: list[str]) -> None: ...

    def table_arn(self, table: str, instance: str | None = None) -> str: ...

    def raw(
        self, api: str, body: bytes, *, secret: str | None = None, instance: str | None = None,
        date: str | None = None, method: str = "POST", tamper: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]: ...

    def error_of(self, body: bytes) -> tuple[str, str]: ...
