"""The robots' wire layer: which request goes to which robot, and the answer's JSON.

- ``POST /robot/send?access_token=..&timestamp=..&sign=..``: a DingTalk custom robot
  (identified as ``("robot", "DingTalkSend")`` for fault rules);
- ``POST /open-apis/bot/v2/hook/<token>``: a Feishu / Lark custom bot (``FeishuSend``);
- ``POST /webhooks/<name>``: a generic webhook sink checking rampart's signature
  (``WebhookSend``). Not under ``/_localcloud/``: a sink stands for a customer's endpoint, so
  it takes faults like any cloud endpoint, and admin routes never do.

Parses and serialises only; the rules live in :mod:`localcloud.robots.models`.
"""

from __future__ import annotations

import sys
import traceback
from urllib.parse import unquote

from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.robots import errors
from localcloud.robots.models import RobotService

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
