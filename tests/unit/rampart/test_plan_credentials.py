"""Planning credentials: orphans, one key per programmatic user, escrow, disable and rehire, rotation."""

from __future__ import annotations

from datetime import timedelta

from rampart.desired import desire
from rampart.model import (
    AccessMode,
    EventKind,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    SecretKind,
    StepKind,
)
from rampart.plan import plan_rotation
from rampart.simulate import simulate

from tests.unit.rampart.plan_fixtures import (
    EARLIER,
    NOW,
    arms_catalog,
    converge,
    event,
    joiner,
    kinds,
    onboarded,
    planned,
    with_,
)

DAY = timedelta(days=1)


def key(key_id: str, active: bool = True, age: timedelta = DAY) -> ObservedKey:
    return ObservedKey(key_id, active, NOW - age)


def key_secret(key_id: str | None, pending: bool = False, name: str = "") -> ObservedSecret:
    return ObservedSecret(name or f"rampart/svc/access-key/{key_id}", SecretKind.ACCESS_KEY, key_id, pending)


PASSWORD = ObservedSecret("rampart/alice/console-password", SecretKind.PASSWORD, None, False)


def service_user(**changes: object) -> ObservedUser:
    """A converged programmatic user (key LTAI1, escrowed), with changes."""
    catalog = arms_catalog()
    observed = onboarded(catalog, user="svc", employment_type="service-account")
    base = with_(observed, keys=(key("LTAI1"),), secrets=(key_secret("LTAI1"),))
    return with_(base, **changes)


def replan(observed: ObservedUser, **joiner_fields: object) -> list[StepKind]:
    catalog = arms_catalog()
    fields = {"employment_type": "service-account", **joiner_fields}
    desired = desire(joiner(EARLIER, **fields), observed, catalog, now=NOW, user_name=observed.user_name).user
    p = planned(desired, observed, catalog)
    after = simulate(observed, p.steps, NOW)
    assert planned(desired, after, catalog).is_noop, "the plan must converge"
    assert after is not None and sum(k.active for k in after.keys) <= 1
    return kinds(p)


def test_a_converged_programmatic_user_plans_nothing() -> None:
    assert replan(service_user()) == []


def test_an_orphan_key_is_deleted_then_replaced() -> None:
    observed = service_user(secrets=())
    p = planned(desire(joiner(EARLIER, employment_type="service-account"), observed, arms_catalog(), now=NOW,
                       user_name="svc").user, observed, arms_catalog())
    assert kinds(p) == [StepKind.DELETE_ACCESS_KEY, StepKind.CREATE_ACCESS_KEY]
    assert p.steps[0].detail == {"access_key_id": "LTAI1"} and "orphan" in p.steps[0].reason
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY, StepKind.CREATE_ACCESS_KEY]


def test_a_crash_before_escrow_leaves_an_orphan_that_is_deleted_beside_the_good_key() -> None:
    observed = service_user(keys=(key("LTAI1"), key("LTAI2", age=timedelta(0))))
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY]


def test_of_two_escrowed_keys_the_newest_active_one_is_kept() -> None:
    observed = service_user(
        keys=(key("LTAI1", age=10 * DAY), key("LTAI2")), secrets=(key_secret("LTAI1"), key_secret("LTAI2"))
    )
    catalog = arms_catalog()
    desired = desire(joiner(EARLIER, employment_type="service-account"), observed, catalog, now=NOW, user_name="svc").user
    p = planned(desired, observed, catalog)
    assert [(s.kind, dict(s.detail)) for s in p.steps] == [
        (StepKind.DELETE_ACCESS_KEY, {"access_key_id": "LTAI1"}),
        (StepKind.SCHEDULE_SECRET_DELETION, {"secret_name": "rampart/svc/access-key/LTAI1", "recovery_days": "7"}),
    ]


def test_a_secret_whose_key_is_gone_is_scheduled_for_deletion() -> None:
    observed = service_user(secrets=(key_secret("LTAI1"), key_secret("LTAI0")))
    assert replan(observed) == [StepKind.SCHEDULE_SECRET_DELETION]


def test_a_key_whose_secret_is_pending_deletion_is_restored_not_replaced() -> None:
    observed = service_user(keys=(key("LTAI1", active=False),), secrets=(key_secret("LTAI1", pending=True),))
    assert replan(observed) == [StepKind.RESTORE_SECRET, StepKind.ACTIVATE_ACCESS_KEY]


def test_a_programmatic_user_has_no_login_profile() -> None:
    observed = service_user(has_login_profile=True, secrets=(key_secret("LTAI1"), PASSWORD))
    assert replan(observed) == [StepKind.DELETE_LOGIN_PROFILE, StepKind.SCHEDULE_SECRET_DELETION]


def test_a_console_user_holds_no_access_key() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    observed = with_(observed, keys=(key("LTAI9"),), secrets=(*observed.secrets, key_secret("LTAI9")))
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.DELETE_ACCESS_KEY, StepKind.SCHEDULE_SECRET_DELETION]
    assert planned(desired, simulate(observed, p.steps, NOW), catalog).is_noop


def test_a_missing_login_profile_is_created_restoring_its_secret_first() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    pending = ObservedSecret(PASSWORD.name, SecretKind.PASSWORD, None, True)
    observed = with_(observed, has_login_profile=False, secrets=(pending,))
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    assert kinds(planned(desired, observed, catalog)) == [StepKind.RESTORE_SECRET, StepKind.CREATE_LOGIN_PROFILE]


def test_a_login_profile_without_an_escrowed_password_is_noted() -> None:
    catalog = arms_catalog()
    observed = with_(onboarded(catalog), secrets=())
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert p.is_noop and "no escrowed password" in p.notes[0]


def test_changing_access_mode_swaps_the_credential() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    desired = desire(joiner(access=(AccessMode.PROGRAMMATIC,)), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.TAG_USER, StepKind.DELETE_LOGIN_PROFILE, StepKind.SCHEDULE_SECRET_DELETION,
                        StepKind.CREATE_ACCESS_KEY]


# --- disable and rehire ------------------------------------------------------------------------


def test_disabling_turns_off_login_keys_and_grants_keeping_the_keys() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog, department="Operations")
    manual = with_(observed, keys=(key("LTAI1"),), secrets=(*observed.secrets, key_secret("LTAI1", name="k")))
    desired = desire(event(EventKind.LEAVER), manual, catalog, now=NOW, user_name="alice").user
    p = planned(desired, manual, catalog)
    assert kinds(p) == [
        StepKind.TAG_USER, StepKind.DELETE_LOGIN_PROFILE, StepKind.SCHEDULE_SECRET_DELETION,
        StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DETACH_POLICY, StepKind.REMOVE_FROM_GROUP, StepKind.REMOVE_FROM_GROUP,
    ]
    assert p.steps[2].detail["secret_name"] == "rampart/alice/console-password"
    after = simulate(manual, p.steps, NOW)
    assert after is not None and after.keys == (ObservedKey("LTAI1", False, NOW - DAY),)
    assert planned(desired, after, catalog).is_noop


def test_a_programmatic_rehire_reactivates_the_escrowed_key() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog, user="svc", employment_type="service-account")
    disabled = desire(event(EventKind.LEAVER), observed, catalog, now=NOW, user_name="svc").user
    off = converge(disabled, observed, catalog)
    assert off is not None and not off.keys[0].active
    later = NOW + DAY
    back = desire(joiner(later, employment_type="service-account"), off, catalog, now=later, user_name="svc").user
    p = planned(back, off, catalog, later)
    assert StepKind.ACTIVATE_ACCESS_KEY in kinds(p) and StepKind.CREATE_ACCESS_KEY not in kinds(p)


# --- rotation -----------------------------------------------------------------------------------


def test_a_young_key_is_not_rotated() -> None:
    assert plan_rotation(service_user(), arms_catalog().options, NOW).is_noop


def test_an_old_key_is_rotated_through_the_two_key_slot() -> None:
    catalog = arms_catalog()
    observed = service_user(keys=(key("LTAI1", age=91 * DAY),))
    p = plan_rotation(observed, catalog.options, NOW)
    assert kinds(p) == [StepKind.CREATE_ACCESS_KEY, StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_ACCESS_KEY,
                        StepKind.SCHEDULE_SECRET_DELETION]
    after = simulate(observed, p.steps, NOW)
    assert after is not None and len(after.keys) == 1 and after.keys[0].access_key_id != "LTAI1"
    desired = desire(joiner(EARLIER, employment_type="service-account"), after, catalog, now=NOW, user_name="svc").user
    assert planned(desired, after, catalog).is_noop
    assert plan_rotation(after, catalog.options, NOW).is_noop


def test_rotation_waits_for_an_unconverged_user() -> None:
    observed = service_user(keys=(key("LTAI1", age=91 * DAY), key("LTAI2")))
    p = plan_rotation(observed, arms_catalog().options, NOW)
    assert p.is_noop and "converge it first" in p.notes[0]


def test_console_users_are_not_rotated() -> None:
    assert plan_rotation(onboarded(arms_catalog()), arms_catalog().options, NOW + 400 * DAY).is_noop
