"""Key rotation through the engine on localcloud: one stable secret name, the new key as its
new ACSCurrent version, the old key gone (RAM's two-key slot), and crashes inside it repaired."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.engine import Engine
from rampart.model import AccessKeyRef, AuditResult, StepKind
from rampart.operations import HandoverResult, hand_over
from rampart.ports import AuditSink

from localcloud import LocalCloud
from tests.functional.rampart.cli_support import FakeTerminal
from tests.functional.rampart.engine_support import build_engine, event, example_catalog, identities_of, secrets_of

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
USER = "svc.billing"
SECRET = f"rampart/{USER}/access-key"
DAYS_91 = 91 * 86400
ROTATION = [StepKind.CREATE_ACCESS_KEY, StepKind.DEACTIVATE_ACCESS_KEY, StepKind.DELETE_ACCESS_KEY]
PERSON = {"person_id": "E3001", "display_name": "Billing Exporter", "email": "svc.billing@example.com",
          "manager": "bob", "attributes": {"department": "Applications", "employment_type": "service-account"}}


@pytest.fixture
def engine(cloud: LocalCloud) -> Engine:
    cloud.clock_set(T0)
    made = build_engine(cloud, example_catalog(cloud))
    joined = made.handle(event("joiner", "j-svc", T0, person_id="E3001", person=PERSON))
    assert joined.result is AuditResult.OK, joined.as_dict()
    return made


def current_key(cloud: LocalCloud) -> dict[str, str]:
    """What an application reads: GetSecretValue on the stable name (ACSCurrent)."""
    body = Kms(cloud.config()).get_secret_value(kms_models.GetSecretValueRequest(secret_name=SECRET)).body
    value: dict[str, str] = json.loads(body.secret_data)
    assert body.version_id == value["AccessKeyId"]  # each version is named after its key
    return value


def stages(cloud: LocalCloud) -> dict[str, list[str]]:
    body = Kms(cloud.config()).list_secret_version_ids(kms_models.ListSecretVersionIdsRequest(secret_name=SECRET)).body
    return {v.version_id: list(v.version_stages.version_stage) for v in body.version_ids.version_id}


def user_secrets(cloud: LocalCloud) -> list[str]:
    listing = Kms(cloud.config()).list_secrets(kms_models.ListSecretsRequest(page_size=100)).body.secret_list.secret
    return sorted(s.secret_name for s in listing if s.secret_name.startswith(f"rampart/{USER}/"))


def keys(cloud: LocalCloud) -> list[str]:
    body = Ram(cloud.config()).list_access_keys(ram_models.ListAccessKeysRequest(user_name=USER)).body
    return [k.access_key_id for k in body.access_keys.access_key]


def authenticates(cloud: LocalCloud, key: dict[str, str]) -> str:
    try:
        arn: str = Sts(cloud.config(key["AccessKeyId"], key["AccessKeySecret"])).get_caller_identity().body.arn
    except ClientException as exc:
        return str(exc.code)
    return arn


def sink_of(engine: Engine) -> AuditSink:
    sink = engine._sink
    assert sink is not None
    return sink


def kinds(result: Any) -> list[StepKind]:
    return [o.step.kind for o in result.outcomes]


def test_the_sweep_rotates_an_old_key_into_a_new_version_of_the_same_secret(cloud: LocalCloud, engine: Engine) -> None:
    old = current_key(cloud)
    assert user_secrets(cloud) == [SECRET] and stages(cloud) == {old["AccessKeyId"]: ["ACSCurrent"]}
    cloud.clock_advance(DAYS_91)
    result = engine.sweep_user(USER)
    assert result.result is AuditResult.OK and kinds(result) == ROTATION, result.as_dict()
    # the old key (now ACSPrevious) survived the create's orphan clean-up: the rotation's own steps removed it
    assert [o.result for o in result.outcomes] == [AuditResult.OK] * 3 and "orphan" not in result.outcomes[0].detail
    new = current_key(cloud)
    assert new["AccessKeyId"] != old["AccessKeyId"]
    assert user_secrets(cloud) == [SECRET]  # the name applications read did not change
    assert keys(cloud) == [new["AccessKeyId"]]
    assert authenticates(cloud, new).endswith(f":user/{USER}")
    assert authenticates(cloud, old) == "InvalidAccessKeyId.NotFound"
    assert stages(cloud) == {old["AccessKeyId"]: ["ACSPrevious"], new["AccessKeyId"]: ["ACSCurrent"]}
    rendered = json.dumps(result.as_dict())
    assert new["AccessKeySecret"] not in rendered and old["AccessKeySecret"] not in rendered


def test_after_a_rotation_the_user_converges_with_one_key_and_is_not_rotated_again(
    cloud: LocalCloud, engine: Engine
) -> None:
    cloud.clock_advance(DAYS_91)
    engine.sweep_user(USER)
    new = current_key(cloud)
    for _ in range(2):
        again = engine.sweep_user(USER)
        assert again.result is AuditResult.NOOP, again.as_dict()
        assert keys(cloud) == [new["AccessKeyId"]]
    mover = engine.handle(event("mover", "m-svc", cloud.now(), person_id="E3001", person=PERSON))
    assert mover.result in (AuditResult.OK, AuditResult.NOOP), mover.as_dict()
    assert [k for u in mover.users for k in kinds(u)] in ([], [StepKind.TAG_USER])  # no key or secret step
    assert keys(cloud) == [new["AccessKeyId"]] and current_key(cloud) == new


def test_a_young_key_is_not_rotated(cloud: LocalCloud, engine: Engine) -> None:
    old = current_key(cloud)
    cloud.clock_advance(30 * 86400)
    assert engine.sweep_user(USER).result is AuditResult.NOOP
    assert keys(cloud) == [old["AccessKeyId"]] and current_key(cloud) == old


def test_a_crash_after_the_new_version_before_the_old_key_goes_is_repaired_by_the_next_sweep(
    cloud: LocalCloud, engine: Engine
) -> None:
    old = current_key(cloud)
    cloud.clock_advance(DAYS_91)
    cloud.faults.add("ram", "error", "UpdateAccessKey", code="NoPermission", status=403, count=1)
    cut = engine.sweep_user(USER)
    assert cut.result is AuditResult.FAILED and kinds(cut) == ROTATION[:2], cut.as_dict()
    new = current_key(cloud)  # applications already read the new key
    assert new["AccessKeyId"] != old["AccessKeyId"] and sorted(keys(cloud)) == sorted([old["AccessKeyId"], new["AccessKeyId"]])
    assert authenticates(cloud, new).endswith(f":user/{USER}")
    assert stages(cloud) == {old["AccessKeyId"]: ["ACSPrevious"], new["AccessKeyId"]: ["ACSCurrent"]}
    repaired = engine.sweep_user(USER)
    assert repaired.result is AuditResult.OK and kinds(repaired) == [StepKind.DELETE_ACCESS_KEY], repaired.as_dict()
    assert repaired.outcomes[0].step.detail == AccessKeyRef(old["AccessKeyId"])
    assert keys(cloud) == [new["AccessKeyId"]] and current_key(cloud) == new
    assert authenticates(cloud, old) == "InvalidAccessKeyId.NotFound"
    assert engine.sweep_user(USER).result is AuditResult.NOOP


def test_kms_refusing_the_new_version_leaves_the_old_key_in_service(cloud: LocalCloud, engine: Engine) -> None:
    old = current_key(cloud)
    cloud.clock_advance(DAYS_91)
    cloud.faults.add("kms", "error", "PutSecretValue", code="InvalidParameter", status=400, count=1)
    failed = engine.sweep_user(USER)
    assert failed.result is AuditResult.FAILED and kinds(failed) == ROTATION[:1], failed.as_dict()
    assert keys(cloud) == [old["AccessKeyId"]] and current_key(cloud) == old  # the new key was deleted again
    assert authenticates(cloud, old).endswith(f":user/{USER}")
    retried = engine.sweep_user(USER)
    assert retried.result is AuditResult.OK and kinds(retried) == ROTATION, retried.as_dict()
    assert keys(cloud) == [current_key(cloud)["AccessKeyId"]] != [old["AccessKeyId"]]


def test_handover_after_a_rotation_shows_the_new_acscurrent_key(cloud: LocalCloud, engine: Engine) -> None:
    def show(terminal: FakeTerminal, event_id: str) -> HandoverResult:
        return hand_over(identities=identities_of(engine), secrets=secrets_of(engine), sink=sink_of(engine),
                         options=engine._catalog.options, user_name=USER, operator_arn="acs:ram::1:root",
                         event_id=event_id, clock=cloud.now, terminal=lambda: terminal)

    old = current_key(cloud)
    first = show(FakeTerminal(), "h-1")
    assert (first.secret_name, first.access_key_id) == (SECRET, old["AccessKeyId"])
    cloud.clock_advance(DAYS_91)
    engine.sweep_user(USER)
    new = current_key(cloud)
    terminal = FakeTerminal()
    second = show(terminal, "h-2")  # a new key: not a repeat of the first handover
    assert (second.secret_name, second.access_key_id, second.repeat) == (SECRET, new["AccessKeyId"], False)
    assert new["AccessKeySecret"] in terminal.getvalue() and old["AccessKeySecret"] not in terminal.getvalue()


def peak_keys(cloud: LocalCloud) -> list[int]:
    """The most keys each user named USER held at once (localcloud's key history)."""
    return [h.peak for h in cloud.state.ram.key_history() if h.user_name == USER]


def test_a_dropped_create_access_key_in_the_joiner_leaves_one_escrowed_key(cloud: LocalCloud, engine: Engine) -> None:
    """The engine fixture's joiner ran clean; a second service account's joiner meets a lost
    CreateAccessKey answer: the retry deletes the lost key (never escrowed) first, so the user
    never holds two keys, and the one left is the escrowed one."""
    cloud.faults.add("ram", "drop", "CreateAccessKey", count=1)
    other = {**PERSON, "person_id": "E3002", "display_name": "Billing Importer", "email": "svc.import@example.com"}
    joined = engine.handle(event("joiner", "j-svc2", T0, person_id="E3002", person=other))
    assert joined.result is AuditResult.OK, joined.as_dict()
    assert [e.kind for e in cloud.faults.log()] == ["drop"]
    [history] = [h for h in cloud.state.ram.key_history() if h.user_name == "svc.import"]
    assert history.peak == 1 and len(history.created) == 2 and len(history.deleted) == 1
    value = json.loads(Kms(cloud.config()).get_secret_value(kms_models.GetSecretValueRequest(
        secret_name="rampart/svc.import/access-key")).body.secret_data)
    live = Ram(cloud.config()).list_access_keys(ram_models.ListAccessKeysRequest(user_name="svc.import")).body
    assert [k.access_key_id for k in live.access_keys.access_key] == [value["AccessKeyId"]]


def test_a_dropped_create_access_key_in_a_rotation_keeps_the_old_key_and_drops_the_lost_one(
        cloud: LocalCloud, engine: Engine) -> None:
    old = current_key(cloud)
    cloud.clock_advance(DAYS_91)
    cloud.faults.add("ram", "drop", "CreateAccessKey", count=1)
    result = engine.sweep_user(USER)
    assert result.result is AuditResult.OK and kinds(result) == ROTATION, result.as_dict()
    new = current_key(cloud)
    assert keys(cloud) == [new["AccessKeyId"]] and new["AccessKeyId"] != old["AccessKeyId"]
    assert peak_keys(cloud) == [2]  # the old key and one new key: the lost one went before the retry
    assert authenticates(cloud, new).endswith(f":user/{USER}")
