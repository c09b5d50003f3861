"""RAM's admin routes (loopback only, JSON): localcloud's own records, not RAM APIs.

- ``GET /_localcloud/ram/access-key-history[?user=NAME]``: every user's AccessKeys over its
  life (``AccessKeyId``, ``Created``, ``Deleted``; never a secret) and the most keys it held at
  once (``Peak``, ``PeakAt``, ``PeakKeys``), users that were deleted included
  (:class:`localcloud.ram.models._keys.KeyHistory`). The chaos campaign checks "no user ever held two
  keys" with it, exactly, where ListAccessKeys could only sample.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localcloud.admin import AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def _history(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    user = dict(request.query_pairs()).get("user") or None
    with cloud.state.lock:
        found = [h.to_json() for h in cloud.state.ram.key_history() if user is None or h.user_name == user]
    return HttpResponse.json(200, {"Users": found})


def install(routes: AdminRoutes) -> None:
    routes.add("GET", "/ram/access-key-history", _history)
