"""The chaos campaign, end to end (tools/chaos.py is its command line; README "Chaos campaign").

1. localcloud and ``rampart dev`` in their own processes (the lifecycle function with a short
   timeout, a lock lease a little longer, and, when localcloud supports it, process isolation
   so its instances can be killed);
2. seeded faults on every RAM (and IMS), ResourceManager, KMS, SLS and FC action: apply-then-
   drop, 5xx, throttling (marginal rates as asked) and 0-20 ms latency on the rest;
3. the stories' events (tools/chaoskit/story.py), each delivered 1-3 times, shuffled across
   neighbouring people, each after a random delay, from a thread pool; meanwhile
   :class:`~tools.chaoskit.check.KeyWatch` samples keys, and lifecycle instances are killed
   at seeded random points (``POST /_localcloud/functions/kill``, N-th cloud call);
4. drain; faults off; what an operator does after an incident: ``rampart replay`` the audit
   records spilled to the logs, re-drive the lifecycle tasks that failed for good (their
   payloads, from FC's task records, as from the dead-letter queue) up to three rounds, replay
   again (replay skips what SLS has), and one sweeper run; then the checks
   (tools/chaoskit/check.py) and the JSON summary.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from alibabacloud_kms20160120 import models as kms_models
from rampart_dev.admin import Admin
from rampart_dev.devstack import (
    DEV_RESOURCE_GROUP,
    DEV_ROBOT_SECRET,
    DEV_ROBOT_TOKEN,
    RG_PLACEHOLDER,
    demo_webhook_values,
)

from tools.chaoskit import check, scan, servers, story
from tools.chaoskit.plant import plant
from tools.chaoskit.wire import LIFECYCLE, Sender, body_for, event_ids

SERVICES = ("ram", "resourcemanager", "kms", "sls", "fc")
PUBLIC_KEYS = ("path", "company_id", "person_id_key", "owner_key", "mapping", "approved_statuses", "departments")
SWEEPER = "rampart-sweeper"
REDRIVE_ROUNDS = 3


@dataclass(frozen=True)
class Options:
    seed: int = 6
    people: int = 300
    kills: int = 20
    throttle: float = 0.10
    error: float = 0.05
    drop: float = 0.02
    latency_ms: tuple[int, int] = (0, 20)
    workers: int = 8
    max_delay: float = 1.0
    window: float = 6.0
    """Deliveries are shuffled across about this many neighbouring people."""
    timeout: int = 10
    lease: int = 12
    index_delay: float = 2.0
    """SLS's indexing delay in localcloud, seconds (real SLS: about 3 s): a tombstone is queryable
    only this long after it was written."""
    progress_every: int = 100
    fc_concurrency: int = 16
    """How many async invocations localcloud's FC runs at once (real FC scales out; ``--fc-concurrency``)."""
    logs: Path | None = None
    plant: str = ""
    """Tests only: plant a violation before the check (tools/chaoskit/plant.py ``PLANTS``)."""


def say(text: str) -> None:
    sys.stderr.write(f"chaos: {text}\n")
    sys.stderr.flush()


def fault_rules(o: Options) -> list[dict[str, Any]]:
    """First matching rule that fires wins (localcloud), so each later rule's probability is the
    conditional one that gives the marginal rate asked for."""
    rules: list[dict[str, Any]] = []
    left = 1.0
    for offset, service in enumerate(SERVICES):
        left, seed = 1.0, o.seed * 100 + offset * 10
        for kind, rate in (("drop", o.drop), ("error", o.error), ("throttle", o.throttle)):
            if rate > 0:
                rules.append({"service": service, "action": "*", "kind": kind, "probability": min(1.0, rate / left),
                              "seed": seed})
                left -= rate
                seed += 1
        if o.latency_ms[1] > 0:
            rules.append({"service": service, "action": "*", "kind": "latency", "latency_ms": list(o.latency_ms),
                          "probability": 1.0, "seed": seed})
    return rules


def isolation_supported(admin: Admin) -> bool:
    """Whether localcloud's FC takes ``"isolation"`` (an unknown key is refused by name)."""
    from rampart.errors import ConfigError

    try:
        admin.call("POST", "/functions", {"name": "chaos-probe", "handler": "no.such.module.handler",
                                          "isolation": "process"})
    except ConfigError as exc:
        return "unknown key" not in str(exc)
    admin.call("DELETE", "/functions", {"timeout": 30})
    return True


def write_catalog(info: dict[str, Any], workdir: Path) -> Path:
    """The example catalog on a real resource group, with the breaker raised above the
    campaign's leavers (hundreds of removals in minutes are the campaign, not a bad feed)."""
    from rampart.adapters import build
    from rampart.config import EXAMPLE_CATALOG
    from rampart.secret import Secret
    from rampart_dev.admin import Target
    from rampart_dev.devcloud import DevCloud

    target = Target(info["endpoint"], info["region"], info["account_id"], info["access_key_id"],
                    Secret(info["access_key_secret"]))
    dev = DevCloud(build(target.settings(), account_id=target.account_id).clients)
    group = dev.ensure_resource_group(*DEV_RESOURCE_GROUP)
    text = EXAMPLE_CATALOG.read_text(encoding="utf-8").replace(RG_PLACEHOLDER, group)
    text = text.replace("max_removals: 20", "max_removals: 100000")
    path = workdir / "chaos-catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class Killer:
    """Arms one kill at a time on the lifecycle function, at seeded random moments, until
    ``total`` have fired (``GET /_localcloud/functions/kills``)."""

    def __init__(self, admin: Admin, total: int, seed: int) -> None:
        self._admin = admin
        self.total = total
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.armed = 0

    def fired(self) -> int:
        return len(self._admin.call("GET", "/functions/kills").get("kills", []))

    def _state(self) -> tuple[int, int]:
        answer = self._admin.call("GET", "/functions/kills")
        return len(answer.get("kills", [])), len(answer.get("armed", []))

    def start(self) -> None:
        if self.total > 0:
            self._thread = threading.Thread(target=self._run, name="chaos-killer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._rng.uniform(0.5, 3.0)):
            try:
                fired, armed = self._state()
                if fired >= self.total:
                    return
                if not armed:
                    self._admin.call("POST", "/functions/kill", {"function": LIFECYCLE,
                                                                 "after_calls": self._rng.randint(1, 12)})
                    self.armed += 1
            except Exception as exc:
                say(f"kill not armed: {str(exc)[:200]}")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


class Campaign:
    def __init__(self, o: Options, workdir: Path) -> None:
        self.o = o
        self.workdir = workdir
        self.violations: list[str] = []
        self.notes: list[str] = []
        self.kills = 0
        self._texts: dict[str, str] = {}
        self._secret_values: set[str] = set()

    def run(self) -> dict[str, Any]:
        o = self.o
        logs = o.logs or self.workdir
        logs.mkdir(parents=True, exist_ok=True)
        cloud = servers.localcloud(logs, fc_concurrency=o.fc_concurrency)
        dev: servers.Process | None = None
        try:
            info = cloud.first
            admin = Admin(info["endpoint"])
            process = isolation_supported(admin)
            if o.kills and not process:
                self.notes.append("localcloud has no process isolation yet: no kills")
            catalog = write_catalog(info, self.workdir)
            dev = servers.rampart_dev(info["endpoint"], catalog, logs, isolation="process" if process else None,
                                      timeout=o.timeout, lease=o.lease)
            summary = self._campaign(info, admin, dev, process)
            dev.stop()  # its output is complete: localcloud, still up, looks for what it issued
            found, issued = scan.scan_issued(admin, {"localcloud's output so far": cloud.text(),
                                                      "rampart dev's output": dev.text(), **self._texts})
            self.violations += found
            say(f"secret scan: {sum(issued.values())} secret(s) localcloud issued "
                f"({', '.join(f'{n} {k}' for k, n in issued.items())}) looked for in {len(self._texts) + 2} texts")
        finally:
            for p in (dev, cloud):
                if p is not None:
                    p.stop()
        texts = {"localcloud's output": cloud.text(), "rampart dev's output": dev.text() if dev else ""}
        self.violations += scan.check_secrets(self._secret_values, {**texts, **self._texts})
        summary["violations"] = len(self.violations)
        return summary

    def _campaign(self, info: dict[str, Any], admin: Admin, dev: servers.Process, process: bool) -> dict[str, Any]:
        from rampart.adapters import build
        from rampart.secret import Secret
        from rampart_dev.admin import Target
        from rampart_dev.devcloud import DevCloud

        o = self.o
        rng = random.Random(o.seed)
        target = Target(info["endpoint"], info["region"], info["account_id"], info["access_key_id"],
                        Secret(info["access_key_secret"]))
        fc = DevCloud(build(target.settings(), account_id=target.account_id).clients)
        config = demo_webhook_values()
        start = datetime.now(timezone.utc) - timedelta(minutes=30)
        events, people = story.make_people(o.people, rng, start)
        bodies = {ev.event_id: body_for(ev, config) for ev in events}
        deliveries: list[tuple[float, story.Event, int]] = []
        for ev in events:
            for copy in range(rng.randint(1, 3)):
                deliveries.append((ev.person.index + rng.uniform(0, o.window), ev, copy))
        deliveries.sort(key=lambda d: d[0])
        delays = [rng.uniform(0, o.max_delay) for _ in deliveries]
        clients = check.Clients(info["endpoint"], info["access_key_id"], info["access_key_secret"])
        watch = check.KeyWatch(clients, people)
        sender = Sender(dev.first["url"], config, fc, o.seed)
        killer = Killer(admin, o.kills if process else 0, o.seed + 1)
        admin.call("POST", "/faults", {"faults": fault_rules(o)})
        admin.call("POST", "/sls/index-delay", {"seconds": o.index_delay})
        say(f"{o.people} people, {len(events)} events, {len(deliveries)} deliveries; faults armed on "
            f"{', '.join(SERVICES)}; kills {'up to ' + str(killer.total) if killer.total else 'off'}; "
            f"SLS index delay {o.index_delay:g} s")
        started = time.monotonic()
        watch.start()
        killer.start()
        done = [0]
        lock = threading.Lock()

        def send(index: int) -> None:
            _, ev, copy = deliveries[index]
            time.sleep(delays[index])
            sender.deliver(ev, bodies[ev.event_id], copy)
            with lock:
                done[0] += 1
                if done[0] % o.progress_every == 0:
                    say(f"{done[0]}/{len(deliveries)} deliveries sent ({time.monotonic() - started:.0f} s)")

        with ThreadPoolExecutor(o.workers) as pool:
            list(pool.map(send, range(len(deliveries))))
        say(f"all deliveries sent ({time.monotonic() - started:.0f} s); draining")
        self._drain(admin)
        killer.stop()
        self._drain(admin)
        self.kills = killer.fired() if process else 0
        faults = Counter(str(e.get("kind")) for e in admin.call("GET", "/faults/log").get("log", []))
        admin.call("DELETE", "/faults")
        watch.stop()
        say(f"drained ({time.monotonic() - started:.0f} s); {self.kills} kill(s) fired; faults off")
        # the operator's order: the audit trail first (the tombstones are read from it), then the dead
        # letters, then the trail again for anything the re-drive spilled (replay skips what SLS has)
        self._replay(info, dev)
        self._redrive(admin, fc)
        self._replay(info, dev)
        fc.invoke_sync(SWEEPER, json.dumps({"triggerTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                            "triggerName": "chaos-sweep", "payload": '{"rotate": false}'}).encode())
        self._drain(admin)
        if o.plant:
            plant(clients, o.plant, people)
        self._await_index(admin)
        self._check(info, admin, clients, people, watch, sender, target)
        return {"people": o.people, "events": len(events), "deliveries": len(deliveries),
                "faults": dict(sorted(faults.items())), "kills": self.kills}

    def _drain(self, admin: Admin) -> None:
        for _ in range(60):
            try:
                admin.drain(60)
                return
            except Exception as exc:
                say(f"still draining: {str(exc)[:120]}")
        self.violations.append("Function Compute never drained")

    def _await_index(self, admin: Admin) -> None:
        """The checks read the audit trail: wait until SLS has indexed every record written."""
        deadline = time.monotonic() + self.o.index_delay + 60
        while admin.call("GET", "/sls/index-delay")["pending_writes"]:
            if time.monotonic() > deadline:
                self.violations.append("SLS never indexed the last audit records")
                return
            time.sleep(0.2)

    def _redrive(self, admin: Admin, fc: Any) -> None:
        """The operator's re-drive of dead letters: each failed payload invoked again, once a round."""
        seen: set[str] = set()
        for round_ in range(REDRIVE_ROUNDS):
            failed = [t for t in admin.tasks(LIFECYCLE) if t["status"] == "Failed" and t["taskId"] not in seen]
            if not failed:
                return
            say(f"re-drive round {round_ + 1}: {len(failed)} failed lifecycle task(s) invoked again")
            for task in failed:
                seen.add(task["taskId"])
                fc.invoke_async(LIFECYCLE, task["taskPayload"].encode("utf-8"))
            self._drain(admin)
        left = [t for t in admin.tasks(LIFECYCLE) if t["status"] == "Failed" and t["taskId"] not in seen]
        if left:  # events refused for good, e.g. a grant or a mover for a person already removed
            ids = [event_ids(t["taskPayload"]) for t in left]
            self.notes.append(f"{len(left)} lifecycle task(s) still failing after the re-drive (refused for good; "
                              f"the checks say whether that was right): {', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}")

    def _replay(self, info: dict[str, Any], dev: servers.Process) -> None:
        """``rampart replay`` of every audit record spilled to the logs while SLS failed."""
        env = {**servers.base_env(), "ALIBABA_CLOUD_ACCESS_KEY_ID": info["access_key_id"],
               "ALIBABA_CLOUD_ACCESS_KEY_SECRET": info["access_key_secret"], "ALIBABA_CLOUD_REGION_ID": info["region"],
               "RAMPART_ENDPOINT": info["endpoint"]}
        logs = (self.o.logs or self.workdir)
        dump = self.workdir / "spilled.log"
        dump.write_text("\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("*.err")) if p.exists()))
        run = subprocess.run([str(servers.REPO / "bin" / "rampart"), "replay", str(dump)], cwd=servers.REPO, env=env,
                             capture_output=True, text=True, timeout=600)
        self._texts["rampart replay's output"] = self._texts.get("rampart replay's output", "") + run.stdout + run.stderr
        say(run.stdout.strip().splitlines()[0] if run.stdout.strip() else f"replay: exit {run.returncode}")
        if run.returncode != 0:
            self.violations.append(f"rampart replay failed: {run.stderr.strip()[-300:]}")

    def _check(self, info: dict[str, Any], admin: Admin, c: check.Clients, people: list[story.Expected],
               watch: check.KeyWatch, sender: Sender, target: Any) -> None:
        from rampart.adapters.sls import SlsAuditSink
        from rampart.planning import timebound_prefix

        domain = str(c.ims.get_default_domain().body.default_domain_name)
        users = check.list_users(c)
        states = {e.person.user: check.read_user(c, e.person.user, info["account_id"], domain) for e in people}
        secrets = check.read_secrets(c)
        v = self.violations
        v += check.check_people(people, states, users, timebound_prefix)
        v += check.check_escrow(states, secrets)
        names = {e.person.user for e in people}
        history = [h for h in admin.call("GET", "/ram/access-key-history")["Users"] if h["UserName"] in names]
        v += check.check_key_history(history, people)
        former, tried = check.check_former_keys(info["endpoint"], people, watch)
        v += former
        v += check.check_live_key(info["endpoint"], watch, states)
        say(f"checked {len(people)} people; {tried} key(s) seen during the run tried; "
            f"{sum(len(h['Keys']) for h in history)} key(s) ever created, the most any user held at once "
            f"{max((int(h['Peak']) for h in history), default=0)}")
        tasks = admin.tasks(LIFECYCLE)
        applied: dict[str, str] = {}
        for task in tasks:
            try:
                items = json.loads(task.get("returnPayload") or "{}").get("results", [])
            except ValueError:
                items = []
            for item in items:
                if item.get("ok") and item.get("event_id"):
                    applied[str(item["event_id"])] = str(item["result"])
        sink = SlsAuditSink(target.settings())
        now = datetime.now(timezone.utc)
        rows = [dict(r.contents()) for r in sink.every_record(now - timedelta(hours=3), now + timedelta(minutes=5),
                                                               limit=10**7)]
        v += check.check_audit(rows, applied, people, states)
        uncertified = check.missing_certificates(rows, people)
        if uncertified:
            self.notes.append(f"{len(uncertified)} removal(s) without a leaver certificate (killed between DeleteUser "
                              f"and the read-back): {', '.join(uncertified[:8])}")
        robot = admin.call("GET", f"/robots/messages?kind=dingtalk&token={DEV_ROBOT_TOKEN}")
        self._texts |= {"HTTP responses": "\n".join(sender.answers), "SLS audit records": json.dumps(rows),
                        "FC task records": json.dumps(tasks), "robot messages": json.dumps(robot)}
        values = set(watch.values) | {info["access_key_secret"], DEV_ROBOT_SECRET}
        for source in demo_webhook_values().values():
            values |= {str(val) for key, val in source.items() if isinstance(val, str) and key not in PUBLIC_KEYS}
        for name in secrets:
            try:
                raw = str(c.kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name=name)).body.secret_data)
            except Exception:  # noqa: S112 - pending deletion: its value was collected during the run
                continue
            values.add(raw)
            if raw.startswith("{"):
                values |= {str(val) for key, val in json.loads(raw).items() if "Secret" in key}
        self._secret_values = values
        for problem in sender.refused:
            v.append(f"delivery refused: {problem}")
