"""``rampart plan`` and ``rampart apply`` with event files, on localcloud."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.rampart.types import CatalogWriter, Cli, CliFactory, Environment, EventFile, PersonFactory


@pytest.fixture
def cli(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, write_catalog: CatalogWriter) -> Iterator[Cli]:
    catalog, _ = write_catalog(tmp_path)
    made = make_cli(environment(catalog))
    made.ok("init")
    yield made
    made.assert_no_secret_leaked(require=False)  # every test: no escrowed value in any output


def _event(cloud: LocalCloud, kind: str, event_id: str, seconds: int = 0, **fields: Any) -> dict[str, Any]:
    when = cloud.now() + timedelta(seconds=seconds)
    return {"event_id": event_id, "kind": kind, "occurred_at": when.isoformat(), "source": "hr:test", **fields}


def _user_exists(cloud: LocalCloud, name: str) -> bool:
    try:
        Ram(cloud.config()).get_user(ram_models.GetUserRequest(user_name=name))
    except ClientException:
        return False
    return True


def test_plan_prints_the_steps_and_changes_nothing(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    path = event_file(tmp_path, "joiner.json", _event(cloud, "joiner", "j-1", person_id="E1001", person=person()))
    human = cli.ok("plan", path)
    assert "alice.smith (console): 4 step(s)" in human.stdout and "create-login-profile" in human.stdout
    data = cli.ok("plan", path, "--json").json()
    assert data["dry_run"] is True
    [planned] = data["events"]
    assert [s["kind"] for s in planned["users"][0]["steps"]] == [
        "create-user", "tag-user", "create-login-profile", "attach-policy"]
    assert not _user_exists(cloud, "alice.smith")


def test_apply_onboards_and_a_second_apply_is_a_noop(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    path = event_file(tmp_path, "joiner.json", _event(cloud, "joiner", "j-1", person_id="E1001", person=person()))
    first = cli.ok("apply", path, "--json").json()
    assert first["ok"] is True and first["events"][0]["result"] == "ok"
    assert _user_exists(cloud, "alice.smith")
    again = cli.ok("apply", path)
    assert "event j-1 (joiner) noop" in again.stdout
    cli.assert_no_secret_leaked()


def test_apply_fills_in_the_caller_as_actor(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    path = event_file(tmp_path, "joiner.json", _event(cloud, "joiner", "j-1", person_id="E1001", person=person()))
    cli.ok("apply", path)
    audit = cli.ok("status", "alice.smith", "--json").json()["audit"]
    assert {row["actor"] for row in audit} == {f"acs:ram::{cloud.info()['account_id']}:root"}


@pytest.mark.parametrize(("content", "phrase"), [
    ("{not json", "not valid JSON"),
    ('{"event_id": "x", "kind": "joiner"}', "occurred_at"),
    ('[{"event_id": "a", "kind": "hire", "occurred_at": "2026-01-01T00:00:00Z", "source": "s", "person_id": "E1"}]', "kind"),
    ('[{"event_id": "j-1", "kind": "joiner", "occurred_at": "2026-01-01T00:00:00Z", "source": "s", "person_id": "E1001",'
     ' "person": {"person_id": "E1001", "display_name": "Alice Smith", "email": "alice.smith@example.com"}},'
     ' {"event_id": "a", "kind": "hire", "occurred_at": "2026-01-01T00:00:00Z", "source": "s", "person_id": "E1"}]',
     "kind"),
])
def test_a_bad_event_file_is_exit_2_with_one_line_and_nothing_applied(cloud: LocalCloud, cli: Cli, tmp_path: Path,
                                                                      content: str, phrase: str) -> None:
    """A file with a bad event is refused whole: a good joiner before it is not applied either."""
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    for verb in ("plan", "apply"):
        run = cli.run(verb, str(path))
        assert run.code == 2, run.stderr
        assert run.stderr.count("\n") == 1 and phrase in run.stderr and "Traceback" not in run.stderr
        assert run.stdout == ""
    assert Ram(cloud.config()).list_users(ram_models.ListUsersRequest()).body.users.user == []
    assert not _user_exists(cloud, "alice.smith")


def test_a_missing_event_file_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    run = cli.run("apply", str(tmp_path / "nope.json"), "--json")
    assert run.code == 2 and run.json()["ok"] is False and "cannot be read" in run.json()["error"]


def test_a_list_applies_in_order_and_a_refusal_makes_exit_2(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    events = [
        _event(cloud, "joiner", "j-1", person_id="E1001", person=person()),
        _event(cloud, "grant", "g-1", 1, person_id="E1001", profile="no-such-profile"),
        _event(cloud, "grant", "g-2", 2, person_id="E1001", profile="arms-full",
               approval={"ticket_id": "OPS-7", "status": "approved", "requester": "alice.smith", "approver": "bob"}),
    ]
    run = cli.run("apply", event_file(tmp_path, "list.json", events), "--json")
    assert run.code == 2, run.stderr
    results = [(e["event_id"], e["result"]) for e in run.json()["events"]]
    assert results == [("j-1", "ok"), ("g-1", "refused"), ("g-2", "ok")]
    assert len(run.error_lines) == 1 and "g-1 refused" in run.error_lines[0]


def test_a_stale_event_is_skipped_with_exit_0(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    cli.ok("apply", event_file(tmp_path, "j.json", _event(cloud, "joiner", "j-2", 60, person_id="E1001", person=person())))
    late = cli.ok("apply", event_file(tmp_path, "late.json", _event(cloud, "mover", "m-0", 0, person_id="E1001", person=person())))
    assert "skipped as stale" in late.stdout


def test_a_self_approved_grant_in_a_file_is_refused(cloud: LocalCloud, cli: Cli, tmp_path: Path, event_file: EventFile, person: PersonFactory) -> None:
    cli.ok("apply", event_file(tmp_path, "j.json", _event(cloud, "joiner", "j-1", person_id="E1001", person=person())))
    grant = _event(cloud, "grant", "g-1", 1, user_name="alice.smith", profile="arms-full",
                   approval={"ticket_id": "OPS-7", "status": "approved", "requester": "alice.smith", "approver": "alice.smith"})
    run = cli.run("apply", event_file(tmp_path, "g.json", grant))
    assert run.code == 2 and "approved their own request" in run.error_lines[0]
