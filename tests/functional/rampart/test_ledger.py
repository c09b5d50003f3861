"""rampart's ledger on Tablestore (``rampart.adapters.ledger``), through the official
``tablestore`` SDK against localcloud's Tablestore over HTTP: conditional writes that cannot
both win, leases with fencing tokens, an exact breaker count under concurrency, deliveries
remembered, and lost answers (``drop`` faults: applied, answer lost) recognised as our own.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from rampart.adapters._ledger_codec import LedgerCorrupt
from rampart.adapters.ledger import TablestoreLedger
from rampart.adapters.retry import RetryPolicy
from rampart.config import LedgerSettings
from rampart.errors import CloudError, ConfigError, LedgerConflict
from rampart.model import AccessMode, LifecycleState, Marker, PersonRecord, Removal, Revocation, TicketGrant

from localcloud import LocalCloud
from tests.functional.rampart.types import AdaptersFor, MakeWaits, SettingsFor

INSTANCE = "rampart-test"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _ledger(cloud: LocalCloud, settings_for: SettingsFor, make_waits: MakeWaits, **settings: object) -> TablestoreLedger:
    ledger = TablestoreLedger(settings_for(), LedgerSettings(instance=INSTANCE, **settings),  # type: ignore[arg-type]
                              clock=cloud.now, policy=RetryPolicy.seeded(1, sleep=make_waits()))
    ledger.ensure_tables()
    return ledger


@pytest.fixture
def ledger(cloud: LocalCloud, settings_for: SettingsFor, make_waits: MakeWaits) -> TablestoreLedger:
    cloud.tablestore_create_instance(INSTANCE)
    return _ledger(cloud, settings_for, make_waits)


def _marker(person: str = "E1", **kw: object) -> Marker:
    fields: dict[str, object] = {"person_id": person, "state": LifecycleState.ACTIVE, "event_time": T0}
    fields.update(kw)
    return Marker(**fields)  # type: ignore[arg-type]


def test_init_creates_the_tables_once(cloud: LocalCloud, ledger: TablestoreLedger, settings_for: SettingsFor, make_waits: MakeWaits) -> None:
    assert _ledger(cloud, settings_for, make_waits).ensure_tables() == []  # a second time: nothing to create
    listed = ledger.client().list_table()
    assert sorted(listed) == sorted(f"rampart_{t}" for t in ("people", "users", "leases", "counters", "deliveries"))
    described = ledger.client().describe_table("rampart_deliveries")
    assert described.table_options.time_to_live == 30 * 86400


def test_a_person_round_trips_every_field(ledger: TablestoreLedger) -> None:
    marker = _marker(
        rule_profiles=frozenset({"arms-readonly"}),
        ticket_grants=(TicketGrant("arms-full", "OPS-42", T0 + timedelta(hours=4), T0),),
        grace_until=T0 + timedelta(days=7), access=AccessMode.CONSOLE,
        revocations=(Revocation("break-glass-admin", T0),), state=LifecycleState.DISABLED,
    )
    record = PersonRecord("E1", {"alice": marker}, Removal(T0, "evt-9", "cert-1"), frozenset({"alice/v1"}))
    saved = ledger.save(record)
    assert saved.version == 1
    assert ledger.person("E1") == saved
    assert ledger.person_of_user("alice") == saved
    assert ledger.person("E2") is None and ledger.person_of_user("bob") is None


def test_two_writers_of_one_version_cannot_both_win(ledger: TablestoreLedger) -> None:
    first = ledger.save(PersonRecord("E1", {"alice": _marker()}))
    ledger.save(first.with_user("alice", _marker(event_time=T0 + timedelta(minutes=1))))
    with pytest.raises(LedgerConflict):
        ledger.save(first.with_user("alice", _marker(state=LifecycleState.DISABLED)))
    assert ledger.person("E1").users["alice"].state is LifecycleState.ACTIVE  # type: ignore[union-attr]
    with pytest.raises(LedgerConflict):
        ledger.save(PersonRecord("E1", {"alice": _marker()}))  # version 0: create only if absent


def test_a_user_its_person_no_longer_lists_belongs_to_nobody(ledger: TablestoreLedger) -> None:
    saved = ledger.save(PersonRecord("E1", {"alice": _marker()}))
    ledger.save(saved.with_user("alice", None))
    assert ledger.person_of_user("alice") is None
    assert ledger.person("E1") is not None


def test_people_pages_through_every_record(cloud: LocalCloud, ledger: TablestoreLedger) -> None:
    for i in range(7):
        ledger.save(PersonRecord(f"P{i:02d}", {f"u{i}": _marker(f"P{i:02d}")}))
    import rampart.adapters.ledger as module

    saved = module._PAGE
    module._PAGE = 3  # three pages and a bit: the paging loop, not one big read
    try:
        assert [p.person_id for p in ledger.people()] == [f"P{i:02d}" for i in range(7)]
    finally:
        module._PAGE = saved


def test_a_damaged_row_is_refused_not_read_as_absent(ledger: TablestoreLedger) -> None:
    from tablestore import Row

    ledger.client().put_row("rampart_people", Row([("person_id", "E9")], [("users", "{not json"), ("version", 1)]))
    with pytest.raises(LedgerCorrupt):
        ledger.person("E9")


def test_a_lease_is_exclusive_until_it_expires_and_then_fenced_anew(cloud: LocalCloud, ledger: TablestoreLedger) -> None:
    held = ledger.acquire("person:E1", "instance-a", timedelta(seconds=60))
    assert held is not None and held.fence == 1
    assert ledger.acquire("person:E1", "instance-b", timedelta(seconds=60)) is None
    cloud.state.clock.advance(61)
    taken = ledger.acquire("person:E1", "instance-b", timedelta(seconds=60))
    assert taken is not None and taken.fence == 2
    ledger.release(held)  # the old holder's release must not drop the new lease
    assert ledger.acquire("person:E1", "instance-c", timedelta(seconds=60)) is None
    ledger.release(taken)
    again = ledger.acquire("person:E1", "instance-c", timedelta(seconds=60))
    assert again is not None and again.fence == 1


def test_of_racing_acquirers_exactly_one_wins(ledger: TablestoreLedger) -> None:
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def race(name: str) -> None:
        barrier.wait()
        if ledger.acquire("person:E7", name, timedelta(seconds=60)) is not None:
            winners.append(name)

    threads = [threading.Thread(target=race, args=(f"i{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_the_breaker_count_is_exact_under_concurrency(ledger: TablestoreLedger) -> None:
    admitted: list[bool] = []
    barrier = threading.Barrier(25)

    def leaver() -> None:
        barrier.wait()
        admitted.append(ledger.reserve("removals:2026-12-01", 5))

    threads = [threading.Thread(target=leaver) for _ in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert admitted.count(True) == 5 and admitted.count(False) == 20
    assert ledger.count("removals:2026-12-01") == 5
    ledger.give_back("removals:2026-12-01")
    assert ledger.count("removals:2026-12-01") == 4
    assert ledger.reserve("removals:2026-12-01", 5)


def test_a_lost_answer_is_recognised_as_our_own_write(cloud: LocalCloud, ledger: TablestoreLedger) -> None:
    """A ``drop`` fault applies the write and loses its answer; the retry then fails its own
    condition. The writer token shows it was ours: no conflict, no double count."""
    cloud.faults.add("tablestore", "drop", "PutRow", count=1)
    saved = ledger.save(PersonRecord("E1", {"alice": _marker()}))
    assert saved.version == 1 and ledger.person("E1") == saved
    cloud.faults.add("tablestore", "drop", "PutRow", count=1)
    assert ledger.reserve("removals:w", 5)
    assert ledger.count("removals:w") == 1
    cloud.faults.add("tablestore", "drop", "PutRow", count=1)
    assert ledger.first_delivery("hr:generic", "d-1", "sha256:aa") is True
    cloud.faults.add("tablestore", "drop", "PutRow", count=1)
    assert ledger.acquire("person:E2", "me", timedelta(seconds=30)) is not None


def test_a_delivery_is_recognised_when_it_comes_again(ledger: TablestoreLedger) -> None:
    assert ledger.first_delivery("ticket:jira", "hook-1", "sha256:aa") is True
    assert ledger.first_delivery("ticket:jira", "hook-1", "sha256:aa") is False
    assert ledger.first_delivery("ticket:generic", "hook-1", "sha256:aa") is True  # another source's id space


def test_throttling_is_retried_and_a_refusal_is_not(cloud: LocalCloud, ledger: TablestoreLedger) -> None:
    cloud.faults.add("tablestore", "throttle", "GetRow", count=2)
    assert ledger.person("E1") is None
    cloud.faults.add("tablestore", "error", "GetRow", code="OTSParameterInvalid", status=400, message="bad", count=1)
    with pytest.raises(CloudError) as caught:
        ledger.person("E1")
    assert caught.value.code == "OTSParameterInvalid"


def test_a_role_without_ledger_permissions_is_refused(cloud: LocalCloud, ledger: TablestoreLedger, make_waits: MakeWaits,
                                                      settings_for: SettingsFor, adapters: AdaptersFor) -> None:
    from alibabacloud_ram20150501 import models

    clients, _, _ = adapters()
    ram = clients.ram()
    ram.create_user(models.CreateUserRequest(user_name="reader"))
    key = ram.create_access_key(models.CreateAccessKeyRequest(user_name="reader")).body.access_key
    outsider = TablestoreLedger(settings_for(key.access_key_id, key.access_key_secret),
                                LedgerSettings(instance=INSTANCE), clock=cloud.now,
                                policy=RetryPolicy.seeded(1, sleep=make_waits()))
    with pytest.raises(CloudError) as caught:
        outsider.save(PersonRecord("E1", {"alice": _marker()}))
    assert caught.value.code == "OTSNoPermissionAccess"
    assert ledger.person("E1") is None


@pytest.mark.parametrize(("env", "problem"), [
    ({"RAMPART_OTS_INSTANCE": "ab"}, "not a Tablestore instance name"),
    ({"RAMPART_OTS_INSTANCE": "1abc"}, "not a Tablestore instance name"),
    ({"RAMPART_OTS_INSTANCE": "abc-"}, "not a Tablestore instance name"),
    ({"RAMPART_OTS_INSTANCE": "abc", "RAMPART_OTS_ENDPOINT": "abc.ots.aliyuncs.com"}, "https://"),
    ({"RAMPART_OTS_INSTANCE": "abc", "RAMPART_OTS_TABLE_PREFIX": "1x"}, "prefix"),
])
def test_bad_ledger_settings_are_refused_with_the_fix(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        LedgerSettings.from_env(env)


def test_ledger_settings_default_to_the_public_endpoint() -> None:
    assert LedgerSettings.from_env({}) is None
    ledger = LedgerSettings.from_env({"RAMPART_OTS_INSTANCE": "rampart-prod"})
    assert ledger is not None and ledger.table_prefix == "rampart_"
    from rampart.config import Settings

    real = Settings.from_env({"ALIBABA_CLOUD_ACCESS_KEY_ID": "k", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"})
    assert ledger.endpoint_for(real) == "https://rampart-prod.cn-hangzhou.ots.aliyuncs.com"
