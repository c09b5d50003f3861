"""Hostile ticket grants through the real ``ticket_webhook`` (issue 6, deliverable 3): profiles not
in the catalog or not even profile names, high-risk profiles without a time limit or beyond
their ``max_duration``, approvers the profile does not allow, tickets that are not approved,
self-approval (the requester, or the grantee, approving), durations and times no calendar can
hold. Each is refused before the hand-off (422 for the catalog's rules: ``rampart.sources.ticket``
calls the engine's own checks; 400 for a malformed field) and changes nothing in localcloud, in
hand-off and in sync mode; the valid grants are still handed off.

Jira (``X-Hub-Signature``) and rampart's generic contract, on the example catalog: break-glass-admin
is high risk, at most PT4H, approved by security-oncall or cto; arms-full needs an approval.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.functional.rampart.hostile_inputs import (
    FEW,
    FUNCTION,
    HOSTILE,
    TICKET_SOURCES,
    bad_ids,
)
from tests.functional.rampart.types import Site

# --- 7. tickets: the catalog's rules before the hand-off ------------------------------------------

CATALOG_PROFILES = ("arms-readonly", "arms-full", "arms-readonly-rg", "break-glass-admin")
profile_names = st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}", fullmatch=True).filter(lambda p: p not in CATALOG_PROFILES)
bad_profiles = st.one_of(bad_ids, st.sampled_from(["Arms-Full", "arms_full", "-arms", "arms full", "ARMS-FULL", "arms-full/../x"]))


def ticket_grant(site: Site, source: str, profile: str, *, duration: str | None = "2h", approver: str = "security-oncall",
                 requester: str = "alice.wong", grantee: str = "alice.wong", status: str = "approved") -> dict[str, Any]:
    """A grant of ``profile`` through ``source`` (Jira: approver = the transitioning user,
    requester = the reporter, grantee = the person field)."""
    body = site.payload(source)
    if source == "ticket":
        body.update(profile=profile, approver=approver, requester=requester, user=grantee, status=status)
        body.pop("duration")
        if duration is not None:
            body["duration"] = duration
        return body
    fields = body["issue"]["fields"]
    fields["customfield_10051"] = {"value": profile, "id": "10020"}
    fields["customfield_10050"] = grantee
    fields["reporter"] = {"accountId": "acc-" + requester, "emailAddress": requester}
    body["user"] = {"accountId": "acc-" + approver, "emailAddress": approver}
    fields.pop("customfield_10052")
    if duration is not None:
        fields["customfield_10052"] = duration
    return body


@HOSTILE
@given(source=st.sampled_from(TICKET_SOURCES), profile=profile_names)
def test_a_profile_not_in_the_catalog_is_422(fresh: Site, source: str, profile: str) -> None:
    error = fresh.deliver(FUNCTION[source], fresh.valid(source, ticket_grant(fresh, source, profile))).refused(422)
    assert profile in error and "catalog" in error


@HOSTILE
@given(source=st.sampled_from(TICKET_SOURCES), profile=bad_profiles)
def test_a_profile_name_that_is_no_profile_name_is_refused_naming_the_field(
    fresh: Site, source: str, profile: str
) -> None:
    error = fresh.deliver(FUNCTION[source], fresh.valid(source, ticket_grant(fresh, source, profile))).refused(400, 422)
    assert ("customfield_10051" if source == "jira" else "profile") in error


def _breaking(site: Site, case: str, source: str, approver: str, hours: int) -> dict[str, Any]:
    """A ticket grant that breaks one rule of the catalog (example catalog: break-glass-admin is
    high risk, at most PT4H, approved by security-oncall or cto; arms-full needs approval)."""
    if case == "high-risk-permanent":
        return ticket_grant(site, source, "break-glass-admin", duration=None)
    if case == "high-risk-too-long":
        return ticket_grant(site, source, "break-glass-admin", duration=f"{4 + hours}h")
    if case == "high-risk-wrong-approver":
        return ticket_grant(site, source, "break-glass-admin", approver=approver)
    if case == "self-approval":  # the approver is the requester
        return ticket_grant(site, source, "arms-full", approver=approver, requester=approver)
    if case == "grantee-approves":  # the approver is the person who gets the access
        return ticket_grant(site, source, "arms-full", approver="e1001", requester="dana", grantee="E1001")
    assert case == "not-approved" and source == "ticket"
    return ticket_grant(site, source, "arms-full", approver=approver, status="pending")


@HOSTILE
@given(source=st.sampled_from(TICKET_SOURCES),
       case=st.sampled_from(["high-risk-permanent", "high-risk-too-long", "high-risk-wrong-approver",
                             "self-approval", "grantee-approves", "not-approved"]),
       approver=st.from_regex(r"[a-z][a-z0-9.]{2,20}", fullmatch=True).filter(
           lambda a: a not in ("security-oncall", "cto")),
       hours=st.integers(1, 10_000))
def test_a_grant_the_catalog_refuses_is_422_before_the_hand_off(
    fresh: Site, source: str, case: str, approver: str, hours: int
) -> None:
    if case == "not-approved" and source == "jira":
        return  # a Jira transition to a status other than an approved one is ignored, not refused
    answer = fresh.deliver(FUNCTION[source], fresh.valid(source, _breaking(fresh, case, source, approver, hours)))
    error = answer.refused(422)
    expected = {"high-risk-permanent": "time-bound", "high-risk-too-long": "max_duration",
                "high-risk-wrong-approver": "may not approve", "self-approval": "own",
                "grantee-approves": "own", "not-approved": "not approved"}[case]
    assert expected in error, error


@FEW
@given(source=st.sampled_from(TICKET_SOURCES), weeks=st.integers(420_000, 999_999))
def test_a_grant_duration_past_any_calendar_is_refused(fresh: Site, source: str, weeks: int) -> None:
    body = ticket_grant(fresh, source, "arms-full", approver="bob.li", duration=f"{weeks}w")
    fresh.deliver(FUNCTION[source], fresh.valid(source, body)).refused(400, 422)
    iso = ticket_grant(fresh, source, "arms-full", approver="bob.li", duration=f"P{weeks * 10**9}D")
    fresh.deliver(FUNCTION[source], fresh.valid(source, iso)).refused(400, 422)


@FEW
@given(key=st.sampled_from(["occurred_at", "until"]),
       value=st.sampled_from(["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                              "2025-02-30T00:00:00Z", "2025-03-01T09:00:00", "2025-03-01T09:00:00+25:00",
                              "+002025-03-01T09:00:00Z", "2025-03-01T09:00:00\u0000Z", "2025-03-01\u000009:00:00Z",
                              "2025-W09-6T09:00:00+00:00", "20250301T090000Z", "2025-03-01T09+00:00"]))
def test_a_ticket_time_that_is_no_calendar_time_is_refused(fresh: Site, key: str, value: str) -> None:
    """Years 0 and 10000 in UTC, impossible dates, no zone, and forms Python 3.11's
    ``fromisoformat`` reads but 3.10's does not (FC runs both): never a 5xx, never accepted."""
    body = ticket_grant(fresh, "ticket", "arms-full", approver="bob.li", duration=None)
    body[key] = value
    error = fresh.deliver(FUNCTION["ticket"], fresh.valid("ticket", body)).refused(400, 401, 422)
    assert key in error or "stale" in error or "past" in error


def test_a_grant_the_catalog_refuses_changes_nothing_in_sync_mode_either(fresh: Site) -> None:
    """A synchronously applying receiver refuses it before the engine: no user, no audit record."""
    module = fresh.deployment.receiver("ticket_webhook", clock=fresh.now, RAMPART_SYNC_APPLY="1")
    fresh.modules["sync"] = module
    body = ticket_grant(fresh, "ticket", "break-glass-admin", duration=None, approver="cto", requester="dana")
    error = fresh.deliver("sync", fresh.valid("ticket", body)).refused(422)
    assert "time-bound" in error


def test_the_valid_ticket_grants_are_still_handed_off(fresh: Site) -> None:
    """The refusals above are the catalog's, not a receiver that refuses every grant."""
    for source in TICKET_SOURCES:
        body = ticket_grant(fresh, source, "break-glass-admin", duration="2h", approver="cto", requester="dana")
        answer = fresh.deliver(FUNCTION[source], fresh.valid(source, body))
        assert answer.status == 202 and answer.changed, answer.text
