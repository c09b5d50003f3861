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

DEFAULT_REGION = "cn-hangzhou"
DEFAULT_SLS_PROJECT = "rampart-audit"
DEFAULT_SLS_LOGSTORE = "lifecycle"
EXAMPLE_CATALOG = Path(__file__).resolve().parent / "catalogs" / "example.yaml"


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
        )
        if overrides:
            unknown = set(overrides) - set(cls.__dataclass_fields__)
            if unknown:
                raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
            settings = replace(settings, **overrides)
        if settings.endpoint is not None and "://" in settings.endpoint:
            raise ConfigError(f"{ENV_ENDPOINT} must be host:port without a scheme, not {settings.endpoint!r}")
        return settings
