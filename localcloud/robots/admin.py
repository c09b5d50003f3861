"""Admin routes for the robots (loopback only, JSON), thin wrappers over ``cloud.robots``.

- ``POST /_localcloud/robots`` ``{"kind": "dingtalk"|"feishu"|"webhook", "token", "secret"}``:
  register (or replace) a robot; answers it without the secret, and its URL path;
- ``GET /_localcloud/robots``: the robots (attempt and delivery counts, never a secret);
- ``GET /_localcloud/robots/messages?kind=&token=``: delivered messages, oldest first;
- ``DELETE /_localcloud/robots``: forget every robot and message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.robots.models import Robot, RobotConfigError
from localcloud.robots.routes import DINGTALK_PATH, FEISHU_PREFIX, WEBHOOK_PREFIX

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


def path_of(robot: Robot) -> str:
    """Where a client posts to this robot (path and query, without the signing parameters)."""
    if robot.kind == "dingtalk":
        return f"{DINGTALK_PATH}?access_token={quote(robot.token, safe='')}"
    prefix = FEISHU_PREFIX if robot.kind == "feishu" else WEBHOOK_PREFIX
    return prefix + quote(robot.token, safe="")


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise AdminError(400, f'"{key}" is required (a string)')
    return value


def _register(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        robot = cloud.robots.register(_text(body, "kind"), _text(body, "token"), _text(body, "secret"))
    except RobotConfigError as exc:
        raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, {**robot.to_json(), "path": path_of(robot)})


def _list(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"robots": [{**r.to_json(), "path": path_of(r)} for r in cloud.robots.robots()]})


def _messages(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    query = dict(request.query_pairs())
    found = cloud.robots.messages(query.get("kind") or None, query.get("token") or None)
    return HttpResponse.json(200, {"messages": [m.to_json() for m in found]})


def _reset(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.robots.reset()
    return HttpResponse.json(200, {"reset": True})


def install(routes: AdminRoutes) -> None:
    routes.add("POST", "/robots", _register)
    routes.add("GET", "/robots", _list)
    routes.add("GET", "/robots/messages", _messages)
    routes.add("DELETE", "/robots", _reset)
