"""``rampart handover``: the initial credential once, on the terminal only, audited first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rampart.adapters.sls import SlsAuditSink

from localcloud import LocalCloud
from tests.functional.rampart.types import (
    CatalogWriter,
    Cli,
    CliFactory,
    Environment,
    Escrowed,
    MakeTerminal,
    MakeUser,
    SettingsFor,
)


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, make_terminal: MakeTerminal, write_catalog: CatalogWriter) -> Iterator[Cli]:
    catalog, _ = write_catalog(tmp_path)
    made = make_cli(environment(catalog), terminal=make_terminal())
    made.ok("init")
    yield made
    made.assert_no_secret_leaked(require=False)  # every test: no escrowed value in any output


def _handovers(cloud: LocalCloud, settings_for: SettingsFor) -> list[dict[str, str]]:
    now = cloud.now()
    records = SlsAuditSink(settings_for()).by_action("handover", now - timedelta(hours=1), now + timedelta(minutes=1))
    return [dict(r.contents()) for r in records]


def _value(escrowed: Escrowed, name: str) -> str:
    return dict(escrowed())[name]


def test_the_console_password_is_shown_on_the_terminal_only_and_audited(cloud: LocalCloud, cli: Cli, settings_for: SettingsFor, escrowed: Escrowed) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    run = cli.ok("handover", "dana", "--json")
    password = _value(escrowed, "rampart/dana/console-password")
    assert password in cli.terminal.getvalue()  # type: ignore[union-attr]
    assert "dana@" in cli.terminal.getvalue()  # type: ignore[union-attr]
    data = run.json()
    assert (data["kind"], data["secret_name"], data["shown_on"], data["repeat"]) == (
        "password", "rampart/dana/console-password", "terminal", False)
    [record] = _handovers(cloud, settings_for)
    assert record["target"] == "dana" and record["actor"].endswith(":root") and record["event_id"] == data["event_id"]
    assert json.loads(record["detail"])["secret_name"] == "rampart/dana/console-password"
    assert password not in json.dumps(record)
    cli.assert_no_secret_leaked()


def test_a_second_handover_needs_again_and_is_audited_as_a_repeat(cloud: LocalCloud, cli: Cli, settings_for: SettingsFor) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    cli.ok("handover", "dana")
    refused = cli.run("handover", "dana")
    assert refused.code == 2 and "already handed over" in refused.error_lines[0] and "--again" in refused.error_lines[0]
    again = cli.ok("handover", "dana", "--again")
    assert "a repeat handover" in again.stdout
    assert [json.loads(r["detail"])["repeat"] for r in _handovers(cloud, settings_for)] == [False, True]
    cli.assert_no_secret_leaked()


def test_an_access_key_is_handed_over_as_its_id_and_secret(cloud: LocalCloud, cli: Cli, escrowed: Escrowed) -> None:
    cli.ok("join", "E2", "--user", "svc.billing", "--display-name", "Billing", "--access", "programmatic")
    cli.ok("handover", "svc.billing")
    [(_name, value)] = list(escrowed())
    pair = json.loads(value)
    shown = cli.terminal.getvalue()  # type: ignore[union-attr]
    assert pair["AccessKeyId"] in shown and pair["AccessKeySecret"] in shown
    cli.assert_no_secret_leaked()


def test_without_a_terminal_nothing_is_read_or_shown(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter, settings_for: SettingsFor) -> None:
    catalog, _ = write_catalog(tmp_path)
    cli = make_cli(environment(catalog), terminal=None)
    cli.ok("init")
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    run = cli.run("handover", "dana")
    assert run.code == 2 and "no terminal" in run.error_lines[0]
    assert _handovers(cloud, settings_for) == []
    cli.assert_no_secret_leaked()


def test_an_operator_without_kms_read_gets_a_clear_permission_error(cli: Cli, make_user: MakeUser) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    ak, sk = make_user("helpdesk", "AliyunRAMReadOnlyAccess", "AliyunKMSReadOnlyAccess", "AliyunLogFullAccess")
    run = cli.run("handover", "dana", env=cli.env_for(ak, sk))
    assert run.code == 1
    assert len(run.error_lines) == 1 and "Forbidden.NoPermission" in run.error_lines[0]
    assert "need kms:GetSecretValue on rampart/dana/console-password" in run.error_lines[0]
    assert cli.terminal.getvalue() == ""  # type: ignore[union-attr]
    cli.assert_no_secret_leaked()


def test_when_the_audit_write_fails_nothing_is_shown(cloud: LocalCloud, cli: Cli) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    cloud.faults.add("sls", "error", "PutLogs", code="ProjectForbidden", status=403, count=1)
    run = cli.run("handover", "dana")
    assert run.code == 1 and "could not be audited" in run.error_lines[0]
    assert cli.terminal.getvalue() == ""  # type: ignore[union-attr]


def test_a_disabled_or_unknown_user_is_not_handed_over(cli: Cli) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    cli.ok("leave", "dana")
    disabled = cli.run("handover", "dana")
    assert disabled.code == 2 and "dana is disabled" in disabled.error_lines[0]
    unknown = cli.run("handover", "ghost")
    assert unknown.code == 2 and "no RAM user ghost" in unknown.error_lines[0]
