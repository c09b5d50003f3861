"""Properties of the DingTalk source: any change to the signed encrypt value or a signed
query parameter is 401, the framing round trips, and no input raises anything but SourceError."""

from __future__ import annotations

import json
import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.events import parse_time
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.hr.dingtalk import DingTalkCrypto, DingTalkSource
from rampart_dev.hr_senders import compact, dingtalk_request

from tests.conftest import repo_path

HR = repo_path("events", "hr")
CONFIG = json.loads((HR / "demo-config.json").read_text("utf-8"))
AT = parse_time(CONFIG["signed_at"])
SETTINGS = CONFIG["dingtalk"]
CRYPTO = DingTalkCrypto(Secret(SETTINGS["token"]), Secret(SETTINGS["aes_key"]), SETTINGS["owner_key"])
SOURCE = DingTalkSource(Secret(SETTINGS["token"]), Secret(SETTINGS["aes_key"]), SETTINGS["owner_key"], rng=random.Random(3))
PAYLOAD = json.loads((HR / "dingtalk" / "user-modify-org.json").read_text("utf-8"))
SENT = dingtalk_request(CRYPTO, compact(PAYLOAD), AT, nonce="n0nce123", random16=b"0123456789abcdef")
ENCRYPTED = json.loads(SENT.body)["encrypt"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)
query_names = st.sampled_from(["msg_signature", "signature", "timestamp", "timeStamp", "nonce"])


def test_the_unchanged_request_is_accepted() -> None:
    assert SOURCE.parse(InboundRequest("POST", "/", {}, SENT.query, SENT.body), AT).events


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(ENCRYPTED) - 1), st.text(min_size=1, max_size=4), st.sampled_from(["swap", "insert", "cut"]))
def test_any_change_to_the_signed_encrypt_value_is_401(at: int, extra: str, how: str) -> None:
    if how == "swap":
        changed = ENCRYPTED[:at] + extra + ENCRYPTED[at + len(extra) :]
    elif how == "insert":
        changed = ENCRYPTED[:at] + extra + ENCRYPTED[at:]
    else:
        changed = ENCRYPTED[:at] + ENCRYPTED[at + len(extra) :]
    if changed == ENCRYPTED:
        return
    try:
        SOURCE.parse(InboundRequest("POST", "/", {}, SENT.query, compact({"encrypt": changed})), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed encrypt value was accepted")


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["msg_signature", "timestamp", "nonce"]), st.text(max_size=20))
def test_any_change_to_a_signed_parameter_is_401(name: str, value: str) -> None:
    if SENT.query[name] == value:
        return
    try:
        SOURCE.parse(InboundRequest("POST", "/", {}, {**SENT.query, name: value}, SENT.body), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed parameter was accepted")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(query_names, st.text(max_size=50)),
)
def test_junk_raises_only_source_errors(body: bytes, query: dict[str, str]) -> None:
    try:
        result = SOURCE.parse(InboundRequest("POST", "/", {}, query, body), AT + timedelta(seconds=4))
    except SourceError as exc:
        assert 400 <= exc.status < 500
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=150, deadline=None)
@given(
    json_values
    | st.fixed_dictionaries(
        {"EventType": st.sampled_from(["user_add_org", "user_modify_org", "user_leave_org", "x"]) | json_values},
        optional={"UserId": json_values, "userId": st.lists(st.text(max_size=8)), "EventTime": json_values},
    )
)
def test_any_authentic_plaintext_gives_an_inbound_or_a_400(value: object) -> None:
    sent = dingtalk_request(CRYPTO, json.dumps(value).encode(), AT, nonce="n", random16=b"r" * 16)
    try:
        result = SOURCE.parse(InboundRequest("POST", "/", {}, sent.query, sent.body), AT)
    except SourceError as exc:
        assert exc.status == 400
    else:
        assert isinstance(result, Inbound) and result.reply is not None


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=16, max_size=16))
def test_the_framing_round_trips(message: bytes, random16: bytes) -> None:
    assert CRYPTO.decrypt(CRYPTO.encrypt(message, random16)) == message
