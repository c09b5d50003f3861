"""Properties of the FC HTTP trigger wrapper: what http_event wraps, to_inbound unwraps
exactly (body bytes, comma-joined headers, decoded path); junk yields SourceError only."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.fc.http_trigger import http_event, parse_http_event, to_inbound
from rampart.sources.base import SourceError

AT = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
# Lower-case names: two names differing only in case are one header, and the order in which
# their values are comma-joined is not something FC documents (nor a property to test).
header_names = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
paths = st.lists(st.text(min_size=1, max_size=8).filter(lambda s: "/" not in s), max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["GET", "POST", "PUT"]),
    paths,
    st.binary(max_size=500) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.tuples(header_names, header_values), max_size=6),
    st.lists(st.tuples(header_names, header_values), max_size=4),
)
def test_wrap_then_unwrap_is_exact(
    method: str, path: str, body: bytes, headers: list[tuple[str, str]], query: list[tuple[str, str]]
) -> None:
    event = http_event(method, path, body, AT, headers=headers, query=query)
    parsed = parse_http_event(json.dumps(event, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    request = parsed.request
    assert request.body == body
    assert request.method == method
    assert request.path == path
    expected: dict[str, list[str]] = {}
    for name, value in headers:
        expected.setdefault(name.lower(), []).append(value)
    assert dict(request.headers) == {name: ",".join(values) for name, values in expected.items()}
    joined: dict[str, list[str]] = {}
    for name, value in query:
        joined.setdefault(name, []).append(value)
    assert dict(request.query) == {name: ",".join(values) for name, values in joined.items()}
    assert parsed.received_at == AT


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "version",
                    "rawPath",
                    "body",
                    "isBase64Encoded",
                    "headers",
                    "queryParameters",
                    "requestContext",
                    "http",
                    "method",
                    "path",
                    "sourceIp",
                    "timeEpoch",
                    "requestId",
                    "x",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_is_an_event_or_a_source_error(value: Any) -> None:
    try:
        to_inbound(json.dumps(value).encode())
    except SourceError as exc:
        assert exc.status in (400, 413)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_junk_bytes_raise_only_source_error(data: bytes) -> None:
    try:
        to_inbound(data)
    except SourceError as exc:
        assert exc.status == 400
