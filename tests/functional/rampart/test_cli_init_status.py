"""``rampart init`` and ``rampart status`` on localcloud, and the CLI's error contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram

from localcloud import LocalCloud
from tests.functional.rampart.types import (
    CatalogWriter,
    Cli,
    CliFactory,
    Environment,
    EventFile,
    MakeUser,
    PersonFactory,
)


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> Iterator[Cli]:
    catalog, _ = write_catalog(tmp_path)
    made = make_cli(environment(catalog))
    yield made
    made.assert_no_secret_leaked(require=False)  # every test: no escrowed value in any output


def test_init_creates_the_audit_store_and_the_custom_policies_then_changes_nothing(cli: Cli) -> None:
    first = cli.ok("init", "--json").json()
    assert first["audit"]["project_created"] and first["audit"]["logstore_created"]
    assert first["policies"] == [{"name": "rampart-arms-readtraceapp", "change": "created"}]
    assert first["password_policy"]["compatible"] is True
    again = cli.ok("init", "--json").json()
    assert not again["audit"]["project_created"] and not again["audit"]["logstore_created"]
    assert again["policies"] == [{"name": "rampart-arms-readtraceapp", "change": "unchanged"}]


def test_init_gives_a_changed_policy_document_a_new_default_version(cloud: LocalCloud, cli: Cli, tmp_path: Path, write_catalog: CatalogWriter) -> None:
    cli.ok("init")
    group = Path(cli.env["RAMPART_CATALOG"]).read_text(encoding="utf-8").split("resource_group: ")[1].split()[0]
    changed, _ = write_catalog(tmp_path / "changed.yaml", group=group, replace={
        "Action: [arms:ReadTraceApp]": "Action: [arms:ReadTraceApp, arms:ListTraceApps]"})
    report = cli.ok("init", "--json", "--catalog", str(changed)).json()
    assert report["policies"] == [{"name": "rampart-arms-readtraceapp", "change": "updated"}]
    document = Ram(cloud.config()).get_policy(
        ram_models.GetPolicyRequest(policy_type="Custom", policy_name="rampart-arms-readtraceapp")
    ).body.default_policy_version.policy_document
    assert "arms:ListTraceApps" in document


def test_init_reports_a_weak_password_policy_as_advice(cloud: LocalCloud, cli: Cli) -> None:
    Ram(cloud.config()).set_password_policy(ram_models.SetPasswordPolicyRequest(
        minimum_password_length=10, require_symbols=False, require_lowercase_characters=True,
        require_uppercase_characters=True, require_numbers=True))
    run = cli.ok("init")
    assert "at least 10 characters, requires lower, upper, digits" in run.stdout
    assert "does not require symbols" in run.stdout


def test_status_shows_state_secrets_grants_and_recent_audit(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    cli.ok("init")
    joiner = {"event_id": "j-1", "kind": "joiner", "occurred_at": cloud.now().isoformat(), "source": "hr:test",
              "person_id": "E1001", "person": person(attributes={"department": "Applications"}, access=["programmatic"])}
    cli.ok("apply", event_file(tmp_path, "joiner.json", joiner))
    status = cli.ok("status", "alice.smith", "--json").json()
    assert (status["managed"], status["person_id"], status["state"], status["access"]) == (True, "E1001", "active", "programmatic")
    assert len(status["keys"]) == 1 and status["keys"][0]["secret_name"] == "rampart/alice.smith/access-key"
    [secret] = status["secrets"]
    assert (secret["access_key_id"], secret["previous_access_key_id"]) == (status["keys"][0]["access_key_id"], None)
    assert {(g["name"], g["source"]) for g in status["grants"]} == {
        ("System:AliyunARMSReadOnlyAccess", "rule"), ("Custom:rampart-arms-readtraceapp", "rule")}
    assert all(g["scope"].startswith("resource-group:") for g in status["grants"])
    assert status["audit"][0]["action"] == "event" and status["audit"][0]["event_id"] == "j-1"
    human = cli.ok("status", "alice.smith")
    assert "rule:arms-readonly-rg" in human.stdout and "recent audit" in human.stdout
    cli.assert_no_secret_leaked()


def test_status_of_an_unknown_user_exits_2_with_one_line(cli: Cli) -> None:
    run = cli.run("status", "nobody")
    assert run.code == 2
    assert run.error_lines == ["rampart: error: no RAM user nobody (check the name (rampart drift lists every user))"]
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_missing_credentials_are_a_configuration_error(cli: Cli) -> None:
    run = cli.run("status", "alice", "--json", env={"RAMPART_ENDPOINT": cli.env["RAMPART_ENDPOINT"]})
    assert run.code == 2
    assert run.json()["error_type"] == "ConfigError"
    assert len(run.error_lines) == 1 and "ALIBABA_CLOUD_ACCESS_KEY_ID" in run.error_lines[0]


def test_a_broken_catalog_is_exit_2_on_one_line(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("profiles:\n  x:\n    policies: 3\n  Y!: {}\n", encoding="utf-8")
    run = cli.run("status", "alice", "--catalog", str(broken))
    assert run.code == 2
    assert run.stderr.count("\n") == 1 and str(broken) in run.stderr


def test_usage_errors_are_exit_2_on_one_line(cli: Cli) -> None:
    for argv in (["join", "E1"], ["grant", "alice"], ["frobnicate"], ["drift", "--unused-days", "-3"], []):
        run = cli.run(*argv)
        assert run.code == 2, argv
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("rampart: error:"), (argv, run.stderr)


def test_a_key_without_permission_fails_with_exit_1_and_one_line(cli: Cli, make_user: MakeUser) -> None:
    ak, sk = make_user("nobody-special")
    run = cli.run("status", "nobody-special", env=cli.env_for(ak, sk))
    assert run.code == 1
    assert len(run.error_lines) == 1 and "NoPermission" in run.error_lines[0]
    assert run.stderr.count("\n") == 1


def test_init_reports_a_profile_scoped_to_a_missing_resource_group(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> None:
    catalog, _ = write_catalog(tmp_path, group="rg-doesnotexist0001")
    cli = make_cli(environment(catalog))
    run = cli.run("init", "--json")
    assert run.code == 2
    assert run.json()["resource_groups_missing"] == [{"profile": "arms-readonly-rg", "resource_group": "rg-doesnotexist0001"}]
    assert run.error_lines == ["rampart: error: profile arms-readonly-rg is scoped to resource group rg-doesnotexist0001, "
                               "which does not exist (fix the catalog or the account, then run rampart init again)"]


def test_init_creates_the_ledger_tables_when_a_ledger_is_configured(cloud: LocalCloud, cli: Cli) -> None:
    cloud.tablestore_create_instance("rampart-dev")
    env = {**cli.env, "RAMPART_OTS_INSTANCE": "rampart-dev"}
    first = cli.run("init", "--json", env=env)
    assert first.code == 0, first.stderr
    tables = [f"rampart_{t}" for t in ("people", "users", "leases", "counters", "deliveries")]
    assert first.json()["ledger"] == {"instance": "rampart-dev", "tables_created": tables}
    again = cli.run("init", env=env)
    assert again.code == 0 and "ledger: Tablestore rampart-dev: tables exist" in again.stdout
    assert cli.ok("init", "--json").json()["ledger"] is None  # none configured: nothing asked of Tablestore


def test_init_with_a_ledger_instance_that_does_not_exist_fails_clearly(cloud: LocalCloud, cli: Cli) -> None:
    done = cli.run("init", env={**cli.env, "RAMPART_OTS_INSTANCE": "nowhere"})
    assert done.code == 1
    assert "OTSAuthFailed" in done.stderr and "instance is not found" in done.stderr
    assert done.stderr.count("\n") == 1  # one line, no traceback
