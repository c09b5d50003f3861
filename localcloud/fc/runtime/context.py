"""The ``context`` a handler receives and the environment it runs in, per FC's runtime.

Context (alibaba-platform.md §D.3, https://help.aliyun.com/en/functioncompute/fc/context-1):
python3.9/3.10 carry ``request_id, credentials, function, service, region, account_id``;
python3.12 drops ``credentials`` and ``service`` (log project/store move to the top level,
qualifier and version id into ``function``) and has ``logger`` (None until ``getLogger()``).
localcloud also gives 3.9/3.10 contexts a ``logger`` (UNCONFIRMED on the real runtime).

Environment (§D.4, https://www.alibabacloud.com/help/en/functioncompute/fc/environment-variables):
``FC_*`` metadata, the role's STS credentials as ``ALIBABA_CLOUD_*``, and the function's own
variables. localcloud adds ``LOCALCLOUD_ENDPOINT`` (``host:port``) so code can point its SDK
clients at localcloud (a documented divergence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from localcloud.fc.functions import FunctionSpec

LOCALCLOUD_ENDPOINT = "LOCALCLOUD_ENDPOINT"
CUSTOM_LISTEN_PORT = "9000"  # what the Serverless Devs local runner injects (§D.4)


@dataclass(frozen=True, slots=True)
class RoleCredentials:
    access_key_id: str
    access_key_secret: str
    security_token: str


class Credentials:
    """``context.credentials`` (python3.9/3.10), as FC's runtime defines it."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token

    def __repr__(self) -> str:  # never render the secret
        return f"Credentials(access_key_id={self.access_key_id!r}, access_key_secret='***', security_token='***')"


class FunctionMeta:
    def __init__(self, name: str, handler: str, memory: int, timeout: int, qualifier: str | None = None) -> None:
        self.name = name
        self.handler = handler
        self.memory = memory
        self.timeout = timeout
        self.qualifier = qualifier or "LATEST"
        self.version_id = ""  # LATEST has no version id


class ServiceMeta:
    def __init__(self, name: str, qualifier: str | None = None) -> None:
        self.name = name
        self.log_project = ""
        self.log_store = ""
        self.qualifier = qualifier or "LATEST"
        self.version_id = ""


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who is being called, how: everything the context and environment are built from."""

    spec: FunctionSpec
    function_name: str
    """The name as the API version addressed it: ``fn`` in 2.0, ``svc$fn`` in 3.0."""
    api_version: str
    request_id: str
    region: str
    account_id: str
    qualifier: str | None
    credentials: RoleCredentials | None
    instance_id: str
    code_path: str


class Context:
    """The python3.12 context: no credentials, no service; ``logger`` after ``getLogger()``."""

    def __init__(self, invocation: Invocation) -> None:
        spec = invocation.spec
        self.request_id = invocation.request_id
        self.region = invocation.region
        self.account_id = invocation.account_id
        self.function = FunctionMeta(invocation.function_name, spec.handler, spec.memory, spec.timeout, invocation.qualifier)
        self.log_project = ""
        self.log_store = ""
        self.logger: logging.Logger | None = None
        self._logger_name = f"localcloud.fc.{invocation.function_name}"

    def getLogger(self) -> logging.Logger:  # FC's runtime spells it so (camelCase)
        if self.logger is None:
            logger = logging.getLogger(self._logger_name)
            logger.setLevel(logging.INFO)
            self.logger = logger
        return self.logger


class LegacyContext(Context):
    """The python3.9/3.10 context: adds ``credentials`` and ``service``."""

    def __init__(self, invocation: Invocation) -> None:
        super().__init__(invocation)
        creds = invocation.credentials
        self.credentials = (
            Credentials(creds.access_key_id, creds.access_key_secret, creds.security_token)
            if creds is not None
            else Credentials("", "", "")
        )
        self.service = ServiceMeta(invocation.spec.service or "", invocation.qualifier)
        self.getLogger()


def context_for(invocation: Invocation) -> Context:
    if invocation.spec.runtime.legacy_context:
        return LegacyContext(invocation)
    return Context(invocation)


def environment_for(invocation: Invocation, endpoint: str) -> dict[str, str]:
    spec = invocation.spec
    env: dict[str, str] = dict(spec.env)
    env.update(
        {
            "FC_FUNC_CODE_PATH": invocation.code_path,
            "FC_ACCOUNT_ID": invocation.account_id,
            "FC_REGION": invocation.region,
            "FC_FUNCTION_NAME": invocation.function_name,
            "FC_FUNCTION_HANDLER": spec.handler,
            "FC_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "FC_TIMEOUT": str(spec.timeout),
            "FC_RUNTIME": spec.runtime.value,
            "FC_INSTANCE_ID": invocation.instance_id,
            "FC_CUSTOM_LISTEN_PORT": CUSTOM_LISTEN_PORT,
            "FC_FUNCTION_VERSION": "LATEST",
            LOCALCLOUD_ENDPOINT: endpoint,
        }
    )
    if invocation.api_version == "2021-04-06" and spec.service:
        env["FC_SERVICE_NAME"] = spec.service
        env["FC_QUALIFIER"] = invocation.qualifier or "LATEST"
    if invocation.credentials is not None:
        env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = invocation.credentials.access_key_id
        env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = invocation.credentials.access_key_secret
        env["ALIBABA_CLOUD_SECURITY_TOKEN"] = invocation.credentials.security_token
    return env
