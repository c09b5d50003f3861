"""Planning credentials: orphans, one key per programmatic user, escrow as the ACSCurrent version
of the user's one AccessKey secret, disable and rehire, rotation through the two-key slot."""

from __future__ import annotations

from datetime import timedelta

from rampart.model import (
    AccessKeyRef,
    AccessMode,
    Escrow,
    EventKind,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    SecretDeletion,
    SecretKind,
    StepKind,
)
from rampart.planning import desire, desire_sweep, plan_rotation
from rampart_dev.simulate import simulate

from tests.unit.rampart.examples import (
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


SVC_SECRET = "rampart/svc/access-key"


def key_secret(key_id: str | None, pending: bool = False, name: str = SVC_SECRET, previous: str | None = None) -> ObservedSecret:
    """An AccessKey secret whose ACSCurrent version is ``key_id`` (ACSPrevious: ``previous``)."""
    return ObservedSecret(name, SecretKind.ACCESS_KEY, key_id, pending, previous)


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
    assert p.steps[0].detail == AccessKeyRef("LTAI1") and "orphan" in p.steps[0].reason
    assert p.steps[1].detail_as(Escrow).secret_name == SVC_SECRET
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY, StepKind.CREATE_ACCESS_KEY]


def test_a_crash_before_escrow_leaves_an_orphan_that_is_deleted_beside_the_good_key() -> None:
    observed = service_user(keys=(key("LTAI1"), key("LTAI2", age=timedelta(0))))
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY]


def test_only_the_acscurrent_version_escrows_a_key() -> None:
    # LTAI1 is only ACSPrevious: nobody reads it any more, although its version is still in KMS.
    observed = service_user(keys=(key("LTAI1", age=10 * DAY), key("LTAI2")), secrets=(key_secret("LTAI2", previous="LTAI1"),))
    catalog = arms_catalog()
    desired = desire(joiner(EARLIER, employment_type="service-account"), observed, catalog, now=NOW, user_name="svc").user
    p = planned(desired, observed, catalog)
    assert [(s.kind, s.detail) for s in p.steps] == [(StepKind.DELETE_ACCESS_KEY, AccessKeyRef("LTAI1"))]
    assert "rotated out" in p.steps[0].reason


def test_a_secret_whose_current_key_is_gone_gets_a_new_key_as_a_new_version() -> None:
    observed = service_user(keys=(), secrets=(key_secret("LTAI0"),))
    assert replan(observed) == [StepKind.CREATE_ACCESS_KEY]
    catalog = arms_catalog()
    desired = desire(joiner(EARLIER, employment_type="service-account"), observed, catalog, now=NOW, user_name="svc").user
    p = planned(desired, observed, catalog)
    after = simulate(observed, p.steps, NOW)
    assert after is not None
    [secret] = after.secrets
    assert (secret.name, secret.previous_access_key_id) == (SVC_SECRET, "LTAI0")
    assert secret.access_key_id == after.keys[0].access_key_id


def test_an_orphan_beside_a_secret_whose_key_is_gone_is_deleted_first() -> None:
    observed = service_user(keys=(key("LTAI1"),), secrets=(key_secret("LTAI0"),))
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY, StepKind.CREATE_ACCESS_KEY]


def test_a_key_whose_secret_is_pending_deletion_is_restored_not_replaced() -> None:
    observed = service_user(keys=(key("LTAI1", active=False),), secrets=(key_secret("LTAI1", pending=True),))
    assert replan(observed) == [StepKind.RESTORE_SECRET, StepKind.ACTIVATE_ACCESS_KEY]


def test_a_pending_secret_whose_key_is_gone_is_restored_before_the_new_version() -> None:
    observed = service_user(keys=(), secrets=(key_secret("LTAI0", pending=True),))
    assert replan(observed) == [StepKind.RESTORE_SECRET, StepKind.CREATE_ACCESS_KEY]


def test_an_access_key_secret_under_another_name_is_scheduled_for_deletion() -> None:
    legacy = key_secret("LTAI1", name="rampart/svc/access-key/LTAI1")
    observed = service_user(secrets=(key_secret("LTAI1"), legacy))
    assert replan(observed) == [StepKind.SCHEDULE_SECRET_DELETION]


def test_a_key_escrowed_only_under_the_older_one_secret_per_key_name_is_replaced() -> None:
    # The older scheme: one secret per key, its version ids not key ids. Migrated by the next run.
    legacy = key_secret("v-0123", name="rampart/svc/access-key/LTAI1")
    observed = service_user(secrets=(legacy,))
    assert replan(observed) == [StepKind.DELETE_ACCESS_KEY, StepKind.SCHEDULE_SECRET_DELETION,
                                StepKind.CREATE_ACCESS_KEY]


def test_a_programmatic_user_has_no_login_profile() -> None:
    observed = service_user(has_login_profile=True, secrets=(key_secret("LTAI1"), PASSWORD))
    assert replan(observed) == [StepKind.DELETE_LOGIN_PROFILE, StepKind.SCHEDULE_SECRET_DELETION]


def test_a_console_user_holds_no_access_key() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    secret = key_secret("LTAI9", name="rampart/alice/access-key")
    observed = with_(observed, keys=(key("LTAI9"),), secrets=(*observed.secrets, secret))
    desired = desire(joiner(), observed, catalog, now=NOW, user_name="alice").user
    p = planned(desired, observed, catalog)
    assert kinds(p) == [StepKind.DELETE_ACCESS_KEY, StepKind.SCHEDULE_SECRET_DELETION]
    assert p.steps[1].detail_as(SecretDeletion).secret_name == "rampart/alice/access-key"
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
    secret = key_secret("LTAI1", name="rampart/alice/access-key")
    manual = with_(observed, keys=(key("LTAI1"),), secrets=(*observed.secrets, secret))
    desired = desire(event(EventKind.LEAVER), manual, catalog, now=NOW, user_name="alice").user
    p = planned(desired, manual, catalog)
    assert kinds(p) == [
        StepKind.TAG_USER, StepKind.DELETE_LOGIN_PROFILE, StepKind.SCHEDULE_SECRET_DELETION,
        StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DETACH_POLICY, StepKind.REMOVE_FROM_GROUP, StepKind.REMOVE_FROM_GROUP,
    ]
    assert p.steps[2].detail_as(SecretDeletion).secret_name == "rampart/alice/console-password"
    after = simulate(manual, p.steps, NOW)
    assert after is not None and after.keys == (ObservedKey("LTAI1", False, NOW - DAY),)
    assert planned(desired, after, catalog).is_noop


def test_disabling_schedules_an_access_key_secret_whose_key_is_gone() -> None:
    catalog = arms_catalog(grace_period=30 * DAY)
    observed = onboarded(catalog, user="svc", employment_type="service-account")
    gone = with_(observed, keys=(), secrets=(key_secret("LTAI0"),))
    desired = desire(event(EventKind.LEAVER), gone, catalog, now=NOW, user_name="svc").user
    p = planned(desired, gone, catalog)
    assert [s.detail_as(SecretDeletion).secret_name for s in p.steps if s.kind is StepKind.SCHEDULE_SECRET_DELETION] == [SVC_SECRET]


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


def test_an_old_key_is_rotated_through_the_two_key_slot_into_a_new_version() -> None:
    catalog = arms_catalog()
    observed = service_user(keys=(key("LTAI1", age=91 * DAY),))
    p = plan_rotation(observed, catalog.options, NOW)
    assert kinds(p) == [StepKind.CREATE_ACCESS_KEY, StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_ACCESS_KEY]
    assert p.steps[0].detail == Escrow(SecretKind.ACCESS_KEY, "p-1", "", SVC_SECRET)
    assert [s.detail_as(AccessKeyRef).access_key_id for s in p.steps[1:]] == ["LTAI1", "LTAI1"]
    after = simulate(observed, p.steps, NOW)
    assert after is not None and len(after.keys) == 1 and after.keys[0].access_key_id != "LTAI1"
    assert after.secrets == (key_secret(after.keys[0].access_key_id, previous="LTAI1"),)
    desired = desire(joiner(EARLIER, employment_type="service-account"), after, catalog, now=NOW, user_name="svc").user
    assert planned(desired, after, catalog).is_noop
    assert plan_rotation(after, catalog.options, NOW).is_noop


def test_a_rotation_cut_short_after_the_new_version_is_finished_by_the_next_run() -> None:
    catalog = arms_catalog()
    observed = service_user(keys=(key("LTAI1", age=91 * DAY),))
    rotation = plan_rotation(observed, catalog.options, NOW)
    cut = simulate(observed, rotation.steps[:1], NOW)  # crash after the KMS write, before the old key goes
    assert cut is not None and len(cut.keys) == 2 and all(k.active for k in cut.keys)
    assert plan_rotation(cut, catalog.options, NOW).is_noop
    desired = desire_sweep(cut, catalog, NOW).user
    p = planned(desired, cut, catalog)
    assert [(s.kind, s.detail) for s in p.steps] == [(StepKind.DELETE_ACCESS_KEY, AccessKeyRef("LTAI1"))]
    after = simulate(cut, p.steps, NOW)
    assert after is not None and [k.access_key_id for k in after.keys] == [cut.secrets[0].access_key_id]


def test_a_rotation_cut_short_before_the_new_version_deletes_the_new_key() -> None:
    catalog = arms_catalog()
    observed = service_user(keys=(key("LTAI1", age=91 * DAY), key("LTAI2", age=timedelta(0))))
    p = planned(desire_sweep(observed, catalog, NOW).user, observed, catalog)
    assert [(s.kind, s.detail) for s in p.steps] == [(StepKind.DELETE_ACCESS_KEY, AccessKeyRef("LTAI2"))]


def test_rotation_waits_while_the_key_is_not_the_acscurrent_version() -> None:
    for secrets in ((), (key_secret("LTAI0"),), (key_secret("LTAI1", pending=True),)):
        observed = service_user(keys=(key("LTAI1", age=91 * DAY),), secrets=secrets)
        p = plan_rotation(observed, arms_catalog().options, NOW)
        assert p.is_noop and "converge it first" in p.notes[0]


def test_rotation_waits_for_an_unconverged_user() -> None:
    observed = service_user(keys=(key("LTAI1", age=91 * DAY), key("LTAI2")))
    p = plan_rotation(observed, arms_catalog().options, NOW)
    assert p.is_noop and "converge it first" in p.notes[0]


def test_console_users_are_not_rotated() -> None:
    assert plan_rotation(onboarded(arms_catalog()), arms_catalog().options, NOW + 400 * DAY).is_noop
