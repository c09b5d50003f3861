"""The robots' wire layer: which request goes to which robot, and the answer's JSON.

- ``POST /robot/send?access_token=..&timestamp=..&sign=..``: a DingTalk custom robot
  (identified as ``("robot", "DingTalkSend")`` for fault rules);
- ``POST /open-apis/bot/v2/hook/<token>``: a Feishu / Lark custom bot (``FeishuSend``);
- ``POST /webhooks/<name>``: a generic webhook sink checking rampart's signature
  (``WebhookSend``). Not under ``/_localcloud/``: a sink stands for a customer's endpoint, so
  it takes faults like any cloud endpoint, and admin routes never do.

Admin routes (loopback only, JSON), thin wrappers over ``cloud.robots``:

- ``POST /_localcloud/robots`` ``{"kind": "dingtalk"|"feishu"|"webhook", "token", "secret"}``:
  register (or replace) a robot; answers it without the secret, and its URL path;
- ``GET /_localcloud/robots``: the robots (attempt and delivery counts, never a secret);
- ``GET /_localcloud/robots/messages?kind=&token=``: delivered messages, oldest first;
- ``DELETE /_localcloud/robots``: forget every robot and message.

Parses and serialises only; the rules live in :mod:`localcloud.robots.models`.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.robots import errors
from localcloud.robots.models import Robot, RobotConfigError, RobotService

if TYPE_CHECKING:
    from localcloud.app import LocalCloud

DINGTALK_PATH = "/robot/send"
FEISHU_PREFIX = "/open-apis/bot/v2/hook/"
WEBHOOK_PREFIX = "/webhooks/"


class RobotRouter:
    def __init__(self, robots: RobotService) -> None:
        self._robots = robots

    def identify(self, request: HttpRequest) -> tuple[str, str] | None:
        if request.method.upper() != "POST":
            return None
        path = request.raw_path
        if path == DINGTALK_PATH:
            return "robot", "DingTalkSend"
        if path.startswith(FEISHU_PREFIX) and len(path) > len(FEISHU_PREFIX):
            return "robot", "FeishuSend"
        if path.startswith(WEBHOOK_PREFIX) and len(path) > len(WEBHOOK_PREFIX):
            return "robot", "WebhookSend"
        return None

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.raw_path
        try:
            if path == DINGTALK_PATH:
                answer = self._robots.dingtalk_send(dict(request.query_pairs()), request.body)
            elif path.startswith(FEISHU_PREFIX):
                answer = self._robots.feishu_send(unquote(path[len(FEISHU_PREFIX):]), request.body)
            else:
                answer = self._robots.webhook_send(unquote(path[len(WEBHOOK_PREFIX):]),
                                                   request.header("x-rampart-timestamp"),
                                                   request.header("x-rampart-signature"), request.body)
        except errors.RobotError as error:
            return HttpResponse.json(error.http_status, error.body())
        except Exception as exc:  # a localcloud bug: JSON 500, say where on stderr
            traceback.print_exc(file=sys.stderr)
            return HttpResponse.json(500, {"errcode": -1, "code": -1, "msg": f"localcloud internal error: {type(exc).__name__}"})
        return HttpResponse.json(200, answer)

    def error_response(self, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
        """An injected fault (``service: "robot"``): both robots' code keys in one body, so a
        DingTalk client reads ``errcode`` and a Feishu client ``code``; a webhook client sees
        the HTTP status."""
        try:
            number = int(code)
        except ValueError:
            number = -1
        body = {"errcode": number, "errmsg": message, "code": number, "msg": message, "error": f"{code}: {message}"}
        return HttpResponse.json(status, body, headers)


# --- admin routes ---------------------------------------------------------------------


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
