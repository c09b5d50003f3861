"""FC 3.0's HTTP trigger: the event -> InboundRequest, the event built for the dev server, and
the answer struct. Samples: events/fc/."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from rampart.errors import CloudError, EventError, PolicyRefused, RampartError, UnknownPerson, UnknownProfile
from rampart.fc.http_trigger import answer, answer_from, http_event, parse_http_event, status_for, to_inbound
from rampart.model import EventKind, LifecycleEvent
from rampart.sources.base import MAX_BODY_BYTES, Inbound, Reply, SourceError

from tests.conftest import repo_path

FC = repo_path("events", "fc")
AT = datetime(2025, 3, 1, 9, 0, 0, 123000, tzinfo=timezone.utc)


def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FC / "http-trigger-reference.json").read_text(encoding="utf-8"))
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def refused(data: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        to_inbound(data if isinstance(data, bytes) else encode(data))
    return caught.value


# --- the reference event ---------------------------------------------------------------


def test_reference_event_becomes_an_inbound_request() -> None:
    parsed = parse_http_event((FC / "http-trigger-reference.json").read_bytes())
    request = parsed.request
    assert (request.method, request.path, request.body) == ("GET", "/example", b"Hello FC!")
    assert request.headers == {"header1": "value1", "header2": "value1,value2"}
    assert request.query == {"parameter1": "value1", "parameter2": "value1,value2"}
    assert request.source_ip == "11.11.11.**"
    assert parsed.request_id == "1-64f6cd87-*************"
    assert parsed.received_at == datetime(2023, 9, 5, 6, 41, 11, 895000, tzinfo=timezone.utc)


def test_header_lookup_is_case_insensitive() -> None:
    event = reference()
    event["headers"] = {"X-Hub-Signature": "sha256=ab"}
    assert to_inbound(encode(event)).header("x-hub-signature") == "sha256=ab"
    assert to_inbound(encode(event)).header("X-HUB-SIGNATURE") == "sha256=ab"


def test_headers_differing_only_in_case_are_joined() -> None:
    event = reference()
    event["headers"] = {"X-Tag": "a", "x-tag": "b"}
    assert to_inbound(encode(event)).headers == {"x-tag": "a,b"}


def test_binary_sample_is_base64_decoded_and_path_decoded() -> None:
    parsed = parse_http_event((FC / "http-trigger-binary.json").read_bytes())
    assert parsed.request.body == bytes(range(256))
    assert parsed.raw_path == "/upload/r%C3%A9sum%C3%A9"
    assert parsed.request.path == "/upload/résumé"
    assert parsed.request.headers["x-tag"] == "a,b"
    assert parsed.request.query == {"tag": "x,y"}


def test_path_falls_back_to_the_decoded_raw_path() -> None:
    event = reference()
    event["rawPath"] = "/a%20b"
    del event["requestContext"]["http"]["path"]
    assert to_inbound(encode(event)).path == "/a b"


def test_unicode_body_is_utf8_bytes() -> None:
    event = reference()
    event["body"] = '{"name":"张三"}'
    assert to_inbound(encode(event)).body == '{"name":"张三"}'.encode()


def test_missing_body_is_empty() -> None:
    event = reference()
    del event["body"]
    assert to_inbound(encode(event)).body == b""


def test_str_event_is_accepted() -> None:
    assert to_inbound((FC / "http-trigger-reference.json").read_text(encoding="utf-8")).body == b"Hello FC!"


# --- building the event ------------------------------------------------------------------


def test_http_event_round_trips() -> None:
    body = '{"ticket":"OPS-42","who":"李雷"}'.encode()
    event = http_event(
        "post",
        "/ticket/jira",
        body,
        AT,
        headers=[("Content-Type", "application/json"), ("Accept", "a"), ("Accept", "b"), ("User-Agent", "curl/8")],
        query=[("x", "1"), ("x", "2")],
        source_ip="10.0.0.1",
    )
    assert event["version"] == "v1" and event["isBase64Encoded"] is False
    assert event["headers"]["Accept"] == "a,b"
    assert event["requestContext"]["timeEpoch"] == "1740819600123"
    assert event["requestContext"]["time"] == "2025-03-01T09:00:00Z"
    assert event["requestContext"]["http"]["userAgent"] == "curl/8"
    parsed = parse_http_event(json.dumps(event))
    assert parsed.request.method == "POST"
    assert parsed.request.body == body
    assert parsed.request.headers["accept"] == "a,b"
    assert parsed.request.query == {"x": "1,2"}
    assert parsed.received_at == AT
    assert parsed.request_id == event["requestContext"]["requestId"]


def test_http_event_encodes_binary_as_base64() -> None:
    event = http_event("POST", "/", b"\xff\x00", AT)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"


def test_http_event_encodes_the_raw_path() -> None:
    event = http_event("GET", "/a b/é", b"", AT)
    assert event["rawPath"] == "/a%20b/%C3%A9"
    assert event["requestContext"]["http"]["path"] == "/a b/é"


def test_http_event_request_id_is_deterministic() -> None:
    assert (
        http_event("POST", "/", b"x", AT)["requestContext"]["requestId"]
        == http_event("POST", "/", b"x", AT)["requestContext"]["requestId"]
    )


# --- malformed trigger events ------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rawPath": None}, "rawPath"),
        ({"rawPath": "example"}, "rawPath"),
        ({"headers": ["a"]}, "headers"),
        ({"headers": {"a": 1}}, "headers.a"),
        ({"queryParameters": "a=b"}, "queryParameters"),
        ({"body": 5}, "body"),
        ({"isBase64Encoded": "true"}, "isBase64Encoded"),
        ({"body": "***", "isBase64Encoded": True}, "base64"),
        ({"requestContext": []}, "requestContext"),
        ({"requestContext": {"http": "x"}}, "requestContext.http"),
        ({"requestContext": {"http": {"method": "GE T"}}}, "method"),
    ],
)
def test_malformed_trigger_event_is_400_naming_the_field(change: dict[str, Any], named: str) -> None:
    event = reference()
    event.update(change)
    error = refused(event)
    assert error.status == 400
    assert named in error.message


@pytest.mark.parametrize("data", [b"", b"nope", b"[]", b"\xff", b'"v1"'])
def test_not_a_trigger_event_is_400(data: bytes) -> None:
    assert refused(data).status == 400


def test_oversize_body_is_413() -> None:
    event = reference()
    event["body"] = "x" * (MAX_BODY_BYTES + 1)
    assert refused(event).status == 413


def test_oversize_base64_body_is_413() -> None:
    event = reference()
    event["body"] = base64.b64encode(b"x" * (MAX_BODY_BYTES + 1)).decode()
    event["isBase64Encoded"] = True
    assert refused(event).status == 413


def test_oversize_event_is_413_before_parsing() -> None:
    assert refused(b"{" * (MAX_BODY_BYTES * 2)).status == 413


def test_list_header_values_are_comma_joined() -> None:
    event = reference()
    event["headers"] = {"accept": ["a", "b"]}
    assert to_inbound(encode(event)).headers == {"accept": "a,b"}


# --- answers -----------------------------------------------------------------------------


def grant() -> LifecycleEvent:
    return LifecycleEvent("ticket-jira-1", EventKind.GRANT, AT, "ticket:jira", "E1001", profile="arms-full")


def test_answer_struct() -> None:
    assert answer(200, "ok", {"Content-Type": "text/plain"}) == {
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain"},
        "isBase64Encoded": False,
        "body": "ok",
    }


def test_answer_json_body() -> None:
    result = answer(202, {"who": "李雷"})
    assert result["headers"]["Content-Type"] == "application/json"
    assert json.loads(result["body"]) == {"who": "李雷"}
    assert "李雷" in result["body"]


def test_answer_binary_body_is_base64() -> None:
    result = answer(200, b"\xff\xfe")
    assert result["isBase64Encoded"] is True and base64.b64decode(result["body"]) == b"\xff\xfe"


def test_accepted_events_answer_202() -> None:
    result = answer_from(Inbound(events=(grant(),), delivery_id="ticket-jira-1"))
    assert result["statusCode"] == 202
    assert json.loads(result["body"]) == {
        "status": "accepted",
        "delivery_id": "ticket-jira-1",
        "events": ["ticket-jira-1"],
    }


def test_already_accepted_answers_200() -> None:
    result = answer_from(Inbound(events=(grant(),), delivery_id="ticket-jira-1"), already_accepted=True)
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["status"] == "duplicate"


def test_ignored_answers_200_with_the_reason() -> None:
    result = answer_from(Inbound(delivery_id="d", ignored="not an approval"))
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"status": "ignored", "reason": "not an approval"}


def test_reply_is_answered_as_is() -> None:
    result = answer_from(Inbound(reply=Reply(200, '{"challenge":"abc"}')))
    assert (result["statusCode"], result["body"]) == (200, '{"challenge":"abc"}')


def test_source_error_answers_its_status_and_message() -> None:
    result = answer_from(
        SourceError(401, "bad signature: X-Hub-Signature does not match the body", hint="check the secret")
    )
    assert result["statusCode"] == 401
    assert json.loads(result["body"]) == {
        "error": "bad signature: X-Hub-Signature does not match the body",
        "hint": "check the secret",
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnknownPerson("no person E9"), 422),
        (UnknownProfile("no profile x"), 422),
        (PolicyRefused("self-approval"), 422),
        (EventError("bad event"), 400),
        (CloudError("ram", "CreateUser", "Throttling", "slow down"), 502),
        (RampartError("odd"), 500),
    ],
)
def test_rampart_errors_map_to_statuses(error: RampartError, status: int) -> None:
    assert status_for(error) == status
    result = answer_from(error)
    assert result["statusCode"] == status
    assert json.loads(result["body"])["error"] == error.message


def test_foreign_exception_is_a_bare_500() -> None:
    result = answer_from(KeyError("AccessKeySecret=hunter2"))
    assert result["statusCode"] == 500
    assert "hunter2" not in result["body"] and "Traceback" not in result["body"]
