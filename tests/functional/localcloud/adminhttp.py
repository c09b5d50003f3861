"""localcloud's admin routes (``/_localcloud/...``, loopback only) over plain HTTP, for tests."""

from __future__ import annotations

from typing import Any

import requests

from localcloud import LocalCloud


def admin(cloud: LocalCloud, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    """``(status, JSON answer)`` of ``method`` on ``/_localcloud{path}``."""
    response = requests.request(method, f"http://{cloud.endpoint}/_localcloud{path}", json=body, timeout=30)
    return response.status_code, response.json()
