"""The per-user lock's lease is configurable (RAMPART_LOCK_LEASE_SECONDS, above the lifecycle
function's timeout), reaches the engine's locks (the functions' and the CLI's alike: one factory), and a wait for a busy lock never runs past the
holder's lease: a dead holder's lock is taken over as soon as its lease ends (the chaos campaign
kills lifecycle instances while they hold locks)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from rampart.adapters.sls import SlsAuditSink
from rampart.cli.context import Runtime
from rampart.config import DEFAULT_LOCK_LEASE_SECONDS, ENV_LOCK_LEASE_SECONDS, Settings
from rampart.engine import (
    LEASE_MARGIN_S,
    TOMBSTONE_WAIT_SECONDS,
    Breaker,
    Engine,
    UserLocks,
    lock_document,
    lock_name,
)
from rampart.errors import ConfigError
from rampart.fc.runtime import Instance
from rampart.operations import open_terminal
from rampart_dev.devstack import LifecycleRuntime

from localcloud import LocalCloud
from tests.functional.rampart.types import AdaptersFor, MakeWaits, SettingsFor

CREDENTIALS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-a-secret"}


def test_the_lease_defaults_to_three_minutes_and_is_read_from_the_environment() -> None:
    assert Settings.from_env(CREDENTIALS).lock_lease_seconds == DEFAULT_LOCK_LEASE_SECONDS == 180
    assert Settings.from_env({**CREDENTIALS, ENV_LOCK_LEASE_SECONDS: " 12 "}).lock_lease_seconds == 12


@pytest.mark.parametrize("bad", ["0", "-5", "1.5", "ten", "86401", "9" * 30])
def test_a_bad_lease_is_refused_naming_the_variable(bad: str) -> None:
    with pytest.raises(ConfigError, match=ENV_LOCK_LEASE_SECONDS) as caught:
        Settings.from_env({**CREDENTIALS, ENV_LOCK_LEASE_SECONDS: bad})
    assert "timeout" in caught.value.hint


def test_the_dev_deployment_keeps_the_lease_above_the_timeout() -> None:
    assert LifecycleRuntime("process", 8, 10).lock_lease == 10
    with pytest.raises(ConfigError, match="must exceed the lifecycle function's timeout"):
        LifecycleRuntime(None, 8, 8)
    with pytest.raises(ConfigError, match=r"timeout \(120 s\)"):
        LifecycleRuntime(None, None, 60)
    with pytest.raises(ConfigError, match="isolation"):
        LifecycleRuntime("thread")


def test_the_engine_locks_with_the_configured_lease(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    env = {**_env(settings_for), ENV_LOCK_LEASE_SECONDS: "42"}
    session = Instance(environ=env, clock=cloud.now).session(None)
    locks = session.engine._locks
    assert isinstance(locks, UserLocks) and locks._lease == timedelta(seconds=42)


def test_a_wait_for_a_dead_holders_lock_ends_with_its_lease(cloud: LocalCloud, adapters: AdaptersFor, make_waits: MakeWaits) -> None:
    _, ids, _ = adapters(make_waits())
    now = cloud.now()
    ids.create_policy(lock_name("alice"), lock_document("alice", "dead", now + timedelta(seconds=3)), "a dead holder")
    slept: list[float] = []

    def wait(seconds: float) -> None:
        slept.append(seconds)
        cloud.clock_advance(seconds)

    with UserLocks(ids, cloud.now, wait=wait, waits=(10.0, 10.0), token=lambda: "live").holding(["alice"]):
        pass
    assert len(slept) == 1 and 0 < slept[0] <= 3 + LEASE_MARGIN_S  # the lease's end, not the 10 s back-off


def _env(settings_for: SettingsFor) -> dict[str, str]:
    s = settings_for()
    return {"ALIBABA_CLOUD_ACCESS_KEY_ID": s.access_key_id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": s.access_key_secret.reveal(),
            "ALIBABA_CLOUD_REGION_ID": s.region, "RAMPART_ENDPOINT": s.endpoint or ""}


def _configuration(engine: Engine) -> dict[str, Any]:
    """What an engine was built with, besides its clients."""
    locks, breaker, sink = engine._locks, engine._breaker, engine._sink
    assert isinstance(locks, UserLocks) and isinstance(breaker, Breaker) and isinstance(sink, SlsAuditSink)
    return {
        "lock": (locks._lease, locks._waits), "breaker": (breaker._options, breaker._sink is sink),
        "sink": (sink.project, sink.logstore),
        "tombstone_wait": engine._tombstone_wait, "force": engine._force, "catalog": engine._catalog,
        "ports": (type(engine._identities), type(engine._secrets)),
    }


@pytest.mark.parametrize("lease", ["", "42"])
def test_the_functions_and_the_cli_build_the_same_engine_from_one_environment(cloud: LocalCloud, lease: str, settings_for: SettingsFor) -> None:
    env = {**_env(settings_for), ENV_LOCK_LEASE_SECONDS: lease, "RAMPART_SLS_LOGSTORE": "factory-check"}
    function = Instance(environ=env, clock=cloud.now).session(None).engine
    cli = Runtime(environ=env, clock=cloud.now, stdin=io.StringIO(), terminal=open_terminal)
    made = _configuration(function)
    assert made == _configuration(cli.engine)
    assert made["lock"][0] == timedelta(seconds=int(lease or DEFAULT_LOCK_LEASE_SECONDS))
    assert made["sink"][1] == "factory-check" and made["tombstone_wait"] == TOMBSTONE_WAIT_SECONDS
    assert cli.engine._breaker is cli.breaker  # the one the held and release verbs read


def test_a_bad_lease_stops_the_cli_as_it_stops_the_functions(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    env = {**_env(settings_for), ENV_LOCK_LEASE_SECONDS: "0"}
    with pytest.raises(ConfigError, match=ENV_LOCK_LEASE_SECONDS):
        _ = Instance(environ=env, clock=cloud.now).session(None).engine
    with pytest.raises(ConfigError, match=ENV_LOCK_LEASE_SECONDS):
        _ = Runtime(environ=env, clock=cloud.now, stdin=io.StringIO(), terminal=open_terminal).engine
