"""rampart.engine on localcloud: the per-user lease that keeps two events for one person
from interleaving (official RAM SDK underneath; no stub)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.adapters.ram import RamIdentities
from rampart.engine import LEASE, LockBusy, UserLocks, lock_document, lock_name, observe, read_lock
from rampart.model import AuditResult
from rampart.planning import is_timebound_name, timebound_prefix

from localcloud import LocalCloud
from tests.functional.rampart.types import AdaptersFor, EngineBuilder, EventFactory, ExampleCatalog, MakeUser, MakeWaits

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def ids(cloud: LocalCloud, adapters: AdaptersFor, make_waits: MakeWaits) -> RamIdentities:
    cloud.clock_set(T0)
    return adapters(make_waits())[1]


TOKENS = itertools.count()


def locks(cloud: LocalCloud, ids: RamIdentities, waits: tuple[float, ...] = (), token: str = "") -> UserLocks:
    """An instance's locks: its own tokens (the default makes random ones; these are readable)."""
    return UserLocks(ids, cloud.now, wait=lambda _seconds: None, waits=waits,
                     token=(lambda: token) if token else (lambda: f"tok{next(TOKENS)}"))


def custom_policies(cloud: LocalCloud) -> list[str]:
    body = Ram(cloud.config()).list_policies(ram_models.ListPoliciesRequest(policy_type="Custom", max_items=1000)).body
    return [str(p.policy_name) for p in body.policies.policy or []]


def test_lock_names_fit_ram_and_are_never_a_users_time_bound_policy() -> None:
    for user in ("alice", "a.b_c@d", "x" * 64, "rampart-tb-lock"):
        name = lock_name(user)
        assert len(name) <= 128 and all(c.isalnum() or c == "-" for c in name)
        assert not is_timebound_name(user, name) and not name.startswith(timebound_prefix(user))
    assert lock_name("a.b") != lock_name("a_b")


def test_a_lock_document_reads_back_and_anything_else_is_not_a_lock() -> None:
    until = T0 + LEASE
    assert read_lock(lock_document("alice", "abc", until)) == ("abc", until)
    for other in ("{}", "not json", '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'):
        assert read_lock(other) is None


def test_a_held_lock_keeps_the_second_holder_out_until_released(cloud: LocalCloud, ids: RamIdentities) -> None:
    first, second = locks(cloud, ids), locks(cloud, ids, waits=(0.01, 0.01))
    with first.holding(["alice"]):
        assert lock_name("alice") in custom_policies(cloud)
        with pytest.raises(LockBusy, match="another instance is applying an event for alice"), second.holding(["alice"]):
            pass
        with second.holding(["bob"]):  # another user: no contention
            pass
    assert lock_name("alice") not in custom_policies(cloud)
    with second.holding(["alice"]):
        pass
    assert custom_policies(cloud) == []


def test_a_lock_whose_create_answer_was_lost_is_recognised_as_ours(cloud: LocalCloud, ids: RamIdentities) -> None:
    cloud.faults.add("ram", "drop", "CreatePolicy", count=1)  # applied, then the connection closes: the SDK retries
    with locks(cloud, ids).holding(["alice"]):
        assert [e.kind for e in cloud.faults.log()] == ["drop"]
    assert custom_policies(cloud) == []


def test_the_lock_of_an_instance_that_died_is_taken_after_its_lease(cloud: LocalCloud, ids: RamIdentities) -> None:
    dead = locks(cloud, ids, token="dead")
    dead._acquire("alice", patient=False)  # never released: its instance died
    with pytest.raises(LockBusy), locks(cloud, ids).holding(["alice"], patient=False):
        pass
    cloud.clock_advance(LEASE.total_seconds() + 1)
    with locks(cloud, ids).holding(["alice"], patient=False):
        pass
    assert custom_policies(cloud) == []


def test_a_lock_is_inert_and_not_observed_as_a_grant(cloud: LocalCloud, ids: RamIdentities, make_user: MakeUser, adapters: AdaptersFor, make_waits: MakeWaits) -> None:
    make_user("alice", "AliyunRAMReadOnlyAccess")
    _, _, secrets = adapters(make_waits())
    with locks(cloud, ids).holding(["alice"]):
        seen = observe(ids, secrets, "alice", timebound_prefix=timebound_prefix("alice"))
        assert seen is not None and seen.timebound_policies == ()
        Ram(cloud.config()).attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
            policy_type="Custom", policy_name=lock_name("alice"), user_name="alice"))
        assert cloud.authorize("ram:GetUser", "acs:ram:*:*:user/alice", user="alice")["decision"] == "allow"
        Ram(cloud.config()).detach_policy_from_user(ram_models.DetachPolicyFromUserRequest(
            policy_type="Custom", policy_name=lock_name("alice"), user_name="alice"))


def test_an_event_that_finds_its_user_locked_fails_having_changed_nothing(cloud: LocalCloud, ids: RamIdentities, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    catalog = example_catalog()
    engine = build_engine(catalog, with_breaker=False)
    person = {"person_id": "E1", "display_name": "Alice", "email": "alice@example.com",
              "attributes": {"department": "Engineering"}}
    assert engine.handle(event("joiner", "j-1", T0 - timedelta(hours=1), person=person)).ok
    engine._locks = locks(cloud, ids)  # impatient: gives up at once
    with locks(cloud, ids).holding(["alice"]):  # another instance is applying an event for alice
        result = engine.handle(event("leaver", "l-1", T0 - timedelta(minutes=1), person_id="E1", immediate=True))
        swept = engine.sweep_user("alice")
    assert (result.result, result.error_type) == (AuditResult.FAILED, "LockBusy"), result.as_dict()
    assert Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="alice")).body.user.user_name == "alice"
    assert swept.result in (AuditResult.NOOP, AuditResult.SKIPPED)
    again = engine.handle(event("leaver", "l-1", T0 - timedelta(minutes=1), person_id="E1", immediate=True))
    assert again.result is AuditResult.OK, again.as_dict()  # FC's retry applies it
