"""rampart's generic HR contract (hr:generic): signed JSON events in, HR events out.

Sample payloads and their FC 3.0 HTTP-trigger wrappers come from events/hr/generic/ (signed
with the demo secret of events/hr/demo-config.json by events/hr/build_samples.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from rampart.events import parse_event, parse_time
from rampart.fc.http_trigger import to_inbound
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources.base import MAX_BODY_BYTES, InboundRequest, SourceError
from rampart.sources.hr.generic import GenericHRSource
from rampart.sources.signing import sign, signed_headers

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
CONFIG = SAMPLES.demo_config()
AT = parse_time(CONFIG["signed_at"])
SECRET = Secret(CONFIG["generic"]["secret"])
SOURCE = GenericHRSource(SECRET)


def wrapper(name: str) -> InboundRequest:
    return to_inbound((HR / "generic" / name.replace(".json", ".fc-http.json")).read_bytes())


def payload(name: str) -> Any:
    return json.loads((HR / "generic" / name).read_text("utf-8"))


def signed(body: bytes, at: datetime = AT, secret: Secret = SECRET) -> InboundRequest:
    headers = {k.lower(): v for k, v in signed_headers(secret, int(at.timestamp()), body).items()}
    return InboundRequest("POST", "/hr/generic", headers, {}, body)


def refused(request: InboundRequest, now: datetime = AT, source: GenericHRSource = SOURCE) -> SourceError:
    with pytest.raises(SourceError) as caught:
        source.parse(request, now)
    return caught.value


# --- accepted deliveries -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["joiner.json", "mover.json", "leaver.json"])
def test_a_signed_sample_event_is_the_event_it_names(name: str) -> None:
    inbound = SOURCE.parse(wrapper(name), AT)
    assert inbound.events == (parse_event(payload(name)),)


def test_the_delivery_id_of_one_event_is_its_event_id() -> None:
    inbound = SOURCE.parse(wrapper("joiner.json"), AT)
    assert inbound.delivery_id == "hr-demo-0001"
    assert inbound.reply is None and not inbound.ignored


def test_a_batch_gives_every_event_and_a_stable_batch_delivery_id() -> None:
    first = SOURCE.parse(wrapper("batch.json"), AT)
    again = SOURCE.parse(wrapper("batch.json"), AT + timedelta(seconds=30))
    assert [e.event_id for e in first.events] == ["hr-demo-0004", "hr-demo-0005"]
    assert first.delivery_id.startswith("hr-generic-batch-")
    assert again.delivery_id == first.delivery_id


def test_a_batch_keeps_unicode_names_and_the_senders_source() -> None:
    events = SOURCE.parse(wrapper("batch.json"), AT).events
    assert events[1].person is not None
    assert events[1].person.display_name == "Zoë Ünal-Øster"
    assert events[1].person.attributes["location"] == "Zürich"
    assert {e.source for e in events} == {"hr:workday"}


def test_a_list_of_one_event_is_delivered_under_its_event_id() -> None:
    body = json.dumps([payload("leaver.json")]).encode()
    assert SOURCE.parse(signed(body), AT).delivery_id == "hr-demo-0003"


def test_an_event_without_a_source_is_from_hr_generic() -> None:
    data = payload("leaver.json")
    del data["source"]
    (event,) = SOURCE.parse(signed(json.dumps(data).encode()), AT).events
    assert event.source == "hr:generic"
    assert event.kind is EventKind.LEAVER


def test_the_contract_vector_verifies() -> None:
    vector = json.loads((HR / "generic" / "reference" / "vector.json").read_text("utf-8"))
    body = vector["body"].encode()
    assert sign(Secret(vector["secret"]), vector["timestamp"], body) == vector["signature"]
    headers = {"x-rampart-timestamp": vector["timestamp"], "x-rampart-signature": vector["signature"]}
    source = GenericHRSource(Secret(vector["secret"]))
    now = datetime.fromtimestamp(int(vector["timestamp"]), tz=AT.tzinfo)
    (event,) = source.parse(InboundRequest("POST", "/", headers, {}, body), now).events
    assert (event.event_id, event.person_id) == ("hr-vector-0001", "E1001")


def test_either_of_two_secrets_verifies_during_a_rotation() -> None:
    source = GenericHRSource([Secret("the-new-secret"), SECRET])
    assert source.parse(wrapper("joiner.json"), AT).events


# --- signature and replay window -----------------------------------------------------------


def test_a_body_signed_with_another_secret_is_401() -> None:
    error = refused(signed(json.dumps(payload("joiner.json")).encode(), secret=Secret("guessed")))
    assert error.status == 401 and "bad signature" in error.message


def test_a_missing_signature_is_401() -> None:
    request = wrapper("joiner.json")
    headers = {k: v for k, v in request.headers.items() if k != "x-rampart-signature"}
    error = refused(replace(request, headers=headers))
    assert error.status == 401 and "missing signature" in error.message


def test_a_missing_timestamp_is_401() -> None:
    request = wrapper("joiner.json")
    headers = {k: v for k, v in request.headers.items() if k != "x-rampart-timestamp"}
    assert refused(replace(request, headers=headers)).status == 401


@pytest.mark.parametrize("stamp", ["yesterday", "1772442000.5", "-1772442000", "999999999999", "٣٣٣"])
def test_an_unreadable_timestamp_is_401(stamp: str) -> None:
    request = wrapper("joiner.json")
    headers = {**request.headers, "x-rampart-timestamp": stamp}
    assert refused(replace(request, headers=headers)).status == 401


@pytest.mark.parametrize("skew", [timedelta(seconds=301), -timedelta(seconds=301), timedelta(days=1)])
def test_a_timestamp_outside_five_minutes_is_401(skew: timedelta) -> None:
    error = refused(wrapper("joiner.json"), now=AT + skew)
    assert error.status == 401 and "stale timestamp" in error.message


@pytest.mark.parametrize("skew", [timedelta(0), timedelta(seconds=300), -timedelta(seconds=300)])
def test_a_timestamp_at_the_window_edges_is_accepted(skew: timedelta) -> None:
    assert SOURCE.parse(wrapper("joiner.json"), AT + skew).events


def test_a_changed_timestamp_breaks_the_signature() -> None:
    request = wrapper("joiner.json")
    headers = {**request.headers, "x-rampart-timestamp": str(int(AT.timestamp()) + 1)}
    assert "bad signature" in refused(replace(request, headers=headers)).message


# --- refusals of the request and the body ------------------------------------------------


def test_an_oversize_body_is_413_before_the_signature_is_read() -> None:
    request = InboundRequest("POST", "/", {}, {}, b"[" + b" " * MAX_BODY_BYTES + b"]")
    assert refused(request).status == 413


def test_a_get_is_405() -> None:
    assert refused(replace(wrapper("joiner.json"), method="GET")).status == 405


def test_malformed_json_is_400() -> None:
    error = refused(signed(b'{"event_id": "x",'))
    assert error.status == 400 and "not valid JSON" in error.message


@pytest.mark.parametrize("body", [b'"joiner"', b"42", b"[]", b'[1, 2]'])
def test_a_body_that_is_not_events_is_400(body: bytes) -> None:
    assert refused(signed(body)).status == 400


def test_a_missing_field_is_named() -> None:
    data = payload("joiner.json")
    del data["occurred_at"]
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "occurred_at" in error.message


def test_a_wrong_type_in_a_batch_is_named_by_its_index_and_path() -> None:
    data = payload("batch.json")
    data[1]["person"]["email"] = 42
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "[1].person.email" in error.message


def test_a_naive_time_is_400() -> None:
    data = payload("leaver.json") | {"occurred_at": "2026-03-02T08:57:00"}
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "occurred_at" in error.message


@pytest.mark.parametrize("kind", ["grant", "revoke"])
def test_a_ticket_kind_is_not_an_hr_event(kind: str) -> None:
    data = payload("leaver.json") | {"kind": kind, "profile": "arms-full"}
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "kind" in error.message and "ticket webhook" in error.hint


def test_a_source_outside_hr_is_400() -> None:
    data = payload("leaver.json") | {"source": "ticket:jira"}
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "source" in error.message


def test_one_event_id_twice_in_a_batch_is_400() -> None:
    data = [payload("leaver.json"), payload("leaver.json")]
    error = refused(signed(json.dumps(data).encode()))
    assert error.status == 400 and "[1].event_id" in error.message


def test_a_duplicate_key_is_400() -> None:
    body = b'{"event_id": "a", "event_id": "b", "kind": "leaver"}'
    assert "twice" in refused(signed(body)).message


def test_a_refusal_names_the_field_and_never_the_secret_or_the_whole_body() -> None:
    data = payload("joiner.json")
    data["person"]["email"] = "not-an-email"
    error = refused(signed(json.dumps(data).encode()))
    assert "person.email" in error.message
    assert SECRET.reveal() not in str(error) and "Alice Wong" not in str(error)


def test_the_sample_trigger_events_are_current() -> None:
    built = {p: t for p, t in SAMPLES.build_all().items() if p.parent.name == "generic"}
    assert built and all(path.read_text("utf-8") == text for path, text in built.items())
