"""`make demo`: rampart's main job, end to end over real HTTP, on a local Alibaba Cloud.

1. starts localcloud (`python -m localcloud serve`) and `rampart dev --endpoint ...`, each in
   its own process: `rampart dev` deploys rampart as s.yaml does (catalog, `rampart init`, the
   two least-privilege function roles, the webhook secrets in KMS, the four functions in
   localcloud's Function Compute) and serves the HTTP functions behind FC 3.0's HTTP trigger;
2. sends the deliveries of events/demo/ in order, each signed afresh with the DEMO secrets of
   events/hr/demo-config.json and events/ticket/demo-config.json (a signature is good for
   5 minutes; `$now`, `$now_ms` and `$now_ms_text` in a payload become the sending time): HR
   joiners (generic contract, Feishu; console and programmatic), a Jira approval and a generic
   ticket (time-bound grants), a Jira redelivery (200 "duplicate"), a mover, an EventBridge
   CloudEvent invoking the lifecycle function asynchronously, and a leaver. After each one it
   waits for localcloud's FC to drain (`POST /_localcloud/functions/drain`);
3. prints the report: every delivery's HTTP status, the lifecycle function's async tasks
   (`GET /_localcloud/functions/tasks`), who has which profiles and scopes and where each
   credential is (`rampart status --json`: a KMS secret name, never the secret), the
   time-bound grants and their expiry, the mover's change and the leaver's certificate (from
   SLS), the SLS audit trail of one correlation id, and what localcloud's chat robot was told
   (`rampart dev` points the lifecycle function at it: the notification secret in KMS).

Exits non-zero if any expectation failed. Never prints a secret: the root key localcloud
prints is read here and passed to rampart through the environment only.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "shared"))

from rampart.adapters import build  # noqa: E402
from rampart.adapters.sls import SlsAuditSink  # noqa: E402
from rampart.config import Settings  # noqa: E402
from rampart.errors import CloudError  # noqa: E402
from rampart.model import AuditRecord  # noqa: E402
from rampart.secret import Secret  # noqa: E402
from rampart.sources.signing import sign_body, signed_headers  # noqa: E402
from rampart_dev import hr_senders  # noqa: E402
from rampart_dev.admin import Admin  # noqa: E402
from rampart_dev.devcloud import DevCloud  # noqa: E402
from rampart_dev.devstack import (  # noqa: E402
    DEV_ROBOT_KIND,
    DEV_ROBOT_SECRET,
    DEV_ROBOT_TOKEN,
    LIFECYCLE_FUNCTION,
    demo_webhook_values,
)

DELIVERIES = REPO / "events" / "demo"
NOTICES = 5
"""Joiners that create a user (01, 02, 03, 08) and the leaver with its certificate (09)."""
PYTHON = sys.executable
PUBLIC_KEYS = ("path", "company_id", "person_id_key", "owner_key", "mapping", "approved_statuses", "departments")
"""Demo configuration keys that are settings, not secrets."""
RNG = random.Random(20260302)  # Feishu's IV and nonce: seeded, so a run is repeatable but for the time


class Demo:
    def __init__(self, info: dict[str, Any], dev: dict[str, Any]) -> None:
        self.info = info
        self.url = dev["url"]
        self.admin = Admin(info["endpoint"])
        self.config = demo_webhook_values()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))},
            "ALIBABA_CLOUD_ACCESS_KEY_ID": info["access_key_id"],
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": info["access_key_secret"],
            "ALIBABA_CLOUD_REGION_ID": info["region"],
            "RAMPART_ENDPOINT": info["endpoint"],
            "RAMPART_CATALOG": dev["catalog"],
        }
        self.settings = Settings.from_env(self.env)
        self.failures: list[str] = []
        self.printed: list[str] = []
        self.users: list[str] = []
        self.sent: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.start = datetime.now(timezone.utc)

    def say(self, text: str = "") -> None:
        """Print a report line (every line is kept for the secret check at the end)."""
        self.printed.append(text)
        print(text, flush=True)

    def check_no_secret_printed(self, *more: str) -> int:
        """Every escrowed value in KMS (passwords, AccessKey pairs), every webhook secret and
        the root key: none may be in what was printed or logged. Returns how many were checked."""
        kms = build(self.settings).secrets
        values = {self.info["access_key_secret"], DEV_ROBOT_SECRET, DEV_ROBOT_TOKEN}
        for source in self.config.values():
            values |= {v for k, v in source.items() if isinstance(v, str) and k not in PUBLIC_KEYS}
        for name in [f"rampart/{user}/{kind}" for user in self.users for kind in ("console-password", "access-key")]:
            try:
                value = kms.read(name).reveal()
            except CloudError:  # this user has no such secret
                continue
            values.add(value)
            if value.startswith("{"):
                values |= {str(v) for k, v in json.loads(value).items() if "Secret" in k}
        text = "\n".join([*self.printed, *more])
        self.expect(not any(v in text for v in values if len(v) >= 8), "a secret value was printed")
        return len(values)

    def expect(self, ok: bool, what: str) -> bool:
        if not ok:
            self.failures.append(what)
        return ok

    # --- sending ---------------------------------------------------------------------------

    @staticmethod
    def render(value: Any, now: datetime) -> Any:
        millis = int(now.timestamp() * 1000)
        if value == "$now":
            return now.strftime("%Y-%m-%dT%H:%M:%SZ")
        if value == "$now_ms":
            return millis
        if value == "$now_ms_text":
            return str(millis)
        if isinstance(value, dict):
            return {k: Demo.render(v, now) for k, v in value.items()}
        if isinstance(value, list):
            return [Demo.render(v, now) for v in value]
        return value

    def signed(self, path: str, body: bytes, extra: dict[str, str], now: datetime) -> hr_senders.SignedRequest:
        """The request the sender would make: signed (Feishu: encrypted too) with the demo secret."""
        if path == "/hr/generic":
            return hr_senders.generic(Secret(self.config["hr:generic"]["secret"]), body, now)
        if path == "/hr/feishu":
            nonce = "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
            return hr_senders.feishu_request(Secret(self.config["hr:feishu"]["encrypt_key"]), body, now,
                                             nonce=nonce, iv=RNG.randbytes(16))
        if path == "/ticket/jira":
            headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Atlassian Webhook HTTP Client",
                       **extra, "X-Hub-Signature": sign_body(Secret(self.config["ticket:jira"]["secret"]), body)}
            return hr_senders.SignedRequest(body, headers)
        if path == "/ticket/generic":
            secret = Secret(self.config["ticket:generic"]["secret"])
            headers = {"Content-Type": "application/json", "User-Agent": "ServiceNow/1.0",
                       **signed_headers(secret, int(now.timestamp()), body)}
            return hr_senders.SignedRequest(body, headers)
        raise ValueError(f"no sender for {path}")

    def post(self, path: str, request: hr_senders.SignedRequest) -> tuple[int, dict[str, Any]]:
        query = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in request.query.items())
        http = urllib.request.Request(self.url + path + (f"?{query}" if query else ""), data=request.body,  # noqa: S310
                                      headers=request.headers, method="POST")
        try:
            with urllib.request.urlopen(http, timeout=60) as answer:  # noqa: S310 - the dev server on loopback
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, {"raw": raw.decode("utf-8", "replace")[:200]}

    def deliver(self, path: Path) -> str:
        spec = json.loads(path.read_text(encoding="utf-8"))
        what = spec["_what"]
        now = datetime.now(timezone.utc)
        if "repeat" in spec:  # a redelivery: the very same body, signed again
            original, body = self.sent[spec["repeat"]]
            status, answer = self.post(original["path"], self.signed(original["path"], body,
                                                                     original.get("headers", {}), now))
            ok = self.expect(status == 200 and answer.get("status") == "duplicate", f"{path.name}: not a duplicate")
            line = f"POST {original['path']:19} {status} {answer.get('status', answer.get('error', '?'))}"
        elif "invoke" in spec:  # EventBridge: an async invocation of the lifecycle function
            body = json.dumps(self.render(spec["payload"], now), ensure_ascii=False).encode()
            fc = DevCloud(build(self.settings, account_id=self.info["account_id"]).clients)
            task = fc.invoke_async(spec["invoke"], body)
            ok = self.expect(bool(task), f"{path.name}: no task id")
            line = f"ASYNC {spec['invoke']:18} 202 enqueued"
        else:
            body = json.dumps(self.render(spec["payload"], now), ensure_ascii=False, separators=(",", ":")).encode()
            self.sent[path.name] = (spec, body)
            status, answer = self.post(spec["path"], self.signed(spec["path"], body, spec.get("headers", {}), now))
            ok = self.expect(status == 202 and answer.get("status") == "accepted", f"{path.name}: HTTP {status} {answer}")
            line = f"POST {spec['path']:19} {status} {answer.get('status', answer.get('error', '?'))}"
        self.admin.drain(120)
        return f"  {path.name[:2]} {line:38} {'' if ok else 'FAILED '}{what[:78]}"

    # --- reading back ------------------------------------------------------------------------

    def rampart(self, *args: str) -> tuple[int, Any]:
        run = subprocess.run([str(REPO / "bin" / "rampart"), *args, "--json"], cwd=REPO, env=self.env,
                             capture_output=True, text=True, timeout=120)
        try:
            return run.returncode, json.loads(run.stdout)
        except ValueError:
            return run.returncode, {"error": run.stderr.strip()[-300:]}

    def audit(self, read: Callable[[SlsAuditSink, datetime, datetime], list[AuditRecord]]) -> list[AuditRecord]:
        """The records ``read`` finds since the demo started, oldest first."""
        records = read(SlsAuditSink(self.settings), self.start - timedelta(minutes=5),
                       datetime.now(timezone.utc) + timedelta(minutes=5))
        return sorted(records, key=lambda r: r.time)

    def tasks(self) -> list[str]:
        lines = []
        for task in sorted(self.admin.tasks(LIFECYCLE_FUNCTION), key=lambda t: t["startedTime"]):
            try:
                items = json.loads(task["returnPayload"]).get("results", [])
            except ValueError:
                items = []
            results = ", ".join(i["result"] if i["event_id"] == task["taskId"] else f"{i['event_id']}: {i['result']}"
                                for i in items) or task["taskErrorMessage"][:60]
            self.expect(task["status"] == "Succeeded" and all(i["ok"] for i in items), f"task {task['taskId']}")
            lines.append(f"  {task['taskId'][:50]:50} {task['status']:9} attempts {task['attempts']}  {results}")
        return lines

    def user_lines(self, name: str) -> list[str]:
        code, status = self.rampart("status", name)
        if not self.expect(code == 0, f"rampart status {name}: {status.get('error')}"):
            return [f"  {name}: rampart status failed: {status.get('error')}"]
        out = [f"  {name:14} person {status['person_id']:8} {status['state']:7} {status['access']:12} "
               f"logon {status['logon_principal']}"]
        for grant in status["grants"]:
            why = "rule" if grant["source"] == "rule" else f"ticket {grant['ticket']} until {grant['until']}"
            policy = "a time-bound policy" if grant["name"].startswith("Custom:rampart-tb-") else grant["name"]
            out.append(f"      {grant['profile'] or '-':18} {grant['scope'][:31]:31} {why}: {policy}")
        for secret in status["secrets"]:
            out.append(f"      credential: KMS secret {secret.get('name')} ({secret.get('kind')}; the value is never shown)")
        self.expect(bool(status["secrets"]) and status["state"] == "active", f"{name}: no credential or not active")
        return out


def first_line(process: subprocess.Popen[str], what: str, timeout: float = 120) -> dict[str, Any]:
    """The JSON line a server prints once it listens."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline() if process.stdout else ""))
    reader.start()
    reader.join(timeout)
    if not box or not box[0].strip():
        raise SystemExit(f"demo: {what} did not start (exit {process.poll()})")
    return dict(json.loads(box[0]))


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "shared"), str(REPO)])
    with tempfile.TemporaryDirectory(prefix="rampart-demo-") as tmp:
        logs = (Path(tmp) / "dev.log").open("w")
        cloud = subprocess.Popen([PYTHON, "-m", "localcloud", "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                 stderr=logs, text=True)
        dev: subprocess.Popen[str] | None = None
        demo: Demo | None = None
        try:
            info = first_line(cloud, "localcloud")
            dev = subprocess.Popen([PYTHON, "-m", "rampart_dev", "dev", "--endpoint", info["endpoint"], "--port", "0",
                                    "--sweep-every", "0"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=logs,
                                   text=True)
            started = first_line(dev, "rampart dev")
            demo = Demo(info, started)
            report(demo, started)
            logs.flush()
            checked = demo.check_no_secret_printed((Path(tmp) / "dev.log").read_text(errors="replace"))
            demo.say(f"\nno secret value in the output or the servers' logs ({checked} values checked)")
        finally:
            for process in (dev, cloud):
                if process is not None:
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
            logs.close()
            if demo is None or demo.failures:
                # the functions' own logs say why; they hold no secret (rampart redacts every line)
                sys.stderr.write((Path(tmp) / "dev.log").read_text(errors="replace")[-6000:])
    assert demo is not None
    print("\ndemo: " + ("all steps succeeded" if not demo.failures else
                        f"{len(demo.failures)} step(s) FAILED: " + "; ".join(demo.failures)[:1500]))
    return 0 if not demo.failures else 1


def report(demo: Demo, started: dict[str, Any]) -> None:
    demo.say(f"localcloud {demo.info['endpoint']} (account {demo.info['account_id']}); rampart dev {demo.url}")
    demo.say(f"functions in localcloud FC: {', '.join(started['functions'])}")
    demo.say("\ndeliveries (events/demo/, signed now with the demo secrets; FC drained after each):")
    for path in sorted(DELIVERIES.glob("*.json")):
        demo.say(demo.deliver(path))
    demo.say(f"\n{LIFECYCLE_FUNCTION} async tasks (GET /_localcloud/functions/tasks):")
    demo.say("\n".join(demo.tasks()))
    demo.say("\nwho has what, and where each credential is (rampart status --json; KMS secret names only):")
    users = demo.users = sorted(u.user_name for u in build(demo.settings).identities.list_users())
    for name in users:
        demo.say("\n".join(demo.user_lines(name)))
    demo.expect(users == ["alice.wong", "shop.checkout", "wang.fang"], f"unexpected users {users}")
    demo.say("\ntime-bound grants (a custom policy with DateLessThan acs:CurrentTime: RAM itself ends it):")
    grants = [r for r in demo.audit(lambda sink, since, until: sink.by_action("create-policy", since, until))
              if r.detail.startswith("time-bound grant")]
    for record in grants:
        demo.say(f"  {record.target:13} {record.detail[len('time-bound grant of '):][:70]:70} "
                 f"approved by {record.approver}")
    demo.expect(len(grants) == 2, f"expected two time-bound grants, found {len(grants)}")
    demo.say("\nmover demo-hr-0003 (Alice Wong: SRE -> Software Engineer):")
    moved = [r for r in demo.audit(lambda sink, since, until: sink.by_event("demo-hr-0003", since, until)) if r.policy]
    for record in moved:
        demo.say(f"  {record.target:13} {record.action:14} {record.policy}")
    demo.expect(len(moved) == 2, "the mover did not swap arms-full for arms-readonly")
    demo.say("\nleaver certificate (SLS record leaver-certificate):")
    certificates = demo.audit(lambda sink, since, until: sink.by_action("leaver-certificate", since, until))
    for record in certificates:
        detail = json.loads(record.detail or "{}")
        demo.say(f"  {record.target} (person {detail.get('person_id')}), event {record.event_id}: "
              f"{detail.get('removed_count')} item(s) removed")
        for kind, items in detail.get("removed", {}).items():
            demo.say(f"      {kind:24} {', '.join(items)[:90]}")
    demo.expect(len(certificates) == 1, "no leaver certificate")
    demo.say("\nSLS audit trail of correlation id demo-hr-0004 (the leaver):")
    trail = demo.audit(lambda sink, since, until: sink.by_correlation("demo-hr-0004", since, until, limit=100))
    for record in trail:
        demo.say(f"  {record.time.isoformat()[11:23]}  {record.action:24} {record.result.value:4} {record.target:8} "
                 f"{record.policy}".rstrip())
    demo.expect(len(trail) >= 5, "the leaver's audit trail is short")
    demo.say(f"\nnotifications (localcloud's {DEV_ROBOT_KIND} robot; names only, never a credential):")
    messages = demo.admin.call("GET", f"/robots/messages?kind={DEV_ROBOT_KIND}&token={DEV_ROBOT_TOKEN}")["messages"]
    for message in messages:
        markdown = message["body"]["markdown"]
        users = ", ".join(re.findall(r"RAM user (\S+?):? ", markdown["text"]))
        demo.say(f"  {message['time'][11:19]}  {pad(markdown['title'][:60], 60)} {users}")
    demo.expect(len(messages) == NOTICES, f"expected {NOTICES} notifications, the robot got {len(messages)}")


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns: CJK names take two columns a character."""
    columns = sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)
    return text + " " * max(0, width - columns)


if __name__ == "__main__":
    sys.exit(main())
