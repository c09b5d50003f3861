"""Registered robots, their delivered messages, and every rule a real robot enforces.

- **DingTalk custom robot** with "sign request" security: the query carries ``access_token``,
  ``timestamp`` (milliseconds) and ``sign`` = base64(HmacSHA256(key=secret,
  msg=timestamp + "\\n" + secret)) (URL-decoded by the server). Checked in this order (the
  real order is UNCONFIRMED): the token (``300001``), the timestamp within one hour of
  localcloud's clock (``310000`` invalid timestamp), the sign (``310000`` sign not match), the
  body (a JSON object with a known ``msgtype``), then 20 messages per rolling minute per robot
  (``130101``; the real robot then also mutes itself for 10 minutes: not modelled).
- **Feishu / Lark custom bot** with "signature verification": the JSON body carries
  ``timestamp`` (seconds, string or number) and ``sign`` = base64(HmacSHA256(key=timestamp +
  "\\n" + secret, msg="")). Checked: the token, the body, the timestamp within one hour and
  the sign (both ``19021``), ``msg_type``, 20 KB, then 5 a second and 100 a minute (``11232``).
- **Generic webhook sink** (rampart's contract, ``rampart.sources.signing``):
  ``X-Rampart-Timestamp`` (Unix seconds, within 5 minutes of localcloud's clock) and
  ``X-Rampart-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``.

This module verifies with its own code (it never imports rampart), so a rampart signing bug
cannot hide behind a shared one. Only delivered messages are kept (what the group would
see); every attempt, refused ones included, is counted per robot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from localcloud.core.clock import Clock
from localcloud.robots import errors

KINDS = ("dingtalk", "feishu", "webhook")
SIGN_WINDOW = timedelta(hours=1)
WEBHOOK_WINDOW = timedelta(minutes=5)
DINGTALK_PER_MINUTE = 20
FEISHU_PER_MINUTE = 100
FEISHU_PER_SECOND = 5
FEISHU_MAX_BODY = 20 * 1024
DINGTALK_TYPES = ("text", "markdown", "link", "actionCard", "feedCard")
FEISHU_TYPES = ("text", "post", "image", "share_chat", "interactive")


class RobotConfigError(ValueError):
    """A robot cannot be registered as asked (the message says which field and why)."""


@dataclass
class Robot:
    kind: str
    token: str
    secret: str = field(repr=False)
    attempts: int = 0
    delivered: deque[datetime] = field(default_factory=deque, repr=False)

    def to_json(self) -> dict[str, Any]:
        """Never the secret."""
        return {"kind": self.kind, "token": self.token, "attempts": self.attempts, "delivered": len(self.delivered)}


@dataclass(frozen=True, slots=True)
class Message:
    kind: str
    token: str
    time: datetime
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "token": self.token, "time": self.time.isoformat(), "body": dict(self.body),
                "headers": dict(self.headers)}


def _b64_hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("ascii"))


def _seconds(text: str, *, millis: bool) -> datetime | None:
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > 16:
        return None
    value = int(digits) / (1000 if millis else 1)
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class RobotService:
    """The robots and their messages; thread-safe. Harness state beside ``CloudState``
    (``LocalCloud.reset()`` forgets them; ``--state`` does not persist them)."""

    def __init__(self, clock_of: Callable[[], Clock]) -> None:
        self._clock_of = clock_of
        self._lock = threading.Lock()
        self._robots: dict[tuple[str, str], Robot] = {}
        self._messages: list[Message] = []

    # --- the Python API behind the admin routes -------------------------------------------

    def register(self, kind: str, token: str, secret: str) -> Robot:
        """Register (or replace) a robot: ``dingtalk`` / ``feishu`` by access token, ``webhook``
        by sink name; ``secret`` is its signing key."""
        if kind not in KINDS:
            raise RobotConfigError(f'"kind" must be one of {list(KINDS)}, got {kind!r}')
        for name, value in (("token", token), ("secret", secret)):
            if not isinstance(value, str) or not value or len(value) > 256 or not value.isprintable():
                raise RobotConfigError(f'"{name}" must be a printable string of 1-256 characters')
        if "/" in token or "?" in token or "&" in token:
            raise RobotConfigError('"token" must not contain "/", "?" or "&" (it sits in a URL)')
        robot = Robot(kind, token, secret)
        with self._lock:
            self._robots[(kind, token)] = robot
        return robot

    def robots(self) -> list[Robot]:
        with self._lock:
            return list(self._robots.values())

    def messages(self, kind: str | None = None, token: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self._messages if (kind is None or m.kind == kind) and (token is None or m.token == token)]

    def reset(self) -> None:
        with self._lock:
            self._robots.clear()
            self._messages.clear()

    # --- the endpoints ----------------------------------------------------------------------

    def _robot(self, kind: str, token: str, missing: errors.RobotError) -> Robot:
        robot = self._robots.get((kind, token))
        if robot is None:
            raise missing
        robot.attempts += 1
        return robot

    def _deliver(self, robot: Robot, now: datetime, body: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> None:
        robot.delivered.append(now)
        self._messages.append(Message(robot.kind, robot.token, now, body, dict(headers or {})))

    @staticmethod
    def _recent(robot: Robot, now: datetime, window: timedelta) -> int:
        while robot.delivered and robot.delivered[0] <= now - timedelta(minutes=1):
            robot.delivered.popleft()
        return sum(1 for t in robot.delivered if t > now - window)

    def dingtalk_send(self, query: Mapping[str, str], body: bytes) -> dict[str, Any]:
        now = self._clock_of().now()
        with self._lock:
            robot = self._robot("dingtalk", query.get("access_token", ""), errors.DingTalkTokenNotExist())
            stamp = _seconds(query.get("timestamp", ""), millis=True)
            if stamp is None or abs(now - stamp) > SIGN_WINDOW:
                raise errors.DingTalkInvalidTimestamp()
            expected = _b64_hmac(robot.secret.encode(), f"{query['timestamp'].strip()}\n{robot.secret}".encode())
            if not _same(query.get("sign", ""), expected):
                raise errors.DingTalkSignNotMatch()
            message = _object(body)
            if message is None or message.get("msgtype") not in DINGTALK_TYPES or not isinstance(
                    message.get(str(message.get("msgtype"))), dict):
                raise errors.DingTalkBadMessage()
            if self._recent(robot, now, timedelta(minutes=1)) >= DINGTALK_PER_MINUTE:
                raise errors.DingTalkSendTooFast()
            self._deliver(robot, now, message)
        return {"errcode": 0, "errmsg": "ok"}

    def feishu_send(self, token: str, body: bytes) -> dict[str, Any]:
        now = self._clock_of().now()
        with self._lock:
            robot = self._robot("feishu", token, errors.FeishuTokenInvalid())
            message = _object(body) if len(body) <= FEISHU_MAX_BODY else None
            if message is None:
                raise errors.FeishuBadRequest()
            stamp_text = str(message.get("timestamp", ""))
            stamp = _seconds(stamp_text, millis=False)
            sign = message.get("sign")
            if stamp is None or abs(now - stamp) > SIGN_WINDOW or not isinstance(sign, str) or not _same(
                    sign, _b64_hmac(f"{stamp_text.strip()}\n{robot.secret}".encode(), b"")):
                raise errors.FeishuSignMatchFail()
            if message.get("msg_type") not in FEISHU_TYPES:
                raise errors.FeishuBadRequest()
            if (self._recent(robot, now, timedelta(seconds=1)) >= FEISHU_PER_SECOND
                    or self._recent(robot, now, timedelta(minutes=1)) >= FEISHU_PER_MINUTE):
                raise errors.FeishuFrequencyLimited()
            self._deliver(robot, now, message)
        return {"code": 0, "data": {}, "msg": "success"}

    def webhook_send(self, name: str, timestamp: str, signature: str, body: bytes) -> dict[str, Any]:
        now = self._clock_of().now()
        with self._lock:
            robot = self._robot("webhook", name, errors.WebhookNotFound())
            stamp = _seconds(timestamp, millis=False)
            if stamp is None:
                raise errors.WebhookUnauthorized("missing or malformed X-Rampart-Timestamp")
            expected = "sha256=" + hmac.new(robot.secret.encode(), timestamp.strip().encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            if not _same(signature.strip().lower(), expected):
                raise errors.WebhookUnauthorized("bad signature: X-Rampart-Signature does not match the body")
            if abs(now - stamp) > WEBHOOK_WINDOW:
                raise errors.WebhookUnauthorized("stale timestamp: outside the 300 s window")
            message = _object(body)
            if message is None:
                raise errors.WebhookBadRequest()
            self._deliver(robot, now, message, {"x-rampart-timestamp": timestamp.strip()})
        return {"ok": True}
