"""SLS indexes a log a moment after PutLogs (about 3 s; localcloud's ``--sls-index-delay``), so a
tombstone written ahead of a deletion is not yet queryable when the leaver ends: a late joiner
that takes the lock right after would find no removal and create the person again. A deletion
waits until its tombstone is queryable (``Engine(tombstone_wait=...)``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.model import AuditResult

from localcloud import LocalCloud
from tests.functional.rampart.types import EngineBuilder, EventFactory, ExampleCatalog

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
PERSON = {
    "person_id": "E1001", "display_name": "Alice Smith", "email": "alice.smith@example.com",
    "attributes": {"department": "Applications", "employment_type": "service-account"}, "manager": "bob",
}


def _user_exists(cloud: LocalCloud, name: str) -> bool:
    try:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name=name))
    except ClientException as exc:
        assert exc.code == "EntityNotExist.User"
        return False
    return True


def _ram(cloud: LocalCloud) -> dict[str, object]:
    """RAM's state but its id counter (the per-user lock's CreatePolicy moves it)."""
    return {k: v for k, v in cloud.state.snapshot()["ram"].items() if k != "last_serial"}


def test_a_late_joiner_right_after_the_leaver_is_stale_despite_the_index_delay(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    cloud.clock_set(T0)
    engine = build_engine(example_catalog())
    assert engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=PERSON)).result is AuditResult.OK
    cloud.state.sls_indexing.set(1.5)
    leaver = engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True))
    assert leaver.result is AuditResult.OK, leaver.as_dict()
    late = engine.handle(event("joiner", "j-0", T0 + timedelta(seconds=30), person_id="E1001", person=PERSON))
    assert late.result is AuditResult.STALE, late.as_dict()
    assert not _user_exists(cloud, "alice.smith")


def test_a_deletion_whose_tombstone_stays_unqueryable_fails_with_nothing_changed_then_the_retry_deletes(
    cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog,
) -> None:
    cloud.clock_set(T0)
    catalog = example_catalog()
    engine = build_engine(catalog)
    assert engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=PERSON)).result is AuditResult.OK
    ram = Ram(cloud.config())
    keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="alice.smith")).body.access_keys.access_key
    assert len(keys) == 1 and keys[0].status == "Active"
    before = _ram(cloud)
    cloud.state.sls_indexing.set(60)
    impatient = build_engine(catalog, tombstone_wait=0.5)
    leaver = event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001", immediate=True)
    failed = impatient.handle(leaver)
    assert failed.result is AuditResult.FAILED
    assert "the tombstone of alice.smith is written but not queryable in the audit trail (SLS) yet" in failed.error
    assert "the user is not deleted until it is" in failed.error
    assert _ram(cloud) == before  # not a key, a login or a policy touched
    cloud.clock_advance(61)  # SLS has indexed it by the time Function Compute retries
    retried = impatient.handle(leaver)
    assert retried.result is AuditResult.OK, retried.as_dict()
    assert not _user_exists(cloud, "alice.smith")
    assert retried.users[0].certificate is not None


@pytest.mark.parametrize("delay", [0.0, 1.0])
def test_a_rehire_after_the_leaver_is_not_stale_with_or_without_the_delay(cloud: LocalCloud, delay: float, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    cloud.clock_set(T0)
    engine = build_engine(example_catalog())
    engine.handle(event("joiner", "j-1", T0, person_id="E1001", person=PERSON))
    cloud.state.sls_indexing.set(delay)
    assert engine.handle(event("leaver", "l-1", T0 + timedelta(seconds=60), person_id="E1001",
                               immediate=True)).result is AuditResult.OK
    rehire = engine.handle(event("joiner", "j-2", T0 + timedelta(seconds=90), person_id="E1001", person=PERSON))
    assert rehire.result is AuditResult.OK, rehire.as_dict()
    assert _user_exists(cloud, "alice.smith")
