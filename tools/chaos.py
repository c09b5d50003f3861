"""`make chaos`: the chaos campaign (README "Chaos campaign").

Hundreds of people go through joiner -> grant -> mover -> leaver, sent to rampart's functions
through `rampart dev` on localcloud, each event delivered 1-3 times, out of order, with random
delays, while localcloud injects throttling, 5xx, latency and apply-then-drop on every RAM,
IMS, ResourceManager, KMS, SLS and FC action and kills lifecycle instances between steps.
Then the cloud is read back and checked (tools/chaoskit/check.py). Progress goes to stderr;
violations, one a line, then the last line: one JSON object
{"people", "events", "deliveries", "faults": {kind: n}, "kills", "violations"}. Exit 1 on any
violation. Never prints a secret value.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "shared"), str(REPO)]

from tools.chaoskit.campaign import Campaign, Options, say  # noqa: E402 - after the path set-up above


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate in [0, 1)")
    return value


def _latency(text: str) -> tuple[int, int]:
    low, _, high = text.partition(",")
    pair = (int(low), int(high or low))
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError(f"{text}: give LOW,HIGH milliseconds")
    return pair


def parse(argv: list[str]) -> Options:
    p = argparse.ArgumentParser(prog="tools/chaos.py", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--people", type=int, default=300)
    p.add_argument("--kills", type=int, default=20, help="lifecycle instances to kill (0: none)")
    p.add_argument("--throttle", type=_rate, default=0.10)
    p.add_argument("--error", type=_rate, default=0.05, help="5xx rate")
    p.add_argument("--drop", type=_rate, default=0.02, help="apply-then-drop rate")
    p.add_argument("--latency-ms", type=_latency, default=(0, 20), metavar="LOW,HIGH")
    p.add_argument("--workers", type=int, default=8, help="concurrent senders")
    p.add_argument("--max-delay", type=float, default=1.0, help="random delay before each delivery, seconds")
    p.add_argument("--timeout", type=int, default=10, help="the lifecycle function's timeout, seconds")
    p.add_argument("--lease", type=int, default=12, help="the per-user lock's lease, seconds (> --timeout)")
    p.add_argument("--index-delay", type=float, default=2.0,
                   help="SLS's indexing delay in localcloud, seconds (real SLS: about 3; default 2)")
    p.add_argument("--fc-concurrency", type=int, default=16, metavar="N",
                   help="FC async invocations localcloud runs at once, 1-300 (default 16; real FC scales out)")
    p.add_argument("--progress-every", type=int, default=100)
    p.add_argument("--logs", type=Path, default=None, help="keep the servers' logs in this directory")
    p.add_argument("--plant", default="", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.people < 1 or a.kills < 0 or a.workers < 1 or a.lease <= a.timeout or not 0 <= a.index_delay <= 60:
        p.error("--people and --workers must be positive, --kills not negative, --lease above --timeout, "
                "--index-delay from 0 to 60")
    if not 1 <= a.fc_concurrency <= 300:
        p.error(f"--fc-concurrency must be from 1 to 300, not {a.fc_concurrency}")
    return Options(seed=a.seed, people=a.people, kills=a.kills, throttle=a.throttle, error=a.error, drop=a.drop,
                   latency_ms=a.latency_ms, workers=a.workers, max_delay=a.max_delay, timeout=a.timeout,
                   lease=a.lease, index_delay=a.index_delay, progress_every=a.progress_every, logs=a.logs,
                   fc_concurrency=a.fc_concurrency,
                   plant=a.plant)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(f"chaos: stopped by signal {signum}")


def main(argv: list[str]) -> int:
    options = parse(argv)
    started = time.monotonic()
    # SIGTERM (CI's timeout, kill) unwinds like Ctrl-C, so the campaign stops localcloud and rampart dev
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="rampart-chaos-") as tmp:
        campaign = Campaign(options, Path(tmp))
        summary = campaign.run()
    for note in campaign.notes:
        say(note)
    say(f"done in {time.monotonic() - started:.0f} s")
    for violation in campaign.violations:
        print(f"VIOLATION {violation}")
    print(json.dumps(summary, separators=(", ", ": ")), flush=True)
    return 1 if campaign.violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
