"""Properties of the generic HR contract: any change to a signed body or its timestamp is
refused with 401, and no input raises anything but SourceError."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.events import parse_time
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.hr.generic import GenericHRSource
from rampart.sources.signing import signed_headers

from tests.conftest import repo_path

HR = repo_path("events", "hr")
CONFIG = json.loads((HR / "demo-config.json").read_text("utf-8"))
AT = parse_time(CONFIG["signed_at"])
SECRET = Secret(CONFIG["generic"]["secret"])
SOURCE = GenericHRSource(SECRET)
BODY = json.dumps(json.loads((HR / "generic" / "batch.json").read_text("utf-8")), ensure_ascii=False).encode()
HEADERS = {k.lower(): v for k, v in signed_headers(SECRET, int(AT.timestamp()), BODY).items()}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)


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
@given(st.integers(-(10**7), 10**7).filter(lambda n: n != 0))
def test_a_moved_timestamp_is_401(shift: int) -> None:
    headers = {**HEADERS, "x-rampart-timestamp": str(int(AT.timestamp()) + shift)}
    try:
        SOURCE.parse(InboundRequest("POST", "/", headers, {}, BODY), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a moved timestamp was accepted")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["x-rampart-timestamp", "x-rampart-signature", "content-type"]), st.text(max_size=80)),
    st.sampled_from(["POST", "GET", "PUT"]),
)
def test_junk_raises_only_source_errors(body: bytes, headers: dict[str, str], method: str) -> None:
    try:
        result = SOURCE.parse(InboundRequest(method, "/", headers, {}, body), AT + timedelta(seconds=1))
    except SourceError as exc:
        assert 400 <= exc.status < 500
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_any_signed_json_gives_events_or_a_400(value: object) -> None:
    body = json.dumps(value).encode()
    headers = {k.lower(): v for k, v in signed_headers(SECRET, int(AT.timestamp()), body).items()}
    try:
        SOURCE.parse(InboundRequest("POST", "/", headers, {}, body), AT)
    except SourceError as exc:
        assert exc.status == 400
