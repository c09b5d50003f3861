"""Properties of the Feishu source: any change to a signed body is 401, the crypto round
trips, and no input raises anything but SourceError."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.events import parse_time
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.crypto import pkcs7_pad, pkcs7_unpad
from rampart.sources.hr import feishu
from rampart.sources.hr.feishu import FeishuSource
from rampart_dev.hr_senders import compact, feishu_request

from tests.conftest import repo_path

HR = repo_path("events", "hr")
CONFIG = json.loads((HR / "demo-config.json").read_text("utf-8"))
AT = parse_time(CONFIG["signed_at"])
KEY = Secret(CONFIG["feishu"]["encrypt_key"])
TOKEN = Secret(CONFIG["feishu"]["verification_token"])
SOURCE = FeishuSource(KEY, TOKEN)
PAYLOAD = json.loads((HR / "feishu" / "user-created.json").read_text("utf-8"))
SENT = feishu_request(KEY, compact(PAYLOAD), AT, nonce="n0nce", iv=bytes(range(16)))
HEADERS = {k.lower(): v for k, v in SENT.headers.items()}
BODY = SENT.body

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)
header_names = st.sampled_from(["x-lark-signature", "x-lark-request-timestamp", "x-lark-request-nonce"])


def test_the_unchanged_body_is_accepted() -> None:
    assert SOURCE.parse(InboundRequest("POST", "/", HEADERS, {}, BODY), AT).events


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(BODY) - 1), st.binary(min_size=1, max_size=6), st.sampled_from(["flip", "insert", "cut"]))
def test_any_change_to_a_signed_body_is_401(at: int, extra: bytes, how: str) -> None:
    body = bytearray(BODY)
    if how == "flip":
        body[at] ^= extra[0] or 1
    elif how == "insert":
        body[at:at] = extra
    else:
        del body[at : at + len(extra)]
    try:
        SOURCE.parse(InboundRequest("POST", "/", HEADERS, {}, bytes(body)), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed body was accepted")


@settings(max_examples=60, deadline=None)
@given(header_names, st.text(max_size=20))
def test_any_change_to_a_signed_header_is_401(name: str, value: str) -> None:
    if HEADERS[name] == value:
        return
    headers = {**HEADERS, name: value}
    try:
        SOURCE.parse(InboundRequest("POST", "/", headers, {}, BODY), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed header was accepted")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(header_names, st.text(max_size=70)),
)
def test_junk_raises_only_source_errors(body: bytes, headers: dict[str, str]) -> None:
    for source in (SOURCE, FeishuSource(KEY, TOKEN, require_signature=False)):
        try:
            result = source.parse(InboundRequest("POST", "/", headers, {}, body), AT + timedelta(seconds=2))
        except SourceError as exc:
            assert 400 <= exc.status < 500
        else:
            assert isinstance(result, Inbound)


@settings(max_examples=150, deadline=None)
@given(json_values | st.fixed_dictionaries({"schema": st.just("2.0"), "header": json_values, "event": json_values}))
def test_any_authentic_plaintext_gives_an_inbound_or_a_4xx(value: object) -> None:
    sent = feishu_request(KEY, json.dumps(value).encode(), AT, nonce="n", iv=bytes(16))
    headers = {k.lower(): v for k, v in sent.headers.items()}
    try:
        result = SOURCE.parse(InboundRequest("POST", "/", headers, {}, sent.body), AT)
    except SourceError as exc:
        assert exc.status in (400, 401)
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.binary(min_size=16, max_size=16))
def test_encryption_round_trips(plaintext: bytes, iv: bytes) -> None:
    assert feishu.decrypt(KEY, feishu.encrypt(KEY, plaintext, iv)) == plaintext


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=100), st.sampled_from([16, 32]))
def test_pkcs7_round_trips(data: bytes, block: int) -> None:
    padded = pkcs7_pad(data, block)
    assert len(padded) % block == 0 and pkcs7_unpad(padded, block) == data
