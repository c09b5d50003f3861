"""``rampart ledger import``: a deployment that ran before the ledger gets its rows from its users'
markers and its audit trail's removals, through the CLI on localcloud (the official SDKs for RAM,
IMS, SLS and the tablestore SDK for the ledger): dry run first, idempotent, never overwriting,
and what it cannot prove reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as Ims
from rampart.adapters.ledger import TablestoreLedger
from rampart.adapters.sls import SlsAuditSink
from rampart.config import LedgerSettings, Settings
from rampart.model import LifecycleState, PersonRecord

from localcloud import LocalCloud
from tests.functional.rampart.types import CatalogWriter, Cli, CliFactory, Environment

INSTANCE = "rampart-mig"


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory,
        write_catalog: CatalogWriter) -> Iterator[Cli]:
    cloud.tablestore_create_instance(INSTANCE)
    catalog, _ = write_catalog(tmp_path)
    made = make_cli({**environment(catalog), "RAMPART_OTS_INSTANCE": INSTANCE})
    made.ok("init")
    yield made
    made.assert_no_secret_leaked(require=False)


def _ledger(cloud: LocalCloud, cli: Cli) -> TablestoreLedger:
    settings = Settings.from_env(cli.env)
    configured = LedgerSettings.from_env(cli.env)
    assert configured is not None
    return TablestoreLedger(settings, configured, clock=cloud.now)


def _history(cli: Cli) -> None:
    """E1 joins and stays; E2 joins and leaves at once (its user deleted: only the audit trail
    remembers it)."""
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    cli.ok("join", "E2", "--user", "eric", "--display-name", "Eric", "--access", "console")
    cli.ok("leave", "E2", "--now")


def test_a_dry_run_reports_the_rows_and_writes_nothing(cloud: LocalCloud, cli: Cli) -> None:
    _history(cli)
    report = cli.ok("ledger", "import", "--dry-run", "--json").json()
    assert report == {"ok": True, "dry_run": True, "created": ["E1", "E2"], "unchanged": [], "unproven": []}
    ledger = _ledger(cloud, cli)
    assert ledger.person("E1") is None and ledger.person("E2") is None


def test_the_import_writes_each_person_once_from_markers_and_removals(cloud: LocalCloud, cli: Cli) -> None:
    _history(cli)
    first = cli.run("ledger", "import")
    assert first.code == 0, first.stderr
    assert "ledger import: created 2 row(s), 0 already there, 0 not proven" in first.stdout
    ledger = _ledger(cloud, cli)
    kept = ledger.person("E1")
    assert kept is not None and list(kept.users) == ["dana"] and kept.removal is None
    assert kept.users["dana"].person_id == "E1" and kept.users["dana"].state is LifecycleState.ACTIVE
    gone = ledger.person("E2")
    assert gone is not None and dict(gone.users) == {} and gone.removal is not None
    assert gone.removal.at <= cloud.now() + timedelta(seconds=1)
    again = cli.ok("ledger", "import", "--json").json()
    assert again["created"] == [] and again["unchanged"] == ["E1", "E2"]
    assert ledger.person("E1") == kept  # not rewritten: same version
    trail = SlsAuditSink(Settings.from_env(cli.env)).by_action(
        "ledger-import", cloud.now() - timedelta(hours=1), cloud.now() + timedelta(seconds=1))
    assert sorted((r.target, r.actor != "") for r in trail) == [("E1", True), ("E2", True)]  # once each, by whom


def test_a_row_that_says_something_else_is_reported_not_overwritten(cloud: LocalCloud, cli: Cli) -> None:
    _history(cli)
    ledger = _ledger(cloud, cli)
    ledger.save(PersonRecord("E1"))  # a row for E1 without its user
    run = cli.run("ledger", "import", "--json")
    assert run.code == 1
    assert run.json()["unproven"] == ["person E1: the ledger already holds a different row (version 1); not overwritten"]
    assert run.json()["created"] == ["E2"]
    assert dict(ledger.person("E1").users) == {}  # type: ignore[union-attr]


def test_damaged_tags_are_reported_and_not_imported(cloud: LocalCloud, cli: Cli) -> None:
    cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    ims = Ims(cloud.config())
    ims.tag_resources(ims_models.TagResourcesRequest(
        resource_type="user", resource_principal_name=["dana@" + cli.ok("status", "dana", "--json").json()[
            "logon_principal"].split("@", 1)[1]],
        tag=[ims_models.TagResourcesRequestTag(key="rampart:event-time", value="not a time")]))
    run = cli.run("ledger", "import", "--json")
    assert run.code == 1
    assert run.json()["created"] == []
    assert run.json()["unproven"][0].startswith("user dana: rampart tags that do not make a marker")
    assert _ledger(cloud, cli).person("E1") is None


def test_without_a_ledger_the_verb_says_how_to_configure_one(cli: Cli) -> None:
    env = {k: v for k, v in cli.env.items() if k != "RAMPART_OTS_INSTANCE"}
    run = cli.run("ledger", "import", env=env)
    assert run.code == 2
    assert run.error_lines == ["rampart: error: no ledger configured (set RAMPART_OTS_INSTANCE (and run rampart init))"]
