"""How a notification goes on the wire, per kind: the body, the signature, and how the answer
is read. Pure: no I/O (``rampart.notify`` sends).

**DingTalk custom robot** ("Custom robot security settings", sign request:
https://open.dingtalk.com/document/robots/customize-robot-security-settings, mirrored at
https://help.dingtalk.io/open/dingstart/customize-robot-security-settings):
``POST <webhook>&timestamp=<ms>&sign=<sign>`` where ``sign`` is
``urlEncode(base64(HmacSHA256(key=secret, msg=timestamp + "\\n" + secret)))`` (UTF-8), the
timestamp in milliseconds and no more than one hour from DingTalk's clock; the body
``{"msgtype": "markdown", "markdown": {"title", "text"}}``; the answer
``{"errcode": 0, "errmsg": "ok"}``. Failures as robots answer them: ``310000`` "sign not
match" or "invalid timestamp", ``300001`` "token is not exist", ``130101`` "send too fast,
exceed 20 times per minute" (github.com/x-cold/dingtalk-robot/issues/7,
timonwong/prometheus-webhook-dingtalk/issues/91, ccfos/nightingale/issues/369).

**Feishu / Lark custom bot** ("Custom bot usage guide",
https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): ``POST
https://open.feishu.cn/open-apis/bot/v2/hook/<token>`` with ``"timestamp"`` (seconds, within
one hour) and ``"sign"`` = ``base64(HmacSHA256(key=timestamp + "\\n" + secret, msg=""))`` in
the JSON body beside ``"msg_type": "text"`` and ``"content": {"text"}``; the answer is HTTP
200 even on failure: ``{"code": 0, "msg": "success", "data": {}}`` (bots made before 2023
answered ``{"StatusCode": 0, "StatusMessage": "success"}``, whyour/qinglong#2299), ``19021``
"sign match fail or timestamp is not within one hour from current time"
(feiyu563/PrometheusAlert#422); 100 messages a minute and 5 a second per bot (``11232``);
bodies up to 20 KB.

**Generic webhook** (rampart's own contract, documented in README.md "Notifications"):
``POST`` the JSON document of ``Notice.as_dict()`` with ``Content-Type: application/json``,
``X-Rampart-Timestamp: <unix seconds>`` and ``X-Rampart-Signature: sha256=<hex HMAC-SHA256
(secret, "<timestamp>." + raw body)>``: exactly rampart's inbound generic HR contract, made
and checked by ``rampart.sources.signing`` (one implementation). Any 2xx is success.

Never puts the signing secret or the URL's token into a body, a header other than the
signature, or an answer's message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from rampart.notify._notice import Notice, NotifyConfig, NotifyKind
from rampart.secret import Secret
from rampart.sources.signing import signed_headers

MAX_MESSAGE = 200
"""Characters of a robot's error message kept for the audit record."""
JSON_TYPE = "application/json; charset=utf-8"


def dingtalk_sign(secret: Secret, timestamp_ms: str) -> str:
    """DingTalk's ``sign`` before URL-encoding: base64 of HmacSHA256(secret, "<ts>\\n<secret>")."""
    key = secret.reveal().encode("utf-8")
    digest = hmac.new(key, f"{timestamp_ms}\n{secret.reveal()}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: Secret, timestamp_s: str) -> str:
    """Feishu's ``sign``: base64 of HmacSHA256 keyed with "<ts>\\n<secret>" over an empty message."""
    key = f"{timestamp_s}\n{secret.reveal()}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def payload(kind: NotifyKind, notice: Notice) -> dict[str, Any]:
    """The message document before signing (the sender redacts it before :func:`request`)."""
    if kind is NotifyKind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": notice.title, "text": notice.markdown()}}
    if kind is NotifyKind.FEISHU:
        return {"msg_type": "text", "content": {"text": notice.text()}}
    return notice.as_dict()


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    url: Secret
    """The URL to POST to, signature included for DingTalk; only the sender reveals it."""
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def _json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def request(config: NotifyConfig, document: Mapping[str, Any], now: datetime) -> OutboundRequest:
    """The signed request for ``document`` at ``now`` (a retry is signed afresh)."""
    headers = {"Content-Type": JSON_TYPE}
    if config.kind is NotifyKind.DINGTALK:
        stamp = str(int(now.timestamp() * 1000))
        url = config.url.reveal()
        query = urlencode({"timestamp": stamp, "sign": dingtalk_sign(config.secret, stamp)})
        return OutboundRequest(Secret(f"{url}{'&' if '?' in url else '?'}{query}"), _json(document), headers)
    if config.kind is NotifyKind.FEISHU:
        stamp = str(int(now.timestamp()))
        body = _json({"timestamp": stamp, "sign": feishu_sign(config.secret, stamp), **document})
        return OutboundRequest(config.url, body, headers)
    body = _json(document)
    return OutboundRequest(config.url, body, {**headers, **signed_headers(config.secret, int(now.timestamp()), body)})


@dataclass(frozen=True, slots=True)
class Answer:
    ok: bool
    code: str
    message: str = ""


def _short(value: object) -> str:
    return " ".join(str(value).split())[:MAX_MESSAGE]


def _document(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def answer(kind: NotifyKind, status: int, body: bytes) -> Answer:
    """Read the endpoint's answer: a robot's code (``0`` is success), else the HTTP status."""
    data = _document(body)
    if kind is NotifyKind.GENERIC:
        if 200 <= status < 300:
            return Answer(True, str(status))
        reason = data.get("error") or data.get("message") if data is not None else ""
        return Answer(False, str(status), _short(reason or f"HTTP {status}"))
    if kind is NotifyKind.DINGTALK:
        code, message = (data.get("errcode"), data.get("errmsg")) if data is not None else (None, None)
    else:
        code, message = (None, None) if data is None else (
            (data.get("code"), data.get("msg")) if "code" in data else (data.get("StatusCode"), data.get("StatusMessage")))
    if isinstance(code, bool) or not isinstance(code, int):
        return Answer(False, f"http-{status}" if status != 200 else "unreadable",
                      f"HTTP {status}, no {kind.value} answer code in the body")
    return Answer(code == 0 and status == 200, str(code), _short(message or ""))


def retryable(status: int | None) -> bool:
    """Worth the one retry: no answer at all, or the endpoint's own failure (5xx)."""
    return status is None or status >= 500
