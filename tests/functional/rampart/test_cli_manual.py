"""The manual verbs ``join``, ``grant``, ``revoke`` and ``leave`` on localcloud."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.rampart.types import CatalogWriter, Cli, CliFactory, Environment, Escrowed, MakeUser, Run


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> Iterator[Cli]:
    catalog, _ = write_catalog(tmp_path)
    made = make_cli(environment(catalog))
    made.ok("init")
    yield made
    made.assert_no_secret_leaked(require=False)  # every test: no escrowed value in any output


def _user(cloud: LocalCloud, name: str) -> bool:
    try:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name=name))
    except ClientException:
        return False
    return True


def _join(cli: Cli, *extra: str, access: str = "programmatic", person: str = "E2001", user: str = "svc.billing") -> Run:
    return cli.run("join", person, "--user", user, "--display-name", "Billing exporter", "--access", access, *extra)


def test_join_creates_the_user_with_its_profiles_as_ticket_grants(cloud: LocalCloud, cli: Cli, escrowed: Escrowed) -> None:
    run = _join(cli, "--profile", "arms-readonly-rg", "--profile", "arms-full", "--ticket", "OPS-1",
                "--approver", "security-oncall", "--json")
    assert run.code == 0, run.stderr
    data = run.json()
    assert [e["result"] for e in data["events"]] == ["ok", "ok", "ok"]
    assert data["logons"][0]["logon_principal"].startswith("svc.billing@")
    status = cli.ok("status", "svc.billing", "--json").json()
    assert {(g["name"], g["source"], g["profile"], g["ticket"]) for g in status["grants"]} == {
        ("System:AliyunARMSReadOnlyAccess", "ticket", "arms-readonly-rg", "OPS-1"),
        ("Custom:rampart-arms-readtraceapp", "ticket", "arms-readonly-rg", "OPS-1"),
        ("System:AliyunARMSFullAccess", "ticket", "arms-full", "OPS-1"),
    }
    [(_name, value)] = list(escrowed())
    key = json.loads(value)
    me = Sts(cloud.config(key["AccessKeyId"], key["AccessKeySecret"])).get_caller_identity().body
    assert me.arn.endswith(":user/svc.billing")
    assert cli.ok("status", "svc.billing", "--json").json()["keys"][0]["last_used"] is not None  # GetAccessKeyLastUsed
    cli.assert_no_secret_leaked()


def test_join_is_refused_whole_when_a_profile_needs_an_approval(cloud: LocalCloud, cli: Cli) -> None:
    run = _join(cli, "--profile", "arms-readonly", "--profile", "arms-full")
    assert run.code == 2
    assert run.error_lines == ["rampart: error: profile arms-full needs an approved ticket "
                               "(grant it from an approved ticket (--ticket ID --approver NAME))"]
    assert not _user(cloud, "svc.billing")


def test_an_operator_cannot_approve_their_own_request(cloud: LocalCloud, cli: Cli) -> None:
    run = _join(cli, "--profile", "arms-full", "--ticket", "OPS-2", "--approver", "root")
    assert run.code == 2 and "approved their own request" in run.stderr
    grantee = _join(cli, "--profile", "arms-full", "--ticket", "OPS-2", "--approver", "svc.billing")
    assert grantee.code == 2 and "cannot approve their own access" in grantee.stderr
    assert not _user(cloud, "svc.billing")


def test_join_rejects_bad_arguments_naming_them(cli: Cli) -> None:
    bad_user = _join(cli, user="not a name")
    assert bad_user.code == 2 and "'not a name'" in bad_user.stderr
    bad_ticket = _join(cli, "--profile", "arms-full", "--ticket", "OPS-3")
    assert bad_ticket.code == 2 and "--ticket and --approver go together" in bad_ticket.stderr
    bad_until = _join(cli, "--profile", "arms-readonly", "--until", "tomorrow")
    assert bad_until.code == 2 and "--until" in bad_until.stderr


def test_join_dry_run_changes_nothing(cloud: LocalCloud, cli: Cli) -> None:
    run = _join(cli, "--profile", "arms-readonly", "--dry-run", "--json")
    assert run.code == 0 and run.json()["dry_run"] is True
    assert run.json()["grants"][0]["profile"] == "arms-readonly"
    assert not _user(cloud, "svc.billing")


def test_a_time_bound_grant_shows_its_end_and_revoke_removes_it(cloud: LocalCloud, cli: Cli) -> None:
    assert _join(cli, access="console", person="E3001", user="dana").code == 0
    granted = cli.run("grant", "dana", "--profile", "break-glass-admin", "--until", "PT2H", "--ticket", "INC-9",
                      "--approver", "cto")
    assert granted.code == 0, granted.stderr
    [grant] = [g for g in cli.ok("status", "dana", "--json").json()["grants"] if g["profile"] == "break-glass-admin"]
    assert grant["source"] == "ticket" and grant["until"] and not grant["expired"]
    assert cloud.authorize("ecs:DeleteInstance", "acs:ecs:*:*:instance/i-1", user="dana")["decision"] == "allow"
    cli.ok("revoke", "dana", "--profile", "break-glass-admin")
    assert cloud.authorize("ecs:DeleteInstance", "acs:ecs:*:*:instance/i-1", user="dana")["decision"] == "deny"


def test_grant_beyond_the_profile_s_max_duration_is_refused(cli: Cli) -> None:
    assert _join(cli, access="console", person="E3001", user="dana").code == 0
    run = cli.run("grant", "dana", "--profile", "break-glass-admin", "--until", "PT9H", "--ticket", "INC-9",
                  "--approver", "cto", "--json")
    assert run.code == 2 and run.json()["events"][0]["result"] == "refused"
    assert "max_duration" in run.error_lines[0]


def test_grant_to_an_unknown_user_is_exit_2(cli: Cli) -> None:
    run = cli.run("grant", "ghost", "--profile", "arms-readonly")
    assert run.code == 2 and "no RAM user ghost" in run.error_lines[0]


def test_leave_disables_for_the_grace_period_then_leave_now_removes(cloud: LocalCloud, cli: Cli) -> None:
    assert _join(cli).code == 0
    cli.harvest_secrets()
    disabled = cli.ok("leave", "E2001", "--json").json()
    assert disabled["events"][0]["result"] == "ok"
    assert cli.ok("status", "svc.billing", "--json").json()["state"] == "disabled"
    cli.ok("leave", "svc.billing", "--now")
    assert not _user(cloud, "svc.billing")
    cli.assert_no_secret_leaked()


def test_leave_of_someone_unknown_is_exit_2(cli: Cli) -> None:
    run = cli.run("leave", "E404")
    assert run.code == 2 and "neither a person rampart manages nor a RAM user" in run.stderr


def test_leave_does_not_touch_a_user_rampart_did_not_create(cloud: LocalCloud, cli: Cli, make_user: MakeUser) -> None:
    make_user("legacy")
    run = cli.run("leave", "legacy", "--now")
    assert run.code == 2 and "not managed by rampart" in run.stderr
    assert _user(cloud, "legacy")
    forced = cli.run("leave", "legacy", "--now", "--force")
    assert forced.code == 0, forced.stderr
    assert not _user(cloud, "legacy")


def test_an_operator_without_ram_write_permission_fails_with_exit_1(cli: Cli, make_user: MakeUser) -> None:
    ak, sk = make_user("auditor", "ReadOnlyAccess", "AliyunLogFullAccess")
    run = cli.run("join", "E5001", "--user", "eve", "--display-name", "Eve", "--access", "console",
                  env=cli.env_for(ak, sk))
    assert run.code == 1
    assert len(run.error_lines) == 1 and "NoPermission" in run.error_lines[0]
    assert "Traceback" not in run.stderr


def test_the_breaker_holds_leavers_with_exit_3_and_release_resubmits_them(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> None:
    catalog, _ = write_catalog(tmp_path, replace={"max_removals: 20": "max_removals: 1"})
    cli = make_cli(environment(catalog))
    cli.ok("init")
    for number in (1, 2):
        assert _join(cli, access="console", person=f"E600{number}", user=f"user{number}").code == 0
    cli.ok("leave", "E6001", "--now")
    held = cli.run("leave", "E6002", "--now")
    assert held.code == 3
    assert len(held.error_lines) == 1 and "circuit breaker open" in held.error_lines[0]
    assert _user(cloud, "user2")
    listed = cli.ok("release", "--list", "--json").json()
    assert [h["target"] for h in listed["held"]] == ["E6002"] and "released" not in listed
    released = cli.run("release", "--resubmit", "--allow", "1", "--reason", "known batch", "--json")
    assert released.code == 0, released.stderr
    assert [r["result"] for r in released.json()["resubmitted"]] == ["ok"]
    assert not _user(cloud, "user2")
    assert cli.ok("release", "--list", "--json").json()["held"] == []
