"""Settings, read once: explicit argument beats environment variable beats default.

This is the only module that reads the environment. Credential variables are the SDKs' own
names (inside Function Compute they carry the function role's STS credentials).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rampart.errors import ConfigError
from rampart.secret import Secret

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 - a variable name
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 - a variable name
ENV_REGION = "ALIBABA_CLOUD_REGION_ID"
ENV_ENDPOINT = "RAMPART_ENDPOINT"
ENV_CATALOG = "RAMPART_CATALOG"
ENV_SLS_PROJECT = "RAMPART_SLS_PROJECT"
ENV_SLS_LOGSTORE = "RAMPART_SLS_LOGSTORE"

ENV_LOCK_LEASE_SECONDS = "RAMPART_LOCK_LEASE_SECONDS"
"""How long a per-user lock (``rampart.engine``) lives before another instance may take it
over: a lock outlives only a holder that died. It MUST exceed the lifecycle function's
timeout (s.yaml: 120 s), or a slow but live holder could lose its lock. Default 180."""
DEFAULT_LOCK_LEASE_SECONDS = 180
MAX_LOCK_LEASE_SECONDS = 86400

DEFAULT_REGION = "cn-hangzhou"
DEFAULT_SLS_PROJECT = "rampart-audit"
DEFAULT_SLS_LOGSTORE = "lifecycle"
EXAMPLE_CATALOG = Path(__file__).resolve().parent / "catalog" / "example.yaml"


@dataclass(frozen=True, slots=True)
class Settings:
    access_key_id: str
    access_key_secret: Secret
    security_token: Secret | None
    region: str
    endpoint: str | None
    """One ``host:port`` for every service (localcloud); None means the real endpoints."""
    catalog_path: Path
    sls_project: str
    sls_logstore: str
    lock_lease_seconds: int = DEFAULT_LOCK_LEASE_SECONDS
    """The per-user lock's lease (``ENV_LOCK_LEASE_SECONDS``): longer than the function's timeout.
    Read here, not with :class:`FunctionSettings`, so the CLI's engine and the functions' lock
    alike (``rampart.engine.build_engine``)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        key_id = overrides.pop("access_key_id", None) or env.get(ENV_ACCESS_KEY_ID, "")
        secret = overrides.pop("access_key_secret", None) or env.get(ENV_ACCESS_KEY_SECRET, "")
        if not key_id or not secret:
            raise ConfigError(
                f"no credentials: set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}"
                f" (and {ENV_SECURITY_TOKEN} for STS credentials)"
            )
        token = overrides.pop("security_token", None) or env.get(ENV_SECURITY_TOKEN) or None
        settings = cls(
            access_key_id=key_id,
            access_key_secret=secret if isinstance(secret, Secret) else Secret(secret),
            security_token=None if token is None else (token if isinstance(token, Secret) else Secret(token)),
            region=env.get(ENV_REGION) or DEFAULT_REGION,
            endpoint=env.get(ENV_ENDPOINT) or None,
            catalog_path=Path(env.get(ENV_CATALOG) or EXAMPLE_CATALOG),
            sls_project=env.get(ENV_SLS_PROJECT) or DEFAULT_SLS_PROJECT,
            sls_logstore=env.get(ENV_SLS_LOGSTORE) or DEFAULT_SLS_LOGSTORE,
            lock_lease_seconds=lock_lease_seconds(env.get(ENV_LOCK_LEASE_SECONDS, "")),
        )
        if overrides:
            unknown = set(overrides) - set(cls.__dataclass_fields__)
            if unknown:
                raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
            settings = replace(settings, **overrides)
        if settings.endpoint is not None and "://" in settings.endpoint:
            raise ConfigError(f"{ENV_ENDPOINT} must be host:port without a scheme, not {settings.endpoint!r}")
        return settings


# --- the Function Compute functions ----------------------------------------------------

ENV_LIFECYCLE_FUNCTION = "RAMPART_LIFECYCLE_FUNCTION"
"""The function the receivers hand events to (default ``rampart-lifecycle``)."""
ENV_SYNC_APPLY = "RAMPART_SYNC_APPLY"
"""``1``: the receivers apply through the engine before answering (small deployments)."""
ENV_FC_API = "RAMPART_FC_API"
"""The FC API of the hand-off: ``2023-03-30`` (FC 3.0, the default) or ``2021-04-06`` (FC 2.0)."""
ENV_FC_SERVICE = "RAMPART_FC_SERVICE"
"""FC 2.0 only: the service the lifecycle function belongs to."""
ENV_FC_ACCOUNT_ID = "FC_ACCOUNT_ID"
"""Set by Function Compute itself; saves an STS GetCallerIdentity where the account id is needed."""
ENV_GENERIC_HR_SECRET_NAME = "RAMPART_GENERIC_HR_SECRET_NAME"  # noqa: S105 - a variable name
ENV_FEISHU_SECRET_NAME = "RAMPART_FEISHU_SECRET_NAME"  # noqa: S105 - a variable name
ENV_BAMBOOHR_SECRET_NAME = "RAMPART_BAMBOOHR_SECRET_NAME"  # noqa: S105 - a variable name
ENV_DINGTALK_SECRET_NAME = "RAMPART_DINGTALK_SECRET_NAME"  # noqa: S105 - a variable name
ENV_JIRA_SECRET_NAME = "RAMPART_JIRA_SECRET_NAME"  # noqa: S105 - a variable name
ENV_TICKET_SECRET_NAME = "RAMPART_TICKET_SECRET_NAME"  # noqa: S105 - a variable name
SOURCE_SECRET_ENV = {
    "hr:generic": ENV_GENERIC_HR_SECRET_NAME,
    "hr:feishu": ENV_FEISHU_SECRET_NAME,
    "hr:bamboohr": ENV_BAMBOOHR_SECRET_NAME,
    "hr:dingtalk": ENV_DINGTALK_SECRET_NAME,
    "ticket:jira": ENV_JIRA_SECRET_NAME,
    "ticket:generic": ENV_TICKET_SECRET_NAME,
}
"""Per webhook source, the variable naming its KMS secret (a JSON object with the source's
keys, ``rampart.fc.runtime``). A source whose variable is unset is not served (404)."""

ENV_NOTIFY_SECRET_NAME = "RAMPART_NOTIFY_SECRET_NAME"  # noqa: S105 - a variable name
"""The KMS secret configuring notifications after a joiner or leaver (its JSON:
``{"kind": "dingtalk"|"feishu"|"generic", "url", "secret"}``, ``rampart.notify``). Unset: none."""

DEFAULT_LIFECYCLE_FUNCTION = "rampart-lifecycle"
FC_APIS = ("2023-03-30", "2021-04-06")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class FunctionSettings:
    """What the functions read besides ``Settings`` (the same rule: argument, environment, default)."""

    lifecycle_function: str = DEFAULT_LIFECYCLE_FUNCTION
    sync_apply: bool = False
    fc_api: str = FC_APIS[0]
    fc_service: str | None = None
    account_id: str | None = None
    secret_names: Mapping[str, str] | None = None
    """Source name (``hr:feishu``) -> KMS secret name, for the sources configured."""
    notify_secret_name: str | None = None
    """The KMS secret configuring notifications (``ENV_NOTIFY_SECRET_NAME``); None: no notifications."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FunctionSettings:
        env = os.environ if environ is None else environ
        sync = env.get(ENV_SYNC_APPLY, "").strip().lower()
        if sync not in _TRUE + _FALSE:
            raise ConfigError(f"{ENV_SYNC_APPLY} must be 1 or 0, not {sync[:20]!r}")
        api = env.get(ENV_FC_API, "").strip() or FC_APIS[0]
        if api not in FC_APIS:
            raise ConfigError(f"{ENV_FC_API} must be one of {', '.join(FC_APIS)}, not {api[:20]!r}")
        service = env.get(ENV_FC_SERVICE) or None
        if api == "2021-04-06" and service is None:
            raise ConfigError(f"{ENV_FC_API}=2021-04-06 needs {ENV_FC_SERVICE} (the lifecycle function's service)")
        names = {source: env[var] for source, var in SOURCE_SECRET_ENV.items() if env.get(var)}
        return cls(
            lifecycle_function=env.get(ENV_LIFECYCLE_FUNCTION) or DEFAULT_LIFECYCLE_FUNCTION,
            sync_apply=sync in _TRUE,
            fc_api=api,
            fc_service=service,
            account_id=env.get(ENV_FC_ACCOUNT_ID) or None,
            secret_names=names,
            notify_secret_name=env.get(ENV_NOTIFY_SECRET_NAME, "").strip() or None,
        )


def lock_lease_seconds(text: str) -> int:
    """``ENV_LOCK_LEASE_SECONDS`` checked: whole seconds, 1 to a day; empty: the default."""
    text = text.strip()
    if not text:
        return DEFAULT_LOCK_LEASE_SECONDS
    if not text.isdigit() or not 0 < int(text) <= MAX_LOCK_LEASE_SECONDS:
        raise ConfigError(f"{ENV_LOCK_LEASE_SECONDS} must be whole seconds from 1 to {MAX_LOCK_LEASE_SECONDS}, "
                          f"not {text[:20]!r}", hint="it must exceed the lifecycle function's timeout (s.yaml: 120 s)")
    return int(text)


def has_env_credentials(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the ``ALIBABA_CLOUD_*`` key pair is set (else a function falls back to
    ``context.credentials``, which only python3.9/3.10 runtimes carry)."""
    env = os.environ if environ is None else environ
    return bool(env.get(ENV_ACCESS_KEY_ID) and env.get(ENV_ACCESS_KEY_SECRET))
