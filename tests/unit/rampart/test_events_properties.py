"""Properties: any valid event survives event_to_dict -> JSON -> parse_event unchanged, and
arbitrary junk is refused with EventError (never another exception)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.errors import EventError
from rampart.events import event_to_dict, parse_event
from rampart.model import EventKind, LifecycleEvent

ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True)
person_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,20}", fullmatch=True)
user_names = st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True)
short_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).filter(
    lambda s: s.strip() != "" and s.isprintable()
)
attribute_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,15}", fullmatch=True)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
times = st.builds(
    lambda base, offset: base.replace(tzinfo=timezone.utc).astimezone(offset),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    offsets,
)


@st.composite
def people(draw: st.DrawFn) -> dict[str, Any]:
    person: dict[str, Any] = {"person_id": draw(person_ids), "display_name": draw(short_text)}
    if draw(st.booleans()):
        person["email"] = f"{draw(st.from_regex(r'[a-z0-9.]{1,20}', fullmatch=True))}@example.com"
    if draw(st.booleans()):
        person["user_name"] = draw(user_names)
    if draw(st.booleans()):
        person["attributes"] = draw(st.dictionaries(attribute_names, st.text(max_size=40), max_size=5))
    if draw(st.booleans()):
        person["manager"] = draw(short_text)
    if draw(st.booleans()):
        person["access"] = draw(st.lists(st.sampled_from(["console", "programmatic"]), unique=True, max_size=2))
    return person


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(EventKind))
    occurred = draw(times)
    data: dict[str, Any] = {
        "event_id": draw(ids),
        "kind": kind.value,
        "occurred_at": occurred.isoformat(),
        "source": draw(st.sampled_from(["hr:feishu", "ticket:jira", "cli", "hr:bamboohr"])),
    }
    if kind in (EventKind.JOINER, EventKind.MOVER) or (kind is EventKind.LEAVER and draw(st.booleans())):
        data["person"] = draw(people())
    else:
        if draw(st.booleans()):
            data["person_id"] = draw(person_ids)
        if "person_id" not in data or draw(st.booleans()):
            data["user_name"] = draw(user_names)
    if kind in (EventKind.GRANT, EventKind.REVOKE):
        data["profile"] = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
        if draw(st.booleans()):
            data["approval"] = {
                "ticket_id": draw(st.from_regex(r"[A-Z]{2,5}-[0-9]{1,5}", fullmatch=True)),
                "status": draw(st.sampled_from(["approved", "rejected", "pending"])),
                "requester": draw(short_text),
                "approver": draw(short_text),
            }
    if kind is EventKind.GRANT and draw(st.booleans()):
        data["until"] = (
            occurred + draw(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=90)))
        ).isoformat()
    if kind is EventKind.LEAVER and draw(st.booleans()):
        data["immediate"] = draw(st.booleans())
    if draw(st.booleans()):
        data["actor"] = draw(short_text)
    if draw(st.booleans()):
        data["correlation_id"] = draw(ids)
    return data


@settings(max_examples=300)
@given(events())
def test_valid_events_parse_and_round_trip_exactly(data: dict[str, Any]) -> None:
    event = parse_event(data)
    assert isinstance(event, LifecycleEvent)
    wire = json.loads(json.dumps(event_to_dict(event)))
    assert parse_event(wire) == event
    assert event_to_dict(parse_event(wire)) == event_to_dict(event)


@given(events())
def test_parsed_times_are_utc_and_equal_to_the_input(data: dict[str, Any]) -> None:
    event = parse_event(data)
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.occurred_at == datetime.fromisoformat(data["occurred_at"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    events(),
    st.sampled_from(["event_id", "kind", "occurred_at", "source", "person", "until", "approval", "profile"]),
    json_values,
)
def test_corrupted_events_fail_only_with_event_error(data: dict[str, Any], key: str, value: Any) -> None:
    data[key] = value
    try:
        parse_event(data)
    except EventError as exc:
        assert str(exc)
