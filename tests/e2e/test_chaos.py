"""The chaos campaign (tools/chaos.py), reduced and seeded, in `make test`; and proof that its
checker can fail: a whole campaign with a planted orphan key, and the checks of the former
keys, the key history and the secret scans on planted state (every other plant:
tests/e2e/test_chaos_plants.py).

The reduced run is the real campaign (localcloud and `rampart dev` in their own processes,
faults on every service, lifecycle instances killed, 1-3 deliveries per event out of order);
only the number of people is small. `make chaos` runs it at full size (README "Chaos campaign").
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
from rampart_dev.admin import Admin

from localcloud import LocalCloud
from tests.conftest import repo_path

REPO = repo_path()
SMALL = ["--people", "6", "--kills", "3", "--seed", "41", "--max-delay", "0.3"]
"""Seed 41: two people stay, two are removed, two disabled; three are programmatic; every channel is used."""


def run(*extra: str) -> tuple[int, list[str], str]:
    done = subprocess.run([sys.executable, str(REPO / "tools" / "chaos.py"), *SMALL, *extra], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout.strip().splitlines(), done.stderr


def summary(lines: list[str]) -> dict[str, object]:
    last = json.loads(lines[-1])
    assert set(last) == {"people", "events", "deliveries", "faults", "kills", "violations"}
    return dict(last)


def test_reduced_campaign_has_no_violation() -> None:
    code, lines, err = run()
    last = summary(lines)
    assert code == 0, "\n".join(lines[:-1]) + err[-3000:]
    assert last["violations"] == 0 and len(lines) == 1
    assert last["people"] == 6
    assert isinstance(last["events"], int) and last["events"] >= 6 * 3
    assert isinstance(last["deliveries"], int) and last["deliveries"] >= last["events"]
    faults = last["faults"]
    assert isinstance(faults, dict) and {"drop", "error", "throttle", "latency"} <= set(faults)
    assert last["kills"] == 3
    assert "deliveries" in err and "checked 6 people" in err
    assert "SLS index delay 2 s" in err  # tombstones are queryable only 2 s after they are written
    scanned = next(line for line in err.splitlines() if "secret scan:" in line)
    assert "sts-security-token" in scanned and "ram-access-key-secret" in scanned, scanned


@pytest.mark.parametrize("option", [["--index-delay", "-1"], ["--index-delay", "61"], ["--lease", "5"]])
def test_bad_options_are_refused_before_anything_starts(option: list[str]) -> None:
    code, lines, err = run(*option)
    assert code == 2 and lines == []
    assert "--index-delay from 0 to 60" in err


def test_the_campaign_fails_on_a_planted_orphan_key() -> None:
    """A whole campaign, then an AccessKey created behind rampart's back before the check."""
    code, lines, _ = run("--people", "3", "--seed", "5", "--kills", "0", "--plant", "orphan-key")
    last = summary(lines)
    assert code == 1
    assert isinstance(last["violations"], int) and last["violations"] >= 1
    violations = [line for line in lines[:-1] if line.startswith("VIOLATION ")]
    assert len(violations) == last["violations"]
    assert any("is not the ACSCurrent version" in line for line in violations), violations


# --- the checker on planted state, in process (fast) ------------------------------------------


def _checker(cloud: LocalCloud) -> tuple[ModuleType, Any, dict[str, Any]]:
    from tools.chaoskit import check

    info = cloud.info()
    return check, check.Clients(info["endpoint"], info["access_key_id"], info["access_key_secret"]), info


def _people() -> tuple[ModuleType, list[Any]]:
    import random
    from datetime import datetime, timezone

    from tools.chaoskit import story

    _, people = story.make_people(12, random.Random(3), datetime(2026, 11, 28, 9, tzinfo=timezone.utc))
    return story, people


def _read(check: ModuleType, clients: Any, info: dict[str, Any], people: list[Any]) -> tuple[dict[str, Any], Any]:
    domain = str(clients.ims.get_default_domain().body.default_domain_name)
    states = {e.person.user: check.read_user(clients, e.person.user, info["account_id"], domain) for e in people}
    return states, check.read_secrets(clients)


def test_checker_flags_a_leftover_user_a_missing_user_and_a_stray_one(cloud: LocalCloud) -> None:
    from alibabacloud_ram20150501 import models as ram_models
    from rampart.planning import timebound_prefix

    check, clients, info = _checker(cloud)
    story, people = _people()
    gone = next(e for e in people if e.final is story.Final.GONE)
    clients.ram.create_user(ram_models.CreateUserRequest(user_name=gone.person.user))
    clients.ram.create_user(ram_models.CreateUserRequest(user_name="chaos.stray"))
    states, _ = _read(check, clients, info, people)
    problems = check.check_people(people, states, check.list_users(clients), timebound_prefix)
    assert f"{gone.person.user} ({gone.person.person_id}, expected gone): the user still exists" in problems
    assert "unexpected user chaos.stray: no story explains it" in problems
    staying = [e for e in people if e.final is not story.Final.GONE]
    assert staying and all(any(p.startswith(f"{e.person.user} (") and "does not exist" in p for p in problems)
                           for e in staying)


def test_checker_flags_an_unescrowed_key_and_a_secret_of_a_gone_user(cloud: LocalCloud) -> None:
    from alibabacloud_kms20160120 import models as kms_models
    from alibabacloud_ram20150501 import models as ram_models

    check, clients, info = _checker(cloud)
    story, people = _people()
    user = people[0].person.user
    clients.ram.create_user(ram_models.CreateUserRequest(user_name=user))
    key = clients.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user)).body.access_key
    gone = next(e for e in people if e.final is story.Final.GONE).person.user
    clients.kms.create_secret(kms_models.CreateSecretRequest(secret_name=f"rampart/{gone}/access-key", version_id="v1",
                                                             secret_data='{"AccessKeyId": "x"}'))
    states, secrets = _read(check, clients, info, people)
    problems = check.check_escrow(states, secrets)
    assert f"{user}: AccessKey {key.access_key_id} is not the ACSCurrent version of a live rampart/{user}/access-key" in problems
    assert f"live secret rampart/{gone}/access-key of a user that is gone" in problems


def test_checker_flags_an_accepted_former_key_and_two_keys_at_once(cloud: LocalCloud) -> None:
    from alibabacloud_ram20150501 import models as ram_models

    check, clients, info = _checker(cloud)
    story, people = _people()
    leaver = next(e for e in people if e.final is not story.Final.ACTIVE).person.user
    clients.ram.create_user(ram_models.CreateUserRequest(user_name=leaver))
    key = clients.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=leaver)).body.access_key
    watch = check.KeyWatch(clients, people)
    watch.key_secrets[str(key.access_key_id)] = (leaver, str(key.access_key_secret))
    problems, tried = check.check_former_keys(info["endpoint"], people, watch)
    assert tried == 1 and problems == [f"{leaver} left, but its former key {key.access_key_id} is accepted"]
    history = Admin(cloud.endpoint).call("GET", "/ram/access-key-history")["Users"]
    assert check.check_key_history(history, people) == []
    second = clients.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=leaver)).body.access_key
    clients.ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name=leaver,
                                                                    user_access_key_id=second.access_key_id))
    history = Admin(cloud.endpoint).call("GET", "/ram/access-key-history")["Users"]
    [problem] = check.check_key_history(history, people)
    assert problem.startswith(f"{leaver} held 2 AccessKeys at once at ")
    assert problem.endswith(f"{key.access_key_id}, {second.access_key_id}")
    from tools.chaoskit import scan

    assert scan.check_secrets([str(key.access_key_secret)], {"a log": f"x {key.access_key_secret} y"})
    assert not scan.check_secrets([str(key.access_key_secret)], {"a log": "nothing here"})


def test_localcloud_finds_a_secret_the_campaign_never_saw(cloud: LocalCloud) -> None:
    """A key's secret that no sampler collected (its CreateAccessKey answer was lost to rampart)
    is still found in a text by localcloud's own scan, across a chunk boundary too."""
    from alibabacloud_ram20150501 import models as ram_models

    _, clients, _ = _checker(cloud)
    clients.ram.create_user(ram_models.CreateUserRequest(user_name="lost"))
    key = clients.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="lost")).body.access_key
    secret = str(key.access_key_secret)
    admin = Admin(cloud.endpoint)
    from tools.chaoskit import scan

    padding = "x" * (scan.SCAN_CHUNK - len(secret) // 2)
    problems, issued = scan.scan_issued(admin, {"a log": padding + secret + " tail", "clean": "nothing"})
    assert problems == [f"a ram-access-key-secret of user lost ({len(secret)} characters) appears in a log"]
    assert issued == {"ram-access-key-secret": 1} and secret not in json.dumps(problems)
    assert scan.scan_issued(admin, {"clean": "nothing", "empty": ""}) == ([], issued)
