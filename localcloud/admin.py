"""Admin routes under ``/_localcloud/``: loopback only, JSON in and out.

Core routes: health, info, reset, clock, authorize, resource-group membership, the issued
secrets (``POST /secrets/scan``, ``GET /secrets/issued``: localcloud.issued). Other
parts of localcloud (functions, faults) add theirs with :meth:`AdminRoutes.add`.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from localcloud.core.clock import iso, parse_iso
from localcloud.core.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from localcloud.app import LocalCloud

AdminHandler = Callable[["LocalCloud", HttpRequest, dict[str, Any]], HttpResponse]
PREFIX = "/_localcloud"


class AdminError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except json.JSONDecodeError as exc:
        raise AdminError(400, f"the body is not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise AdminError(400, "the body must be a JSON object")
    return data


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


class AdminRoutes:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], AdminHandler] = {}
        self._prefixes: dict[tuple[str, str], AdminHandler] = {}

    def add(self, method: str, path: str, handler: AdminHandler) -> None:
        self._routes[(method.upper(), PREFIX + path)] = handler

    def add_prefix(self, method: str, prefix: str, handler: AdminHandler) -> None:
        """Route every path under ``prefix`` (ending in ``/``) that no exact route takes; the
        handler reads the rest of ``request.raw_path`` itself."""
        self._prefixes[(method.upper(), PREFIX + prefix)] = handler

    def _find(self, method: str, path: str) -> AdminHandler | None:
        handler = self._routes.get((method, path))
        if handler is None:
            handler = next((h for (m, p), h in self._prefixes.items() if m == method and path.startswith(p)), None)
        return handler

    def handle(self, cloud: LocalCloud, request: HttpRequest) -> HttpResponse:
        if not _is_loopback(request.client_ip):
            return HttpResponse.json(403, {"error": "admin routes answer only on loopback"})
        handler = self._find(request.method.upper(), request.raw_path.rstrip("/") or "/")
        if handler is None:
            known = sorted(f"{m} {p}" for m, p in self._routes) + sorted(f"{m} {p}..." for m, p in self._prefixes)
            return HttpResponse.json(404, {"error": f"no admin route {request.method} {request.raw_path}", "routes": known})
        try:
            return handler(cloud, request, _body(request))
        except AdminError as exc:
            return HttpResponse.json(exc.status, {"error": exc.message})
        except (KeyError, ValueError, TypeError) as exc:
            return HttpResponse.json(400, {"error": f"bad request: {exc}"})


def _health(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"status": "ok", "now": iso(cloud.now())})


def _info(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, cloud.info())


def _reset(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.reset()
    return HttpResponse.json(200, {"reset": True})


def _clock(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    if "set" in body and "advance" in body:
        raise AdminError(400, 'give either "set" or "advance", not both')
    if "set" in body:
        try:
            when = parse_iso(str(body["set"]))
        except ValueError as exc:
            raise AdminError(400, f'"set" must be an ISO 8601 time: {exc}') from exc
        now = cloud.clock_set(when)
    elif "advance" in body:
        seconds = body["advance"]
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise AdminError(400, '"advance" must be a number of seconds')
        now = cloud.clock_advance(float(seconds))
    elif request.method.upper() == "GET":
        now = cloud.now()
    else:
        raise AdminError(400, 'give {"set": "<ISO time>"} or {"advance": <seconds>}')
    return HttpResponse.json(200, {"now": iso(now)})


def _authorize(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    for field in ("action", "resource"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise AdminError(400, f'"{field}" is required (a string)')
    user, role = body.get("user"), body.get("role")
    if bool(user) == bool(role):
        raise AdminError(400, 'give exactly one of "user" (a RAM user name) or "role" (a RAM role name)')
    try:
        result = cloud.authorize(body["action"], body["resource"], user=user, role=role, source_ip=body.get("source_ip"))
    except LookupError as exc:
        raise AdminError(404, str(exc)) from exc
    return HttpResponse.json(200, result)


def _membership(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    resource, group = body.get("resource"), body.get("resource_group_id")
    if not isinstance(resource, str) or not isinstance(group, str) or not resource or not group:
        raise AdminError(400, '"resource" (an ARN or ARN pattern) and "resource_group_id" are required')
    cloud.add_resource_to_group(resource, group)
    return HttpResponse.json(200, {"resource": resource, "resource_group_id": group})


def _scan(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    texts = body.get("texts")
    if not isinstance(texts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items()):
        raise AdminError(400, '"texts" is required: an object of text name -> text (strings)')
    issued = cloud.state.issued
    return HttpResponse.json(200, {"found": issued.scan(texts), "issued": issued.counts()})


def _issued(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"issued": cloud.state.issued.counts()})


def core_routes() -> AdminRoutes:
    routes = AdminRoutes()
    routes.add("GET", "/health", _health)
    routes.add("GET", "/info", _info)
    routes.add("POST", "/reset", _reset)
    routes.add("GET", "/clock", _clock)
    routes.add("POST", "/clock", _clock)
    routes.add("POST", "/authorize", _authorize)
    routes.add("POST", "/resource-groups/members", _membership)
    routes.add("POST", "/secrets/scan", _scan)
    routes.add("GET", "/secrets/issued", _issued)
    return routes
