"""`make demo` stays true: from a fresh start it runs localcloud and `rampart dev` in their own
processes, sends every delivery of events/demo/ over real HTTP, and reports success, with
the report's key lines present and no secret anywhere in its output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from rampart_dev.devstack import DEV_ROBOT_SECRET


def _demo_secrets(repo: Path) -> set[str]:
    """Every demo webhook secret (events/*/demo-config.json) and the dev robot's signing key:
    none may be printed."""
    found: set[str] = {DEV_ROBOT_SECRET}
    for path in (repo / "events" / "hr" / "demo-config.json", repo / "events" / "ticket" / "demo-config.json"):
        for section in json.loads(path.read_text()).values():
            if isinstance(section, dict):
                found |= {v for k, v in section.items()
                          if isinstance(v, str) and k not in ("path", "company_id", "person_id_key", "owner_key")}
    return found


def test_the_demo_runs_end_to_end_over_http_and_reports_success(repo_root: Path) -> None:
    run = subprocess.run([sys.executable, "tools/demo.py"], cwd=repo_root, capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert run.returncode == 0, out[-4000:] + run.stderr[-4000:]
    assert out.rstrip().endswith("demo: all steps succeeded")
    deliveries = re.findall(r"^  (\d\d) (POST|ASYNC) (\S+) +(\d{3}) (\w+)", out, re.MULTILINE)
    assert [(n, path, status, word) for n, _, path, status, word in deliveries] == [
        ("01", "/hr/generic", "202", "accepted"), ("02", "/hr/feishu", "202", "accepted"),
        ("03", "/hr/generic", "202", "accepted"), ("04", "/ticket/jira", "202", "accepted"),
        ("05", "/ticket/generic", "202", "accepted"), ("06", "/ticket/jira", "200", "duplicate"),
        ("07", "/hr/generic", "202", "accepted"), ("08", "rampart-lifecycle", "202", "enqueued"),
        ("09", "/hr/generic", "202", "accepted"),
    ]
    tasks = re.findall(r"^  (\S+) +(Succeeded|Failed|\w+) +attempts (\d)", out, re.MULTILINE)
    assert len(tasks) == 8 and all(status == "Succeeded" for _, status, _ in tasks)
    for line in ("alice.wong     person E1001    active  console",
                 "shop.checkout  person E2001    active  programmatic",
                 "credential: KMS secret rampart/shop.checkout/access-key (access-key",
                 "credential: KMS secret rampart/alice.wong/console-password (password",
                 "break-glass-admin: RAM ends it at", "approved by security-oncall",
                 "detach-policy  System:AliyunARMSFullAccess", "attach-policy  System:AliyunARMSReadOnlyAccess",
                 "lei.li (person lilei01), event demo-hr-0004", "leaver-certificate",
                 "SLS audit trail of correlation id demo-hr-0004", "no secret value in the output"):
        assert line in out, line
    assert re.search(r"arms-readonly-rg +resource-group:rg-\S+ +rule: System:AliyunARMSReadOnlyAccess", out)
    assert re.search(r"break-glass-admin +account +ticket RITM0010042 until \S+Z: a time-bound policy", out)
    notified = out[out.index("notifications (localcloud's dingtalk robot"):].splitlines()[1:6]
    assert [re.split(r"\s{2,}", line.strip())[-1] for line in notified] == [
        "alice.wong", "lei.li", "shop.checkout", "wang.fang", "lei.li"], notified
    assert "rampart: lilei01 left (leaver certificate)" in notified[-1]
    printed = out + run.stderr
    for secret in _demo_secrets(repo_root):
        assert secret not in printed
    assert "AccessKeySecret" not in printed and '"Password"' not in printed
    assert not re.search(r"access_key_secret", printed)
