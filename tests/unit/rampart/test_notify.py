"""Notifications, the pure parts: the destination's configuration, which results notify and what
the notice says, each kind's signature (checked against the vendors' own sample code, written
out here independently), and how each robot's answer is read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import datetime, timezone
from typing import Any

import pytest
from rampart.engine import EventResult, StepOutcome, UserResult
from rampart.errors import ConfigError
from rampart.events import parse_event
from rampart.model import (
    AccessMode,
    AuditResult,
    DisplayName,
    Escrow,
    LifecycleEvent,
    LifecycleState,
    Marker,
    NewUser,
    NoDetail,
    Plan,
    PolicyAttachment,
    PolicyRef,
    PolicyType,
    SecretKind,
    Step,
    StepDetail,
    StepKind,
    Tags,
    TicketGrant,
)
from rampart.naming import marker_tags
from rampart.notify import (
    MAX_TEXT,
    NoticeKind,
    NotifyConfig,
    NotifyKind,
    answer,
    dingtalk_sign,
    feishu_sign,
    has_news,
    notice_for,
    parse_config,
    payload,
    request,
)
from rampart.redact import redact
from rampart.secret import Secret
from rampart.sources.signing import verify_timestamped

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
DOMAIN = "myco.onaliyun.com"
SIGNING = "SECb2f5ff47436671b6e533d8dc3614845d"  # a test signing key
TOKEN = "9a0364b9e99bb480dd25e1f0284c8555"  # a test robot token
URLS = {
    "dingtalk": f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
    "feishu": f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}",
    "generic": "https://hooks.example.com/rampart/notify",
}


def config(kind: str, **overrides: Any) -> NotifyConfig:
    data = {"kind": kind, "url": URLS[kind], "secret": SIGNING, **overrides}
    return parse_config("rampart-notify/chat", Secret(json.dumps(data)))


def joiner_event(**person: Any) -> LifecycleEvent:
    return parse_event({"event_id": "e-join", "kind": "joiner", "occurred_at": NOW.isoformat(), "source": "test",
                        "correlation_id": "c-join",
                        "person": {"person_id": "E1", "display_name": "Alice Wong", **person}})


def leaver_event() -> LifecycleEvent:
    return parse_event({"event_id": "e-left", "kind": "leaver", "occurred_at": NOW.isoformat(), "source": "test",
                        "person_id": "E1", "immediate": True, "correlation_id": "c-left"})


def sample_detail(kind: StepKind, user: str) -> StepDetail:
    """A detail of the type ``kind`` carries (the notices read only the marker tags from them)."""
    samples: dict[StepKind, StepDetail] = {
        StepKind.CREATE_USER: NewUser("Alice", "E1", "", "managed by rampart"),
        StepKind.UPDATE_USER: DisplayName("Alice B"),
        StepKind.ATTACH_POLICY: PolicyAttachment(PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")),
        StepKind.CREATE_LOGIN_PROFILE: Escrow(SecretKind.PASSWORD, "E1", "", f"rampart/{user}/console-password"),
        StepKind.CREATE_ACCESS_KEY: Escrow(SecretKind.ACCESS_KEY, "E1", "", f"rampart/{user}/access-key"),
    }
    return samples.get(kind, NoDetail())


def outcome(kind: StepKind, user: str, result: AuditResult = AuditResult.OK, detail: StepDetail | None = None) -> StepOutcome:
    return StepOutcome(Step(kind, user, sample_detail(kind, user) if detail is None else detail), result, 1)


def created(user: str = "alice", access: AccessMode = AccessMode.CONSOLE, result: AuditResult = AuditResult.OK,
            create: AuditResult = AuditResult.OK) -> UserResult:
    marker = Marker("E1", LifecycleState.ACTIVE, NOW, frozenset({"readonly", "arms-full"}),
                    (TicketGrant("oncall", "OPS-1", None),), access=access)
    credential = StepKind.CREATE_LOGIN_PROFILE if access is AccessMode.CONSOLE else StepKind.CREATE_ACCESS_KEY
    outcomes = (outcome(StepKind.CREATE_USER, user, create), outcome(StepKind.TAG_USER, user, detail=Tags.of(marker_tags(marker))),
                outcome(credential, user))
    return UserResult(user, Plan("e-join", user, tuple(o.step for o in outcomes)), outcomes, result)


def event_result(*users: UserResult, correlation_id: str = "c-join", result: AuditResult = AuditResult.OK) -> EventResult:
    return EventResult("e", correlation_id, "joiner", result, users)


def certified(user: str = "alice") -> UserResult:
    certificate = {"certificate": "leaver", "user": user, "person_id": "E1", "removed_count": 4,
                   "removed": {"delete-user": [user], "detach-policy": ["System:A", "System:B"],
                               "schedule-secret-deletion": [f"rampart/{user}/console-password"]}}
    outcomes = (outcome(StepKind.DELETE_USER, user),)
    return UserResult(user, Plan("e-left", user, (outcomes[0].step,)), outcomes, AuditResult.OK, certificate=certificate)


def no_domain() -> str:
    raise AssertionError("the default domain must not be read here")


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dingtalk", "feishu", "generic"])
def test_a_destination_is_read_from_its_secret(kind: str) -> None:
    made = config(kind)
    assert made.kind is NotifyKind(kind) and made.url.reveal() == URLS[kind] and made.secret.reveal() == SIGNING


def test_a_destination_never_shows_its_url_or_secret() -> None:
    made = config("feishu")
    shown = repr(made) + str(made) + made.where()
    assert TOKEN not in shown and SIGNING not in shown
    assert made.where() == "open.feishu.cn/open-apis/bot/v2/hook/***"
    assert config("dingtalk").where() == "oapi.dingtalk.com/robot/send"


@pytest.mark.parametrize(("value", "says"), [
    ("not json", "is not JSON"),
    ("[1, 2]", "must hold a JSON object"),
    (json.dumps({"kind": "slack", "url": URLS["generic"], "secret": SIGNING}), "kind must be one of dingtalk, feishu, generic"),
    (json.dumps({"kind": "generic", "secret": SIGNING}), "url must be a non-empty string"),
    (json.dumps({"kind": "generic", "url": URLS["generic"]}), "secret must be a non-empty string"),
    (json.dumps({"kind": "generic", "url": URLS["generic"], "secret": SIGNING, "channel": "x"}), "unknown key(s) channel"),
    (json.dumps({"kind": "generic", "url": f"http://hooks.example.com/{TOKEN}", "secret": SIGNING}), "must use https"),
    (json.dumps({"kind": "generic", "url": f"ftp://hooks.example.com/{TOKEN}", "secret": SIGNING}), "https://host/path"),
    (json.dumps({"kind": "generic", "url": f"https://u:{TOKEN}@h.example.com/x", "secret": SIGNING}), "no user, password"),
    (json.dumps({"kind": "generic", "url": "https://h.example.com:99999/x", "secret": SIGNING}), "url is not a URL"),
    (json.dumps({"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send", "secret": SIGNING}), "access_token"),
    (json.dumps({"kind": "dingtalk", "url": f"https://oapi.dingtalk.com/x?access_token={TOKEN}", "secret": SIGNING}),
     "robot/send"),
    (json.dumps({"kind": "feishu", "url": f"https://open.feishu.cn/hook/{TOKEN}", "secret": SIGNING}), "bot/v2/hook"),
    (json.dumps({"kind": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/", "secret": SIGNING}),
     "bot/v2/hook"),
])
def test_a_bad_destination_is_a_config_error_that_shows_no_value(value: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("rampart-notify/chat", Secret(value))
    assert says in str(caught.value) and "rampart-notify/chat" in str(caught.value)
    assert TOKEN not in str(caught.value) and SIGNING not in str(caught.value)


def test_plain_http_is_allowed_on_loopback_only() -> None:
    made = parse_config("n", Secret(json.dumps({"kind": "generic", "url": "http://127.0.0.1:8080/webhooks/x",
                                                "secret": SIGNING})))
    assert made.url.reveal().startswith("http://127.0.0.1")


def test_keys_starting_with_an_underscore_are_comments() -> None:
    assert config("generic", _note="the ops channel").kind is NotifyKind.GENERIC


# --- which results notify, and what the notice says -----------------------------------------


def test_a_joiner_notice_names_the_logon_and_where_the_credential_is() -> None:
    notice = notice_for(joiner_event(), event_result(created()), default_domain=lambda: DOMAIN, secret_prefix="rampart")
    assert notice is not None and notice.kind is NoticeKind.JOINER
    [user] = notice.joined
    assert user.logon_principal == f"alice@{DOMAIN}"
    assert user.login_url == f"https://signin.aliyun.com/{DOMAIN}/login.htm"
    assert user.access is AccessMode.CONSOLE and user.profiles == ("arms-full", "oncall", "readonly")
    assert user.secret_name == "rampart/alice/console-password"
    text = notice.text()
    for fact in ("Alice Wong (person E1)", f"alice@{DOMAIN}", user.login_url, "console access",
                 "profiles arms-full, oncall, readonly", "rampart/alice/console-password", "rampart handover alice",
                 "c-join"):
        assert fact in text


def test_a_programmatic_joiner_is_handed_over_from_its_access_key_secret() -> None:
    result = event_result(created("svc-ci", AccessMode.PROGRAMMATIC))
    notice = notice_for(joiner_event(), result, default_domain=lambda: DOMAIN, secret_prefix="corp")
    assert notice is not None
    assert (notice.joined[0].access, notice.joined[0].secret_name) == (AccessMode.PROGRAMMATIC, "corp/svc-ci/access-key")


def test_split_access_modes_are_one_notice_with_both_users() -> None:
    result = event_result(created("alice"), created("alice-api", AccessMode.PROGRAMMATIC))
    notice = notice_for(joiner_event(), result, default_domain=lambda: DOMAIN, secret_prefix="rampart")
    assert notice is not None and notice.users == ("alice", "alice-api")
    assert "(2 RAM user(s))" in notice.title


def test_a_user_created_by_an_earlier_attempt_still_notifies_when_this_one_converges() -> None:
    result = event_result(created(create=AuditResult.CONVERGED))
    assert has_news(joiner_event(), result)


@pytest.mark.parametrize("result", [
    event_result(created(result=AuditResult.FAILED), result=AuditResult.FAILED),
    event_result(UserResult("alice", Plan("e", "alice", ()), (), AuditResult.NOOP), result=AuditResult.NOOP),
    event_result(UserResult("alice", Plan("e", "alice", ()), (outcome(StepKind.UPDATE_USER, "alice"),), AuditResult.OK)),
    event_result(result=AuditResult.STALE),
])
def test_failed_replayed_updating_or_stale_joiners_notify_nobody(result: EventResult) -> None:
    assert not has_news(joiner_event(), result)
    assert notice_for(joiner_event(), result, default_domain=no_domain, secret_prefix="rampart") is None


def test_a_mover_notifies_nobody() -> None:
    mover = parse_event({"event_id": "e-move", "kind": "mover", "occurred_at": NOW.isoformat(), "source": "test",
                         "person": {"person_id": "E1", "display_name": "Alice Wong"}})
    result = event_result(UserResult("alice", Plan("e", "alice", ()), (outcome(StepKind.ATTACH_POLICY, "alice"),),
                                     AuditResult.OK))
    assert notice_for(mover, result, default_domain=no_domain, secret_prefix="rampart") is None


def test_a_leaver_notice_summarises_the_certificate_without_reading_the_domain() -> None:
    notice = notice_for(leaver_event(), event_result(certified(), correlation_id="c-left"), default_domain=no_domain,
                        secret_prefix="rampart")
    assert notice is not None and notice.kind is NoticeKind.LEAVER
    [cert] = notice.certificates
    assert (cert.user_name, cert.person_id, cert.removed_count) == ("alice", "E1", 4)
    assert "RAM user alice deleted, certificate on record: 4 item(s) removed (delete-user 1, detach-policy 2, " \
           "schedule-secret-deletion 1)" in notice.text()


def test_a_leaver_disabled_for_a_grace_period_has_no_certificate_and_notifies_nobody() -> None:
    disabled = UserResult("alice", Plan("e", "alice", ()), (outcome(StepKind.DELETE_LOGIN_PROFILE, "alice"),),
                          AuditResult.OK)
    assert notice_for(leaver_event(), event_result(disabled), default_domain=no_domain, secret_prefix="r") is None


def test_a_long_notice_is_cut() -> None:
    many = event_result(*(created(f"user{i:03d}") for i in range(60)))
    notice = notice_for(joiner_event(), many, default_domain=lambda: DOMAIN, secret_prefix="rampart")
    assert notice is not None
    assert len(notice.text()) <= MAX_TEXT and notice.text().endswith("...(truncated)")
    assert len(notice.markdown()) <= MAX_TEXT


@pytest.mark.parametrize("kind", list(NotifyKind))
def test_redaction_leaves_an_honest_message_as_it_is(kind: NotifyKind) -> None:
    notice = notice_for(joiner_event(), event_result(created()), default_domain=lambda: DOMAIN, secret_prefix="rampart")
    assert notice is not None
    assert redact(payload(kind, notice)) == payload(kind, notice)


def test_a_secret_pasted_into_a_display_name_is_masked_by_redaction() -> None:
    notice = notice_for(joiner_event(display_name="Alice password=Hunter2Hunter2"), event_result(created()),
                        default_domain=lambda: DOMAIN, secret_prefix="rampart")
    assert notice is not None and "Hunter2Hunter2" in notice.text()
    assert "Hunter2Hunter2" not in json.dumps(redact(payload(NotifyKind.FEISHU, notice)))


# --- signatures: test vectors from the vendors' sample code -----------------------------------


def dingtalk_doc_sample(timestamp: str, secret: str) -> str:
    """DingTalk's Python sample ("sign request"), as published."""
    secret_enc = secret.encode("utf-8")
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(secret_enc, string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


def feishu_doc_sample(timestamp: str, secret: str) -> str:
    """Feishu's Python sample (custom bot guide, "gen_sign"), as published."""
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(hmac_code).decode("utf-8")


def test_the_dingtalk_signature_matches_the_documented_algorithm_and_a_fixed_vector() -> None:
    assert dingtalk_sign(Secret("this is secret"), "1577808000000") == "ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0="
    assert urllib.parse.quote_plus(dingtalk_sign(Secret(SIGNING), "1700000000123")) == dingtalk_doc_sample(
        "1700000000123", SIGNING)


def test_the_feishu_signature_matches_the_documented_algorithm_and_a_fixed_vector() -> None:
    assert feishu_sign(Secret("this is secret"), "1599360473") == "/eYKrXQBzTjUZJ3s6NX16VxGbTwmK7AEs8/FnvC1CSw="
    assert feishu_sign(Secret(SIGNING), "1700000000") == feishu_doc_sample("1700000000", SIGNING)


def test_a_dingtalk_request_carries_the_timestamp_and_the_url_encoded_sign() -> None:
    made = request(config("dingtalk"), {"msgtype": "text", "text": {"content": "x"}}, NOW)
    query = urllib.parse.urlsplit(made.url.reveal()).query
    stamp = str(int(NOW.timestamp() * 1000))
    assert query == f"access_token={TOKEN}&timestamp={stamp}&sign={dingtalk_doc_sample(stamp, SIGNING)}"
    assert SIGNING.encode() not in made.body and TOKEN.encode() not in made.body


def test_a_feishu_request_carries_timestamp_and_sign_in_its_body() -> None:
    made = request(config("feishu"), {"msg_type": "text", "content": {"text": "x"}}, NOW)
    body = json.loads(made.body)
    assert body["timestamp"] == str(int(NOW.timestamp()))
    assert body["sign"] == feishu_doc_sample(body["timestamp"], SIGNING)
    assert made.url.reveal() == URLS["feishu"] and SIGNING.encode() not in made.body


def test_a_generic_request_verifies_with_ramparts_inbound_checker() -> None:
    made = request(config("generic"), {"type": "rampart.joiner"}, NOW)
    verify_timestamped(Secret(SIGNING), made.body, made.headers["X-Rampart-Timestamp"],
                       made.headers["X-Rampart-Signature"], NOW)
    assert SIGNING not in json.dumps(dict(made.headers))


# --- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status", "body", "ok", "code"), [
    (NotifyKind.DINGTALK, 200, b'{"errcode":0,"errmsg":"ok"}', True, "0"),
    (NotifyKind.DINGTALK, 200, b'{"errcode":310000,"errmsg":"sign not match"}', False, "310000"),
    (NotifyKind.DINGTALK, 200, b'{"errcode":300001,"errmsg":"token is not exist"}', False, "300001"),
    (NotifyKind.DINGTALK, 200, b"<html>gateway</html>", False, "unreadable"),
    (NotifyKind.DINGTALK, 502, b"bad gateway", False, "http-502"),
    (NotifyKind.DINGTALK, 200, b'{"errcode":true}', False, "unreadable"),
    (NotifyKind.FEISHU, 200, b'{"code":0,"data":{},"msg":"success"}', True, "0"),
    (NotifyKind.FEISHU, 200, b'{"Extra":null,"StatusCode":0,"StatusMessage":"success"}', True, "0"),
    (NotifyKind.FEISHU, 200, b'{"code":19021,"data":{},"msg":"sign match fail"}', False, "19021"),
    (NotifyKind.FEISHU, 400, b'{"code":9499,"msg":"Bad Request"}', False, "9499"),
    (NotifyKind.GENERIC, 204, b"", True, "204"),
    (NotifyKind.GENERIC, 401, b'{"error":"bad signature"}', False, "401"),
    (NotifyKind.GENERIC, 500, b"oops", False, "500"),
])
def test_each_answer_is_read_by_its_kind(kind: NotifyKind, status: int, body: bytes, ok: bool, code: str) -> None:
    read = answer(kind, status, body)
    assert (read.ok, read.code) == (ok, code)


def test_a_refusal_keeps_the_robots_message_short() -> None:
    read = answer(NotifyKind.DINGTALK, 200, json.dumps({"errcode": 1, "errmsg": "x" * 999}).encode())
    assert not read.ok and len(read.message) == 200
