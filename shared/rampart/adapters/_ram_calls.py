"""What every RAM adapter class shares: the SDK request models (imported when first used),
one retried call per action, and the parsing of RAM's answers (alibaba-platform.md §F.8)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rampart.adapters.attachments import Grants
from rampart.adapters.clients import Clients
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call

MAX_TAGS_PER_CALL = 20
"""IMS TagResources / UntagResources: Tag.N and TagKey.N, N = 1..20 (§A.8)."""
RAM_PAGE_SIZE = 1000


def parse_time(text: str | None) -> datetime:
    """RAM dates: ``YYYY-MM-DDThh:mm:ssZ`` (UTC)."""
    if not text:
        return datetime.min.replace(tzinfo=timezone.utc)
    value = text[:-1] + "+00:00" if text.endswith("Z") else text
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def same_document(a: str, b: str) -> bool:
    """Two policy documents say the same (RAM may re-indent what it stores)."""
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return a.strip() == b.strip()


def _ram_models() -> Any:
    from alibabacloud_ram20150501 import models

    return models


def _rm_models() -> Any:
    from alibabacloud_resourcemanager20200331 import models

    return models


def _ims_models() -> Any:
    from alibabacloud_ims20190815 import models

    return models


def _items(container: Any, name: str) -> list[Any]:
    """A wrapped list (``{"Users": {"User": [...]}}``) or [] when absent (§F.8)."""
    inner = getattr(container, name, None) if container is not None else None
    return list(inner or [])


class RamCalls:
    """The clients, the retry policy and one call per action; the default domain and the caller
    are read once per adapter."""


    def __init__(self, clients: Clients, *, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self._clients = clients
        self._policy = policy
        self._domain: str | None = None
        self._caller: str | None = None
        self._grants = Grants(clients, policy, self.principal_name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._clients!r})"

    def _call(self, service: str, action: str, fn: Callable[[], Any]) -> Any:
        return call(service, action, fn, policy=self._policy)

    def _ram(self, action: str, method: str, request: Any = None) -> Any:
        client = self._clients.ram()
        bound = getattr(client, method)
        return self._call("ram", action, (lambda: bound(request)) if request is not None else bound)

    def _ims(self, action: str, method: str, request: Any = None) -> Any:
        client = self._clients.ims()
        bound = getattr(client, method)
        return self._call("ims", action, (lambda: bound(request)) if request is not None else bound)

    def _rm(self, action: str, method: str, request: Any) -> Any:
        client = self._clients.resource_manager()
        bound = getattr(client, method)
        return self._call("resourcemanager", action, lambda: bound(request))

    def default_domain(self) -> str:
        if self._domain is None:
            self._domain = str(self._ims("GetDefaultDomain", "get_default_domain").body.default_domain_name)
        return self._domain

    def principal_name(self, user_name: str) -> str:
        """The logon principal ``<user>@<default domain>`` (ResourceManager's PrincipalName)."""
        return f"{user_name}@{self.default_domain()}"
