"""Properties of the Jira source: a signed body changed in any way is refused with 401, and
nothing a sender can put in a body or a header raises anything but SourceError."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rampart.secret import Secret
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.signing import sign_body
from rampart.sources.ticket.jira import JiraMapping, JiraSource

from tests.conftest import repo_path

SAMPLE = repo_path("events", "ticket", "jira-issue-approved.json")
BODY = SAMPLE.read_bytes()
SECRET = Secret("demo-jira-webhook-secret")
NOW = datetime(2025, 3, 1, 9, 0, 30, tzinfo=timezone.utc)
SOURCE = JiraSource(
    SECRET,
    JiraMapping(
        profile_field="customfield_10051",
        person_field="customfield_10050",
        duration_field="customfield_10052",
        action_field="customfield_10010.requestType.name",
        approver_field="customfield_10070",
    ),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def signed(body: bytes, signature: str | None = None) -> InboundRequest:
    headers = {"x-hub-signature": sign_body(SECRET, body) if signature is None else signature}
    headers["x-atlassian-webhook-identifier"] = "prop-1"
    return InboundRequest("POST", "/ticket/jira", headers, {}, body)


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    body = bytearray(BODY)
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append"]))
    at = draw(st.integers(0, len(body) - 1))
    if kind == "flip":
        body[at] ^= draw(st.integers(1, 255))
    elif kind == "insert":
        body[at:at] = draw(st.binary(min_size=1, max_size=8))
    elif kind == "delete":
        del body[at : at + draw(st.integers(1, 8))]
    elif kind == "truncate":
        del body[at:]
    else:
        body += draw(st.binary(min_size=1, max_size=8))
    return bytes(body)


@settings(max_examples=150, deadline=None)
@given(mutations())
def test_any_change_to_a_signed_body_is_401(body: bytes) -> None:
    original_signature = sign_body(SECRET, BODY)
    try:
        SOURCE.parse(signed(body, original_signature), NOW)
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("a changed body was accepted")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_signed_junk_bytes_raise_only_source_error(body: bytes) -> None:
    try:
        result = SOURCE.parse(signed(body), NOW)
    except SourceError as exc:
        assert exc.status in (400, 401, 422)
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["timestamp", "webhookEvent", "user", "issue", "changelog", "fields", "item"]), json_values)
def test_signed_wrong_shapes_raise_only_source_error(where: str, value: Any) -> None:
    payload = json.loads(BODY)
    if where == "fields":
        payload["issue"]["fields"][str(value)[:20] if value else "customfield_10051"] = value
        payload["issue"]["fields"]["customfield_10070"] = value
    elif where == "item":
        payload["changelog"]["items"].append(value)
    else:
        payload[where] = value
    try:
        result = SOURCE.parse(signed(json.dumps(payload).encode()), NOW)
    except SourceError as exc:
        assert exc.status in (400, 401, 422)
    else:
        assert isinstance(result, Inbound)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=30), st.text(max_size=80), max_size=6), st.binary(max_size=200))
def test_unsigned_junk_is_refused(headers: dict[str, str], body: bytes) -> None:
    request = InboundRequest("POST", "/", {k.lower(): v for k, v in headers.items()}, {}, body)
    try:
        SOURCE.parse(request, NOW + timedelta(seconds=1))
    except SourceError as exc:
        assert exc.status == 401
    else:
        raise AssertionError("an unsigned request was accepted")
