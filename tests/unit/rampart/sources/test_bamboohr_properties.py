"""Properties of the BambooHR source and its form reader: any change to a signed body or its
timestamp is 401, and no input raises anything but SourceError."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.events import parse_time
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.hr import bamboohr, parse_form
from rampart.sources.hr.bamboohr import BambooHRSource
from rampart_dev.hr_senders import compact

from tests.conftest import repo_path

HR = repo_path("events", "hr")
CONFIG = json.loads((HR / "demo-config.json").read_text("utf-8"))
AT = parse_time(CONFIG["signed_at"])
KEY = Secret(CONFIG["bamboohr"]["private_key"])
SOURCE = BambooHRSource(KEY)
BODY = compact(json.loads((HR / "bamboohr" / "field-based.json").read_text("utf-8")))
STAMP = str(int(AT.timestamp()))
HEADERS = {"x-bamboohr-timestamp": STAMP, "x-bamboohr-signature": bamboohr.sign(KEY, BODY, STAMP)}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)
entries = st.fixed_dictionaries(
    {"id": json_values, "action": st.sampled_from(["Created", "Updated", "Deleted", "x"]) | json_values},
    optional={"changedFields": json_values, "fields": st.dictionaries(st.text(max_size=12), json_values), "timestamp": json_values},
)


def signed(body: bytes, content_type: str = "application/json") -> InboundRequest:
    headers = {"x-bamboohr-timestamp": STAMP, "x-bamboohr-signature": bamboohr.sign(KEY, body, STAMP)}
    return InboundRequest("POST", "/", headers | {"content-type": content_type}, {}, body)


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
@given(st.text(max_size=30).filter(lambda t: t != STAMP))
def test_a_changed_timestamp_is_401(stamp: str) -> None:
    headers = {**HEADERS, "x-bamboohr-timestamp": stamp}
    try:
        SOURCE.parse(InboundRequest("POST", "/", headers, {}, BODY), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed timestamp was accepted")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["x-bamboohr-timestamp", "x-bamboohr-signature", "content-type"]), st.text(max_size=70)),
)
def test_junk_raises_only_source_errors(body: bytes, headers: dict[str, str]) -> None:
    try:
        result = SOURCE.parse(InboundRequest("POST", "/", headers, {}, body), AT + timedelta(seconds=3))
    except SourceError as exc:
        assert 400 <= exc.status < 500
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=150, deadline=None)
@given(
    json_values
    | st.fixed_dictionaries({"type": json_values | st.sampled_from(["employee.updated", "employee.created"]), "data": json_values})
    | st.fixed_dictionaries({"employees": st.lists(entries, max_size=3)})
)
def test_any_authentic_json_gives_events_or_a_4xx(value: object) -> None:
    try:
        result = SOURCE.parse(signed(json.dumps(value).encode()), AT)
    except SourceError as exc:
        assert exc.status in (400, 422)
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=120).map(str.encode))
def test_any_authentic_form_gives_events_or_a_400(body: bytes) -> None:
    try:
        result = SOURCE.parse(signed(body, "application/x-www-form-urlencoded"), AT)
    except SourceError as exc:
        assert exc.status == 400
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=10).filter(lambda t: "[" not in t and "]" not in t), max_size=5, unique=True))
def test_a_form_list_reads_back_in_order(values: list[str]) -> None:
    pairs = [("type", "employee.updated"), *((f"data[changedFields][{i}]", v) for i, v in enumerate(values))]
    parsed = parse_form(urlencode(pairs).encode())
    assert parsed["type"] == "employee.updated"
    if values:
        assert parsed["data"]["changedFields"] == values
