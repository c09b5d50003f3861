"""Jira Cloud / JSM: signed approval transitions become grants and revocations; everything
else is refused with the right status or ignored. Samples: events/ticket/jira-*.json."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rampart.fc.http_trigger import to_inbound
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources.base import MAX_BODY_BYTES, InboundRequest, SourceError
from rampart.sources.signing import sign_body, verify_signature
from rampart.sources.ticket.jira import JiraMapping, JiraSource

from tests.conftest import repo_path

EVENTS = repo_path("events", "ticket")
DEMO_SECRET = Secret("demo-jira-webhook-secret")
"""Demo-only secret the samples are signed with (events/README.md)."""
SENT = datetime(2025, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
NOW = SENT + timedelta(seconds=30)
IDENTIFIER = "a1b2c3d4-0042-4e5f-9a8b-000000010100"
MAPPING = JiraMapping(
    profile_field="customfield_10051",
    person_field="customfield_10050",
    duration_field="customfield_10052",
    action_field="customfield_10010.requestType.name",
)


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return data


def source(**kwargs: Any) -> JiraSource:
    mapping = kwargs.pop("mapping", MAPPING)
    return JiraSource(kwargs.pop("secret", DEMO_SECRET), mapping, **kwargs)


def request(
    payload: dict[str, Any] | bytes,
    *,
    secret: Secret = DEMO_SECRET,
    signature: str | None = None,
    identifier: str | None = IDENTIFIER,
    method: str = "POST",
) -> InboundRequest:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"content-type": "application/json"}
    headers["x-hub-signature"] = sign_body(secret, body) if signature is None else signature
    if identifier is not None:
        headers["x-atlassian-webhook-identifier"] = identifier
    return InboundRequest(method=method, path="/ticket/jira", headers=headers, query={}, body=body)


def refused(req: InboundRequest, now: datetime = NOW, **kwargs: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        source(**kwargs).parse(req, now)
    return caught.value


# --- valid deliveries ------------------------------------------------------------------


def test_wrapped_sample_becomes_a_time_bound_grant() -> None:
    inbound = source().parse(to_inbound((EVENTS / "jira-issue-approved.fc-http.json").read_bytes()), NOW)
    (event,) = inbound.events
    assert inbound.delivery_id == f"ticket-jira-{IDENTIFIER}"
    assert event.event_id == inbound.delivery_id
    assert event.kind is EventKind.GRANT
    assert event.source == "ticket:jira"
    assert event.person_id == "E1001"
    assert event.profile == "arms-full"
    assert event.occurred_at == SENT
    assert event.until == SENT + timedelta(hours=4)
    assert event.approval is not None
    assert (event.approval.ticket_id, event.approval.status) == ("OPS-42", "approved")
    assert event.approval.requester == "alice.wong@example.com"
    assert event.approval.approver == "bob.li@example.com"
    assert event.actor == "bob.li@example.com"


def test_base64_wrapped_sample_gives_the_same_event() -> None:
    plain = source().parse(to_inbound((EVENTS / "jira-issue-approved.fc-http.json").read_bytes()), NOW)
    encoded = source().parse(to_inbound((EVENTS / "jira-issue-approved.fc-http-base64.json").read_bytes()), NOW)
    assert encoded == plain


def test_wrapped_body_is_the_raw_sample() -> None:
    wrapper = json.loads((EVENTS / "jira-issue-approved.fc-http.json").read_text(encoding="utf-8"))
    assert json.loads(wrapper["body"]) == sample("jira-issue-approved.json")


def test_revoke_request_type_becomes_a_revocation_without_expiry() -> None:
    wrapped = (EVENTS / "jira-revoke-approved.fc-http.json").read_bytes()
    (event,) = source().parse(to_inbound(wrapped), NOW + timedelta(hours=1)).events
    assert event.kind is EventKind.REVOKE
    assert event.until is None
    assert event.approval is not None and event.approval.ticket_id == "OPS-57"


def test_raw_sample_signed_here_parses() -> None:
    (event,) = source().parse(request(sample("jira-issue-approved.json")), NOW).events
    assert event.profile == "arms-full"


def test_legacy_issue_updated_name_is_accepted() -> None:
    payload = sample("jira-issue-approved.json")
    payload["webhookEvent"] = "issue_updated"
    assert source().parse(request(payload), NOW).events


def test_status_names_compare_case_insensitively() -> None:
    payload = sample("jira-issue-approved.json")
    payload["changelog"]["items"][0]["toString"] = "APPROVED"
    assert source().parse(request(payload), NOW).events


def test_status_id_matches_a_localised_name() -> None:
    payload = sample("jira-issue-approved.json")
    payload["changelog"]["items"][0]["toString"] = "已批准"
    inbound = source(approved_statuses=(), approved_status_ids=("10002",)).parse(request(payload), NOW)
    assert inbound.events


def test_configured_status_list_is_used() -> None:
    payload = sample("jira-issue-approved.json")
    payload["changelog"]["items"][0]["toString"] = "Done"
    assert source().parse(request(payload), NOW).ignored
    assert source(approved_statuses=("Approved", "Done")).parse(request(payload), NOW).events


@pytest.mark.parametrize(("text", "hours"), [("4h", 4), ("2d", 48), ("PT4H", 4), ("P1DT12H", 36), ("90m", 1.5)])
def test_duration_forms(text: str, hours: float) -> None:
    payload = sample("jira-issue-approved.json")
    payload["issue"]["fields"]["customfield_10052"] = text
    (event,) = source().parse(request(payload), NOW).events
    assert event.until == SENT + timedelta(hours=hours)


def test_empty_duration_uses_the_default_or_is_permanent() -> None:
    payload = sample("jira-issue-approved.json")
    payload["issue"]["fields"]["customfield_10052"] = None
    assert source().parse(request(payload), NOW).events[0].until is None
    mapping = JiraMapping(
        profile_field="customfield_10051", person_field="customfield_10050", default_duration=timedelta(hours=8)
    )
    del payload["issue"]["fields"]["customfield_10052"]
    assert source(mapping=mapping).parse(request(payload), NOW).events[0].until == SENT + timedelta(hours=8)


def test_user_field_names_the_ram_user() -> None:
    payload = sample("jira-issue-approved.json")
    payload["issue"]["fields"]["customfield_10060"] = "alice.wong"
    mapping = JiraMapping(profile_field="customfield_10051", user_field="customfield_10060")
    (event,) = source(mapping=mapping).parse(request(payload), NOW).events
    assert (event.user_name, event.person_id) == ("alice.wong", "")


def test_approver_field_overrides_the_transitioning_user() -> None:
    payload = sample("jira-issue-approved.json")
    payload["issue"]["fields"]["customfield_10070"] = [
        {"accountId": "557058:carol", "emailAddress": "carol@example.com"}
    ]
    mapping = JiraMapping(
        profile_field="customfield_10051", person_field="customfield_10050", approver_field="customfield_10070"
    )
    (event,) = source(mapping=mapping).parse(request(payload), NOW).events
    assert event.approval is not None and event.approval.approver == "carol@example.com"


def test_self_approval_reaches_the_engine_as_requester_equals_approver() -> None:
    payload = sample("jira-issue-approved.json")
    payload["user"] = copy.deepcopy(payload["issue"]["fields"]["reporter"])
    (event,) = source().parse(request(payload), NOW).events
    assert event.approval is not None
    assert event.approval.requester == event.approval.approver == "alice.wong@example.com"


def test_requester_and_approver_use_one_identity_key_when_emails_are_hidden() -> None:
    payload = sample("jira-issue-approved.json")
    del payload["user"]["emailAddress"]  # Jira Cloud hides emails by privacy setting
    (event,) = source().parse(request(payload), NOW).events
    assert event.approval is not None
    assert event.approval.requester == payload["issue"]["fields"]["reporter"]["accountId"]
    assert event.approval.approver == payload["user"]["accountId"]


def test_unicode_identities_pass_through() -> None:
    payload = sample("jira-issue-approved.json")
    payload["user"]["displayName"] = "李雷"
    payload["issue"]["fields"]["summary"] = "申请 arms-full 权限 🚀"
    mapping = JiraMapping(
        profile_field="customfield_10051", person_field="customfield_10050", identity_keys=("displayName",)
    )
    (event,) = source(mapping=mapping).parse(request(payload), NOW).events
    assert event.approval is not None and event.approval.approver == "李雷"


def test_delivery_without_identifier_gets_a_stable_digest_id() -> None:
    payload = sample("jira-issue-approved.json")
    first = source().parse(request(payload, identifier=None), NOW)
    second = source().parse(request(payload, identifier=None), NOW)
    assert first.delivery_id == second.delivery_id
    assert first.delivery_id.startswith("ticket-jira-")


def test_odd_identifier_is_hashed_into_a_valid_event_id() -> None:
    inbound = source().parse(request(sample("jira-issue-approved.json"), identifier="a b/c:d"), NOW)
    assert inbound.delivery_id.startswith("ticket-jira-")
    assert " " not in inbound.delivery_id and "/" not in inbound.delivery_id


def test_signature_rotation_accepts_either_secret() -> None:
    old, new = Secret("old-secret"), Secret("new-secret")
    req = request(sample("jira-issue-approved.json"), secret=old)
    assert source(secret=[new, old]).parse(req, NOW).events


# --- ignored ---------------------------------------------------------------------------


def test_reference_transition_to_in_progress_is_ignored() -> None:
    payload = sample("jira-reference-in-progress.json")
    now = datetime.fromtimestamp(payload["timestamp"] / 1000, tz=timezone.utc)
    inbound = source().parse(request(payload), now)
    assert inbound.events == ()
    assert "approved" in inbound.ignored


@pytest.mark.parametrize("name", ["jira:issue_created", "comment_created", "jira:issue_deleted"])
def test_other_webhook_events_are_ignored(name: str) -> None:
    payload = sample("jira-issue-approved.json")
    payload["webhookEvent"] = name
    inbound = source().parse(request(payload), NOW)
    assert inbound.ignored and not inbound.events
    assert inbound.delivery_id == f"ticket-jira-{IDENTIFIER}"


def test_update_without_changelog_is_ignored() -> None:
    payload = sample("jira-issue-approved.json")
    del payload["changelog"]
    assert source().parse(request(payload), NOW).ignored


def test_non_status_change_is_ignored() -> None:
    payload = sample("jira-issue-approved.json")
    payload["changelog"]["items"] = [{"field": "summary", "fromString": "a", "toString": "Approved"}]
    assert source().parse(request(payload), NOW).ignored


# --- signatures ------------------------------------------------------------------------


def test_github_reference_vector_verifies() -> None:
    # webhook-formats.md §5.3 [VECTOR]: the same HMAC-SHA256 as Jira's X-Hub-Signature
    secret = Secret("It's a Secret to Everybody")
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign_body(secret, b"Hello, World!") == expected
    verify_signature(secret, b"Hello, World!", expected, header_name="X-Hub-Signature")


def test_github_reference_vector_passes_the_jira_signature_check() -> None:
    secret = Secret("It's a Secret to Everybody")
    sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    error = refused(request(b"Hello, World!", signature=sig), secret=secret)
    assert error.status == 400  # authentic, then refused as not JSON


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = (EVENTS / "jira-issue-approved.json").read_bytes()
    expected = hmac.new(b"demo-jira-webhook-secret", body, hashlib.sha256).hexdigest()
    assert sign_body(DEMO_SECRET, body) == f"sha256={expected}"


def test_forged_signature_is_401() -> None:
    error = refused(request(sample("jira-issue-approved.json"), signature="sha256=" + "0" * 64))
    assert error.status == 401


def test_other_secret_is_401() -> None:
    assert refused(request(sample("jira-issue-approved.json"), secret=Secret("guess"))).status == 401


def test_missing_signature_is_401() -> None:
    error = refused(request(sample("jira-issue-approved.json"), signature=""))
    assert error.status == 401
    assert "X-Hub-Signature" in error.message


@pytest.mark.parametrize("sig", ["sha1=abc", "757107ea0eb2509fc211221cce984b8a", "sha256=", "sha256=zz"])
def test_malformed_signature_is_401(sig: str) -> None:
    assert refused(request(sample("jira-issue-approved.json"), signature=sig)).status == 401


def test_signature_of_a_reserialised_body_is_401() -> None:
    payload = sample("jira-issue-approved.json")
    signed = request(payload)
    other = json.dumps(payload, indent=2).encode()
    assert refused(InboundRequest("POST", "/", signed.headers, {}, other)).status == 401


def test_messages_never_carry_the_secret_or_the_expected_signature() -> None:
    body = json.dumps(sample("jira-issue-approved.json")).encode()
    error = refused(request(body, signature="sha256=" + "1" * 64))
    assert "demo-jira-webhook-secret" not in str(error)
    assert sign_body(DEMO_SECRET, body)[7:] not in str(error)


# --- replay ----------------------------------------------------------------------------


def test_delivery_older_than_max_age_is_401() -> None:
    req = request(sample("jira-issue-approved.json"))
    assert source().parse(req, SENT + timedelta(hours=1)).events
    assert refused(req, SENT + timedelta(hours=1, seconds=1)).status == 401


def test_max_age_can_be_disabled() -> None:
    req = request(sample("jira-issue-approved.json"))
    assert source(max_age=None).parse(req, SENT + timedelta(days=30)).events


def test_event_from_the_future_is_401() -> None:
    req = request(sample("jira-issue-approved.json"))
    assert source().parse(req, SENT - timedelta(minutes=5)).events
    assert refused(req, SENT - timedelta(minutes=5, seconds=1)).status == 401


# --- malformed -------------------------------------------------------------------------


def test_oversize_body_is_413_before_the_signature() -> None:
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    assert refused(request(body, signature="")).status == 413


def test_get_is_405() -> None:
    assert refused(request(sample("jira-issue-approved.json"), method="GET")).status == 405


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b'{"a": 1, "a": 2}', b"NaN", b"[" * 100000])
def test_malformed_json_is_400(body: bytes) -> None:
    assert refused(request(body)).status == 400


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("webhookEvent",), 7, "webhookEvent"),
        (("timestamp",), "yesterday", "timestamp"),
        (("timestamp",), True, "timestamp"),
        (("timestamp",), 10**15 - 1, "timestamp"),
        (("timestamp",), -1, "timestamp"),
        (("issue",), "OPS-42", "issue"),
        (("issue", "key"), None, "issue.key"),
        (("issue", "fields"), [], "issue.fields"),
        (("changelog",), [], "changelog"),
        (("changelog", "items"), {}, "changelog.items"),
        (("issue", "fields", "customfield_10050"), None, "customfield_10050"),
        (("issue", "fields", "customfield_10051"), None, "customfield_10051"),
        (("issue", "fields", "customfield_10051"), {"value": "Arms Full"}, "customfield_10051"),
        (("issue", "fields", "customfield_10052"), "forever", "customfield_10052"),
        (("issue", "fields", "customfield_10052"), "0h", "customfield_10052"),
        (("issue", "fields", "customfield_10050"), "not a valid id!", "customfield_10050"),
        (("issue", "fields", "customfield_10050"), True, "customfield_10050"),
        (("issue", "fields", "customfield_10050"), {"unknown": 1}, "customfield_10050"),
    ],
)
def test_bad_field_is_400_naming_it(path: tuple[str, ...], value: Any, named: str) -> None:
    payload = sample("jira-issue-approved.json")
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    error = refused(request(payload))
    assert error.status == 400
    assert named in error.message


def test_missing_timestamp_is_400_naming_it() -> None:
    payload = sample("jira-issue-approved.json")
    del payload["timestamp"]
    error = refused(request(payload))
    assert (error.status, "timestamp" in error.message) == (400, True)


def test_unknown_profile_is_422_when_the_catalog_is_known() -> None:
    error = refused(request(sample("jira-issue-approved.json")), known_profiles={"arms-readonly"})
    assert error.status == 422
    assert "arms-full" in error.message


def test_mapping_needs_a_person_or_user_field() -> None:
    with pytest.raises(ValueError, match="person_field or user_field"):
        JiraMapping(profile_field="customfield_10051")


def test_source_needs_an_approved_status() -> None:
    with pytest.raises(ValueError, match="approved status"):
        JiraSource(DEMO_SECRET, MAPPING, approved_statuses=())


def test_repr_hides_the_secret() -> None:
    assert "demo-jira" not in repr(source())
