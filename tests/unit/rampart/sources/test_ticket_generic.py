"""rampart's generic ticket contract (ServiceNow outbound REST and similar): signed, timestamped
JSON becomes a grant or a revocation. Samples: events/ticket/generic-*.json."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rampart.fc.http_trigger import to_inbound
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources.base import MAX_BODY_BYTES, InboundRequest, SourceError
from rampart.sources.signing import signed_headers
from rampart.sources.ticket.generic import GenericTicketSource

from tests.conftest import repo_path

EVENTS = repo_path("events", "ticket")
DEMO_SECRET = Secret("demo-ticket-webhook-secret")
"""Demo-only secret the samples are signed with (events/README.md)."""
SIGNED_AT = datetime(2025, 3, 1, 9, 5, 1, tzinfo=timezone.utc)
NOW = SIGNED_AT + timedelta(seconds=20)


def sample(name: str = "generic-grant.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return data


def request(
    payload: dict[str, Any] | bytes,
    *,
    signed_at: datetime = SIGNED_AT,
    secret: Secret = DEMO_SECRET,
    headers: dict[str, str] | None = None,
) -> InboundRequest:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    sent = {k.lower(): v for k, v in signed_headers(secret, int(signed_at.timestamp()), body).items()}
    sent.update(headers or {})
    return InboundRequest("POST", "/ticket/generic", sent, {}, body)


def refused(req: InboundRequest, now: datetime = NOW, **kwargs: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        GenericTicketSource(DEMO_SECRET, **kwargs).parse(req, now)
    return caught.value


def parse(req: InboundRequest, now: datetime = NOW, **kwargs: Any) -> Any:
    return GenericTicketSource(DEMO_SECRET, **kwargs).parse(req, now)


# --- valid -----------------------------------------------------------------------------


def test_wrapped_grant_sample_becomes_a_time_bound_grant() -> None:
    inbound = parse(to_inbound((EVENTS / "generic-grant.fc-http.json").read_bytes()))
    (event,) = inbound.events
    assert inbound.delivery_id == event.event_id == "ticket-generic-9d6c2f7e1b8a4c3d9e0f1a2b3c4d5e6f"
    assert event.kind is EventKind.GRANT
    assert event.source == "ticket:generic"
    assert (event.user_name, event.profile) == ("alice.wong", "break-glass-admin")
    assert event.occurred_at == datetime(2025, 3, 1, 9, 5, tzinfo=timezone.utc)
    assert event.until == event.occurred_at + timedelta(hours=2)
    assert event.approval is not None
    assert (event.approval.ticket_id, event.approval.status) == ("RITM0010042", "approved")
    assert (event.approval.requester, event.approval.approver) == ("alice.wong", "security-oncall")


def test_wrapped_revoke_sample_becomes_a_revocation() -> None:
    now = datetime(2025, 3, 1, 10, 0, 30, tzinfo=timezone.utc)
    (event,) = parse(to_inbound((EVENTS / "generic-revoke.fc-http.json").read_bytes()), now).events
    assert event.kind is EventKind.REVOKE
    assert event.until is None


def test_wrapped_body_is_the_raw_sample() -> None:
    wrapper = json.loads((EVENTS / "generic-grant.fc-http.json").read_text(encoding="utf-8"))
    assert json.loads(wrapper["body"]) == sample()


def test_until_gives_an_absolute_expiry() -> None:
    payload = sample()
    del payload["duration"]
    payload["until"] = "2025-03-01T20:00:00+08:00"
    (event,) = parse(request(payload)).events
    assert event.until == datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_neither_until_nor_duration_is_permanent() -> None:
    payload = sample()
    del payload["duration"]
    assert parse(request(payload)).events[0].until is None


@pytest.mark.parametrize(
    ("text", "delta"), [("4h", timedelta(hours=4)), ("2d", timedelta(days=2)), ("30m", timedelta(minutes=30))]
)
def test_short_durations(text: str, delta: timedelta) -> None:
    payload = sample()
    payload["duration"] = text
    (event,) = parse(request(payload)).events
    assert event.until == event.occurred_at + delta


def test_person_id_instead_of_user() -> None:
    payload = sample()
    del payload["user"]
    payload["person_id"] = "E1001"
    (event,) = parse(request(payload)).events
    assert (event.person_id, event.user_name) == ("E1001", None)


def test_without_event_id_the_id_is_derived_and_stable_across_resigning() -> None:
    payload = sample()
    del payload["event_id"]
    first = parse(request(payload)).delivery_id
    second = parse(
        request(payload, signed_at=SIGNED_AT + timedelta(seconds=40)), NOW + timedelta(seconds=40)
    ).delivery_id
    assert first == second
    assert first.startswith("ticket-generic-")
    payload["profile"] = "arms-full"
    assert parse(request(payload)).delivery_id != first


def test_source_name_is_configurable() -> None:
    inbound = parse(request(sample()), name="ticket:servicenow")
    assert inbound.events[0].source == "ticket:servicenow"
    assert inbound.delivery_id.startswith("ticket-servicenow-")


def test_unicode_requester_and_approver() -> None:
    payload = sample()
    payload["requester"], payload["approver"] = "李雷", "韩梅梅"
    (event,) = parse(request(payload)).events
    assert event.approval is not None and event.approval.approver == "韩梅梅"


def test_status_is_passed_on_for_the_engine_to_judge() -> None:
    payload = sample()
    payload["status"] = "rejected"
    (event,) = parse(request(payload)).events
    assert event.approval is not None and event.approval.status == "rejected"


# --- signature and replay window ------------------------------------------------------


def test_forged_signature_is_401() -> None:
    req = request(sample(), headers={"x-rampart-signature": "sha256=" + "a" * 64})
    assert refused(req).status == 401


def test_wrong_secret_is_401() -> None:
    assert refused(request(sample(), secret=Secret("not-the-secret"))).status == 401


@pytest.mark.parametrize("header", ["x-rampart-signature", "x-rampart-timestamp"])
def test_missing_header_is_401_naming_it(header: str) -> None:
    req = request(sample())
    headers = {k: v for k, v in req.headers.items() if k != header}
    error = refused(InboundRequest("POST", "/", headers, {}, req.body))
    assert error.status == 401
    assert header in error.message.lower()


@pytest.mark.parametrize("stamp", ["1740819901.5", "-1740819901", "2025-03-01T09:05:01Z", "abc", "1" * 20, "١٢٣"])
def test_malformed_timestamp_is_401(stamp: str) -> None:
    req = request(sample(), headers={"x-rampart-timestamp": stamp})
    assert refused(req).status == 401


def test_timestamp_is_part_of_what_is_signed() -> None:
    req = request(sample(), headers={"x-rampart-timestamp": str(int(SIGNED_AT.timestamp()) + 1)})
    assert refused(req).status == 401


@pytest.mark.parametrize("skew", [timedelta(seconds=-300), timedelta(0), timedelta(seconds=300)])
def test_replay_window_edges_are_accepted(skew: timedelta) -> None:
    assert parse(request(sample()), SIGNED_AT + skew).events


@pytest.mark.parametrize("skew", [timedelta(seconds=-301), timedelta(seconds=301), timedelta(days=1)])
def test_outside_the_replay_window_is_401(skew: timedelta) -> None:
    error = refused(request(sample()), SIGNED_AT + skew)
    assert error.status == 401
    assert "stale timestamp" in error.message


def test_replay_inside_the_window_is_the_same_delivery() -> None:
    req = request(sample())
    assert parse(req).delivery_id == parse(req, NOW + timedelta(seconds=100)).delivery_id


def test_window_is_configurable() -> None:
    assert parse(request(sample()), SIGNED_AT + timedelta(minutes=9), window=timedelta(minutes=10)).events


# --- malformed -------------------------------------------------------------------------


def test_oversize_is_413() -> None:
    assert refused(request(b" " * (MAX_BODY_BYTES + 1))).status == 413


def test_get_is_405() -> None:
    req = request(sample())
    assert refused(InboundRequest("GET", "/", req.headers, {}, req.body)).status == 405


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[]", b'"grant"', b"\xc3\x28", b'{"ticket_id": "A", "ticket_id": "B"}', b'{"requester": "\\ud800"}'],
)
def test_malformed_json_is_400(body: bytes) -> None:
    assert refused(request(body)).status == 400


@pytest.mark.parametrize("key", ["ticket_id", "action", "profile", "status", "occurred_at"])
def test_missing_required_key_is_400_naming_it(key: str) -> None:
    payload = sample()
    del payload[key]
    error = refused(request(payload))
    assert error.status == 400
    assert f"{key}: is missing" in error.message


def test_missing_subject_is_400() -> None:
    payload = sample()
    del payload["user"]
    error = refused(request(payload))
    assert (error.status, "user/person_id" in error.message) == (400, True)


def test_grant_without_approver_is_400() -> None:
    payload = sample()
    del payload["approver"]
    error = refused(request(payload))
    assert (error.status, "approver" in error.message) == (400, True)


@pytest.mark.parametrize(
    ("key", "value"),
    [("ticket_id", 42), ("action", None), ("profile", ["x"]), ("duration", 4), ("user", {"n": 1}), ("status", True)],
)
def test_wrong_type_is_400_naming_the_key(key: str, value: Any) -> None:
    payload = sample()
    payload[key] = value
    error = refused(request(payload))
    assert error.status == 400
    assert f"{key}: must be a string" in error.message


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"action": "approve"}, "action"),
        ({"duraton": "4h"}, "duraton"),
        ({"until": "2025-03-01T20:00:00+08:00"}, "until/duration"),
        ({"duration": "forever"}, "duration"),
        ({"duration": "P1M"}, "duration"),
        ({"occurred_at": "2025-03-01 09:00"}, "occurred_at"),
        ({"profile": "Break Glass"}, "profile"),
        ({"user": "alice wong"}, "user"),
        ({"ticket_id": "bad ticket"}, "ticket_id"),
        ({"ticket_id": "  "}, "ticket_id"),
    ],
)
def test_bad_value_is_400_naming_the_field(change: dict[str, str], named: str) -> None:
    payload = sample()
    payload.update(change)
    error = refused(request(payload))
    assert error.status == 400
    assert named in error.message


def test_until_before_occurred_at_is_400() -> None:
    payload = sample()
    del payload["duration"]
    payload["until"] = "2025-03-01T08:00:00Z"
    error = refused(request(payload))
    assert (error.status, "until" in error.message) == (400, True)


def test_revoke_with_duration_is_400() -> None:
    payload = sample("generic-revoke.json")
    payload["duration"] = "4h"
    assert refused(request(payload)).status == 400


def test_unknown_profile_is_422_when_the_catalog_is_known() -> None:
    error = refused(request(sample()), known_profiles={"arms-readonly", "arms-full"})
    assert error.status == 422


def test_messages_never_carry_the_body_or_the_secret() -> None:
    payload = sample()
    payload["requester"] = "SENSITIVE-VALUE-123"
    payload["action"] = "nope"
    error = refused(request(payload))
    assert "SENSITIVE-VALUE-123" not in str(error)
    assert "demo-ticket-webhook-secret" not in str(error)


def test_long_source_name_still_gives_a_valid_event_id() -> None:
    name = "ticket:" + "s" * 57
    inbound = parse(request(sample()), name=name)
    assert len(inbound.delivery_id) <= 128
    assert inbound.events[0].event_id == inbound.delivery_id
