"""Tablestore admin routes (loopback only, like every ``/_localcloud/`` route).

- ``POST /_localcloud/tablestore/instances`` ``{"name": "<instance>"}`` creates an instance
  (3-16 letters, digits, ``-``; tablestore.md §5.1): instances are made in the console or by the
  control-plane API, never by the data-plane SDK, so localcloud makes them here.
- ``GET /_localcloud/tablestore/instances`` lists them with their tables.
- ``GET /_localcloud/tablestore/<instance>/<table>`` dumps a table: schema, options and every live
  row with its versions (binary values as hex).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localcloud.admin import PREFIX, AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from localcloud.app import LocalCloud

_BASE = "/tablestore/"


def _create(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    name = body.get("name")
    if not isinstance(name, str):
        raise AdminError(400, '"name" is required: the instance name')
    try:
        cloud.tablestore_create_instance(name)
    except ValueError as exc:
        raise AdminError(409 if "exists" in str(exc) else 400, str(exc)) from exc
    return HttpResponse.json(200, {"name": name, "endpoint": f"http://{cloud.endpoint}"})


def _list(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    with cloud.state.lock:
        instances = [
            {"name": instance.name, "tables": sorted(instance.tables)}
            for instance in cloud.state.tablestore.instances.values()
        ]
    return HttpResponse.json(200, {"instances": instances})


def _dump(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    rest = request.raw_path[len(PREFIX + _BASE):].strip("/")
    parts = [unquote(part) for part in rest.split("/")]
    if len(parts) != 2 or not all(parts):
        raise AdminError(404, "give GET /_localcloud/tablestore/<instance>/<table>")
    try:
        with cloud.state.lock:
            return HttpResponse.json(200, cloud.state.tablestore.dump(parts[0], parts[1]))
    except LookupError as exc:
        raise AdminError(404, str(exc)) from exc


def install(routes: AdminRoutes) -> None:
    routes.add("POST", "/tablestore/instances", _create)
    routes.add("GET", "/tablestore/instances", _list)
    routes.add_prefix("GET", _BASE, _dump)
