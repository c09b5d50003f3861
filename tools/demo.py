"""`make demo`: rampart's main job on localcloud, through the `rampart` command line.

Starts localcloud (the local Alibaba Cloud) in its own process, points rampart at it, and
runs the sample lifecycle in events/demo/: a programmatic joiner, a console joiner, a
time-bound break-glass grant from an approved ticket, a mover (Developer -> SRE: arms-readonly
becomes arms-full), and a leaver with its certificate. It prints who has what and where each
credential is (a KMS secret name, never the secret), then the SLS audit trail of the leaver's
correlation id. Event times in the sample files are shifted to "now" so RAM's clock and
rampart's agree. Exits non-zero if anything failed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EVENTS = REPO / "events" / "demo"
RAMPART = [str(REPO / "bin" / "rampart")]


def start_localcloud() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen([sys.executable, "-m", "localcloud", "serve"], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def demo_catalog(info: dict[str, Any], workdir: Path) -> Path:
    """The shipped example catalog with arms-readonly-rg pointed at a resource group that exists."""
    sys.path.insert(0, str(REPO / "shared"))
    from alibabacloud_resourcemanager20200331 import models as rm_models
    from alibabacloud_resourcemanager20200331.client import Client as Rm
    from alibabacloud_tea_openapi.models import Config

    rm = Rm(Config(access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"],
                   endpoint=info["endpoint"], protocol="http", region_id=info["region"]))
    group = rm.create_resource_group(
        rm_models.CreateResourceGroupRequest(name="shop-apps", display_name="Shop applications")
    ).body.resource_group.id
    text = (REPO / "shared" / "rampart" / "catalogs" / "example.yaml").read_text()
    catalog = workdir / "catalog.yaml"
    catalog.write_text(text.replace("rg-armsdemo000000001", group))
    return catalog


def rampart(env: dict[str, str], *args: str) -> dict[str, Any]:
    run = subprocess.run([*RAMPART, *args, "--json"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    try:
        out: dict[str, Any] = json.loads(run.stdout)
    except json.JSONDecodeError:
        out = {"ok": False, "error": run.stderr.strip() or run.stdout.strip()}
    out["_exit"] = run.returncode
    return out


def shifted(path: Path, base: datetime, index: int, workdir: Path) -> Path:
    """The sample event with its times moved to now (keeping the gaps between fields)."""
    data = json.loads(path.read_text())
    original = datetime.fromisoformat(data["occurred_at"].replace("Z", "+00:00"))
    occurred = base + timedelta(seconds=index)
    data["occurred_at"] = occurred.isoformat()
    if "until" in data:
        until = datetime.fromisoformat(data["until"].replace("Z", "+00:00"))
        data["until"] = (occurred + (until - original)).isoformat()
    out = workdir / path.name
    out.write_text(json.dumps(data))
    return out


def audit_trail(env: dict[str, str], correlation_id: str, around: datetime) -> list[dict[str, str]]:
    """The audit records of one correlation id, oldest first, read back from SLS."""
    from rampart.adapters.sls import SlsAuditSink
    from rampart.config import Settings

    sink = SlsAuditSink(Settings.from_env(env))
    rows = sink.query(f'correlation_id: "{correlation_id}"', around - timedelta(hours=1), around + timedelta(hours=1))
    return sorted(rows, key=lambda r: r.get("time", ""))


def describe(result: dict[str, Any]) -> str:
    events = result.get("events") or [result]
    lines = []
    for event in events:
        users = event.get("users", [])
        steps = sum(len(u.get("steps", [])) for u in users)
        names = ", ".join(u.get("user", "?") for u in users) or "-"
        lines.append(f"{event.get('kind', '?'):7} {event.get('event_id', '?'):22} -> {event.get('result', '?'):6}"
                     f" users: {names}; {steps} step(s)" + (f"; {event['error']}" if event.get("error") else ""))
    return "\n".join(lines)


def main() -> int:
    server, info = start_localcloud()
    failures = 0
    try:
        with tempfile.TemporaryDirectory(prefix="rampart-demo-") as tmp:
            workdir = Path(tmp)
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))},
                "ALIBABA_CLOUD_ACCESS_KEY_ID": info["access_key_id"],
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": info["access_key_secret"],
                "ALIBABA_CLOUD_REGION_ID": info["region"],
                "RAMPART_ENDPOINT": info["endpoint"],
                "RAMPART_CATALOG": str(demo_catalog(info, workdir)),
            }
            print(f"localcloud at {info['endpoint']} (account {info['account_id']}); rampart uses it via RAMPART_ENDPOINT\n")
            init = rampart(env, "init")
            print(f"rampart init: exit {init['_exit']}")
            failures += init["_exit"] not in (0, 2)  # 2: advice only (e.g. password policy)
            base = datetime.now(timezone.utc).replace(microsecond=0)
            print("\nevents (events/demo/):")
            for index, path in enumerate(sorted(EVENTS.glob("*.json"))):
                result = rampart(env, "apply", str(shifted(path, base, index, workdir)))
                print(describe(result))
                failures += result["_exit"] != 0
            print()
            status = subprocess.run([*RAMPART, "status", "alice.smith"], cwd=REPO, env=env, capture_output=True,
                                    text=True, timeout=120)
            print("$ rampart status alice.smith")
            print(status.stdout.rstrip() or status.stderr.rstrip())
            failures += status.returncode != 0
            gone = rampart(env, "status", "shop.checkout")
            print(f"\n$ rampart status shop.checkout   (after the leaver)\n{gone.get('error', 'still present!')}")
            failures += gone["_exit"] == 0
            print("\nSLS audit trail of correlation id demo-hr-0004 (the leaver):")
            for row in audit_trail(env, "demo-hr-0004", base):
                detail = row.get("detail", "")
                print(f"  {row['time'][11:19]}  {row['action']:26} {row['result']:9} {row['target']:14} "
                      f"{row.get('policy') or ''} {detail[:110] if row['action'] == 'leaver-certificate' else ''}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    print("\ndemo: " + ("all steps succeeded" if failures == 0 else f"{failures} step(s) FAILED"))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
