"""Desired state for ticket grants, revokes, leavers and the sweep."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from rampart.errors import EventError, PolicyRefused, UnknownPerson, UnknownProfile
from rampart.model import (
    ACCOUNT,
    Attachment,
    DesiredUser,
    EventKind,
    LifecycleState,
    ObservedUser,
    PolicyRef,
    PolicyType,
    Profile,
    Scope,
    TicketGrant,
)
from rampart.naming import GRACE_UNTIL, GRANT_PREFIX, STATE
from rampart.planning import allow_bounds, desire, desire_sweep, timebound_policy_name

from tests.unit.rampart.examples import (
    ADMIN,
    ECS,
    FULL,
    NOW,
    READONLY,
    RG,
    TRACE,
    approval,
    arms_catalog,
    event,
    onboarded,
    with_,
)

DAY = timedelta(days=1)


def applied(observed: ObservedUser, desired: DesiredUser) -> ObservedUser:
    """The observed user with the desired marker written (what the TAG step does)."""
    return with_(observed, marker=desired.marker, tags=dict(desired.tags))


# --- grants ----------------------------------------------------------------------------------


def test_a_permanent_grant_attaches_the_profile_and_is_recorded() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    ev = event(EventKind.GRANT, profile="ops", approval=approval("T-7"))
    user = desire(ev, observed, catalog, now=NOW, user_name="alice").user
    assert Attachment(ECS, ACCOUNT) in user.attachments and user.groups == {"ops", "oncall"}
    assert user.marker is not None and user.marker.ticket_grants == (TicketGrant("ops", "T-7", None),)
    assert user.tags[GRANT_PREFIX + "ops"] == "T-7|-|2025-06-01T12:00:00Z"  # ticket | until | the grant's event time


def test_a_grant_that_supersedes_a_rule_profile_swaps_it() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    user = desire(event(EventKind.GRANT, profile="arms-full", approval=approval()), observed, catalog, now=NOW, user_name="alice").user
    assert user.attachments == {Attachment(FULL, ACCOUNT)}


def test_a_time_bound_grant_becomes_a_custom_policy_not_a_direct_attachment() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    until = NOW + DAY
    user = desire(event(EventKind.GRANT, profile="ecs-temp", until=until), observed, catalog, now=NOW, user_name="alice").user
    name = timebound_policy_name("alice", "ecs-temp", ECS, until)
    assert [tb.name for tb in user.timebound] == [name]
    assert user.timebound[0].source_policy == ECS and user.timebound[0].until == until
    assert user.timebound[0].document == ""  # a system policy: the applier copies its default version
    assert user.attachments == {Attachment(PolicyRef(PolicyType.CUSTOM, name), ACCOUNT)}


def test_a_time_bound_catalog_custom_policy_carries_its_finished_document() -> None:
    catalog = arms_catalog()
    rg_temp = replace(catalog.profiles["arms-readonly-rg"], name="rg-temp", max_duration=7 * DAY, custom_policies=())
    catalog = replace(catalog, profiles={**catalog.profiles, "rg-temp": rg_temp})
    observed = onboarded(catalog, department="Sales")
    until = NOW + DAY
    user = desire(event(EventKind.GRANT, profile="rg-temp", until=until), observed, catalog, now=NOW, user_name="alice").user
    by_source = {tb.source_policy: tb for tb in user.timebound}
    assert by_source[TRACE].scope == Scope(RG)
    assert allow_bounds(by_source[TRACE].document) == [until]
    assert json.loads(by_source[TRACE].document)["Statement"][0]["Action"] == ["arms:ReadTraceApp"]
    assert by_source[READONLY].document == ""


def test_a_time_bound_wider_profile_notes_when_the_narrower_one_returns() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    until = NOW + DAY
    result = desire(event(EventKind.GRANT, profile="arms-full", until=until, approval=approval()), observed, catalog,
                    now=NOW, user_name="alice")
    assert Attachment(READONLY, ACCOUNT) not in result.user.attachments
    assert any("restores arms-readonly" in note for note in result.notes)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "only time-bound"),
        ({"until": NOW + 8 * DAY}, "over the profile's max_duration"),
        ({"until": NOW - DAY}, "already past"),
    ],
)
def test_time_bound_only_profiles_check_the_end(fields: dict[str, Any], message: str) -> None:
    catalog = arms_catalog()
    with pytest.raises(PolicyRefused, match=message):
        desire(event(EventKind.GRANT, profile="ecs-temp", **fields), onboarded(catalog), catalog, now=NOW, user_name="alice")


@pytest.mark.parametrize(
    ("ticket", "message"),
    [
        (None, "needs an approved ticket"),
        (approval(status="pending"), "not approved"),
        (approval(approver="alice"), "approved their own request"),
        (approval(approver="ALICE "), "approved their own request"),
        (approval(approver=""), "names no approver"),
    ],
)
def test_approval_facts_are_checked(ticket: object, message: str) -> None:
    catalog = arms_catalog()
    with pytest.raises(PolicyRefused, match=message):
        desire(event(EventKind.GRANT, profile="arms-full", approval=ticket), onboarded(catalog), catalog, now=NOW, user_name="alice")


def test_approved_status_is_case_insensitive() -> None:
    catalog = arms_catalog()
    ev = event(EventKind.GRANT, profile="arms-full", approval=approval(status="APPROVED"))
    assert desire(ev, onboarded(catalog), catalog, now=NOW, user_name="alice").user.attachments == {Attachment(FULL, ACCOUNT)}


def test_only_the_profile_s_approvers_may_approve() -> None:
    catalog = arms_catalog()
    ev = event(EventKind.GRANT, profile="break-glass", until=NOW + timedelta(hours=2), approval=approval(approver="bob"))
    with pytest.raises(PolicyRefused, match="bob may not approve") as caught:
        desire(ev, onboarded(catalog), catalog, now=NOW, user_name="alice")
    assert "security-oncall" in caught.value.hint


def test_break_glass_is_granted_time_bound_by_an_allowed_approver() -> None:
    catalog = arms_catalog()
    until = NOW + timedelta(hours=2)
    ev = event(EventKind.GRANT, profile="break-glass", until=until, approval=approval(approver="Security-Oncall"))
    user = desire(ev, onboarded(catalog), catalog, now=NOW, user_name="alice").user
    assert [tb.source_policy for tb in user.timebound] == [ADMIN]
    assert Attachment(ADMIN, ACCOUNT) not in user.attachments


def test_a_high_risk_profile_is_never_permanent() -> None:
    catalog = arms_catalog()
    admin = Profile("admin", "admin", (ADMIN,), allow_high_risk=True)
    catalog = replace(catalog, profiles={**catalog.profiles, "admin": admin})
    with pytest.raises(PolicyRefused, match="only time-bound"):
        desire(event(EventKind.GRANT, profile="admin", approval=approval()), onboarded(catalog), catalog, now=NOW, user_name="alice")


def test_a_high_risk_profile_that_does_not_allow_it_is_refused() -> None:
    catalog = arms_catalog()
    admin = Profile("admin", "admin", (ADMIN,))
    catalog = replace(catalog, profiles={**catalog.profiles, "admin": admin})
    ev = event(EventKind.GRANT, profile="admin", until=NOW + DAY, approval=approval())
    with pytest.raises(PolicyRefused, match="does not allow it"):
        desire(ev, onboarded(catalog), catalog, now=NOW, user_name="alice")


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    catalog = arms_catalog()
    with pytest.raises(UnknownProfile, match="nope") as caught:
        desire(event(EventKind.GRANT, profile="nope"), onboarded(catalog), catalog, now=NOW, user_name="alice")
    assert "arms-full" in caught.value.hint


def test_a_grant_without_a_profile_is_an_event_error() -> None:
    catalog = arms_catalog()
    with pytest.raises(EventError, match="names no profile"):
        desire(event(EventKind.GRANT), onboarded(catalog), catalog, now=NOW, user_name="alice")


def test_a_new_grant_of_the_same_profile_replaces_the_old_one() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    first = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice")
    observed = applied(observed, first.user)
    longer = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + 2 * DAY), observed, catalog, now=NOW, user_name="alice")
    assert longer.user.marker is not None and len(longer.user.marker.ticket_grants) == 1
    assert longer.user.timebound[0].until == NOW + 2 * DAY
    assert any("replaces the grant" in note for note in longer.notes)


def test_a_disabled_user_gets_no_new_grants() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    observed = applied(observed, desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user)
    with pytest.raises(PolicyRefused, match="disabled") as caught:
        desire(event(EventKind.GRANT, profile="ops"), observed, catalog, now=NOW, user_name="alice")
    assert "rehire" in caught.value.hint


# --- revoke -----------------------------------------------------------------------------------


def test_revoke_removes_the_ticket_grant() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = applied(observed, desire(event(EventKind.GRANT, profile="ops"), observed, catalog, now=NOW, user_name="alice").user)
    user = desire(event(EventKind.REVOKE, profile="ops"), observed, catalog, now=NOW, user_name="alice").user
    assert user.marker is not None and user.marker.ticket_grants == ()
    assert GRANT_PREFIX + "ops" not in user.tags
    assert user.attachments == {Attachment(READONLY, ACCOUNT)} and user.groups == frozenset()


def test_revoking_a_rule_profile_is_refused_with_the_way_out() -> None:
    catalog = arms_catalog()
    with pytest.raises(PolicyRefused, match="comes from the HR rules") as caught:
        desire(event(EventKind.REVOKE, profile="arms-readonly"), onboarded(catalog), catalog, now=NOW, user_name="alice")
    assert "mover" in caught.value.hint


def test_revoking_what_is_not_held_is_a_noted_no_op() -> None:
    catalog = arms_catalog()
    result = desire(event(EventKind.REVOKE, profile="ops"), onboarded(catalog), catalog, now=NOW, user_name="alice")
    assert any("nothing to revoke" in note for note in result.notes)


def test_revoking_an_unknown_profile_not_held_is_unknown_profile() -> None:
    catalog = arms_catalog()
    with pytest.raises(UnknownProfile):
        desire(event(EventKind.REVOKE, profile="nope"), onboarded(catalog), catalog, now=NOW, user_name="alice")


def test_a_grant_of_a_profile_since_removed_from_the_catalog_can_be_revoked() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = applied(observed, desire(event(EventKind.GRANT, profile="ops"), observed, catalog, now=NOW, user_name="alice").user)
    smaller = replace(catalog, profiles={k: v for k, v in catalog.profiles.items() if k != "ops"})
    user = desire(event(EventKind.REVOKE, profile="ops"), observed, smaller, now=NOW, user_name="alice").user
    assert user.marker is not None and user.marker.ticket_grants == ()


# --- leaver -----------------------------------------------------------------------------------


def test_a_leaver_with_a_grace_period_is_disabled_until_its_end() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog, department="Operations")
    user = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    assert user.state is LifecycleState.DISABLED
    assert user.attachments == frozenset() and user.groups == frozenset() and user.timebound == ()
    assert user.marker is not None and user.marker.grace_until == NOW + 30 * DAY
    assert user.marker.rule_profiles == {"ops"}
    assert user.tags[STATE] == "disabled" and user.tags[GRACE_UNTIL] == "2025-07-01T12:00:00Z"


def test_a_leaver_without_grace_wants_the_user_gone() -> None:
    catalog = arms_catalog()
    user = desire(event(EventKind.LEAVER), onboarded(catalog), catalog, now=NOW, user_name="alice").user
    assert user.state is None
    assert user.marker is not None and user.marker.state is LifecycleState.DISABLED and user.marker.grace_until == NOW


def test_an_immediate_leaver_skips_the_grace_period() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    user = desire(event(EventKind.LEAVER, immediate=True), onboarded(catalog), catalog, now=NOW, user_name="alice").user
    assert user.state is None


def test_a_redelivered_leaver_keeps_the_original_deadline() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    first = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    later = NOW + 2 * DAY
    again = desire(event(EventKind.LEAVER, at=later), applied(observed, first), catalog, now=later, user_name="alice")
    assert again.user.state is LifecycleState.DISABLED
    assert again.user.marker is not None and again.user.marker.grace_until == NOW + 30 * DAY


def test_a_leaver_for_a_disabled_user_past_grace_removes_it() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    observed = applied(observed, desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user)
    later = NOW + 31 * DAY
    assert desire(event(EventKind.LEAVER, at=later), observed, catalog, now=later, user_name="alice").user.state is None


def test_a_leaver_whose_grace_already_passed_removes_at_once() -> None:
    catalog = arms_catalog(grace_period=DAY)
    late = NOW + 2 * DAY
    user = desire(event(EventKind.LEAVER, at=NOW), onboarded(catalog), catalog, now=late, user_name="alice").user
    assert user.state is None


def test_a_leaver_for_a_missing_user_is_a_noted_no_op() -> None:
    result = desire(event(EventKind.LEAVER), None, arms_catalog(), now=NOW, user_name="alice")
    assert result.user.state is None and "does not exist" in result.notes[0]


def test_force_removes_a_user_rampart_did_not_create() -> None:
    foreign = with_(onboarded(arms_catalog()), tags={}, marker=None)
    result = desire(event(EventKind.LEAVER), foreign, arms_catalog(), now=NOW, user_name="alice", force=True)
    assert result.user.state is None and "--force" in result.notes[0]


# --- sweep ------------------------------------------------------------------------------------


def test_the_sweep_ends_expired_grants_without_moving_the_event_time() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    granted = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice")
    observed = applied(observed, granted.user)
    result = desire_sweep(observed, catalog, NOW + 2 * DAY)
    assert result.user.timebound == () and result.user.attachments == frozenset()
    assert result.user.marker is not None and result.user.marker.ticket_grants == ()
    assert observed.marker is not None and result.user.marker.event_time == observed.marker.event_time
    assert [(r.profile, r.at) for r in result.user.marker.revocations] == [("ecs-temp", NOW)]  # when it was granted
    assert any("ended at" in note for note in result.notes)


def test_the_sweep_keeps_running_grants() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    granted = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice")
    observed = applied(observed, granted.user)
    assert desire_sweep(observed, catalog, NOW + timedelta(hours=1)).user.timebound == granted.user.timebound


def test_the_sweep_removes_a_disabled_user_once_grace_is_over() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    observed = applied(observed, desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user)
    assert desire_sweep(observed, catalog, NOW + 29 * DAY).user.state is LifecycleState.DISABLED
    assert desire_sweep(observed, catalog, NOW + 30 * DAY).user.state is None


def test_the_sweep_leaves_users_rampart_does_not_manage() -> None:
    with pytest.raises(UnknownPerson):
        desire_sweep(with_(onboarded(arms_catalog()), tags={}, marker=None), arms_catalog(), NOW)
