"""The sweeper function on a timer event, registered in localcloud's FC: it ends an expired
time-bound grant and writes the drift summary to SLS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rampart.adapters.sls import SlsAuditSink
from rampart.fc import runtime

from localcloud import LocalCloud
from tests.functional.rampart.deployment_names import SWEEPER
from tests.functional.rampart.types import Deploy, SettingsFor


def test_the_sweeper_ends_an_expired_grant_and_writes_the_drift_summary(
    cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_for: SettingsFor,
    deploy: Deploy,
) -> None:
    deployment = deploy(tmp_path)
    deployment.cli.ok("join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console")
    deployment.cli.ok("grant", "dana", "--profile", "break-glass-admin", "--until", "PT1H", "--ticket", "INC-1",
                      "--approver", "cto")
    cloud.clock_advance(2 * 3600)
    monkeypatch.setattr(runtime, "DEFAULT_CLOCK", cloud.now)  # the function's instance runs on localcloud's clock
    error, summary = deployment.invoke(SWEEPER, deployment.repo.event("fc", "timer-reference.json"))
    assert error == "", summary
    assert (summary["trigger"], summary["users"], summary["changed"], summary["failed"]) == (
        "timer-trigger", 1, ["dana"], [])
    drift = summary["drift"]
    assert drift["audit"] == "written" and drift["managed_users"] == 1
    now = cloud.now()
    rows = SlsAuditSink(settings_for()).by_action("drift-report", now - timedelta(hours=1),
                                                       now + timedelta(minutes=5))
    assert [r.event_id for r in rows] == [drift["event_id"]]
    status = deployment.cli.ok("status", "dana", "--json").json()
    assert status["grants"] == []
