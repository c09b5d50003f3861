"""The lifecycle event format: good events parse, bad ones name the field and the fix, and
event_to_dict is the exact inverse of parse_event."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rampart.errors import EventError
from rampart.events import (
    EventErrors,
    dumps,
    event_to_dict,
    format_time,
    load_event,
    load_events,
    parse_event,
    parse_events,
    parse_time,
)
from rampart.model import AccessMode, Approval, EventKind, LifecycleEvent, Person

UTC = timezone.utc
WHEN = "2025-03-01T09:00:00+08:00"


def joiner(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": "hr-feishu-8f2c41",
        "kind": "joiner",
        "occurred_at": WHEN,
        "source": "hr:feishu",
        "person": {
            "person_id": "E1001",
            "display_name": "Alice Wong",
            "email": "alice.wong@example.com",
            "attributes": {"department": "Engineering", "title": "SRE"},
            "manager": "E0001",
            "access": ["console"],
        },
    }
    data.update(extra)
    return data


def grant(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_id": "ticket-jira-OPS-42",
        "kind": "grant",
        "occurred_at": "2025-03-01T01:00:00Z",
        "source": "ticket:jira",
        "user_name": "alice.wong",
        "profile": "arms-full",
        "until": "2025-03-01T05:00:00Z",
        "approval": {"ticket_id": "OPS-42", "status": "approved", "requester": "alice.wong", "approver": "bob.li"},
    }
    data.update(extra)
    return data


def problems(data: Any) -> dict[str, tuple[str, str]]:
    with pytest.raises(EventErrors) as info:
        parse_event(data)
    for path, problem, fix in info.value.problems:
        assert problem, path
        assert fix, path
    return {path: (problem, fix) for path, problem, fix in info.value.problems}


# --- good events -------------------------------------------------------------------------


def test_joiner_parses_to_the_model() -> None:
    event = parse_event(joiner())
    assert event == LifecycleEvent(
        event_id="hr-feishu-8f2c41",
        kind=EventKind.JOINER,
        occurred_at=datetime(2025, 3, 1, 1, 0, tzinfo=UTC),
        source="hr:feishu",
        person_id="E1001",
        person=Person(
            person_id="E1001",
            display_name="Alice Wong",
            email="alice.wong@example.com",
            attributes={"department": "Engineering", "title": "SRE"},
            manager="E0001",
            access=(AccessMode.CONSOLE,),
        ),
        correlation_id="hr-feishu-8f2c41",
    )


def test_times_are_kept_in_utc() -> None:
    assert parse_event(joiner()).occurred_at.tzinfo == UTC


def test_grant_parses_with_approval_and_until() -> None:
    event = parse_event(grant())
    assert event.person_id == ""
    assert event.user_name == "alice.wong"
    assert event.profile == "arms-full"
    assert event.until == datetime(2025, 3, 1, 5, 0, tzinfo=UTC)
    assert event.approval == Approval("OPS-42", "approved", "alice.wong", "bob.li")


def test_leaver_by_person_id_with_immediate() -> None:
    event = parse_event(
        {"event_id": "l1", "kind": "leaver", "occurred_at": WHEN, "source": "cli", "person_id": "E1", "immediate": True}
    )
    assert event.person_id == "E1"
    assert event.immediate is True
    assert event.person is None


def test_leaver_with_the_hr_record() -> None:
    event = parse_event(
        {
            "event_id": "l1",
            "kind": "leaver",
            "occurred_at": WHEN,
            "source": "hr:bamboohr",
            "person": {"person_id": "E1", "display_name": "A"},
        }
    )
    assert event.person_id == "E1"


def test_revoke_by_user_name() -> None:
    event = parse_event(
        {
            "event_id": "r1",
            "kind": "revoke",
            "occurred_at": WHEN,
            "source": "cli",
            "user_name": "alice",
            "profile": "arms-full",
        }
    )
    assert event.kind is EventKind.REVOKE


def test_correlation_id_and_actor_given() -> None:
    event = parse_event(joiner(correlation_id="req-1", actor="hr-sync"))
    assert (event.correlation_id, event.actor) == ("req-1", "hr-sync")


def test_top_level_person_id_equal_to_the_person_is_accepted() -> None:
    assert parse_event(joiner(person_id="E1001")).person_id == "E1001"


def test_display_name_with_punctuation_is_accepted_as_given() -> None:
    data = joiner()
    data["person"]["display_name"] = "O'Brien, Se\u00e1n (Ops)"
    person = parse_event(data).person
    assert person is not None and person.display_name == "O'Brien, Se\u00e1n (Ops)"


def test_aware_datetime_objects_are_accepted() -> None:
    event = parse_event(joiner(occurred_at=datetime(2025, 3, 1, 9, tzinfo=timezone(timedelta(hours=8)))))
    assert event.occurred_at == datetime(2025, 3, 1, 1, tzinfo=UTC)


# --- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("data", [joiner(), grant(), joiner(actor="x", correlation_id="c-1"), grant(until=None)])
def test_round_trip_is_exact(data: dict[str, Any]) -> None:
    data = {k: v for k, v in data.items() if v is not None}
    event = parse_event(data)
    assert parse_event(event_to_dict(event)) == event
    assert parse_event(json.loads(dumps(event))) == event


def test_event_to_dict_leaves_defaults_out() -> None:
    out = event_to_dict(
        parse_event({"event_id": "l1", "kind": "leaver", "occurred_at": WHEN, "source": "cli", "person_id": "E1"})
    )
    assert out == {
        "event_id": "l1",
        "kind": "leaver",
        "occurred_at": "2025-03-01T01:00:00Z",
        "source": "cli",
        "person_id": "E1",
        "correlation_id": "l1",
    }


def test_microseconds_survive_the_round_trip() -> None:
    event = parse_event(joiner(occurred_at="2025-03-01T09:00:00.123456+08:00"))
    assert event_to_dict(event)["occurred_at"] == "2025-03-01T01:00:00.123456Z"
    assert parse_event(event_to_dict(event)) == event


def test_format_time_and_parse_time_are_inverse() -> None:
    value = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_time(value) == "2030-01-02T03:04:05Z"
    assert parse_time(format_time(value)) == value


# --- bad events --------------------------------------------------------------------------


def test_not_an_object() -> None:
    assert "JSON object" in problems(["x"])[""][0]


@pytest.mark.parametrize("key", ["event_id", "kind", "occurred_at", "source"])
def test_required_fields(key: str) -> None:
    data = joiner()
    del data[key]
    assert problems(data)[key] == ("is required", "add it")


@pytest.mark.parametrize("event_id", ["", "has space", "x" * 129, "a/b", 42])
def test_bad_event_id(event_id: Any) -> None:
    assert "event_id" in problems(joiner(event_id=event_id))


def test_bad_kind_lists_the_kinds() -> None:
    _problem, fix = problems(joiner(kind="hire"))["kind"]
    assert fix == "write one of joiner, mover, leaver, grant, revoke"


@pytest.mark.parametrize("when", ["2025-03-01T09:00:00", "2025-03-01", "yesterday", 1740790800, "2025-13-01T00:00:00Z"])
def test_bad_or_naive_time_refused(when: Any) -> None:
    _problem, fix = problems(joiner(occurred_at=when))["occurred_at"]
    assert "+08:00" in fix


def test_naive_time_says_why() -> None:
    assert "no time zone" in problems(joiner(occurred_at="2025-03-01T09:00:00"))["occurred_at"][0]


def test_unknown_key_suggests_the_right_one() -> None:
    assert problems(joiner(occured_at=WHEN))["occured_at"] == ("is not a known key", "did you mean occurred_at?")


def test_joiner_needs_a_person() -> None:
    data = joiner()
    del data["person"]
    assert "required for a joiner" in problems(data)["person"][0]


def test_mover_user_name_goes_inside_person() -> None:
    assert problems(joiner(kind="mover", user_name="alice"))["user_name"][1] == "move it to person.user_name"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("profile", "arms-full"),
        ("until", "2030-01-01T00:00:00Z"),
        ("immediate", True),
        ("approval", grant()["approval"]),
    ],
)
def test_keys_of_other_kinds_refused_on_a_joiner(key: str, value: Any) -> None:
    problem, fix = problems(joiner(**{key: value}))[key]
    assert "does not apply to a joiner event" in problem
    assert fix == "remove it"


def test_grant_needs_a_profile() -> None:
    data = grant()
    del data["profile"]
    assert "required for a grant" in problems(data)["profile"][0]


def test_grant_needs_someone() -> None:
    data = grant()
    del data["user_name"]
    assert "person_id or user_name" in problems(data)["person_id"][0]


def test_until_must_be_after_occurred_at() -> None:
    problem, _ = problems(grant(until="2025-03-01T01:00:00Z"))["until"]
    assert "not after occurred_at" in problem


def test_revoke_takes_no_until() -> None:
    assert "does not apply to a revoke" in problems(grant(kind="revoke"))["until"][0]


def test_person_id_conflict() -> None:
    assert "differs from person.person_id" in problems(joiner(person_id="E2"))["person_id"][0]


def test_immediate_must_be_a_boolean() -> None:
    data = {
        "event_id": "l1",
        "kind": "leaver",
        "occurred_at": WHEN,
        "source": "cli",
        "person_id": "E1",
        "immediate": "yes",
    }
    assert "true or false" in problems(data)["immediate"][0]


@pytest.mark.parametrize(
    ("field", "value", "path", "needle"),
    [
        ("person_id", "", "person.person_id", "1 to 64"),
        ("person_id", "E 1", "person.person_id", "not valid"),
        ("display_name", "", "person.display_name", "1-128"),
        ("display_name", "x" * 129, "person.display_name", "1-128"),
        ("display_name", "Alice\nWong", "person.display_name", "control characters"),
        ("email", "alice", "person.email", "not valid"),
        ("email", "", "person.email", "1 to 254"),
        ("user_name", "alice wong", "person.user_name", "RAM refuses"),
        ("user_name", "a" * 65, "person.user_name", "1-64"),
        ("access", ["console", "console"], "person.access", "twice"),
        ("access", ["both"], "person.access", "console / programmatic"),
        ("access", "console", "person.access", "not a list"),
        ("attributes", ["department"], "person.attributes", "object"),
        ("attributes", {"department": 7}, "person.attributes.department", "must be text, not int"),
        ("attributes", {"department": None}, "person.attributes.department", "must be text"),
        ("attributes", {"cost center": "x"}, "person.attributes.cost center", "not an attribute name"),
        ("attributes", {"title": "x" * 257}, "person.attributes.title", "at most 256"),
        ("attributes", {f"a{i}": "x" for i in range(65)}, "person.attributes", "at most 64"),
        ("nickname", "Al", "person.nickname", "not a known key"),
    ],
)
def test_bad_person_field(field: str, value: Any, path: str, needle: str) -> None:
    data = joiner()
    data["person"][field] = value
    assert needle in problems(data)[path][0]


@pytest.mark.parametrize("field", ["ticket_id", "status", "requester", "approver"])
def test_approval_fields_required(field: str) -> None:
    data = grant()
    del data["approval"][field]
    assert problems(data)[f"approval.{field}"] == ("is required", "add it")


def test_every_problem_is_reported_at_once() -> None:
    data = joiner(kind="joiner", source="", profile="x")
    data["person"]["email"] = "nope"
    found = problems(data)
    assert {"source", "profile", "person.email"} <= set(found)


def test_error_message_names_event_and_path() -> None:
    with pytest.raises(EventError) as info:
        parse_event(joiner(source=""))
    text = str(info.value)
    assert text.startswith("event hr-feishu-8f2c41: source: must be 1 to 64 characters")
    assert text.endswith("(give a value)")


# --- files and lists ---------------------------------------------------------------------


def test_load_event_from_file(tmp_path: Path) -> None:
    path = tmp_path / "joiner.json"
    path.write_text(json.dumps(joiner()))
    assert load_event(path) == parse_event(joiner())


def test_load_event_refuses_a_list(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([joiner()]))
    with pytest.raises(EventError, match="list of 1 events") as info:
        load_event(path)
    assert "load_events" in info.value.hint


def test_load_events_accepts_a_list_and_an_object(tmp_path: Path) -> None:
    many = tmp_path / "many.json"
    many.write_text(json.dumps([joiner(), grant()]))
    one = tmp_path / "one.json"
    one.write_text(json.dumps(grant()))
    assert [e.kind for e in load_events(many)] == [EventKind.JOINER, EventKind.GRANT]
    assert [e.kind for e in load_events(one)] == [EventKind.GRANT]


def test_list_errors_name_the_index() -> None:
    bad = grant()
    del bad["profile"]
    with pytest.raises(EventErrors) as info:
        parse_events([joiner(), bad, 3])
    paths = [path for path, _, _ in info.value.problems]
    assert paths == ["[1].profile", "[2]"]


def test_duplicate_event_ids_in_a_list_refused() -> None:
    with pytest.raises(EventErrors, match="also event") as info:
        parse_events([joiner(), joiner()])
    assert info.value.path == "[1].event_id"


def test_too_many_events_refused() -> None:
    with pytest.raises(EventErrors, match="at most 1000"):
        parse_events([joiner()] * 1001)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EventError, match="cannot be read"):
        load_event(tmp_path / "nope.json")


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n"event_id": \n}')
    with pytest.raises(EventError, match="line 3"):
        load_event(path)


def test_duplicate_json_key_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"kind": "joiner", "kind": "leaver"}')
    with pytest.raises(EventError, match="given twice"):
        load_event(path)


def test_oversized_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (4 * 1024 * 1024 + 1))
    with pytest.raises(EventError, match="bytes"):
        load_event(path)


def test_not_utf8_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"x": "M\u00fcller"}'.encode("latin-1"))
    with pytest.raises(EventError, match="UTF-8"):
        load_event(path)
