"""Desired state for joiners, movers and the checks every event passes (stale, ownership)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from rampart.catalog import load_catalog
from rampart.errors import EventError, PolicyRefused, StaleEvent, UnknownPerson
from rampart.model import ACCOUNT, AccessMode, Attachment, EventKind, LifecycleState, Profile, Rule, Scope
from rampart.naming import MANAGED_BY, PERSON, PROFILES, STATE, TagLimitError
from rampart.planning import desire

from tests.conftest import repo_path
from tests.unit.rampart.examples import (
    EARLIER,
    ECS,
    FULL,
    NOW,
    READONLY,
    RG,
    TRACE,
    approval,
    arms_catalog,
    event,
    joiner,
    onboarded,
    person,
    with_,
)

EXAMPLE = repo_path("shared", "rampart", "catalog", "example.yaml")


# --- joiner --------------------------------------------------------------------------------


def test_joiner_wants_an_active_user_with_the_rule_profiles_and_marker() -> None:
    result = desire(joiner(NOW), None, arms_catalog(), now=NOW, user_name="alice")
    user = result.user
    assert user.state is LifecycleState.ACTIVE
    assert user.access is AccessMode.CONSOLE
    assert user.attachments == {Attachment(READONLY, ACCOUNT)}
    assert user.marker is not None and user.marker.rule_profiles == {"arms-readonly"}
    assert user.marker.event_time == NOW and user.marker.person_id == "p-1"
    assert user.tags[MANAGED_BY] == "rampart" and user.tags[PERSON] == "p-1" and user.tags[STATE] == "active"
    assert user.tags["department"] == "Engineering"
    assert user.display_name == "Alice Example"


def test_joiner_whose_rules_give_superseding_profiles_gets_only_the_wider_one() -> None:
    result = desire(joiner(NOW, title="SRE"), None, arms_catalog(), now=NOW, user_name="alice")
    assert result.user.attachments == {Attachment(FULL, ACCOUNT)}
    assert result.user.marker is not None and result.user.marker.rule_profiles == {"arms-full", "arms-readonly"}
    assert any("arms-readonly is superseded by arms-full" in note for note in result.notes)


def test_resource_group_profile_attaches_both_policies_at_its_scope() -> None:
    user = desire(joiner(NOW, department="Applications"), None, arms_catalog(), now=NOW, user_name="alice").user
    assert user.attachments == {Attachment(READONLY, Scope(RG)), Attachment(TRACE, Scope(RG))}


def test_profile_groups_are_wanted() -> None:
    user = desire(joiner(NOW, department="Operations"), None, arms_catalog(), now=NOW, user_name="alice").user
    assert user.groups == {"ops", "oncall"}
    assert user.attachments == {Attachment(ECS, ACCOUNT)}


def test_every_catalog_policy_and_group_is_marked_as_rampart_s() -> None:
    user = desire(joiner(NOW), None, arms_catalog(), now=NOW, user_name="alice").user
    assert Attachment(FULL, ACCOUNT) in user.managed_attachments
    assert Attachment(TRACE, Scope(RG)) in user.managed_attachments
    assert user.managed_groups == {"ops", "oncall"}


def test_the_access_mode_comes_from_the_first_rule_that_sets_one() -> None:
    ev = joiner(NOW, employment_type="service-account")
    assert desire(ev, None, arms_catalog(), now=NOW, user_name="svc").user.access is AccessMode.PROGRAMMATIC


def test_the_person_s_own_access_mode_wins_over_rules() -> None:
    ev = joiner(NOW, employment_type="service-account", access=(AccessMode.CONSOLE,))
    assert desire(ev, None, arms_catalog(), now=NOW, user_name="svc").user.access is AccessMode.CONSOLE


def test_the_catalog_default_applies_when_nobody_says() -> None:
    catalog = arms_catalog(default_access=AccessMode.PROGRAMMATIC)
    assert desire(joiner(NOW), None, catalog, now=NOW, user_name="a").user.access is AccessMode.PROGRAMMATIC


def test_asking_for_both_access_modes_is_refused_with_the_way_out() -> None:
    ev = joiner(NOW, access=(AccessMode.CONSOLE, AccessMode.PROGRAMMATIC))
    with pytest.raises(PolicyRefused, match="both console and programmatic") as caught:
        desire(ev, None, arms_catalog(), now=NOW, user_name="alice")
    assert "split_access_modes" in caught.value.hint


def test_a_caller_that_splits_names_the_mode_of_each_user() -> None:
    ev = joiner(NOW, access=(AccessMode.CONSOLE, AccessMode.PROGRAMMATIC))
    api = desire(ev, None, arms_catalog(), now=NOW, user_name="alice-api", access=AccessMode.PROGRAMMATIC).user
    assert api.access is AccessMode.PROGRAMMATIC and api.user_name == "alice-api"


def test_a_joiner_without_a_person_record_is_an_event_error() -> None:
    with pytest.raises(EventError, match="no person record"):
        desire(event(EventKind.JOINER), None, arms_catalog(), now=NOW, user_name="alice")


def test_a_name_taken_by_a_user_rampart_does_not_manage_is_refused() -> None:
    foreign = with_(onboarded(arms_catalog()), tags={}, marker=None)
    with pytest.raises(PolicyRefused, match="does not manage") as caught:
        desire(joiner(NOW), foreign, arms_catalog(), now=NOW, user_name="alice")
    assert "another logon name" in caught.value.hint


def test_force_adopts_a_user_rampart_did_not_create() -> None:
    foreign = with_(onboarded(arms_catalog()), tags={}, marker=None)
    result = desire(joiner(NOW), foreign, arms_catalog(), now=NOW, user_name="alice", force=True)
    assert result.user.state is LifecycleState.ACTIVE
    assert any("adopting" in note for note in result.notes)


def test_a_name_held_by_another_person_is_refused() -> None:
    observed = onboarded(arms_catalog())
    with pytest.raises(PolicyRefused, match="belongs to person p-1"):
        desire(joiner(NOW, pid="p-2"), observed, arms_catalog(), now=NOW, user_name="alice")


def test_a_repeated_joiner_converges_on_the_same_state() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    again = desire(joiner(EARLIER), observed, catalog, now=NOW, user_name="alice").user
    assert again.tags == observed.tags
    assert again.attachments == observed.attachments


def test_a_rehire_inside_the_grace_period_restores_the_user() -> None:
    catalog = arms_catalog(grace_period=timedelta(days=30))
    observed = onboarded(catalog)
    disabled = desire(event(EventKind.LEAVER, at=NOW), observed, catalog, now=NOW, user_name="alice").user
    assert disabled.state is LifecycleState.DISABLED
    later = NOW + timedelta(days=3)
    back = desire(joiner(later), with_(observed, marker=disabled.marker, tags=disabled.tags), catalog, now=later, user_name="alice")
    assert back.user.state is LifecycleState.ACTIVE
    assert back.user.marker is not None and back.user.marker.grace_until is None
    assert back.user.attachments == {Attachment(READONLY, ACCOUNT)}
    assert any("rehire" in note for note in back.notes)


def test_tags_beyond_the_limit_are_refused_clearly() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    crowded = with_(observed, tags={**observed.tags, **{f"team-{i}": "x" for i in range(15)}})
    with pytest.raises(TagLimitError, match="over IMS's limit of 20"):
        desire(joiner(NOW), crowded, catalog, now=NOW, user_name="alice")


def test_long_attribute_values_are_cut_to_the_tag_limit() -> None:
    user = desire(joiner(NOW, department="E" * 300), None, arms_catalog(), now=NOW, user_name="a").user
    assert len(user.tags["department"]) == 128


def test_more_groups_than_ram_allows_are_refused() -> None:
    catalog = arms_catalog()
    many = Profile("many", "too many groups", (), groups=tuple(f"g{i}" for i in range(11)))
    catalog = replace(catalog, profiles={**catalog.profiles, "many": many},
                      rules=(Rule("all", {}, ("many",)),))
    with pytest.raises(PolicyRefused, match="11 groups"):
        desire(joiner(NOW), None, catalog, now=NOW, user_name="alice")


def test_the_shipped_example_catalog_gives_an_sre_only_arms_full() -> None:
    catalog = load_catalog(EXAMPLE)
    user = desire(joiner(NOW, title="SRE"), None, catalog, now=NOW, user_name="alice").user
    assert user.attachments == {Attachment(FULL, ACCOUNT)}
    assert user.tags["department"] == "Engineering"


# --- mover ---------------------------------------------------------------------------------


def test_mover_re_evaluates_the_rules_and_updates_the_display_name() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    moved = person(department="Applications", display_name="Alice Moved")
    result = desire(event(EventKind.MOVER, person=moved), observed, catalog, now=NOW, user_name="alice")
    assert result.user.attachments == {Attachment(READONLY, Scope(RG)), Attachment(TRACE, Scope(RG))}
    assert result.user.display_name == "Alice Moved"
    assert result.user.tags[PROFILES] == "arms-readonly-rg"
    assert result.user.tags["department"] == "Applications"
    assert "rule profiles: +arms-readonly-rg -arms-readonly" in result.notes


def test_mover_keeps_ticket_grants() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    granted = desire(event(EventKind.GRANT, profile="ops", approval=approval()), observed, catalog, now=NOW, user_name="alice").user
    observed = with_(observed, marker=granted.marker, tags=granted.tags)
    later = NOW + timedelta(hours=1)
    moved = desire(event(EventKind.MOVER, at=later, person=person(department="Sales")), observed, catalog, now=later, user_name="alice")
    assert moved.user.attachments == {Attachment(ECS, ACCOUNT)}
    assert moved.user.marker is not None and moved.user.marker.rule_profiles == frozenset()


def test_mover_keeps_the_access_mode_the_user_has() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales", employment_type="service-account")
    assert observed.marker is not None and observed.marker.access is AccessMode.PROGRAMMATIC
    moved = desire(event(EventKind.MOVER, person=person()), observed, catalog, now=NOW, user_name="alice")
    assert moved.user.access is AccessMode.PROGRAMMATIC


def test_mover_of_a_disabled_user_records_profiles_but_grants_nothing() -> None:
    catalog = arms_catalog(grace_period=timedelta(days=30))
    observed = onboarded(catalog)
    disabled = desire(event(EventKind.LEAVER, at=NOW), observed, catalog, now=NOW, user_name="alice").user
    observed = with_(observed, marker=disabled.marker, tags=disabled.tags)
    moved = desire(event(EventKind.MOVER, person=person(department="Operations")), observed, catalog, now=NOW, user_name="alice")
    assert moved.user.state is LifecycleState.DISABLED
    assert moved.user.attachments == frozenset() and moved.user.groups == frozenset()
    assert moved.user.marker is not None and moved.user.marker.rule_profiles == {"ops"}


@pytest.mark.parametrize("kind", [EventKind.MOVER, EventKind.GRANT, EventKind.REVOKE])
def test_events_for_a_missing_user_are_unknown_person(kind: EventKind) -> None:
    with pytest.raises(UnknownPerson, match="no RAM user alice"):
        desire(event(kind, person=person(), profile="ops"), None, arms_catalog(), now=NOW, user_name="alice")


@pytest.mark.parametrize("kind", [EventKind.MOVER, EventKind.GRANT, EventKind.REVOKE, EventKind.LEAVER])
def test_events_for_a_user_rampart_does_not_manage_are_unknown_person(kind: EventKind) -> None:
    foreign = with_(onboarded(arms_catalog()), tags={}, marker=None)
    with pytest.raises(UnknownPerson, match="not managed by rampart"):
        desire(event(kind, person=person(), profile="ops"), foreign, arms_catalog(), now=NOW, user_name="alice")


def test_an_event_for_another_person_s_user_is_unknown_person() -> None:
    observed = onboarded(arms_catalog())
    with pytest.raises(UnknownPerson, match="belongs to person p-1, not p-9"):
        desire(event(EventKind.MOVER, pid="p-9", person=person("p-9")), observed, arms_catalog(), now=NOW, user_name="alice")


# --- stale events ----------------------------------------------------------------------------


def test_an_event_older_than_the_marker_is_stale() -> None:
    observed = onboarded(arms_catalog(), at=NOW)
    with pytest.raises(StaleEvent, match="before the last event applied for person p-1"):
        desire(event(EventKind.MOVER, at=EARLIER, person=person()), observed, arms_catalog(), now=NOW, user_name="alice")


def test_an_event_as_old_as_the_marker_is_a_redelivery_and_converges() -> None:
    observed = onboarded(arms_catalog(), at=EARLIER)
    result = desire(joiner(EARLIER), observed, arms_catalog(), now=NOW, user_name="alice")
    assert result.user.tags == observed.tags


def test_sub_second_differences_do_not_make_a_redelivery_stale() -> None:
    observed = onboarded(arms_catalog(), at=EARLIER)
    desire(joiner(EARLIER + timedelta(microseconds=900)), observed, arms_catalog(), now=NOW, user_name="alice")


def test_a_late_joiner_cannot_resurrect_a_deleted_leaver_given_the_tombstone() -> None:
    with pytest.raises(StaleEvent):
        desire(joiner(EARLIER), None, arms_catalog(), now=NOW, user_name="alice", tombstone=NOW)


def test_naive_times_are_an_event_error() -> None:
    naive = event(EventKind.JOINER, at=NOW.replace(tzinfo=None), person=person())
    with pytest.raises(EventError, match="no timezone"):
        desire(naive, None, arms_catalog(), now=NOW, user_name="alice")


def test_the_observed_user_must_be_the_named_one() -> None:
    with pytest.raises(EventError):
        desire(joiner(NOW), onboarded(arms_catalog()), arms_catalog(), now=NOW, user_name="bob")
