"""Admin routes for functions (loopback only, JSON), thin wrappers over ``cloud.functions``.

- ``POST /_localcloud/functions``: register (issue #3's JSON; 400 with the rule broken);
- ``GET /_localcloud/functions``; ``DELETE /_localcloud/functions`` (drop queued calls, forget all);
- ``POST /_localcloud/functions/drain`` ``{"timeout": s}``: 200 once idle, 504 on timeout;
- ``POST /_localcloud/functions/pause`` / ``resume``: hold or release queued async calls;
- ``GET /_localcloud/functions/tasks?function=<name>``: async task records;
- ``POST /_localcloud/functions/kill`` ``{"function": name, "after_calls": N}``: arm one kill of a
  process-isolated function's instance after its N-th applied cloud request (``{"armed": true,
  "id": ...}``), or ``{"function": name, "now": true}``: kill its busy instances at once
  (``{"killed": bool, "instances": n}``); 400 for an inline function or a bad ``after_calls``;
- ``GET /_localcloud/functions/kills``: kills that fired (and those still armed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.fc.functions import FunctionConfigError
from localcloud.fc.isolation import ArmedKill, KillRefused
from localcloud.fc.loader import HandlerLoadError
from localcloud.fc.service import DrainTimeout

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def _register(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        spec = cloud.functions.register_json(body)
    except (FunctionConfigError, HandlerLoadError) as exc:
        raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, spec.to_json())


def _list(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"functions": [spec.to_json() for spec in cloud.functions.specs()]})


def _timeout(body: dict[str, Any]) -> float:
    timeout = body.get("timeout", 30)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise AdminError(400, '"timeout" must be a positive number of seconds')
    return float(timeout)


def _reset(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        cloud.functions.reset(_timeout(body))
    except DrainTimeout as exc:
        raise AdminError(504, str(exc)) from exc
    return HttpResponse.json(200, {"reset": True})


def _drain(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        cloud.functions.drain(_timeout(body))
    except DrainTimeout as exc:
        raise AdminError(504, str(exc)) from exc
    return HttpResponse.json(200, {"drained": True})


def _pause(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.functions.pause()
    return HttpResponse.json(200, {"paused": True})


def _resume(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.functions.resume()
    return HttpResponse.json(200, {"paused": False})


def _tasks(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    function = dict(request.query_pairs()).get("function") or None
    return HttpResponse.json(200, {"tasks": [task.to_json() for task in cloud.functions.tasks(function)]})


def _kill(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    unknown = set(body) - {"function", "after_calls", "now"}
    if unknown:
        raise AdminError(400, f"unknown key(s) {sorted(unknown)}; expected function, after_calls or now")
    function, now = body.get("function"), body.get("now", False)
    if not isinstance(function, str) or not function:
        raise AdminError(400, '"function" is required (the name of a function registered with isolation "process")')
    if not isinstance(now, bool):
        raise AdminError(400, '"now" must be true or false')
    if now and "after_calls" in body:
        raise AdminError(400, 'give "after_calls" or "now", not both')
    try:
        result = cloud.functions.kill(function, after_calls=body.get("after_calls", 1), now=now)
    except KillRefused as exc:
        raise AdminError(400, str(exc)) from exc
    if isinstance(result, ArmedKill):
        return HttpResponse.json(200, {"armed": True, **result.to_json()})
    return HttpResponse.json(200, {"killed": result > 0, "instances": result, "state": "killed" if result else "idle"})


def _kills(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    fired = [record.to_json() for record in cloud.functions.kills()]
    armed = [kill.to_json() for kill in cloud.functions.processes.armed()]
    return HttpResponse.json(200, {"count": len(fired), "kills": fired, "armed": armed})


def install(routes: AdminRoutes) -> None:
    routes.add("POST", "/functions", _register)
    routes.add("GET", "/functions", _list)
    routes.add("DELETE", "/functions", _reset)
    routes.add("POST", "/functions/drain", _drain)
    routes.add("POST", "/functions/pause", _pause)
    routes.add("POST", "/functions/resume", _resume)
    routes.add("GET", "/functions/tasks", _tasks)
    routes.add("POST", "/functions/kill", _kill)
    routes.add("GET", "/functions/kills", _kills)
