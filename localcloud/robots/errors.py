"""The robots' answers to a refused message: one class per error, with the code and HTTP status
the real endpoint answers.

Both chat robots answer **HTTP 200** with an error code in the JSON body:

- DingTalk ``{"errcode": <n>, "errmsg": "<text>"}``: ``310000`` "sign not match" and
  "invalid timestamp" (a timestamp more than one hour from DingTalk's clock), ``300001``
  "token is not exist", ``130101`` "send too fast, exceed 20 times per minute"
  (DingTalk's custom robot pages https://open.dingtalk.com/document/robots/customize-robot-security-settings
  and the texts robots answer: x-cold/dingtalk-robot#7, labulakalia/crocodile#37,
  timonwong/prometheus-webhook-dingtalk#91, ccfos/nightingale#369).
  ``40035`` for a body that is not a message is UNCONFIRMED (a code clients have reported;
  no page lists it).
- Feishu ``{"code": <n>, "msg": "<text>", "data": {}}``: ``19021`` "sign match fail or
  timestamp is not within one hour from current time" (feiyu563/PrometheusAlert#422),
  ``11232`` rate limited (the custom bot guide https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot);
  the message "param invalid: incoming webhook access token invalid" for an unknown token is
  the real text (sansan0/TrendRadar#278) but its code ``19001`` is UNCONFIRMED, as are
  ``9499`` "Bad Request" for a malformed body and ``11232``'s text.

The generic webhook sink is rampart's own contract, not a product: it answers 401, 404 or 400
with ``{"error": "<text>"}``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RobotError(Exception):
    kind: ClassVar[str] = ""
    code: ClassVar[int] = 0
    http_status: ClassVar[int] = 200
    message: ClassVar[str] = ""

    def __init__(self, message: str | None = None) -> None:
        self.text = message or type(self).message
        super().__init__(f"{self.code}: {self.text}")

    def body(self) -> dict[str, Any]:
        if self.kind == "dingtalk":
            return {"errcode": self.code, "errmsg": self.text}
        if self.kind == "feishu":
            return {"code": self.code, "msg": self.text, "data": {}}
        return {"error": self.text}


class DingTalkError(RobotError):
    kind = "dingtalk"


class DingTalkSignNotMatch(DingTalkError):
    code = 310000
    message = "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"


class DingTalkInvalidTimestamp(DingTalkError):
    code = 310000
    message = "invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"


class DingTalkTokenNotExist(DingTalkError):
    code = 300001
    message = "token is not exist"


class DingTalkSendTooFast(DingTalkError):
    code = 130101
    message = "send too fast, exceed 20 times per minute"


class DingTalkBadMessage(DingTalkError):
    code = 40035  # UNCONFIRMED (module docstring)
    message = "缺少参数 json"


class FeishuError(RobotError):
    kind = "feishu"


class FeishuSignMatchFail(FeishuError):
    code = 19021
    message = "sign match fail or timestamp is not within one hour from current time"


class FeishuTokenInvalid(FeishuError):
    code = 19001  # UNCONFIRMED code; the text is the real one
    message = "param invalid: incoming webhook access token invalid"


class FeishuBadRequest(FeishuError):
    code = 9499  # UNCONFIRMED
    message = "Bad Request"


class FeishuFrequencyLimited(FeishuError):
    code = 11232
    message = "frequency limited"  # UNCONFIRMED text


class WebhookError(RobotError):
    kind = "webhook"


class WebhookUnauthorized(WebhookError):
    http_status = 401
    message = "bad signature"


class WebhookNotFound(WebhookError):
    http_status = 404
    message = "no webhook sink registered under this name"


class WebhookBadRequest(WebhookError):
    http_status = 400
    message = "the body is not a JSON object"
