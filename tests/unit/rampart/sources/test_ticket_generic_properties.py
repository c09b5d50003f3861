"""Properties of the generic ticket contract: any change to a signed body (or its timestamp)
is refused with 401, and no input raises anything but SourceError."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.signing import signed_headers
from rampart.sources.ticket.generic import GenericTicketSource

from tests.conftest import repo_path

BODY = repo_path("events", "ticket", "generic-grant.json").read_bytes()
SECRET = Secret("demo-ticket-webhook-secret")
AT = datetime(2025, 3, 1, 9, 5, 1, tzinfo=timezone.utc)
SOURCE = GenericTicketSource(SECRET)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=12,
)


def signed(body: bytes, headers: dict[str, str] | None = None) -> InboundRequest:
    sent = {k.lower(): v for k, v in signed_headers(SECRET, int(AT.timestamp()), body).items()}
    sent.update(headers or {})
    return InboundRequest("POST", "/ticket/generic", sent, {}, body)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(BODY) - 1), st.binary(min_size=1, max_size=6), st.sampled_from(["flip", "insert", "cut"]))
def test_any_change_to_a_signed_body_is_401(at: int, extra: bytes, how: str) -> None:
    original = signed(BODY)
    body = bytearray(BODY)
    if how == "flip":
        body[at] ^= extra[0] or 1
    elif how == "insert":
        body[at:at] = extra
    else:
        del body[at : at + len(extra)]
    try:
        SOURCE.parse(InboundRequest("POST", "/", original.headers, {}, bytes(body)), AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed body was accepted")


@settings(max_examples=80, deadline=None)
@given(st.integers(-(10**6), 10**6).filter(lambda n: n != 0))
def test_a_moved_timestamp_is_401(shift: int) -> None:
    original = signed(BODY)
    headers = dict(original.headers)
    headers["x-rampart-timestamp"] = str(int(AT.timestamp()) + shift)
    try:
        SOURCE.parse(InboundRequest("POST", "/", headers, {}, BODY), AT + timedelta(seconds=shift))
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a re-stamped request was accepted")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "ticket_id",
                "action",
                "user",
                "person_id",
                "profile",
                "until",
                "duration",
                "status",
                "requester",
                "approver",
                "occurred_at",
                "event_id",
                "extra",
            ]
        ),
        json_values,
        max_size=12,
    )
)
def test_signed_random_objects_raise_only_source_error(changes: dict[str, Any]) -> None:
    payload = json.loads(BODY)
    payload.update(changes)
    try:
        result = SOURCE.parse(signed(json.dumps(payload).encode()), AT)
    except SourceError as exc:
        assert exc.status in (400, 422)
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_signed_junk_bytes_raise_only_source_error(body: bytes) -> None:
    try:
        SOURCE.parse(signed(body), AT)
    except SourceError as exc:
        assert exc.status in (400, 422)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.text(max_size=90))
def test_junk_headers_are_401(stamp: str, signature: str) -> None:
    request = InboundRequest("POST", "/", {"x-rampart-timestamp": stamp, "x-rampart-signature": signature}, {}, BODY)
    try:
        SOURCE.parse(request, AT)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a request with made-up headers was accepted")
