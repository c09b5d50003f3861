"""The lifecycle function's inputs: hand-offs, CloudEvents (single and batch), RocketMQ and MNS
messages through EventBridge, MNS topic triggers. Samples: events/mq/."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from rampart.events import parse_event
from rampart.fc.envelopes import (
    MAX_ENVELOPE_BYTES,
    ItemResult,
    failures,
    handoff_payload,
    parse_envelope,
    parse_handoff,
)
from rampart.model import EventKind
from rampart.sources.base import SourceError

from tests.conftest import repo_path

EVENTS = repo_path("events")
MQ = EVENTS / "mq"


def raw(name: str) -> bytes:
    return (MQ / name).read_bytes()


def load(name: str) -> Any:
    return json.loads(raw(name))


def parse(data: Any) -> list[ItemResult]:
    return parse_envelope(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def ids(results: list[ItemResult]) -> list[str]:
    return [r.event.event_id for r in results if r.event is not None]


def only_error(results: list[ItemResult]) -> SourceError:
    (result,) = results
    assert result.error is not None and result.event is None
    return result.error


# --- the samples -----------------------------------------------------------------------


def test_handoff_sample() -> None:
    (result,) = parse_envelope(raw("handoff.json"))
    assert result.ok and result.index == 0
    assert result.delivery_id == "ticket-jira-a1b2c3d4-0042-4e5f-9a8b-000000010100"
    assert result.event is not None and result.event.kind is EventKind.GRANT
    assert result.event.until == datetime(2025, 3, 1, 13, 0, tzinfo=timezone.utc)


def test_single_cloudevent_carrying_an_event() -> None:
    (result,) = parse_envelope(raw("cloudevent-single.json"))
    assert result.delivery_id == "7b1c4e0a-2f3d-4c5b-8a9e-0d1f2a3b4c5d"
    assert result.event is not None and result.event.kind is EventKind.JOINER
    assert result.event.person is not None and result.event.person.display_name == "李雷"


def test_cloudevent_batch_in_order() -> None:
    results = parse_envelope(raw("cloudevent-batch.json"))
    assert [r.index for r in results] == [0, 1, 2]
    assert ids(results) == ["hr-generic-E3001-joined", "hr-generic-E3002-moved", "hr-generic-E3003-left"]
    assert not failures(results)


def test_batch_with_partial_failure_reports_each_element() -> None:
    results = parse_envelope(raw("cloudevent-batch-partial.json"))
    assert ids(results) == ["hr-generic-E3001-joined", "hr-generic-E3003-left"]
    bad = failures(results)
    assert [r.index for r in bad] == [1, 4]
    assert bad[0].delivery_id == "ad4f7b3d-5a6c-4f8e-9d2b-3a4c5d6e7f80"
    assert bad[0].error is not None and bad[0].error.status == 400
    assert "[1].data" in bad[0].error.message and "kind" in bad[0].error.message
    assert bad[1].error is not None and "[4].data" in bad[1].error.message


def test_duplicate_in_a_batch_is_dropped() -> None:
    results = parse_envelope(raw("cloudevent-batch-partial.json"))
    assert 3 not in [r.index for r in results]  # element 3 repeats element 0


def test_rocketmq_through_eventbridge() -> None:
    (result,) = parse_envelope(raw("rocketmq-eventbridge.json"))
    assert result.delivery_id == "AC14C305069E1B28CDFA3181CDA20001"
    assert result.event is not None and result.event.event_id == "hr-generic-E3001-joined"


def test_rocketmq_rawdata_batch() -> None:
    results = parse_envelope(raw("rocketmq-rawdata-batch.json"))
    assert [(r.index, r.delivery_id) for r in results] == [
        (0, "AC14C305069E1B28CDFA3181CDA20001"),
        (1, "AC14C305069E1B28CDFA3181CDA20002"),
    ]
    assert ids(results) == ["hr-generic-E3001-joined", "hr-generic-E3003-left"]


@pytest.mark.parametrize("name", ["mns-queue-eventbridge.json", "mns-queue-eventbridge-base64.json"])
def test_mns_queue_through_eventbridge(name: str) -> None:
    (result,) = parse_envelope(raw(name))
    assert result.delivery_id.startswith("C6DB60D1574661357FA22727744500")
    assert result.event is not None and result.event.kind is EventKind.LEAVER


def test_mns_topic_json() -> None:
    (result,) = parse_envelope(raw("mns-topic-json.json"))
    assert result.delivery_id == "20A37C322A6B444C1B38656900000001"
    assert result.event is not None and result.event.kind is EventKind.MOVER


def test_mns_topic_stream_template() -> None:
    (result,) = parse_envelope(raw("mns-topic-stream.json"))
    assert result.event is not None and result.event.event_id == "hr-generic-E3002-moved"


def test_mns_topic_stream_raw_body() -> None:
    body = load("mns-topic-stream.json")["body"].encode()
    (result,) = parse_envelope(body)
    assert result.event is not None and result.event.event_id == "hr-generic-E3002-moved"


def test_raw_base64_body() -> None:
    body = base64.b64encode(load("mns-topic-stream.json")["body"].encode())
    (result,) = parse_envelope(body)
    assert result.ok


# --- the reference's verbatim examples: read, then refused for their foreign data --------


@pytest.mark.parametrize(
    ("name", "delivery_id", "named"),
    [
        ("eventbridge-cloudevent.json", "45ef4dewdwe1-7c35-447a-bd93-fab****", "event.data"),
        ("rocketmq-eventbridge.json", "AC14C305069E1B28CDFA3181CDA2****", "event.data.body"),
        ("mns-queue-eventbridge.json", "C6DB60D1574661357FA227277445****", "event.data.messageBody"),
        ("mns-topic-json.json", "3405CA51807661353B3xxxxxxxx", "event.Message"),
        ("mns-topic-stream.json", "", "event.body"),
    ],
)
def test_reference_examples_are_refused_naming_the_field(name: str, delivery_id: str, named: str) -> None:
    (result,) = parse_envelope((MQ / "reference" / name).read_bytes())
    assert result.delivery_id == delivery_id
    assert result.error is not None and result.error.status == 400
    assert result.error.message.startswith(named)


def test_reference_rocketmq_shape_with_our_body_parses() -> None:
    envelope = load("reference/rocketmq-eventbridge.json")
    envelope["data"]["body"] = json.dumps(load("cloudevent-single.json")["data"])
    (result,) = parse([envelope])
    assert result.ok and result.delivery_id == "AC14C305069E1B28CDFA3181CDA2****"


# --- CloudEvent details ----------------------------------------------------------------


def test_cloudevent_data_as_a_json_string() -> None:
    envelope = load("cloudevent-single.json")
    envelope["data"] = json.dumps(envelope["data"])
    assert parse(envelope)[0].ok


def test_cloudevent_data_base64() -> None:
    envelope = load("cloudevent-single.json")
    envelope["data_base64"] = base64.b64encode(json.dumps(envelope.pop("data")).encode()).decode()
    assert parse(envelope)[0].ok


def test_cloudevent_data_list_of_events() -> None:
    envelope = load("cloudevent-single.json")
    envelope["data"] = [envelope["data"], load("cloudevent-batch.json")[2]["data"]]
    assert ids(parse(envelope)) == ["hr-generic-E3001-joined", "hr-generic-E3003-left"]


@pytest.mark.parametrize("key", ["id", "source", "type"])
def test_cloudevent_without_a_required_attribute_is_400_naming_it(key: str) -> None:
    envelope = load("cloudevent-single.json")
    del envelope[key]
    error = only_error(parse(envelope))
    assert error.message.startswith(f"event.{key}")


def test_cloudevent_without_data_is_400() -> None:
    envelope = load("cloudevent-single.json")
    del envelope["data"]
    assert "event.data" in only_error(parse(envelope)).message


def test_bad_event_in_a_handoff_keeps_the_good_ones() -> None:
    handoff = load("handoff.json")
    second = dict(handoff["events"][0], event_id="second", occurred_at="yesterday")
    third = dict(handoff["events"][0], event_id="third")
    handoff["events"] += [second, third]
    results = parse(handoff)
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error is not None and "events[1]" in results[1].error.message
    assert "occurred_at" in results[1].error.message


# --- hand-off --------------------------------------------------------------------------


def test_handoff_round_trip() -> None:
    events = [parse_event(e) for e in load("handoff.json")["events"]]
    payload = handoff_payload(events, delivery_id="d-1")
    assert parse_handoff(payload) == ("d-1", events)
    assert [r.event for r in parse_envelope(payload)] == events


def test_handoff_sample_is_what_handoff_payload_writes() -> None:
    data = load("handoff.json")
    events = [parse_event(e) for e in data["events"]]
    assert json.loads(handoff_payload(events, data["delivery_id"])) == data


def test_handoff_is_utf8_not_escaped() -> None:
    event = parse_event(load("cloudevent-single.json")["data"])
    assert "李雷".encode() in handoff_payload([event])


def test_empty_handoff_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        handoff_payload([])


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rampart": 2}, "rampart"),
        ({"rampart": True}, "rampart"),
        ({"events": []}, "events"),
        ({"events": "x"}, "events"),
        ({"delivery_id": 5}, "delivery_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_handoff_is_refused(change: dict[str, Any], named: str) -> None:
    data = load("handoff.json")
    data.update(change)
    with pytest.raises(SourceError) as caught:
        parse_handoff(json.dumps(data).encode())
    assert caught.value.status == 400 and named in caught.value.message
    assert named in only_error(parse(data)).message


def test_parse_handoff_refuses_other_envelopes() -> None:
    with pytest.raises(SourceError):
        parse_handoff(raw("cloudevent-single.json"))


# --- what does not belong here, and junk -------------------------------------------------


def test_http_trigger_event_is_refused() -> None:
    error = only_error(parse_envelope((EVENTS / "fc" / "http-trigger-reference.json").read_bytes()))
    assert "HTTP trigger" in error.message


def test_timer_event_is_refused() -> None:
    error = only_error(parse_envelope((EVENTS / "fc" / "timer-reference.json").read_bytes()))
    assert "timer" in error.message


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff", b'{"a":1,"a":2}', b'["\\udc00"]'])
def test_unreadable_invocation_raises_400(body: bytes) -> None:
    with pytest.raises(SourceError) as caught:
        parse_envelope(body)
    assert caught.value.status == 400


def test_oversize_invocation_raises_413() -> None:
    with pytest.raises(SourceError) as caught:
        parse_envelope(b" " * (MAX_ENVELOPE_BYTES + 1))
    assert caught.value.status == 413


@pytest.mark.parametrize("element", [1, "x", None, [[]], {"foo": "bar"}, {"body": 5}, {"Message": 1, "MessageId": "m"}])
def test_odd_elements_are_item_errors(element: Any) -> None:
    results = parse(element if isinstance(element, list) else [element])
    assert results and all(not r.ok for r in results)
    assert all(r.error is not None and r.error.status == 400 for r in results)


def test_empty_batch_has_no_results() -> None:
    assert parse([]) == []
