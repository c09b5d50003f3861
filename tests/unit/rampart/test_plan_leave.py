"""Planning a leaver's teardown in the order RAM requires, and finishing an interrupted one."""

from __future__ import annotations

from datetime import timedelta

from rampart.model import (
    ACCOUNT,
    Attachment,
    EventKind,
    MfaDevice,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    PolicyAttachment,
    PolicyRef,
    PolicyType,
    SecretKind,
    StepKind,
    Tags,
)
from rampart.naming import GRACE_UNTIL, STATE
from rampart.planning import desire, desire_sweep
from rampart_dev.simulate import simulate

from tests.unit.rampart.examples import (
    NOW,
    arms_catalog,
    converge,
    event,
    kinds,
    onboarded,
    planned,
    with_,
)

DAY = timedelta(days=1)
MANUAL = Attachment(PolicyRef(PolicyType.SYSTEM, "AliyunOSSReadOnlyAccess"), ACCOUNT)


def loaded_user() -> ObservedUser:
    """A console user in a group, with a time-bound grant, a manual grant, a key and MFA."""
    catalog = arms_catalog()
    observed = onboarded(catalog, department="Operations")
    granted = desire(event(EventKind.GRANT, profile="ecs-temp", until=NOW + DAY), observed, catalog, now=NOW, user_name="alice")
    after = converge(granted.user, observed, catalog)
    assert after is not None
    observed = after
    return with_(
        observed,
        attachments=observed.attachments | {MANUAL},
        groups=observed.groups | {"auditors"},
        keys=(ObservedKey("LTAI1", True, NOW),),
        secrets=(*observed.secrets, ObservedSecret("rampart/alice/access-key", SecretKind.ACCESS_KEY, "LTAI1", False)),
        mfa_serial="acs:ram::1:mfa/alice",
    )


def test_a_leaver_is_torn_down_in_the_order_ram_requires() -> None:
    catalog = arms_catalog()
    observed = loaded_user()
    desired = desire(event(EventKind.LEAVER, at=NOW + DAY / 2), observed, catalog, now=NOW + DAY / 2, user_name="alice").user
    p = planned(desired, observed, catalog, NOW + DAY / 2)
    assert kinds(p) == [
        StepKind.TAG_USER,
        StepKind.SCHEDULE_SECRET_DELETION, StepKind.SCHEDULE_SECRET_DELETION,
        StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_ACCESS_KEY,
        StepKind.DELETE_LOGIN_PROFILE,
        StepKind.UNBIND_MFA, StepKind.DELETE_MFA,
        StepKind.DETACH_POLICY, StepKind.DETACH_POLICY, StepKind.DETACH_POLICY,
        StepKind.REMOVE_FROM_GROUP, StepKind.REMOVE_FROM_GROUP, StepKind.REMOVE_FROM_GROUP,
        StepKind.DELETE_POLICY,
        StepKind.DELETE_USER,
    ]
    assert p.steps[6].detail == MfaDevice("acs:ram::1:mfa/alice")
    detached = {str(s.detail_as(PolicyAttachment).policy) for s in p.steps if s.kind is StepKind.DETACH_POLICY}
    assert "System:AliyunOSSReadOnlyAccess" in detached and "System:AliyunECSReadOnlyAccess" in detached
    assert any("manual grant" in n for n in p.notes) and any("auditors" in n for n in p.notes)
    assert simulate(observed, p.steps, NOW) is None


def test_the_teardown_marks_the_user_for_removal_first() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    desired = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    first = planned(desired, observed, catalog).steps[0]
    assert first.kind is StepKind.TAG_USER
    tags = first.detail_as(Tags).mapping
    assert tags[STATE] == "disabled" and STATE == "rampart:state" and GRACE_UNTIL in tags


def test_an_interrupted_teardown_is_finished_by_the_sweep() -> None:
    catalog = arms_catalog()
    observed = loaded_user()
    desired = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    steps = planned(desired, observed, catalog).steps
    crashed = simulate(observed, steps[:5], NOW)
    assert crashed is not None and crashed.tags[STATE] == "disabled"
    swept = desire_sweep(crashed, catalog, NOW + timedelta(hours=1))
    assert swept.user.state is None
    rest = planned(swept.user, crashed, catalog, NOW + timedelta(hours=1))
    assert StepKind.TAG_USER not in kinds(rest) and StepKind.SCHEDULE_SECRET_DELETION not in kinds(rest)
    assert simulate(crashed, rest.steps, NOW) is None


def test_a_leaver_for_a_disabled_user_past_grace_needs_no_new_mark() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog)
    off = converge(desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user, observed, catalog)
    assert off is not None
    later = NOW + 31 * DAY
    p = planned(desire_sweep(off, catalog, later).user, off, catalog, later)
    assert kinds(p) == [StepKind.DELETE_USER]


def test_a_leaver_for_a_missing_user_plans_nothing() -> None:
    catalog = arms_catalog()
    desired = desire(event(EventKind.LEAVER), None, catalog, now=NOW, user_name="alice").user
    p = planned(desired, None, catalog)
    assert p.is_noop and "does not exist" in p.notes[0]


def test_secrets_already_pending_deletion_are_not_scheduled_again() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = with_(observed, secrets=(ObservedSecret("rampart/alice/console-password", SecretKind.PASSWORD, None, True),))
    desired = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="alice").user
    assert StepKind.SCHEDULE_SECRET_DELETION not in kinds(planned(desired, observed, catalog))
