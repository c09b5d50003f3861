"""localcloud's chat robots over real HTTP: a DingTalk custom robot, a Feishu custom bot and a
generic webhook sink each take a correctly signed message and refuse a forged signature, a
stale timestamp and an unknown token with the real robot's error JSON. Requests are signed
here as each vendor's sample code does, independently of rampart."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from localcloud import LocalCloud

TOKEN = "5f4dcc3b5aa765d61d8327deb882cf99a1b2"  # a test robot token
SECRET = "SEC7c6a180b36896a0a8c02787eeafb0e4c"  # a test signing key
TEXT = {"msgtype": "text", "text": {"content": "hello"}}
FEISHU_TEXT = {"msg_type": "text", "content": {"text": "hello"}}


def post(cloud: LocalCloud, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{cloud.endpoint}{path}", data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - localcloud on loopback
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def admin(cloud: LocalCloud, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{cloud.endpoint}/_localcloud{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - localcloud on loopback
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def millis(cloud: LocalCloud, offset_s: float = 0) -> str:
    return str(int((cloud.now().timestamp() + offset_s) * 1000))


def dingtalk_path(stamp: str, secret: str = SECRET, token: str = TOKEN) -> str:
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"/robot/send?access_token={token}&timestamp={stamp}&sign={sign}"


def feishu_body(stamp: str, secret: str = SECRET, message: dict[str, Any] | None = None) -> dict[str, Any]:
    sign = base64.b64encode(hmac.new(f"{stamp}\n{secret}".encode(), digestmod=hashlib.sha256).digest()).decode()
    return {"timestamp": stamp, "sign": sign, **(message or FEISHU_TEXT)}


def webhook_headers(stamp: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Rampart-Timestamp": stamp, "X-Rampart-Signature": f"sha256={digest}"}


# --- DingTalk ---------------------------------------------------------------------------------


def test_dingtalk_takes_a_signed_message(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    assert post(cloud, dingtalk_path(millis(cloud)), TEXT) == (200, {"errcode": 0, "errmsg": "ok"})
    [message] = cloud.robots.messages("dingtalk", TOKEN)
    assert message.body == TEXT


def test_dingtalk_refuses_a_forged_sign(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    status, body = post(cloud, dingtalk_path(millis(cloud), secret="SECnot-the-key"), TEXT)
    assert (status, body["errcode"]) == (200, 310000) and body["errmsg"].startswith("sign not match")
    assert cloud.robots.messages() == []


@pytest.mark.parametrize("offset", [-3700, 3700])
def test_dingtalk_refuses_a_timestamp_more_than_an_hour_off(cloud: LocalCloud, offset: int) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    status, body = post(cloud, dingtalk_path(millis(cloud, offset)), TEXT)
    assert (status, body["errcode"]) == (200, 310000) and body["errmsg"].startswith("invalid timestamp")


def test_dingtalk_refuses_an_unknown_token(cloud: LocalCloud) -> None:
    assert post(cloud, dingtalk_path(millis(cloud)), TEXT) == (200, {"errcode": 300001, "errmsg": "token is not exist"})


def test_dingtalk_refuses_a_body_that_is_not_a_message(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    assert post(cloud, dingtalk_path(millis(cloud)), {"msgtype": "video"})[1]["errcode"] == 40035


def test_dingtalk_takes_twenty_messages_a_minute(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    codes = [post(cloud, dingtalk_path(millis(cloud)), TEXT)[1]["errcode"] for _ in range(21)]
    assert codes == [0] * 20 + [130101]
    cloud.clock_advance(61)
    assert post(cloud, dingtalk_path(millis(cloud)), TEXT)[1]["errcode"] == 0


# --- Feishu -----------------------------------------------------------------------------------


def test_feishu_takes_a_signed_message(cloud: LocalCloud) -> None:
    cloud.robots.register("feishu", TOKEN, SECRET)
    stamp = str(int(cloud.now().timestamp()))
    assert post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", feishu_body(stamp)) == (200, {"code": 0, "data": {}, "msg": "success"})
    assert cloud.robots.messages("feishu")[0].body["content"] == {"text": "hello"}


@pytest.mark.parametrize(("offset", "secret"), [(0, "wrong-secret"), (-3700, SECRET), (3700, SECRET)])
def test_feishu_refuses_a_forged_sign_or_a_stale_timestamp(cloud: LocalCloud, offset: int, secret: str) -> None:
    cloud.robots.register("feishu", TOKEN, SECRET)
    stamp = str(int(cloud.now().timestamp()) + offset)
    status, body = post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", feishu_body(stamp, secret))
    assert (status, body["code"]) == (200, 19021)
    assert body["msg"] == "sign match fail or timestamp is not within one hour from current time"


def test_feishu_refuses_an_unknown_token_and_a_bad_body(cloud: LocalCloud) -> None:
    stamp = str(int(cloud.now().timestamp()))
    assert post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", feishu_body(stamp))[1]["msg"] == \
        "param invalid: incoming webhook access token invalid"
    cloud.robots.register("feishu", TOKEN, SECRET)
    assert post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", b"not json")[1]["code"] == 9499
    assert post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", feishu_body(stamp, message={"msg_type": "x"}))[1]["code"] == 9499


def test_feishu_takes_five_messages_a_second(cloud: LocalCloud) -> None:
    cloud.robots.register("feishu", TOKEN, SECRET)
    stamp = str(int(cloud.now().timestamp()))
    codes = [post(cloud, f"/open-apis/bot/v2/hook/{TOKEN}", feishu_body(stamp))[1]["code"] for _ in range(6)]
    assert codes[5] == 11232 and codes[:5] == [0] * 5


# --- the generic webhook sink -----------------------------------------------------------------


def test_the_webhook_sink_takes_a_message_signed_with_ramparts_contract(cloud: LocalCloud) -> None:
    cloud.robots.register("webhook", "ops", SECRET)
    body = b'{"type":"rampart.joiner"}'
    status, answer = post(cloud, "/webhooks/ops", body, webhook_headers(str(int(cloud.now().timestamp())), body))
    assert (status, answer) == (200, {"ok": True})
    assert cloud.robots.messages("webhook", "ops")[0].body == {"type": "rampart.joiner"}


@pytest.mark.parametrize(("offset", "secret", "says"), [
    (0, "wrong-secret", "bad signature"), (-400, SECRET, "stale timestamp"), (400, SECRET, "stale timestamp")])
def test_the_webhook_sink_refuses_a_forged_or_stale_message(cloud: LocalCloud, offset: int, secret: str, says: str) -> None:
    cloud.robots.register("webhook", "ops", SECRET)
    body = b'{"type":"rampart.joiner"}'
    status, answer = post(cloud, "/webhooks/ops", body,
                          webhook_headers(str(int(cloud.now().timestamp()) + offset), body, secret))
    assert status == 401 and says in answer["error"]
    assert cloud.robots.messages() == []


def test_the_webhook_sink_refuses_an_unsigned_or_unknown_delivery(cloud: LocalCloud) -> None:
    cloud.robots.register("webhook", "ops", SECRET)
    assert post(cloud, "/webhooks/ops", {"type": "x"})[0] == 401
    assert post(cloud, "/webhooks/nobody", {"type": "x"})[0] == 404


# --- admin routes, reset, faults ----------------------------------------------------------------


def test_robots_are_registered_and_read_over_admin_routes_without_their_secret(cloud: LocalCloud) -> None:
    status, made = admin(cloud, "POST", "/robots", {"kind": "dingtalk", "token": TOKEN, "secret": SECRET})
    assert status == 200 and made["path"] == f"/robot/send?access_token={TOKEN}"
    post(cloud, dingtalk_path(millis(cloud)), TEXT)
    _, listed = admin(cloud, "GET", "/robots")
    _, found = admin(cloud, "GET", f"/robots/messages?kind=dingtalk&token={TOKEN}")
    assert [m["body"] for m in found["messages"]] == [TEXT]
    assert listed["robots"][0]["delivered"] == 1 and SECRET not in json.dumps(listed) + json.dumps(made)
    assert admin(cloud, "DELETE", "/robots") == (200, {"reset": True})
    assert admin(cloud, "GET", "/robots/messages")[1] == {"messages": []}


@pytest.mark.parametrize("body", [{"kind": "slack", "token": TOKEN, "secret": SECRET},
                                  {"kind": "dingtalk", "token": "a/b", "secret": SECRET},
                                  {"kind": "dingtalk", "token": TOKEN}])
def test_a_robot_that_cannot_be_registered_is_a_400(cloud: LocalCloud, body: dict[str, str]) -> None:
    assert admin(cloud, "POST", "/robots", body)[0] == 400


def test_reset_forgets_robots_and_messages(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    post(cloud, dingtalk_path(millis(cloud)), TEXT)
    cloud.reset()
    assert cloud.robots.robots() == [] and cloud.robots.messages() == []


def test_an_injected_robot_fault_answers_both_robots_code_keys(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    cloud.faults.add("robot", "error", "DingTalkSend", count=1)
    status, body = post(cloud, dingtalk_path(millis(cloud)), TEXT)
    assert (status, body["errcode"], body["code"]) == (500, -1, -1)
    assert post(cloud, dingtalk_path(millis(cloud)), TEXT)[1]["errcode"] == 0
