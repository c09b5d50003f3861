"""`make demo` stays true: the demo runs rampart's sample lifecycle on localcloud and succeeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_runs_the_sample_lifecycle_and_reports_success() -> None:
    run = subprocess.run([sys.executable, "tools/demo.py"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "demo: all steps succeeded" in run.stdout
    for event_id in ("demo-hr-0001", "demo-hr-0002", "demo-ticket-OPS-42", "demo-hr-0003", "demo-hr-0004"):
        assert f"{event_id}" in run.stdout
    assert "leaver-certificate" in run.stdout
    assert "AccessKeySecret" not in run.stdout
