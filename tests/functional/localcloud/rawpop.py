"""Hand-built POP requests for the hostile cases the SDK never sends (stale dates,
replayed nonces, missing signatures). Signing uses the SDK's own ACS3 routine
(``alibabacloud_tea_openapi.utils.Utils.get_authorization``) so only the chosen field is wrong.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import requests
from alibabacloud_tea_openapi.utils import Utils


def signed_headers(
    endpoint: str,
    action: str,
    version: str,
    query: dict[str, str],
    ak: str,
    secret: str,
    *,
    when: datetime | None = None,
    nonce: str | None = None,
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


def post(endpoint: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    response = requests.post(f"http://{endpoint}/?{urlencode(query)}", headers=headers, timeout=10)
    return response.status_code, response.json()
