"""The notifier adapter posting over real HTTP to localcloud's robots: each kind is delivered and
verified by the robot; a refusal, an unknown token, an endpoint that does not answer and a
robot outage come back as outcomes (one retry where it can help), never as exceptions, and no
outcome or log line carries the signing secret or the URL's token."""

from __future__ import annotations

import json
import logging
import socket
from datetime import datetime, timezone

import pytest
from rampart.notify import Notice, NoticeKind, Notifier, NotifyKind, OutboundRequest, parse_config
from rampart.secret import Secret

from localcloud import LocalCloud

TOKEN = "7215ee9c7d9dc229d2921a40e899ec5f0a1b"  # a test robot token
SECRET = "SECd41d8cd98f00b204e9800998ecf8427e99"  # a test signing key
PATHS = {"dingtalk": f"/robot/send?access_token={TOKEN}", "feishu": f"/open-apis/bot/v2/hook/{TOKEN}",
         "generic": f"/webhooks/{TOKEN}"}
ROBOT = {"dingtalk": "dingtalk", "feishu": "feishu", "generic": "webhook"}
NOTICE = Notice(NoticeKind.LEAVER, "e-1", "c-1", "E1", "Alice Wong")


def notifier(cloud: LocalCloud, kind: str, *, secret: str = SECRET, endpoint: str | None = None) -> Notifier:
    url = f"http://{endpoint or cloud.endpoint}{PATHS[kind]}"
    config = parse_config("rampart-notify/chat", Secret(json.dumps({"kind": kind, "url": url, "secret": secret})))
    return Notifier(config, clock=cloud.now)


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "generic"])
def test_each_kind_is_delivered_and_verified_by_the_robot(cloud: LocalCloud, kind: str) -> None:
    cloud.robots.register(ROBOT[kind], TOKEN, SECRET)
    sent = notifier(cloud, kind).send(NOTICE)
    assert (sent.ok, sent.attempts, sent.kind) == (True, 1, NotifyKind(kind))
    [message] = cloud.robots.messages(ROBOT[kind], TOKEN)
    assert "Leaver: Alice Wong (person E1)" in json.dumps(message.body, ensure_ascii=False)


@pytest.mark.parametrize(("kind", "code"), [("dingtalk", "310000"), ("feishu", "19021"), ("generic", "401")])
def test_a_wrong_signing_secret_is_a_refusal_not_an_exception_and_is_not_retried(
        cloud: LocalCloud, kind: str, code: str) -> None:
    cloud.robots.register(ROBOT[kind], TOKEN, SECRET)
    sent = notifier(cloud, kind, secret="SEC-some-other-robots-key-0000").send(NOTICE)
    assert (sent.ok, sent.code, sent.attempts) == (False, code, 1)
    assert cloud.robots.messages() == []
    assert cloud.robots.robots()[0].attempts == 1


def test_an_unknown_robot_is_reported_with_its_code(cloud: LocalCloud) -> None:
    sent = notifier(cloud, "dingtalk").send(NOTICE)
    assert (sent.ok, sent.code, sent.message) == (False, "300001", "token is not exist")


def test_an_endpoint_that_does_not_answer_is_tried_twice(cloud: LocalCloud, caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as held:  # a port nobody listens on
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="rampart.notify"):
        sent = notifier(cloud, "dingtalk", endpoint=f"127.0.0.1:{port}").send(NOTICE)
    assert (sent.ok, sent.code, sent.attempts) == (False, "transport", 2)
    assert "127.0.0.1/robot/send" in sent.message
    shown = caplog.text + repr(sent)
    assert TOKEN not in shown and SECRET not in shown


def test_a_robot_outage_is_retried_once(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    cloud.faults.add("robot", "error", "DingTalkSend", count=1)
    sent = notifier(cloud, "dingtalk").send(NOTICE)
    assert (sent.ok, sent.attempts) == (True, 2)
    assert len(cloud.robots.messages()) == 1


def test_a_lasting_outage_gives_up_after_the_retry(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    cloud.faults.add("robot", "error", "DingTalkSend")
    sent = notifier(cloud, "dingtalk").send(NOTICE)
    assert (sent.ok, sent.code, sent.attempts) == (False, "-1", 2)


def test_a_rate_limited_robot_is_not_retried(cloud: LocalCloud) -> None:
    cloud.robots.register("dingtalk", TOKEN, SECRET)
    cloud.faults.add("robot", "throttle", "DingTalkSend")
    sent = notifier(cloud, "dingtalk").send(NOTICE)
    assert (sent.ok, sent.code, sent.attempts) == (False, "130101", 1)


def test_a_failing_sender_never_raises(cloud: LocalCloud) -> None:
    def broken(request: OutboundRequest, timeout: float) -> tuple[int, bytes]:
        raise RuntimeError("a bug in the transport")

    config = parse_config("n", Secret(json.dumps({"kind": "generic", "url": "https://hooks.example.com/x",
                                                  "secret": SECRET})))
    sent = Notifier(config, clock=lambda: datetime.now(timezone.utc), post=broken).send(NOTICE)
    assert (sent.ok, sent.code) == (False, "internal") and "RuntimeError" in sent.message


def test_the_signing_secret_and_token_are_masked_in_any_log_line(cloud: LocalCloud) -> None:
    from rampart.redact import redact_text

    notifier(cloud, "dingtalk")
    assert redact_text(f"oops {SECRET} and {TOKEN}") == "oops *** and ***"

