"""``rampart sweep``, ``drift``, ``replay`` and ``import`` on localcloud (with its movable clock)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from rampart.adapters.sls import SlsAuditSink

from localcloud import LocalCloud
from tests.functional.rampart.types import CatalogWriter, Cli, CliFactory, Environment, MakeUser, SettingsFor

DAY = 86400
GRANT_AFTER_JOIN_S = 5
"""localcloud's clock (the CLI's) moved between the joiners and the grants, so each grant is
dated after its person's joiner whatever the wall clock does: its end is then remembered as a
revocation (a ``tag-user`` step), and the sweep's plan has one length."""
KINDS_OF_AN_ENDED_GRANT = ["untag-user", "tag-user", "detach-policy", "delete-policy"]


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> Iterator[Cli]:
    catalog, _ = write_catalog(tmp_path)
    made = make_cli(environment(catalog))
    made.ok("init")
    yield made
    made.assert_no_secret_leaked(require=False)  # every test: no escrowed value in any output


def _join(cli: Cli, person: str, user: str, access: str) -> None:
    cli.ok("join", person, "--user", user, "--display-name", user.title(), "--access", access)


def _keys(cloud: LocalCloud, user: str) -> list[str]:
    keys = Ram(cloud.config()).list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body.access_keys
    return [k.access_key_id for k in keys.access_key]


def test_sweep_ends_expired_grants_with_a_progress_line_per_user(cloud: LocalCloud, cli: Cli) -> None:
    _join(cli, "E1", "dana", "console")
    _join(cli, "E2", "erin", "console")
    cloud.clock_advance(GRANT_AFTER_JOIN_S)
    cli.ok("grant", "dana", "--profile", "break-glass-admin", "--until", "PT1H", "--ticket", "INC-1", "--approver", "cto")
    cloud.clock_advance(2 * 3600)
    run = cli.ok("sweep", "--json")
    data = run.json()
    kinds = [s["kind"] for s in data["users"][0]["steps"]]
    # granted after the joiner's event time: the ended grant is remembered as a revocation (tag-user)
    assert kinds == KINDS_OF_AN_ENDED_GRANT
    assert run.stderr.splitlines() == [f"[1/2] dana: ok ({len(KINDS_OF_AN_ENDED_GRANT)} step(s))",
                                       "[2/2] erin: noop (0 step(s))"]
    assert data["summary"] == {"ok": 1, "noop": 1}
    assert cli.ok("status", "dana", "--json").json()["grants"] == []


def test_sweep_rotates_an_old_key_through_the_two_key_slot(cloud: LocalCloud, cli: Cli) -> None:
    _join(cli, "E1", "svc.billing", "programmatic")
    [old] = _keys(cloud, "svc.billing")
    cloud.clock_advance(91 * DAY)
    run = cli.ok("sweep")
    assert "svc.billing: ok" in run.stdout
    [new] = _keys(cloud, "svc.billing")
    assert new != old
    status = cli.ok("status", "svc.billing", "--json").json()
    assert status["keys"][0]["secret_name"] == "rampart/svc.billing/access-key"  # the same name as before
    assert [(s["name"], s["access_key_id"], s["previous_access_key_id"], s["pending_deletion"])
            for s in status["secrets"]] == [("rampart/svc.billing/access-key", new, old, False)]
    cli.assert_no_secret_leaked()


def test_sweep_deletes_a_leaver_once_the_grace_period_is_over(cloud: LocalCloud, cli: Cli) -> None:
    _join(cli, "E1", "dana", "console")
    cli.ok("leave", "dana")
    cloud.clock_advance(31 * DAY)
    cli.ok("sweep")
    with pytest.raises(ClientException) as gone:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name="dana"))
    assert gone.value.code == "EntityNotExist.User"


def test_sweep_with_a_failing_user_exits_1_and_goes_on(cloud: LocalCloud, cli: Cli) -> None:
    _join(cli, "E1", "dana", "console")
    _join(cli, "E2", "erin", "console")
    cloud.clock_advance(GRANT_AFTER_JOIN_S)
    cli.ok("grant", "dana", "--profile", "break-glass-admin", "--until", "PT1H", "--ticket", "INC-1", "--approver", "cto")
    cli.ok("grant", "erin", "--profile", "break-glass-admin", "--until", "PT1H", "--ticket", "INC-2", "--approver", "cto")
    cloud.clock_advance(2 * 3600)
    cloud.faults.add("ram", "error", "DetachPolicyFromUser", code="NoPermission", status=403, count=1)
    run = cli.run("sweep")
    assert run.code == 1
    first, second = run.stderr.splitlines()[:2]
    at = KINDS_OF_AN_ENDED_GRANT.index("detach-policy") + 1
    total = len(KINDS_OF_AN_ENDED_GRANT)
    assert re.fullmatch(rf"\[1/2\] dana: failed \(at step {at} of {total}\): ram DetachPolicyFromUser failed: "
                        r"NoPermission.*", first), first
    steps = [line.split() for line in run.stdout.splitlines() if line.startswith("    ")]
    assert [step[0] for step in steps[:at]] == KINDS_OF_AN_ENDED_GRANT[:at]
    assert steps[at - 1][-1] == "NoPermission" and all(step[-1] == "ok" for step in steps[: at - 1])
    assert second == f"[2/2] erin: ok ({total} step(s))", second
    assert len(run.error_lines) == 1 and "1 of 2 user(s) failed; first: dana" in run.error_lines[0]


def test_drift_finds_unmanaged_users_unused_keys_and_manual_grants_and_audits_it(
    cloud: LocalCloud, cli: Cli, make_user: MakeUser, settings_for: SettingsFor
) -> None:
    make_user("legacy")
    _join(cli, "E1", "dana", "console")
    Ram(cloud.config()).attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type="System", policy_name="AliyunECSReadOnlyAccess", user_name="dana"))
    cloud.clock_advance(100 * DAY)
    run = cli.run("drift", "--json", "--fail-on-drift")
    assert run.code == 1 and run.error_lines == ["rampart: error: drift found (--fail-on-drift)"]
    report = run.json()
    assert report["unmanaged_users"] == ["legacy"]
    assert [(k["user"], k["last_used"], k["managed"]) for k in report["unused_keys"]] == [("legacy", None, False)]
    assert report["manual_grants"] == [
        {"user": "dana", "kind": "policy", "name": "System:AliyunECSReadOnlyAccess", "scope": "account"}]
    now = cloud.now()
    rows = SlsAuditSink(settings_for()).by_action("drift-report", now - timedelta(minutes=5),
                                                       now + timedelta(minutes=1))
    assert len(rows) == 1 and rows[0].event_id == report["event_id"] and rows[0].actor.endswith(":root")
    assert '"unmanaged_users": 1' in rows[0].detail


def test_drift_with_nothing_found_exits_0(cli: Cli) -> None:
    _join(cli, "E1", "dana", "console")
    run = cli.ok("drift", "--fail-on-drift", "--json")
    assert run.json()["clean"] is True


def test_replay_sends_the_spilled_audit_records_once(cloud: LocalCloud, cli: Cli) -> None:
    cloud.faults.add("sls", "error", "PutLogs", code="ProjectForbidden", status=403, count=1)
    joined = cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    assert "audit deferred" in joined.stdout
    spilled = [line for line in joined.stderr.splitlines() if "rampart_audit_replay" in line]
    # the write-ahead plan record, then each applied step, are written at once: only the write that failed is spilled
    assert len(spilled) == 1 and '"action": "plan"' in spilled[0] and "create-user" in spilled[0]
    first = cli.ok("replay", "--json", stdin=joined.stderr).json()
    assert (first["sent"], first["already_stored"], first["unreadable"]) == (1, 0, 0)
    again = cli.ok("replay", stdin=joined.stderr)
    assert "0 record(s) sent, 1 already in SLS" in again.stdout
    assert any(r["action"] == "create-user" for r in cli.ok("status", "dana", "--json").json()["audit"])


def _spilled_tombstone(cloud: LocalCloud, cli: Cli) -> str:
    """A leaver whose write-ahead (plan and tombstone) SLS refused: it fails, nothing deleted, the
    records on stderr."""
    _join(cli, "E1", "dana", "console")
    cloud.faults.add("sls", "error", "PutLogs", code="ProjectForbidden", status=403, count=1)
    left = cli.run("leave", "dana", "--now")
    assert left.code != 0
    assert "could not be written to the audit trail" in left.stderr + left.stdout
    spilled = [line for line in left.stderr.splitlines() if "rampart_audit_replay" in line]
    assert any('"action": "removal"' in line for line in spilled)
    return left.stderr


def test_replay_waits_until_the_tombstones_it_sent_are_queryable(cloud: LocalCloud, cli: Cli) -> None:
    spilled = _spilled_tombstone(cloud, cli)
    cloud.state.sls_indexing.set(1.0)
    run = cli.ok("replay", stdin=spilled)
    assert "replay: 2 record(s) sent" in run.stdout
    assert "replay: 1 of 1 deletion tombstone(s) sent are queryable" in run.stdout
    data = cli.ok("replay", "--json", stdin=spilled).json()  # a second run sends nothing, waits for nothing
    assert (data["sent"], data["tombstones"], data["tombstones_not_queryable"]) == (0, 0, 0)


def test_replay_finds_a_tombstone_first_written_long_ago(cloud: LocalCloud, cli: Cli) -> None:
    """A replayed record keeps its first time: the wait looks where a late joiner looks, not
    only at the last minutes (an incident's spill is replayed after it, sometimes hours)."""
    spilled = _spilled_tombstone(cloud, cli)
    cloud.clock_advance(3 * 3600)
    cloud.state.sls_indexing.set(0.5)
    data = cli.ok("replay", "--json", stdin=spilled).json()
    assert (data["sent"], data["tombstones"], data["tombstones_not_queryable"]) == (2, 1, 0)


def test_replay_waits_once_for_all_the_tombstones_it_sent(cloud: LocalCloud, cli: Cli) -> None:
    _join(cli, "E2", "erin", "console")
    spilled = _spilled_tombstone(cloud, cli)
    cloud.faults.add("sls", "error", "PutLogs", code="ProjectForbidden", status=403, count=1)
    second = cli.run("leave", "erin", "--now")
    assert second.code != 0
    cloud.state.sls_indexing.set(60)
    run = cli.run("replay", "--wait", "1", "--json", stdin=spilled + second.stderr)
    data = run.json()
    assert (run.code, data["tombstones"], data["tombstones_not_queryable"]) == (1, 2, 2)
    budgets = dict(re.findall(r"(dana|erin) \(not found after \d+ quer(?:y|ies) in ([0-9.e-]+) s\)", run.stderr))
    assert 0.9 < float(budgets["dana"]) <= 1.0
    # what dana's polls (at 0, 0.2 and 0.5 s; the next would pass the deadline) left of the one budget
    assert float(budgets["erin"]) < 0.6


def test_replay_says_when_a_tombstone_it_sent_is_not_queryable_yet(cloud: LocalCloud, cli: Cli) -> None:
    spilled = _spilled_tombstone(cloud, cli)
    cloud.state.sls_indexing.set(60)
    run = cli.run("replay", "--wait", "0.3", "--json", stdin=spilled)
    assert run.code == 1
    data = run.json()
    assert data["ok"] is False
    assert (data["sent"], data["tombstones"], data["tombstones_not_queryable"]) == (2, 1, 1)
    assert "tombstone(s) sent but not queryable yet: dana (not found after" in run.stderr
    assert "wait for SLS's index before re-driving refused events" in run.stderr


@pytest.mark.parametrize("wait", ["-1", "soon", "inf"])
def test_replay_refuses_a_bad_wait(cli: Cli, wait: str) -> None:
    run = cli.run("replay", "--wait", wait, stdin="")
    assert run.code == 2
    assert "--wait" in run.stderr


def test_replay_of_a_missing_file_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    run = cli.run("replay", str(tmp_path / "nope.log"))
    assert run.code == 2 and "cannot read" in run.stderr


def test_import_runs_the_csv_s_joiners(cloud: LocalCloud, cli: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("person_id,display_name,email,department\n"
                   "E1,Ann Lee,ann.lee@example.com,Engineering\n"
                   "E2,Bo Chen,bo.chen@example.com,Applications\n", encoding="utf-8")
    run = cli.ok("import", str(csv), "--concurrency", "2", "--rate", "200", "--json")
    data = run.json()
    assert data["ok"] is True and data["counts"]["ok"] == 2
    assert "2/2" in run.stderr
    assert cli.ok("status", "bo.chen", "--json").json()["rule_profiles"] == ["arms-readonly-rg"]


def test_import_of_an_invalid_csv_changes_nothing_and_exits_2(cli: Cli, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("person_id,display_name\nE1,\n", encoding="utf-8")
    run = cli.run("import", str(csv))
    assert run.code == 2 and len(run.error_lines) == 1 and "import refused" in run.error_lines[0]
