"""SLS admin route: ``GET|POST /_localcloud/sls/index-delay`` (:mod:`.indexing`).

``POST {"seconds": S}`` sets how long after PutLogs a log becomes queryable (0 to 600; SLS
says about 3 s); later writes get the new delay. ``GET`` answers the setting. Both answer
``{"seconds": S, "pending_writes": N}``, N the PutLogs calls written and not yet queryable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def _index_delay(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    indexing = cloud.state.sls_indexing
    if request.method.upper() == "POST":
        if "seconds" not in body:
            raise AdminError(400, 'give {"seconds": <delay from 0 to 600>}')
        try:
            indexing.set(body["seconds"])
        except ValueError as exc:
            raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, {"seconds": indexing.seconds, "pending_writes": indexing.pending_writes(cloud.now())})


def install(routes: AdminRoutes) -> None:
    routes.add("GET", "/sls/index-delay", _index_delay)
    routes.add("POST", "/sls/index-delay", _index_delay)
