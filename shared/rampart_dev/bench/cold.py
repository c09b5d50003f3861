"""``python -m rampart_dev.bench.cold``: cold start and peak RSS of each Function Compute function
as FC runs it, from the built artefacts, beside the same build without bytecode and beside a
naive baseline that imports every SDK eagerly, measured in the same run.

The bench first runs ``tools/build.py`` (the layer is reused while deploy/layer.txt is the same:
``--reuse-layer``) into ``<build-dir>/bytecode``, and copies it to ``<build-dir>/sources`` without
any ``__pycache__``. For each function, ``--runs`` fresh processes per mode
(``rampart_dev.bench.cold_child``), each FC's Python (the runtime's interpreter the build
compiled with) with only the function's code directory and the layer on its path (``-S``: no
site-packages; ``-B``: it writes no bytecode, as on FC's read-only code directory), the built
``catalog.json`` as ``RAMPART_CATALOG``: import ``index.py`` as FC does, then handle one
representative first event against a localcloud subprocess (``rampart_dev.bench.cold_stack``).
The child times the import and the event itself and reads its own peak RSS (``VmHWM``);
interpreter start-up is not counted (FC's runtime is up before it loads the handler). Modes:
``lazy`` (the build as shipped, with bytecode), ``source`` (the same files without bytecode:
what FC pays when a package ships sources only) and ``eager`` (the build with bytecode, importing
:data:`EAGER_MODULES`, every SDK and third-party package rampart uses, before the function:
what a handler with all its imports at the top of the module pays). The modes rotate run by
run, so drift on the machine hits all alike; the functions go one after the other, so every
sweeper run finds the same users (the ``3 x --runs`` joiners of the lifecycle runs).

The table gives medians (min-max); the headroom is what is left of FC's smallest instance,
128 MB, taken as 128 MiB, after the peak RSS of the Python process alone (FC's own runtime
agent is not counted: the real headroom is smaller). The modules table lists the SDK
top-level modules each function loaded by the end of its first event; a receiver may load
only what it uses (KMS for its signing secret, FC 3.0 for the hand-off).

Figures only, nothing asserted about time (STYLE.md §10); a first event that fails makes the
bench stop with the function's name (figures of a failed event mean nothing). ``--json``
prints one JSON object instead, for ``make bench``'s combined table. No output, and no
child's output, ever holds a secret: each child's is checked against the deployment's.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from rampart import config
from rampart.clock import utcnow
from rampart.errors import RampartError

from rampart_dev.bench import cold_child as bench_cold_child
from rampart_dev.bench import cold_stack as bench_cold_stack
from rampart_dev.bench.calls import localcloud
from rampart_dev.bench.cold_stack import FIRST_EVENTS, BenchStack, FunctionsAdmin

REPO = Path(__file__).resolve().parents[3]
FUNCTIONS = tuple(FIRST_EVENTS)
DEFAULT_RUNS = 5
INSTANCE_MIB = 128
"""Function Compute's smallest memory size (128 MB, taken as MiB)."""
EAGER_MODULES = (
    "alibabacloud_ram20150501.client",
    "alibabacloud_ims20190815.client",
    "alibabacloud_kms20160120.client",
    "alibabacloud_resourcemanager20200331.client",
    "alibabacloud_sts20150401.client",
    "alibabacloud_fc20230330.client",
    "alibabacloud_fc_open20210406.client",
    "aliyun.log",
    "cryptography.hazmat.primitives.ciphers",
    "marshmallow",
)
"""Every SDK and third-party package rampart imports (the naive handler's module header)."""
RECEIVER_SDKS = frozenset({"alibabacloud_kms20160120", "alibabacloud_fc20230330"})
"""What a receiver uses on its first event: KMS (its signing secret), FC 3.0 (the hand-off)."""
SDK_MODULE = re.compile(r"^alibabacloud_[a-z_]+?\d{8}$")
"""A service SDK's top-level package (``alibabacloud_kms20160120``); ``aliyun`` is SLS."""
HEAVY = ("cryptography", "yaml", "aiohttp", "requests")
EVENTS = {"hr_webhook": "generic HR joiner (FC HTTP, signed) -> FC 3.0 async hand-off",
          "ticket_webhook": "generic ticket grant (FC HTTP, signed) -> FC 3.0 async hand-off",
          "lifecycle": "CloudEvent joiner, a new person (console, arms-full)",
          "sweeper": "timer (sweep every rampart user, drift report to SLS)"}


class BenchError(RampartError):
    """The bench could not measure (a child failed, or its output is unreadable)."""


class Mode(Enum):
    LAZY = "lazy"
    SOURCE = "source"
    EAGER = "eager"


@dataclass(frozen=True, slots=True)
class Builds:
    """The built artefacts the children run: with bytecode, the same without, and FC's Python."""

    bytecode: Path
    sources: Path
    python: str

    def root(self, mode: Mode) -> Path:
        return self.sources if mode is Mode.SOURCE else self.bytecode


# --- one child, and the figures over runs (pure) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    import_ms: float
    event_ms: float
    total_ms: float
    rss_mib: float
    modules: tuple[str, ...]
    outcome: str
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Stat:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        if not values:
            raise ValueError("no values")
        return cls(statistics.median(values), min(values), max(values))

    def as_dict(self) -> dict[str, float]:
        return {"median": round(self.median, 1), "min": round(self.low, 1), "max": round(self.high, 1)}

    def cell(self) -> str:
        return f"{self.median:.0f} ({self.low:.0f}-{self.high:.0f})"


def parse_child_output(stdout: str) -> dict[str, Any]:
    """The child's last stdout line, checked: the four figures positive numbers, modules strings."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise BenchError("the child printed nothing", hint="run it by hand to see its stderr")
    try:
        data = json.loads(lines[-1])
    except ValueError as exc:
        raise BenchError("the child's last line is not JSON") from exc
    if not isinstance(data, dict):
        raise BenchError("the child's last line is not a JSON object")
    for key in ("import_ms", "event_ms", "total_ms", "rss_mib"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise BenchError(f"the child's {key} is not a positive number: {str(value)[:40]!r}")
    modules = data.get("modules")
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise BenchError("the child's modules are not a list of names")
    return data


def outcome(function: str, data: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether the first event did its work, and a few words saying what it did."""
    error = data.get("error")
    if error:
        return False, f"{error.get('type', 'error')}: {error.get('message', '')}"
    answer: Any = data.get("answer")
    try:
        if function.endswith("_webhook"):
            status, body = int(answer["statusCode"]), json.loads(answer["body"])
            return status == 202, f"{status} {body.get('status') or body.get('error', '')}".strip()
        report = json.loads(answer)
        if function == "lifecycle":
            return report["failed"] == 0 and report["ok"] > 0, f"{report['ok']}/{report['items']} applied"
        return not report["failed"], f"{report['users']} users swept, drift report {report['drift']['audit']}"
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        return False, f"unreadable answer ({type(exc).__name__})"


def sample_of(function: str, data: Mapping[str, Any]) -> Sample:
    ok, said = outcome(function, data)
    if not ok:
        raise BenchError(f"{function}: the first event failed: {said[:300]}")
    return Sample(float(data["import_ms"]), float(data["event_ms"]), float(data["total_ms"]), float(data["rss_mib"]),
                  tuple(data["modules"]), said, str(data.get("origin") or ""))


def sdks(modules: Sequence[str]) -> list[str]:
    return sorted(m for m in modules if SDK_MODULE.match(m) or m == "aliyun")


def summary(function: str, lazy: Sequence[Sample], eager: Sequence[Sample],
            source: Sequence[Sample] = ()) -> dict[str, Any]:
    """One function's row: each mode's figures over its runs, the modules its first event loaded."""

    def mode(samples: Sequence[Sample]) -> dict[str, Any]:
        modules = sorted({m for s in samples for m in s.modules})
        return {
            "import_ms": Stat.of([s.import_ms for s in samples]).as_dict(),
            "event_ms": Stat.of([s.event_ms for s in samples]).as_dict(),
            "total_ms": Stat.of([s.total_ms for s in samples]).as_dict(),
            "rss_mib": Stat.of([s.rss_mib for s in samples]).as_dict(),
            "sdks": sdks(modules),
            "heavy": [m for m in HEAVY if m in modules],
            "modules": modules,
            "outcome": samples[-1].outcome,
            "origin": samples[-1].origin,
        }

    row: dict[str, Any] = {"function": function, "event": EVENTS.get(function, ""), "runs": len(lazy),
                           "lazy": mode(lazy), "eager": mode(eager)}
    if source:
        row["source"] = mode(source)
    row["headroom_mib"] = {m: round(INSTANCE_MIB - row[m]["rss_mib"]["median"], 1)
                           for m in ("lazy", "source", "eager") if m in row}
    unused = [m for m in row["lazy"]["sdks"] if m not in RECEIVER_SDKS] if function.endswith("_webhook") else []
    row["unexpected_sdks"] = unused
    return row


# --- the children ------------------------------------------------------------------------------


def build(build_dir: Path, python_version: str) -> Builds:
    """``tools/build.py`` into ``build_dir/bytecode`` (layer reused when unchanged), copied to
    ``build_dir/sources`` without bytecode; :class:`BenchError` if the build fails."""
    compiled, sources = build_dir / "bytecode", build_dir / "sources"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "build.py"), "--out", str(compiled), "--reuse-layer",
                           "--python-version", python_version], capture_output=True, text=True, cwd=REPO, timeout=1800)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchError(f"tools/build.py exited {done.returncode}: {last[:300]}")
    found = re.search(rf"^build: Python {re.escape(python_version)}: (.+)$", done.stdout, re.M)
    if found is None:
        raise BenchError("tools/build.py did not name the runtime's Python")
    if sources.exists():
        shutil.rmtree(sources)
    shutil.copytree(compiled, sources, ignore=shutil.ignore_patterns("__pycache__", ".wheels"))
    return Builds(compiled, sources, found.group(1).strip())


def run_child(function: str, mode: Mode, event: bytes, stack: BenchStack, tag: str, builds: Builds) -> dict[str, Any]:
    """One cold start in FC's Python with only the function's code directory and the layer on its path."""
    root = builds.root(mode)
    code = root / function
    job = {"index": str(code / "index.py"), "eager": list(EAGER_MODULES) if mode is Mode.EAGER else [],
           "event": base64.b64encode(event).decode("ascii"), "request_id": f"1-bench-{function}-{tag}"}
    env = {**stack.env, "PYTHONPATH": f"{code}{os.pathsep}{root / 'layer' / 'python'}", "PYTHONIOENCODING": "utf-8",
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", config.ENV_CATALOG: str(code / "catalog.json")}
    done = subprocess.run([builds.python, "-S", "-B", "-c", Path(bench_cold_child.__file__).read_text("utf-8")],
                          input=json.dumps(job), capture_output=True, text=True, env=env, cwd=code, timeout=300)
    for value in stack.secret_values:
        if value in done.stdout or value in done.stderr:
            raise BenchError(f"{function} ({mode.value}) printed a secret of the deployment; its output is withheld")
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no stderr"]
        raise BenchError(f"{function} ({mode.value}) exited {done.returncode}: {last[0][:300]}")
    return parse_child_output(done.stdout)


def measure(stack: BenchStack, functions: Sequence[str], runs: int, builds: Builds) -> list[dict[str, Any]]:
    samples: dict[tuple[str, Mode], list[Sample]] = {(f, m): [] for f in functions for m in Mode}
    modes = list(Mode)
    for function in functions:  # function by function: the sweeper finds every joiner the lifecycle made
        for run in range(runs):
            for mode in modes[run % len(modes):] + modes[:run % len(modes)]:
                tag = f"{mode.value}-{run + 1}"
                event = FIRST_EVENTS[function](stack, utcnow(), tag)
                data = run_child(function, mode, event, stack, tag, builds)
                samples[function, mode].append(sample_of(function, data))
    return [summary(f, samples[f, Mode.LAZY], samples[f, Mode.EAGER], samples[f, Mode.SOURCE]) for f in functions]


# --- printing ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
            "system": platform.system()}


def _short(module: str) -> str:
    return "aliyun (SLS)" if module == "aliyun" else module.removeprefix("alibabacloud_")


def print_tables(rows: Sequence[Mapping[str, Any]], runs: int) -> None:
    print(f"\n## Cold start and peak RSS per function ({runs} fresh processes per mode; median (min-max))\n")
    print("| function | built, bytecode: import ms | first event ms | total ms | peak RSS MiB | same build, sources "
          f"only: total ms | eager baseline: total ms | eager RSS MiB | {INSTANCE_MIB} MB headroom MiB (built / eager) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        lazy, eager = row["lazy"], row["eager"]
        cells = [_cell(lazy[k]) for k in ("import_ms", "event_ms", "total_ms")]
        source = _cell(row["source"]["total_ms"]) if "source" in row else "-"
        print(f"| {row['function']} | {' | '.join(cells)} | {lazy['rss_mib']['median']:.1f} | "
              f"{source} | {_cell(eager['total_ms'])} | {eager['rss_mib']['median']:.1f} | "
              f"{row['headroom_mib']['lazy']:.0f} / {row['headroom_mib']['eager']:.0f} |")
    print("\n## What each function loaded by the end of its first event (built, bytecode)\n")
    print("| function | first event | answer | SDKs loaded | other heavy packages |")
    print("|---|---|---|---|---|")
    for row in rows:
        lazy = row["lazy"]
        loaded = ", ".join(_short(m) for m in lazy["sdks"]) or "none"
        print(f"| {row['function']} | {row['event']} | {lazy['outcome']} | {loaded} | {', '.join(lazy['heavy']) or 'none'} |")
    print()
    for row in rows:
        saved = row["eager"]["total_ms"]["median"] - row["lazy"]["total_ms"]["median"]
        share = saved / row["eager"]["total_ms"]["median"] if row["eager"]["total_ms"]["median"] else 0.0
        warm, cold = row["eager"]["event_ms"]["median"], row["lazy"]["event_ms"]["median"]
        print(f"- {row['function']}: lazy imports save {saved:.0f} ms ({share:.0%}) of the eager baseline's cold "
              f"start and {row['eager']['rss_mib']['median'] - row['lazy']['rss_mib']['median']:.1f} MiB of RSS; "
              f"with everything imported (the eager run) the first event takes {warm:.0f} ms, so about "
              f"{cold - warm:.0f} ms of the lazy first event is importing the SDKs it uses")
        if "source" in row:
            print(f"  - bytecode saves {row['source']['total_ms']['median'] - row['lazy']['total_ms']['median']:.0f} ms "
                  "against the same build shipping sources only")
        if row["unexpected_sdks"]:
            print(f"  - loads SDKs a receiver does not use: {', '.join(row['unexpected_sdks'])}")


def _cell(data: Mapping[str, float]) -> str:
    return Stat(data["median"], data["min"], data["max"]).cell()


# --- main ----------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rampart_dev.bench.cold", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"fresh processes per function and mode (default {DEFAULT_RUNS})")
    parser.add_argument("--function", action="append", choices=FUNCTIONS, dest="functions",
                        help="only this function (repeatable; default: all four)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build" / "bench",
                        help="where the bench builds (default build/bench; the layer is reused while unchanged)")
    parser.add_argument("--python-version", default="3.10", help="the FC runtime's Python (default 3.10)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be 1..50")
    functions = [f for f in FUNCTIONS if f in (args.functions or FUNCTIONS)]
    command = "python -m rampart_dev.bench.cold " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        builds = build(args.build_dir.resolve(), args.python_version)
        with localcloud(0.0) as info:
            admin = FunctionsAdmin(info["endpoint"])
            stack = bench_cold_stack.deploy(info, admin)
            try:
                rows = measure(stack, functions, args.runs, builds)
            finally:
                bench_cold_stack.teardown(admin)
    except RampartError as exc:  # BenchError, or a setup step localcloud refused
        print(f"rampart_dev.bench.cold: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps({"command": command.strip(), "machine": machine(), "runtime": builds.python, "runs": args.runs,
                          "instance_mib": INSTANCE_MIB, "eager_modules": list(EAGER_MODULES), "functions": rows}))
        return 0
    host = machine()
    print(f"# rampart cold start\n\n`{command.strip()}`\n")
    print(f"Machine: {host['cpus']} CPUs ({host['machine']}), {host['system']}; functions on {builds.python} "
          f"from {args.build_dir}; localcloud in a subprocess, no added latency.")
    print_tables(rows, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
