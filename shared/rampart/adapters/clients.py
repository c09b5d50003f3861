"""The official SDK clients, built lazily from ``Settings`` and shared per process.

Each SDK is imported the first time its client is needed (cold start is measured: the tea
base alone costs about 190 ms, wire-protocol.md §5), and each client is built once per
process and settings: tea clients are safe to share between threads (wire-protocol.md §4),
and a warm Function Compute instance reuses them across invocations.

Endpoints (alibaba-platform.md §0): with ``RAMPART_ENDPOINT`` set every service is that one
``host:port`` over plain HTTP (localcloud); otherwise the real ones over HTTPS:
RAM ``ram.aliyuncs.com``, IMS ``ims.aliyuncs.com``, ResourceManager
``resourcemanager.aliyuncs.com``, KMS ``kms.<region>.aliyuncs.com``, STS
``sts.<region>.aliyuncs.com``, FC 3.0 ``fcv3.<region>.aliyuncs.com`` and FC 2.0
``<account id>.<region>.fc.aliyuncs.com`` (the 2.0 SDK only has an ``account-id`` placeholder).

The AccessKey secret is revealed only into the tea ``Config``; nothing here renders it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from enum import Enum
from typing import Any

from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call
from rampart.config import Settings


class Service(Enum):
    RAM = "ram"
    IMS = "ims"
    KMS = "kms"
    RESOURCE_MANAGER = "resourcemanager"
    STS = "sts"
    FC3 = "fc3"
    FC2 = "fc2"


def real_endpoint(service: Service, region: str, account_id: str | None = None) -> str:
    """The public endpoint of ``service`` (alibaba-platform.md §0)."""
    if service is Service.RAM:
        return "ram.aliyuncs.com"
    if service is Service.IMS:
        return "ims.aliyuncs.com"
    if service is Service.RESOURCE_MANAGER:
        return "resourcemanager.aliyuncs.com"
    if service is Service.KMS:
        return f"kms.{region}.aliyuncs.com"
    if service is Service.STS:
        return f"sts.{region}.aliyuncs.com"
    if service is Service.FC3:
        return f"fcv3.{region}.aliyuncs.com"
    if not account_id:
        raise ValueError("the FC 2.0 endpoint needs the account id")
    return f"{account_id}.{region}.fc.aliyuncs.com"


def _client_class(service: Service) -> Any:
    """Imports the SDK of ``service`` (only now: cold start)."""
    if service is Service.RAM:
        from alibabacloud_ram20150501.client import Client as Ram

        return Ram
    if service is Service.IMS:
        from alibabacloud_ims20190815.client import Client as Ims

        return Ims
    if service is Service.KMS:
        from alibabacloud_kms20160120.client import Client as Kms

        return Kms
    if service is Service.RESOURCE_MANAGER:
        from alibabacloud_resourcemanager20200331.client import Client as ResourceManager

        return ResourceManager
    if service is Service.STS:
        from alibabacloud_sts20150401.client import Client as Sts

        return Sts
    if service is Service.FC3:
        from alibabacloud_fc20230330.client import Client as Fc3

        return Fc3
    from alibabacloud_fc_open20210406.client import Client as Fc2

    return Fc2


class Clients:
    """One SDK client per service, built on first use; thread-safe.

    ``account_id`` may be given (FC's ``FC_ACCOUNT_ID``, a CLI flag); otherwise it is read once
    with STS GetCallerIdentity when something needs it (ResourceManager's account scope, the
    FC 2.0 endpoint).
    """

    def __init__(self, settings: Settings, *, account_id: str | None = None, policy: RetryPolicy = DEFAULT_POLICY):
        self.settings = settings
        self._account_id = account_id
        self._policy = policy
        self._lock = threading.Lock()
        self._clients: dict[Service, Any] = {}

    def __repr__(self) -> str:
        where = self.settings.endpoint or "public endpoints"
        return f"Clients(access_key_id={self.settings.access_key_id!r}, region={self.settings.region!r}, endpoint={where!r})"

    def config(self, service: Service) -> Any:
        """A tea ``Config`` for ``service``: the only place the AccessKey secret is revealed."""
        from alibabacloud_tea_openapi.models import Config

        s = self.settings
        if s.endpoint is not None:
            endpoint, protocol = s.endpoint, "http"
        else:
            account = self.account_id() if service is Service.FC2 else None
            endpoint, protocol = real_endpoint(service, s.region, account), "https"
        return Config(
            access_key_id=s.access_key_id,
            access_key_secret=s.access_key_secret.reveal(),
            security_token=s.security_token.reveal() if s.security_token is not None else None,
            endpoint=endpoint,
            protocol=protocol,
            region_id=s.region,
        )

    def get(self, service: Service) -> Any:
        client = self._clients.get(service)
        if client is not None:
            return client
        config = self.config(service)  # outside the lock: FC 2.0 may call STS first
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                client = _client_class(service)(config)
                self._clients[service] = client
            return client

    def ram(self) -> Any:
        return self.get(Service.RAM)

    def ims(self) -> Any:
        return self.get(Service.IMS)

    def kms(self) -> Any:
        return self.get(Service.KMS)

    def resource_manager(self) -> Any:
        return self.get(Service.RESOURCE_MANAGER)

    def sts(self) -> Any:
        return self.get(Service.STS)

    def fc3(self) -> Any:
        return self.get(Service.FC3)

    def fc2(self) -> Any:
        return self.get(Service.FC2)

    def account_id(self) -> str:
        """The account's id (given, or STS GetCallerIdentity once per process)."""
        if self._account_id is None:
            sts = self.sts()
            response = call("sts", "GetCallerIdentity", sts.get_caller_identity, policy=self._policy)
            self._account_id = str(response.body.account_id)
        return self._account_id


_CACHE_SIZE = 16
_cache: OrderedDict[Settings, Clients] = OrderedDict()
_cache_lock = threading.Lock()


def clients_for(settings: Settings, *, account_id: str | None = None) -> Clients:
    """The process's ``Clients`` for these settings (a new set when the credentials change,
    e.g. when Function Compute hands a warm instance fresh STS credentials)."""
    with _cache_lock:
        found = _cache.get(settings)
        if found is not None:
            _cache.move_to_end(settings)
            if account_id is not None and found._account_id is None:
                found._account_id = account_id
            return found
        made = Clients(settings, account_id=account_id)
        _cache[settings] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return made
