"""BambooHR webhooks (hr:bamboohr): X-BambooHR-Signature over body + timestamp, event-based
(ids only, JSON or form post) and field-based (values) deliveries.

Payloads come from events/hr/bamboohr/ (reference/: verbatim from webhook-formats.md §4.1);
the demo private key from events/hr/demo-config.json."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
from rampart.events import parse_time
from rampart.fc.http_trigger import to_inbound
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources.base import MAX_BODY_BYTES, InboundRequest, SourceError
from rampart.sources.hr import IDS_ONLY, RECORD_ATTRIBUTE, bamboohr
from rampart.sources.hr.bamboohr import BambooHRSource
from rampart_dev.hr_senders import bamboohr_request, compact

from tests.conftest import repo_path

HR = repo_path("events", "hr")


def _samples() -> ModuleType:
    if "hr_build_samples" not in sys.modules:
        spec = importlib.util.spec_from_file_location("hr_build_samples", HR / "build_samples.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["hr_build_samples"] = module
        spec.loader.exec_module(module)
    return sys.modules["hr_build_samples"]


SAMPLES = _samples()
CONFIG = SAMPLES.demo_config()["bamboohr"]
AT = parse_time(SAMPLES.demo_config()["signed_at"])
KEY = Secret(CONFIG["private_key"])
SOURCE = BambooHRSource(KEY, company_id=CONFIG["company_id"])
FORM = "application/x-www-form-urlencoded"


def payload(name: str) -> Any:
    return json.loads((HR / "bamboohr" / name).read_text("utf-8"))


def wrapper(name: str) -> InboundRequest:
    return to_inbound((HR / "bamboohr" / name.replace(".json", ".fc-http.json")).read_bytes())


def request(data: Any, *, at: datetime = AT, key: Secret = KEY, content_type: str = "application/json") -> InboundRequest:
    body = data if isinstance(data, bytes) else compact(data)
    sent = bamboohr_request(key, body, at, content_type=content_type)
    return InboundRequest("POST", "/hr/bamboohr", {k.lower(): v for k, v in sent.headers.items()}, {}, body)


def refused(req: InboundRequest, now: datetime = AT, source: BambooHRSource = SOURCE) -> SourceError:
    with pytest.raises(SourceError) as caught:
        source.parse(req, now)
    return caught.value


# --- the reference vector and verbatim payloads ---------------------------------------------


def test_the_signature_vector() -> None:
    v = payload("reference/vector.json")
    assert bamboohr.sign(Secret(v["private_key"]), v["body"].encode(), v["timestamp"]) == v["signature"]


def test_the_vector_request_is_accepted_as_a_joiner() -> None:
    v = payload("reference/vector.json")
    headers = {"x-bamboohr-signature": v["signature"], "x-bamboohr-timestamp": v["timestamp"]}
    now = datetime.fromtimestamp(int(v["timestamp"]), tz=timezone.utc)
    source = BambooHRSource(Secret(v["private_key"]))
    (event,) = source.parse(InboundRequest("POST", "/", headers, {}, v["body"].encode()), now).events
    assert (event.kind, event.person_id) == (EventKind.JOINER, "67890")
    assert event.occurred_at == datetime(2026, 1, 31, 18, 42, tzinfo=timezone.utc)


def test_the_doc_event_based_update_is_an_ids_only_mover() -> None:
    (event,) = SOURCE.parse(request(payload("reference/event-based.json")), AT).events
    assert event.kind is EventKind.MOVER and event.person is not None
    assert event.person.person_id == event.person.display_name == "67890"
    assert event.person.attributes == {RECORD_ATTRIBUTE: IDS_ONLY}


def test_the_doc_form_post_is_read_like_the_json_and_timed_by_its_signature() -> None:
    body = (HR / "bamboohr" / "reference" / "form-post.form").read_bytes()
    (event,) = SOURCE.parse(request(body, content_type=FORM), AT).events
    assert (event.kind, event.person_id, event.occurred_at) == (EventKind.MOVER, "67890", AT)


def test_the_doc_field_based_update_is_a_mover_with_its_values() -> None:
    (event,) = SOURCE.parse(request(payload("reference/field-based.json")), AT).events
    assert event.kind is EventKind.MOVER and event.person is not None
    assert (event.person.person_id, event.person.display_name) == ("12345", "Bryony")


# --- the demo samples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("employee-created.json", EventKind.JOINER),
        ("employee-updated.json", EventKind.MOVER),
        ("employee-updated-form.json", EventKind.MOVER),
        ("employee-terminated.json", EventKind.LEAVER),
        ("employee-deleted.json", EventKind.LEAVER),
    ],
)
def test_an_event_based_sample_gives_its_kind(name: str, kind: EventKind) -> None:
    inbound = SOURCE.parse(wrapper(name), AT)
    (event,) = inbound.events
    assert event.kind is kind and event.source == "hr:bamboohr"
    assert inbound.delivery_id == event.event_id and event.event_id.startswith("hr-bamboohr-")


def test_the_field_based_sample_gives_a_joiner_a_mover_and_a_leaver() -> None:
    inbound = SOURCE.parse(wrapper("field-based.json"), AT)
    joiner, mover, leaver = inbound.events
    assert [e.kind for e in inbound.events] == [EventKind.JOINER, EventKind.MOVER, EventKind.LEAVER]
    assert inbound.delivery_id.startswith("hr-bamboohr-batch-")
    assert joiner.person is not None and joiner.person.display_name == "Hannah Schmidt"
    assert joiner.person.email == "hannah.schmidt@example.com" and joiner.person.manager == "40001"
    assert joiner.person.attributes == {
        "department": "Engineering",
        "title": "SRE",
        "location": "Berlin",
        "employment_type": "Full-Time",
    }
    assert mover.person is not None and mover.person.display_name == "Jörg Müller"
    assert mover.person.attributes["location"] == "München"
    assert (leaver.person_id, leaver.person) == ("40077", None)


def test_the_sample_trigger_events_are_current() -> None:
    built = {p: t for p, t in SAMPLES.build_all().items() if p.parent.name == "bamboohr"}
    assert built and all(path.read_text("utf-8") == text for path, text in built.items())


# --- kinds --------------------------------------------------------------------------------------


def event_based(kind: str, changed: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"companyId": "12345", "employeeId": "40123"}
    if changed is not None:
        data["changedFields"] = changed
    return {"type": kind, "timestamp": "2026-03-02T08:59:00+0000", "data": data}


@pytest.mark.parametrize("field", ["status", "Employment Status", "terminationDate", "employmentHistoryStatus"])
def test_a_status_or_termination_change_is_a_leaver(field: str) -> None:
    (event,) = SOURCE.parse(request(event_based("employee.updated", [field])), AT).events
    assert event.kind is EventKind.LEAVER


def test_the_api_spelling_employee_update_is_an_update() -> None:
    (event,) = SOURCE.parse(request(event_based("employee.update", ["jobTitle"])), AT).events
    assert event.kind is EventKind.MOVER


def test_an_unrelated_type_is_ignored() -> None:
    inbound = SOURCE.parse(request(event_based("timeoff.requested")), AT)
    assert not inbound.events and "timeoff.requested" in inbound.ignored


def employee(fields: dict[str, Any], changed: list[str], action: str = "Updated") -> dict[str, Any]:
    entry = {"action": action, "changedFields": changed, "fields": fields, "id": "40200"}
    return {"employees": [entry | {"timestamp": "2026-03-02T08:59:00+0000"}]}


def kind_of(data: dict[str, Any]) -> EventKind:
    return SOURCE.parse(request(data), AT).events[0].kind


def test_a_status_back_to_active_is_a_rehire_joiner() -> None:
    assert kind_of(employee({"First Name": "Ann", "Status": "Active"}, ["Status"])) is EventKind.JOINER


def test_an_employment_status_change_between_active_values_is_a_mover() -> None:
    data = employee({"First Name": "Ann", "Status": "Active", "Employment Status": "Part-Time"}, ["Employment Status"])
    assert kind_of(data) is EventKind.MOVER


def test_a_future_termination_date_is_not_yet_a_leaver() -> None:
    data = employee({"First Name": "Ann", "Termination Date": "2026-04-30"}, ["Termination Date"])
    assert kind_of(data) is EventKind.MOVER


def test_a_past_termination_date_is_a_leaver() -> None:
    data = employee({"First Name": "Ann", "Termination Date": "2026-03-02"}, ["Termination Date"])
    assert kind_of(data) is EventKind.LEAVER


def test_a_status_change_without_its_value_is_a_leaver() -> None:
    assert kind_of(employee({"First Name": "Ann"}, ["Status"])) is EventKind.LEAVER


def test_a_deleted_entry_is_a_leaver() -> None:
    assert kind_of(employee({}, [], action="Deleted")) is EventKind.LEAVER


def test_field_names_match_without_case_or_spaces() -> None:
    data = employee({"firstName": "Ann", "LAST_NAME": "Lee", "workEmail": "ann.lee@example.com"}, ["firstName"])
    person = SOURCE.parse(request(data), AT).events[0].person
    assert person is not None and (person.display_name, person.email) == ("Ann Lee", "ann.lee@example.com")


def test_numbers_are_read_as_text() -> None:
    data = employee({"First Name": "Ann", "Employee #": 7, "Employee Number": 7}, ["Employee Number"])
    data["employees"][0]["id"] = 40200
    (event,) = SOURCE.parse(request(data), AT).events
    assert event.person_id == "40200" and event.person is not None
    assert event.person.attributes["employee_number"] == "7"


def test_the_same_entry_twice_is_one_event() -> None:
    data = employee({"First Name": "Ann"}, ["First Name"])
    data["employees"].append(data["employees"][0])
    assert len(SOURCE.parse(request(data), AT).events) == 1


def test_a_redelivery_with_a_new_signature_time_has_the_same_event_id() -> None:
    first = SOURCE.parse(request(payload("employee-updated.json")), AT)
    later = AT + timedelta(minutes=20)
    again = SOURCE.parse(request(payload("employee-updated.json"), at=later), later)
    assert first.delivery_id == again.delivery_id


# --- authentication refusals ---------------------------------------------------------------------


def test_a_body_signed_with_another_key_is_401() -> None:
    error = refused(request(payload("employee-created.json"), key=Secret("guessed")))
    assert error.status == 401 and "bad signature" in error.message


def test_an_uppercase_signature_is_accepted() -> None:
    req = request(payload("employee-created.json"))
    headers = {**req.headers, "x-bamboohr-signature": req.headers["x-bamboohr-signature"].upper()}
    assert SOURCE.parse(replace(req, headers=headers), AT).events


@pytest.mark.parametrize("drop", ["x-bamboohr-signature", "x-bamboohr-timestamp"])
def test_a_missing_header_is_401(drop: str) -> None:
    req = wrapper("employee-created.json")
    error = refused(replace(req, headers={k: v for k, v in req.headers.items() if k != drop}))
    assert error.status == 401 and "missing" in error.message


def test_the_timestamp_is_signed() -> None:
    req = wrapper("employee-created.json")
    headers = {**req.headers, "x-bamboohr-timestamp": str(int(AT.timestamp()) + 1)}
    assert "bad signature" in refused(replace(req, headers=headers)).message


@pytest.mark.parametrize("skew", [timedelta(seconds=301), -timedelta(seconds=301), timedelta(hours=2)])
def test_a_timestamp_outside_five_minutes_is_401(skew: timedelta) -> None:
    error = refused(wrapper("employee-created.json"), now=AT + skew)
    assert error.status == 401 and "stale timestamp" in error.message


@pytest.mark.parametrize("skew", [timedelta(seconds=300), -timedelta(seconds=300)])
def test_a_timestamp_at_the_window_edge_is_accepted(skew: timedelta) -> None:
    assert SOURCE.parse(wrapper("employee-created.json"), AT + skew).events


@pytest.mark.parametrize(
    "stamp", ["2026-03-02T09:00:00+0000", "2026-03-02T09:00:00Z", "2026-03-02T17:00:00+08:00", "1772442000000"]
)
def test_iso_and_millisecond_timestamps_are_read(stamp: str) -> None:
    body = compact(payload("employee-created.json"))
    headers = {"x-bamboohr-timestamp": stamp, "x-bamboohr-signature": bamboohr.sign(KEY, body, stamp)}
    assert SOURCE.parse(InboundRequest("POST", "/", headers, {}, body), AT).events


@pytest.mark.parametrize("stamp", ["tomorrow", "2026-03-02T09:00:00", "2026-13-45T09:00:00Z", "0001-01-01T00:00:00+01:00"])
def test_an_unreadable_signed_timestamp_is_401(stamp: str) -> None:
    body = compact(payload("employee-created.json"))
    headers = {"x-bamboohr-timestamp": stamp, "x-bamboohr-signature": bamboohr.sign(KEY, body, stamp)}
    error = refused(InboundRequest("POST", "/", headers, {}, body))
    assert error.status == 401 and "bad timestamp" in error.message


def test_another_company_is_422() -> None:
    data = payload("employee-created.json")
    data["data"]["companyId"] = "99999"
    assert refused(request(data)).status == 422


# --- malformed payloads ------------------------------------------------------------------------


def test_an_oversize_body_is_413() -> None:
    assert refused(InboundRequest("POST", "/", {}, {}, b" " * (MAX_BODY_BYTES + 1))).status == 413


def test_a_get_is_405() -> None:
    assert refused(replace(wrapper("employee-created.json"), method="GET")).status == 405


def test_malformed_json_is_400() -> None:
    assert refused(request(b'{"type": "employee.created"')).status == 400


def test_a_malformed_form_is_400() -> None:
    assert refused(request(b"type=employee.created&data[a]=1&data[a][b]=2", content_type=FORM)).status == 400


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"hello": 1}, "neither type"),
        ({"type": 7}, "type"),
        ({"type": "employee.created", "data": []}, "data"),
        ({"type": "employee.created", "data": {"companyId": "12345"}}, "data.employeeId"),
        ({"type": "employee.updated", "data": {"employeeId": "1", "changedFields": "status"}}, "data.changedFields"),
        ({"type": "employee.created", "timestamp": "noon", "data": {"employeeId": "1"}}, "timestamp"),
        ({"type": "employee.created", "data": {"employeeId": "1 2"}}, "data.employeeId"),
        ({"employees": []}, "employees"),
        ({"employees": [{"id": "1", "action": "Moved"}]}, "employees[0].action"),
        ({"employees": [{"id": "1", "action": "Updated", "fields": {"Department": {"a": 1}}}]}, "fields.Department"),
        ({"employees": [{"action": "Created"}]}, "employees[0].id"),
        ({"employees": [{"id": "1", "action": "Created", "fields": {"Work Email": "nope"}}]}, "Work Email"),
    ],
)
def test_a_wrong_field_is_400_naming_it(data: dict[str, Any], named: str) -> None:
    error = refused(request(data), source=BambooHRSource(KEY))
    assert error.status == 400 and named in error.message


def test_a_refusal_never_shows_the_key_or_signature() -> None:
    req = request(payload("employee-created.json"), key=Secret("guessed"))
    error = refused(req)
    assert KEY.reveal() not in str(error) and req.headers["x-bamboohr-signature"] not in str(error)
