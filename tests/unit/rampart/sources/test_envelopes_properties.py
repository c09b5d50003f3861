"""Properties of the lifecycle envelopes: hand-offs round-trip through every wrapper, event ids
in a batch's results are unique, and junk yields SourceErrors only."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.fc.envelopes import handoff_payload, parse_envelope
from rampart.model import EventKind, LifecycleEvent
from rampart.sources.base import SourceError

event_ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True)
person_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,20}", fullmatch=True)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda t: t.replace(tzinfo=timezone.utc)
)


@st.composite
def events(draw: st.DrawFn) -> LifecycleEvent:
    kind = draw(st.sampled_from([EventKind.LEAVER, EventKind.REVOKE, EventKind.GRANT]))
    at = draw(times)
    profile = None if kind is EventKind.LEAVER else draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
    until = at + timedelta(hours=draw(st.integers(1, 48))) if kind is EventKind.GRANT and draw(st.booleans()) else None
    event_id = draw(event_ids)
    return LifecycleEvent(
        event_id=event_id,
        kind=kind,
        occurred_at=at,
        source="hr:generic",
        person_id=draw(person_ids),
        profile=profile,
        until=until,
        immediate=kind is EventKind.LEAVER and draw(st.booleans()),
        correlation_id=event_id,
    )


def unique(batch: list[LifecycleEvent]) -> list[LifecycleEvent]:
    seen: dict[str, LifecycleEvent] = {}
    for event in batch:
        seen.setdefault(event.event_id, event)
    return list(seen.values())


def wrap(kind: str, payload: bytes) -> bytes:
    text = payload.decode()
    if kind == "handoff":
        return payload
    if kind == "cloudevent":
        envelope: Any = [{"specversion": "1.0", "id": "ce-1", "source": "s", "type": "t", "data": json.loads(text)}]
    elif kind == "rocketmq":
        envelope = [{"topic": "t", "systemProperties": {"UNIQ_KEY": "u1"}, "body": text}]
    elif kind == "mns-queue":
        envelope = {
            "specversion": "1.0",
            "id": "m",
            "source": "MNS-x",
            "type": "mns:Queue:SendMessage",
            "data": {"messageId": "m1", "messageBody": base64.b64encode(payload).decode()},
        }
    else:
        envelope = {"TopicOwner": "1", "Message": text, "MessageId": "t1"}
    return json.dumps(envelope).encode()


@settings(max_examples=120, deadline=None)
@given(
    st.lists(events(), min_size=1, max_size=5),
    st.sampled_from(["handoff", "cloudevent", "rocketmq", "mns-queue", "mns-topic"]),
)
def test_handoff_round_trips_through_every_wrapper(batch: list[LifecycleEvent], kind: str) -> None:
    results = parse_envelope(wrap(kind, handoff_payload(batch, "d-1")))
    assert all(r.ok for r in results)
    assert [r.event for r in results] == unique(batch)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(events(), min_size=1, max_size=3), min_size=1, max_size=5))
def test_batch_results_have_unique_event_ids_and_valid_indexes(groups: list[list[LifecycleEvent]]) -> None:
    batch = [json.loads(handoff_payload(group)) for group in groups]
    batch += batch[:1]  # a redelivered element
    results = parse_envelope(json.dumps(batch).encode())
    seen = [r.event.event_id for r in results if r.event is not None]
    assert len(seen) == len(set(seen))
    assert all(0 <= r.index < len(batch) for r in results)
    assert set(seen) == {e.event_id for group in groups for e in group}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "specversion",
                    "id",
                    "source",
                    "type",
                    "data",
                    "data_base64",
                    "body",
                    "messageBody",
                    "Message",
                    "MessageId",
                    "TopicOwner",
                    "rampart",
                    "events",
                    "delivery_id",
                    "event_id",
                    "kind",
                    "systemProperties",
                    "UNIQ_KEY",
                    "msgId",
                    "messageId",
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
def test_any_json_gives_results_or_source_error(value: Any) -> None:
    try:
        results = parse_envelope(json.dumps(value).encode())
    except SourceError as exc:
        assert exc.status in (400, 413)
        return
    for result in results:
        assert (result.event is None) != (result.error is None)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_junk_bytes_raise_only_source_error(body: bytes) -> None:
    try:
        parse_envelope(body)
    except SourceError as exc:
        assert exc.status == 400
