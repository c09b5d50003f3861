"""The engine end to end on localcloud: joiner, grants, mover, leaver through the official SDKs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.engine import Engine
from rampart.model import AuditResult

from localcloud import LocalCloud
from tests.functional.rampart.types import EngineBuilder, EventFactory, ExampleCatalog

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def _person(**extra: object) -> dict[str, object]:
    person: dict[str, object] = {
        "person_id": "E1001", "display_name": "Alice Smith", "email": "alice.smith@example.com",
        "attributes": {"department": "Applications", "employment_type": "service-account"},
        "manager": "bob",
    }
    person.update(extra)
    return person


def _escrowed_key(cloud: LocalCloud, user: str) -> dict[str, str]:
    kms = Kms(cloud.config())
    names = [s.secret_name for s in kms.list_secrets(kms_models.ListSecretsRequest(page_size=100)).body.secret_list.secret]
    name = next(n for n in names if n == f"rampart/{user}/access-key")
    pair: dict[str, str] = json.loads(kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name=name)).body.secret_data)
    return pair


@pytest.fixture
def engine(cloud: LocalCloud, build_engine: EngineBuilder, example_catalog: ExampleCatalog) -> Engine:
    cloud.clock_set(T0)
    return build_engine(example_catalog())


def test_programmatic_joiner_gets_one_escrowed_key_with_the_catalog_permissions(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    result = engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    assert result.result is AuditResult.OK, result.as_dict()
    key = _escrowed_key(cloud, "alice.smith")
    me = Sts(cloud.config(key["AccessKeyId"], key["AccessKeySecret"])).get_caller_identity().body
    assert me.arn.endswith(":user/alice.smith")
    keys = Ram(cloud.config()).list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice.smith"))
    assert len(keys.body.access_keys.access_key) == 1
    # arms-readonly-rg: the group's apps are readable (custom policy), others are not
    group = engine._catalog.profiles["arms-readonly-rg"].scope.resource_group_id
    assert group is not None
    cloud.add_resource_to_group("acs:arms:cn-hangzhou:*:armsapp/shop", group)
    inside = cloud.authorize("arms:ReadTraceApp", "acs:arms:cn-hangzhou:*:armsapp/shop", user="alice.smith")
    outside = cloud.authorize("arms:ReadTraceApp", "acs:arms:cn-hangzhou:*:armsapp/other", user="alice.smith")
    assert (inside["decision"], outside["decision"]) == ("allow", "deny")
    assert key["AccessKeySecret"] not in json.dumps(result.as_dict())


def test_replaying_the_joiner_is_a_noop(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    first = event("joiner", "j-1", T0, person_id="E1001", person=_person())
    engine.handle(first)
    again = engine.handle(first)
    assert again.result is AuditResult.NOOP, again.as_dict()


def test_leaver_without_grace_removes_everything_and_the_key_dies(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    key = _escrowed_key(cloud, "alice.smith")
    cloud.clock_advance(60)
    result = engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True))
    assert result.result is AuditResult.OK, result.as_dict()
    with pytest.raises(ClientException) as info:
        Sts(cloud.config(key["AccessKeyId"], key["AccessKeySecret"])).get_caller_identity()
    assert info.value.code == "InvalidAccessKeyId.NotFound"
    with pytest.raises(ClientException) as gone:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.smith"))
    assert gone.value.code == "EntityNotExist.User"


def test_late_joiner_cannot_resurrect_a_leaver(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    cloud.clock_advance(120)
    engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True))
    late = engine.handle(event("joiner", "j-0", T0 + timedelta(seconds=30), person_id="E1001", person=_person()))
    assert late.result is AuditResult.STALE, late.as_dict()
    with pytest.raises(ClientException) as gone:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice.smith"))
    assert gone.value.code == "EntityNotExist.User"


def test_time_bound_grant_stops_authorising_without_a_sweep(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    person = _person(attributes={"department": "Engineering"})
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=person))
    grant = engine.handle(event(
        "grant", "g-1", T0 + timedelta(minutes=1), person_id="E1001", profile="break-glass-admin",
        until=(T0 + timedelta(hours=2)).isoformat(),
        approval={"ticket_id": "OPS-1", "status": "approved", "requester": "alice.smith", "approver": "cto"},
    ))
    assert grant.result is AuditResult.OK, grant.as_dict()
    assert cloud.authorize("ecs:DeleteInstance", "acs:ecs:*:*:instance/i-1", user="alice.smith")["decision"] == "allow"
    cloud.clock_advance(3 * 3600)
    assert cloud.authorize("ecs:DeleteInstance", "acs:ecs:*:*:instance/i-1", user="alice.smith")["decision"] == "deny"


def test_crash_between_create_access_key_and_kms_is_repaired(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    ram = Ram(cloud.config())
    orphan = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="alice.smith")).body.access_key
    result = engine.handle(event("mover", "m-1", T0 + timedelta(minutes=1), person_id="E1001", person=_person()))
    assert result.result is AuditResult.OK, result.as_dict()
    keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice.smith")).body.access_keys.access_key
    assert orphan.access_key_id not in [k.access_key_id for k in keys]
    assert len(keys) == 1


def test_every_applied_step_has_an_audit_record_with_request_ids_and_no_secret(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    result = engine.handle(event("joiner", "j-audit", T0, person_id="E1001", person=_person()))
    key = _escrowed_key(cloud, "alice.smith")
    assert engine._sink is not None
    rows = [dict(r.contents()) for r in engine._sink.by_correlation("j-audit", T0 - timedelta(hours=1),
                                                                     T0 + timedelta(hours=1), limit=100)]
    steps = [r for r in rows if r["action"] not in ("event", "plan")]
    assert len(steps) == len(result.users[0].outcomes)
    planned = [r for r in rows if r["action"] == "plan"]  # write-ahead: the steps, before the first is made
    assert len(planned) == 1 and planned[0]["time"] < min(r["time"] for r in steps)
    assert json.loads(planned[0]["detail"])["steps"][0] == "create-user"
    assert all(r["request_ids"] for r in steps), steps
    assert {r["plan_hash"] for r in steps} == {result.users[0].plan.hash}
    outcome = [r for r in rows if r["action"] == "event"]
    assert [r["result"] for r in outcome] == ["ok"]
    assert key["AccessKeySecret"] not in json.dumps(rows)


def test_hr_display_name_with_punctuation_is_made_acceptable_to_ram(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    person = _person(person_id="E2001", display_name="O'Brien, Seán (Ops)", email="sean.obrien@example.com")
    result = engine.handle(event("joiner", "j-name", T0, person_id="E2001", person=person))
    assert result.result is AuditResult.OK, result.as_dict()
    user = Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="sean.obrien")).body.user
    assert user.display_name == "O Brien Seán Ops"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_joiner_converges_under_drops_throttling_and_5xx(cloud: LocalCloud, engine: Engine, seed: int, event: EventFactory) -> None:
    for service in ("ram", "kms", "resourcemanager"):
        cloud.faults.add(service, "drop", "*", probability=0.2, seed=seed)
        cloud.faults.add(service, "throttle", "*", probability=0.2, seed=seed + 10, retry_after_ms=1)
        cloud.faults.add(service, "error", "*", probability=0.1, seed=seed + 20)
    joiner = event("joiner", f"j-chaos-{seed}", T0, person_id="E1001", person=_person())
    for _ in range(12):  # redeliveries until it reports ok, as FC's async retries would
        if engine.handle(joiner).result in (AuditResult.OK, AuditResult.NOOP):
            break
    injected = {entry.kind for entry in cloud.faults.log()}
    cloud.faults.clear()
    assert injected, "no fault fired: the test would prove nothing"
    assert engine.handle(joiner).result is AuditResult.NOOP
    ram = Ram(cloud.config())
    keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice.smith")).body.access_keys.access_key
    key = _escrowed_key(cloud, "alice.smith")
    assert [k.access_key_id for k in keys] == [key["AccessKeyId"]]
    Sts(cloud.config(key["AccessKeyId"], key["AccessKeySecret"])).get_caller_identity()


def test_prefetched_tombstones_still_stop_a_late_joiner(cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    cloud.clock_advance(120)
    engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True))
    assert engine.prefetch_tombstones() == 1
    late = engine.handle(event("joiner", "j-0", T0 + timedelta(seconds=30), person_id="E1001", person=_person()))
    assert late.result is AuditResult.STALE, late.as_dict()


def test_a_removal_is_found_by_person_and_by_user_name_queried_or_prefetched(
        cloud: LocalCloud, engine: Engine, event: EventFactory) -> None:
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=_person()))
    cloud.clock_advance(120)
    engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True))
    graves = engine._graves
    when = T0.replace(microsecond=0) + timedelta(seconds=60)
    for prefetched in (False, True):
        if prefetched:
            assert engine.prefetch_tombstones() == 1
        assert graves.last_removal("E1001") == when
        assert graves.last_removal_of_user("alice.smith") == when
        assert graves.last_removal("E9") is None and graves.last_removal_of_user("bob") is None
