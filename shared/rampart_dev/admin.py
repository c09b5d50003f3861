"""A running localcloud as a deployment target: its endpoint and root key (``Target``), and its
loopback admin routes (``/_localcloud/...``, JSON in and out) that register functions, drain
async work and read tasks (``Admin``). The root key is read from the loopback ``info`` route,
never from the environment, so real credentials are never sent to localcloud."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rampart.config import ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_CATALOG, ENV_ENDPOINT, ENV_REGION, Settings
from rampart.errors import ConfigError
from rampart.secret import Secret

__all__ = ["Admin", "Target"]


@dataclass(frozen=True, slots=True)
class Target:
    """A running localcloud and its root key."""

    endpoint: str
    region: str
    account_id: str
    access_key_id: str
    access_key_secret: Secret

    def settings(self, catalog: Path | None = None) -> Settings:
        env = {ENV_ACCESS_KEY_ID: self.access_key_id, ENV_ACCESS_KEY_SECRET: self.access_key_secret.reveal(),
               ENV_REGION: self.region, ENV_ENDPOINT: self.endpoint}
        if catalog is not None:
            env[ENV_CATALOG] = str(catalog)
        return Settings.from_env(env)



class Admin:
    """localcloud's loopback admin routes (``/_localcloud/...``), JSON in and out."""

    def __init__(self, endpoint: str, *, timeout: float = 30.0) -> None:
        if "://" in endpoint or ":" not in endpoint:
            raise ConfigError(f"the localcloud endpoint must be host:port, not {endpoint[:60]!r}")
        self.endpoint = endpoint
        self._timeout = timeout

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None, *,
             timeout: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"http://{self.endpoint}/_localcloud{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self._timeout) as answer:  # noqa: S310 - http://host:port built here
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise ConfigError(f"localcloud {method} {path} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ConfigError(f"localcloud at {self.endpoint} cannot be reached: {exc}",
                              hint="start it with: PYTHONPATH=shared python -m localcloud serve") from None

    def target(self) -> Target:
        info = self.call("GET", "/info")
        return Target(str(info["endpoint"]), str(info["region"]), str(info["account_id"]),
                      str(info["access_key_id"]), Secret(str(info["access_key_secret"])))

    def register(self, spec: Mapping[str, Any]) -> None:
        self.call("POST", "/functions", spec)

    def drain(self, timeout: float = 60.0) -> None:
        self.call("POST", "/functions/drain", {"timeout": timeout}, timeout=timeout + 10)

    def tasks(self, function: str | None = None) -> list[dict[str, Any]]:
        query = f"?function={function}" if function else ""
        tasks: list[dict[str, Any]] = self.call("GET", f"/functions/tasks{query}")["tasks"]
        return tasks
