"""The planner: ordered, minimal steps for new and existing users (creation, grants, drift)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from rampart.model import (
    ACCOUNT,
    Attachment,
    DisplayName,
    Escrow,
    EventKind,
    GroupRef,
    LifecycleState,
    NewPolicy,
    NewUser,
    PolicyAttachment,
    PolicyName,
    PolicyRef,
    PolicyType,
    Scope,
    SecretKind,
    StepKind,
    Tags,
    Untag,
)
from rampart.naming import GRANT_PREFIX, PERSON, STATE
from rampart.planning import allow_bounds, desire, desire_sweep
from rampart_dev.simulate import simulate

from tests.unit.rampart.examples import (
    ECS,
    FULL,
    NOW,
    READONLY,
    RG,
    TRACE,
    approval,
    arms_catalog,
    converge,
    event,
    joiner,
    kinds,
    onboarded,
    person,
    planned,
    with_,
)

DAY = timedelta(days=1)
MANUAL = Attachment(PolicyRef(PolicyType.SYSTEM, "AliyunOSSReadOnlyAccess"), ACCOUNT)


# --- a new user ----------------------------------------------------------------------------


def test_a_console_joiner_is_created_marked_credentialed_then_granted() -> None:
    catalog = arms_catalog()
    desired = desire(joiner(NOW, department="Operations"), None, catalog, now=NOW, user_name="alice").user
    p = planned(desired, None, catalog)
    assert kinds(p) == [
        StepKind.CREATE_USER, StepKind.TAG_USER, StepKind.CREATE_LOGIN_PROFILE,
        StepKind.ATTACH_POLICY, StepKind.ADD_TO_GROUP, StepKind.ADD_TO_GROUP,
    ]
    create, tag, login = p.steps[:3]
    new = create.detail_as(NewUser)
    assert new.display_name == "Alice Example" and new.person_id == "p-1"
    assert tag.detail_as(Tags).mapping[PERSON] == "p-1" and tag.detail_as(Tags).mapping[STATE] == "active"
    assert login.detail == Escrow(SecretKind.PASSWORD, "p-1", "", "rampart/alice/console-password",
                                  reset_required=True, mfa_required=True)
    assert login.detail.as_dict() == {
        "kind": "password", "secret_name": "rampart/alice/console-password", "person_id": "p-1", "manager": "",
        "reset_required": "true", "mfa_required": "true",
    }
    assert p.steps[3].detail_as(PolicyAttachment).attachment == Attachment(ECS, ACCOUNT)
    assert [s.detail_as(GroupRef).group for s in p.steps[4:]] == ["oncall", "ops"]


def test_a_programmatic_joiner_gets_one_access_key_to_escrow() -> None:
    catalog = arms_catalog()
    desired = desire(joiner(NOW, employment_type="service-account"), None, catalog, now=NOW, user_name="svc").user
    p = planned(desired, None, catalog)
    assert kinds(p)[:3] == [StepKind.CREATE_USER, StepKind.TAG_USER, StepKind.CREATE_ACCESS_KEY]
    assert p.steps[2].detail == Escrow(SecretKind.ACCESS_KEY, "p-1", "", "rampart/svc/access-key")
    assert p.steps[2].detail.as_dict() == {
        "kind": "access-key", "person_id": "p-1", "manager": "", "secret_name": "rampart/svc/access-key"}


def test_login_profile_flags_follow_the_catalog() -> None:
    catalog = arms_catalog(password_reset_required=False, mfa_bind_required=False)
    desired = desire(joiner(NOW), None, catalog, now=NOW, user_name="alice").user
    login = next(s for s in planned(desired, None, catalog).steps if s.kind is StepKind.CREATE_LOGIN_PROFILE)
    escrow = login.detail_as(Escrow)
    assert escrow.reset_required is False and escrow.mfa_required is False
    assert login.detail.as_dict()["reset_required"] == "false" and login.detail.as_dict()["mfa_required"] == "false"


def test_resource_group_grants_name_their_scope() -> None:
    catalog = arms_catalog()
    desired = desire(joiner(NOW, department="Applications"), None, catalog, now=NOW, user_name="alice").user
    attaches = [s.detail.as_dict() for s in planned(desired, None, catalog).steps if s.kind is StepKind.ATTACH_POLICY]
    assert attaches == [
        {"policy": "Custom:rampart-arms-readtraceapp", "scope": f"resource-group:{RG}"},
        {"policy": "System:AliyunARMSReadOnlyAccess", "scope": f"resource-group:{RG}"},
    ]


def test_a_converged_user_plans_nothing() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Applications")
    desired = desire(joiner(department="Applications"), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert p.is_noop and p.notes == ()


def test_a_disabled_user_that_does_not_exist_plans_nothing() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    desired = desire(event(EventKind.LEAVER), onboarded(catalog), catalog, now=NOW, user_name="alice").user
    p = planned(desired, None, catalog)
    assert p.is_noop and "nothing to disable" in p.notes[0]


# --- an existing user ---------------------------------------------------------------------------


def test_a_new_display_name_is_one_update() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    desired = desire(event(EventKind.MOVER, person=person(display_name="Alice B")), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.UPDATE_USER, StepKind.TAG_USER]
    assert p.steps[0].detail == DisplayName("Alice B")


def test_a_supersedes_swap_detaches_before_it_attaches() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    desired = desire(event(EventKind.GRANT, profile="arms-full", approval=approval()), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.DETACH_POLICY, StepKind.ATTACH_POLICY]
    assert p.steps[1].detail_as(PolicyAttachment).policy == READONLY and p.steps[2].detail_as(PolicyAttachment).policy == FULL


def test_a_mover_leaves_groups_it_no_longer_has() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Operations")
    desired = desire(event(EventKind.MOVER, person=person()), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.DETACH_POLICY, StepKind.REMOVE_FROM_GROUP, StepKind.REMOVE_FROM_GROUP,
                        StepKind.ATTACH_POLICY]


def test_manual_grants_are_reported_and_left_alone() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = with_(observed, attachments=observed.attachments | {MANUAL}, groups=frozenset({"auditors"}))
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert p.is_noop
    assert any("System:AliyunOSSReadOnlyAccess" in n and "manage_manual_grants" in n for n in p.notes)
    assert any("auditors" in n for n in p.notes)


def test_manual_grants_go_when_the_catalog_manages_them() -> None:
    catalog = arms_catalog(manage_manual_grants=True)
    observed = onboarded(catalog)
    observed = with_(observed, attachments=observed.attachments | {MANUAL}, groups=frozenset({"auditors"}))
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.DETACH_POLICY, StepKind.REMOVE_FROM_GROUP]


def test_a_catalog_policy_rampart_no_longer_grants_is_detached() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = with_(observed, attachments=observed.attachments | {Attachment(FULL, ACCOUNT)})
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    assert kinds(planned(desired, observed, catalog)) == [StepKind.DETACH_POLICY]


def test_a_revoke_untags_before_it_tags() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    granted = desire(event(EventKind.GRANT, profile="ops"), observed, catalog, now=NOW, user_name="alice").user
    after = converge(granted, observed, catalog)
    assert after is not None
    later = NOW + DAY
    observed = after
    revoked = desire(event(EventKind.REVOKE, at=later, profile="ops"), observed, catalog, now=later, user_name="alice").user
    p = planned(revoked, observed, catalog, later)
    assert kinds(p)[:2] == [StepKind.UNTAG_USER, StepKind.TAG_USER]
    assert p.steps[0].detail == Untag((GRANT_PREFIX + "ops",))


def test_a_time_bound_grant_creates_its_policy_then_attaches_it() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    until = NOW + DAY
    desired = desire(event(EventKind.GRANT, profile="ecs-temp", until=until), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.CREATE_POLICY, StepKind.ATTACH_POLICY]
    create = p.steps[1].detail_as(NewPolicy)
    assert create.policy_name == desired.timebound[0].name
    assert str(create.source_policy) == "System:AliyunECSReadOnlyAccess" and create.document is None
    assert "document" not in create.as_dict()
    assert create.until == until and create.profile == "ecs-temp" and create.scope == ACCOUNT
    assert p.steps[2].detail.as_dict() == {"policy": f"Custom:{desired.timebound[0].name}", "scope": "account"}


def test_a_time_bound_custom_policy_is_planned_with_its_document() -> None:
    catalog = arms_catalog()
    rg_temp = replace(catalog.profiles["arms-readonly-rg"], name="rg-temp", max_duration=7 * DAY, custom_policies=())
    catalog = replace(catalog, profiles={**catalog.profiles, "rg-temp": rg_temp})
    observed = onboarded(catalog, department="Sales")
    desired = desire(event(EventKind.GRANT, profile="rg-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice").user
    creates = [s.detail_as(NewPolicy) for s in planned(desired, observed, catalog).steps if s.kind is StepKind.CREATE_POLICY]
    documents = [c.document for c in creates if c.source_policy == TRACE]
    assert len(documents) == 1 and documents[0] is not None and allow_bounds(documents[0]) == [NOW + DAY]
    assert all(c.scope == Scope(RG) for c in creates)


def test_an_expired_grant_is_detached_then_its_policy_deleted() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    granted = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice").user
    after = converge(granted, observed, catalog)
    assert after is not None
    observed, later = after, NOW + 2 * DAY
    p = planned(desire_sweep(observed, catalog, later).user, observed, catalog, later)
    # the grant tag goes, and its end is recorded (rampart:revoked:ecs-temp) so a late, older grant stays stale
    assert kinds(p) == [StepKind.UNTAG_USER, StepKind.TAG_USER, StepKind.DETACH_POLICY, StepKind.DELETE_POLICY]
    assert p.steps[3].detail == PolicyName(granted.timebound[0].name)


def test_extending_a_grant_swaps_the_policy_removing_the_old_one_first() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Sales")
    first = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice").user
    after = converge(first, observed, catalog)
    assert after is not None
    observed = after
    longer = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + 3 * DAY), observed, catalog, now=NOW, user_name="alice").user
    p = planned(longer, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.DETACH_POLICY, StepKind.DELETE_POLICY, StepKind.CREATE_POLICY,
                        StepKind.ATTACH_POLICY]
    assert p.steps[2].detail_as(PolicyName).policy_name == first.timebound[0].name
    assert p.steps[3].detail_as(NewPolicy).policy_name == longer.timebound[0].name


def test_a_disabled_then_rehired_console_user_converges_back() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    disabled = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    gone = converge(disabled, observed, catalog)
    assert gone is not None and gone.marker is not None and gone.marker.state is LifecycleState.DISABLED
    later = NOW + DAY
    back = desire(joiner(later), gone, catalog, now=later, user_name="alice").user
    p = planned(back, gone, catalog, later)
    assert kinds(p) == [StepKind.UNTAG_USER, StepKind.TAG_USER, StepKind.RESTORE_SECRET, StepKind.CREATE_LOGIN_PROFILE,
                        StepKind.ATTACH_POLICY]
    again = simulate(gone, p.steps, later)
    assert planned(back, again, catalog, later).is_noop


def test_the_same_policy_at_account_and_resource_group_scope_are_two_grants() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    desired = desire(event(EventKind.GRANT, profile="arms-readonly-rg"), observed, catalog, now=NOW, user_name="alice").user
    assert {Attachment(READONLY, ACCOUNT), Attachment(READONLY, Scope(RG))} <= desired.attachments
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.ATTACH_POLICY, StepKind.ATTACH_POLICY]
    assert planned(desired, simulate(observed, p.steps, NOW), catalog).is_noop
