"""``python -m rampart_dev.bench.table`` (``make bench``): every benchmark of the repo in ONE table.

Why: the figures live in four benches that each print their own tables; one table, with the
machine and the command, is what the README can show as is. This module measures
nothing itself: it runs each bench in its own subprocess (each measures in a clean process,
with its own localcloud subprocess), reads its figures as data, and prints the table:

- cold start per function from the built code and layer, beside the same build without bytecode
  and an eager-import baseline (``rampart_dev.bench.cold --json``);
- peak RSS per function beside the eager baseline, against FC's smallest instance (same run);
- API calls per operation beside the minimum, the per-user lock shown in both
  (``rampart_dev.bench.calls --json --skip-import``);
- bulk import throughput beside the sequential baseline at a fixed localcloud latency, with the
  x-factor and the share of the rate limit R (``rampart_dev.bench.calls --json --skip-operations``);
- localcloud calls/s beside its canned-answer baseline (``rampart_dev.bench.emulator``; it has no JSON
  mode and localcloud is not rampart's to change, so its markdown table is parsed, strictly).

What this must never do: import localcloud (deployed code must not depend on it; this module
is not deployed: ``tools/build.py`` leaves ``bench*.py`` out), assert a time (STYLE.md §10), or
print a table from figures it could not read: a part that fails is named, with its error, and
the command exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rampart.errors import RampartError

REPO = Path(__file__).resolve().parents[3]
PARTS = ("cold", "operations", "import", "localcloud")
TITLES = {
    "cold": "cold start, ms",
    "rss": "peak RSS, MiB",
    "operations": "API calls per operation",
    "import": "bulk import",
    "localcloud": "localcloud calls/s",
}


class BenchError(RampartError):
    """A bench part could not be run or its figures could not be read."""


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    argv: tuple[str, ...]
    """After ``python``: ``-m module ...``."""

    @property
    def command(self) -> str:
        return "python " + " ".join(self.argv)


def parts(quick: bool, only: Sequence[str]) -> list[Part]:
    """The subprocesses to run; ``quick`` is a smaller run of each (a smoke test, not figures)."""
    cold = ("--runs", "1") if quick else ()
    people = ("--people", "200", "--baseline-people", "20") if quick else ()
    calls = ("--calls", "300") if quick else ()
    every = [
        Part("cold", ("-m", "rampart_dev.bench.cold", "--json", *cold)),
        Part("operations", ("-m", "rampart_dev.bench.calls", "--json", "--skip-import")),
        Part("import", ("-m", "rampart_dev.bench.calls", "--json", "--skip-operations", *people)),
        Part("localcloud", ("-m", "rampart_dev.bench.emulator", *calls)),
    ]
    return [p for p in every if p.name in only]


# --- reading the parts' output (pure) ----------------------------------------------------------


def last_json(stdout: str, part: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        data = json.loads(lines[-1]) if lines else None
    except ValueError as exc:
        raise BenchError(f"{part}: the last line is not JSON") from exc
    if not isinstance(data, dict):
        raise BenchError(f"{part}: printed no JSON object")
    return data


def _number(cell: str) -> float:
    return float(cell.strip().replace(",", ""))


def parse_localcloud(stdout: str) -> dict[str, Any]:
    """``rampart_dev.bench.emulator``'s table: ``| server | sequential calls/s | N threads calls/s |`` and
    one row starting ``baseline`` and one starting ``localcloud``."""
    lines = [line.strip() for line in stdout.splitlines()]
    found: dict[str, Any] = {}
    for line in lines:
        if line.startswith("RAM GetUser") and " calls;" in line:
            found["calls"] = int(line.split(" calls;")[0].rsplit(" ", 1)[1].replace(",", ""))
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 3:
            raise BenchError(f"localcloud: a row of its table has {len(cells)} cells, not 3: {line[:120]!r}")
        if cells[0] == "server":
            found["threads"] = int(cells[2].split()[0])
            continue
        key = cells[0].split(":")[0]
        if key not in ("baseline", "localcloud"):
            raise BenchError(f"localcloud: unexpected row {cells[0][:80]!r}")
        try:
            found[key] = {"label": cells[0], "sequential": _number(cells[1]), "threaded": _number(cells[2])}
        except ValueError as exc:
            raise BenchError(f"localcloud: not a number in {line[:120]!r}") from exc
    missing = [k for k in ("calls", "threads", "baseline", "localcloud") if k not in found]
    if missing:
        raise BenchError(f"localcloud: its output lacks {', '.join(missing)} (has rampart_dev.bench.emulator changed?)")
    return found


# --- the table (pure) ----------------------------------------------------------------------------


def _ms(stat: Mapping[str, float]) -> str:
    return f"{stat['median']:.0f} ({stat['min']:.0f}-{stat['max']:.0f})"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def _cold_rows(cold: Mapping[str, Any]) -> tuple[list[list[str]], list[list[str]]]:
    times, memory = [], []
    for row in cold["functions"]:
        lazy, eager = row["lazy"], row["eager"]
        saved = lazy["total_ms"]["median"] - eager["total_ms"]["median"]
        share = saved / eager["total_ms"]["median"] if eager["total_ms"]["median"] else 0.0
        note = f"import {lazy['import_ms']['median']:.0f} + first event {lazy['event_ms']['median']:.0f}"
        if "source" in row:  # the same build without bytecode: what FC pays for sources only
            note += f"; same build without bytecode {_ms(row['source']['total_ms'])}"
        times.append([row["function"], _ms(lazy["total_ms"]), _ms(eager["total_ms"]), f"{saved:+.0f} ms ({share:+.0%})",
                      note])
        less = lazy["rss_mib"]["median"] - eager["rss_mib"]["median"]
        memory.append([row["function"], f"{lazy['rss_mib']['median']:.1f}", f"{eager['rss_mib']['median']:.1f}",
                       f"{less:+.1f} MiB", f"{cold['instance_mib']} MB headroom {row['headroom_mib']['lazy']:.0f} MiB "
                       f"(eager {row['headroom_mib']['eager']:.0f})"])
    return times, memory


def _operation_rows(operations: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for op in operations:
        minimum = f"{op['minimum']} (lock {op['minimum_lock']})" if op["minimum_lock"] else f"{op['minimum']} (no lock)"
        rows.append([op["operation"], f"{op['calls']} (lock {op['lock_calls']})", minimum,
                     f"{op['calls'] - op['minimum']:+d}", f"+ {op['sls']} SLS audit (not counted)"])
    return rows


def _import_rows(imports: Mapping[str, Any], latency_ms: float) -> list[list[str]]:
    base, run = imports["baseline"], imports["run"]
    pps = _ratio(run["people_per_second"], base["people_per_second"])
    rate = run["rate"]
    share = f"{run['calls_per_second'] / rate:.0%} of R = {rate:g} calls/s" if rate else "no limit"

    def per_person(item: Mapping[str, Any]) -> str:
        return f"{item['api_calls'] / item['people']:.1f}" if item["people"] else "-"

    failed = {k: v for k, v in run["counts"].items() if k not in ("ok", "noop")}
    result = "all ok" if run["ok"] else f"NOT all ok: {failed}"
    return [
        ["people/s", f"{run['people_per_second']:.2f}", f"{base['people_per_second']:.2f}", pps,
         f"{run['people']:,} people in {run['seconds']:.1f} s, {run['concurrency']} workers, {result}; "
         f"baseline {base['people']:,} people, sequential; {latency_ms:g} ms per call"],
        ["calls/s", f"{run['calls_per_second']:.0f}", f"{base['calls_per_second']:.0f}",
         _ratio(run["calls_per_second"], base["calls_per_second"]), share],
        ["calls/person", per_person(run), per_person(base), "-",
         f"lock {run['lock_calls'] / run['people']:.0f} per person; SLS apart" if run["people"] else "-"],
    ]


def _localcloud_rows(local: Mapping[str, Any]) -> list[list[str]]:
    ours, base = local["localcloud"], local["baseline"]
    note = f"RAM GetUser through the official SDK, {local['calls']:,} calls; baseline: same transport, canned answer"
    return [
        ["sequential", f"{ours['sequential']:,.0f}", f"{base['sequential']:,.0f}",
         _ratio(ours["sequential"], base["sequential"]), note],
        [f"{local['threads']} threads", f"{ours['threaded']:,.0f}", f"{base['threaded']:,.0f}",
         _ratio(ours["threaded"], base["threaded"]), "signature check + RAM authorization + state"],
    ]


def table(figures: Mapping[str, Any]) -> list[str]:
    """The lines of the one table, from the parts' figures; a part that is missing or failed
    (``errors``) gets one row saying so."""
    errors: Mapping[str, str] = figures.get("errors", {})
    sections: list[tuple[str, list[list[str]] | str]] = []
    cold = figures.get("cold")
    if cold is not None:
        times, memory = _cold_rows(cold)
        sections += [(f"{TITLES['cold']} (built code and layer on FC's Python, median (min-max) of {cold['runs']}; "
                      "baseline: eager imports)", times),
                     (f"{TITLES['rss']} (median; baseline: eager imports)", memory)]
    elif "cold" in errors:
        sections.append((TITLES["cold"], errors["cold"]))
    if figures.get("operations") is not None:
        sections.append((f"{TITLES['operations']} (rampart vs minimum; lock: the per-user lock's calls)",
                         _operation_rows(figures["operations"])))
    elif "operations" in errors:
        sections.append((TITLES["operations"], errors["operations"]))
    imports = figures.get("imports")
    if imports is not None:
        sections.append((f"{TITLES['import']} (rampart vs sequential baseline)",
                         _import_rows(imports["imports"], imports["latency_ms"])))
    elif "import" in errors:
        sections.append((TITLES["import"], errors["import"]))
    if figures.get("localcloud") is not None:
        sections.append((f"{TITLES['localcloud']} (vs baseline server)", _localcloud_rows(figures["localcloud"])))
    elif "localcloud" in errors:
        sections.append((TITLES["localcloud"], errors["localcloud"]))
    lines = ["| section | row | rampart | baseline / minimum | vs baseline | notes |", "|---|---|---|---|---|---|"]
    for title, rows in sections:
        if isinstance(rows, str):
            lines.append(f"| **{title}** | FAILED | - | - | - | {_cell(rows)} |")
            continue
        for index, row in enumerate(rows):
            lines.append("| " + " | ".join([f"**{title}**" if index == 0 else "", *map(_cell, row)]) + " |")
    return lines


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def header(figures: Mapping[str, Any]) -> list[str]:
    host = figures["machine"]
    return [
        "# rampart benchmarks",
        "",
        f"Command: `{figures['command']}`",
        "",
        f"Machine: nproc {host['nproc']}, {host['arch']}, {host['cpu']}, Python {host['python']} ({host['system']})",
        "",
    ]


def render(figures: Mapping[str, Any]) -> str:
    parts_run = "; ".join(f"`{c}`" for c in figures.get("parts", {}).values())
    lines = [*header(figures), *table(figures)]
    if parts_run:
        lines += ["", f"Each part in its own process: {parts_run}."]
    return "\n".join(lines)


# --- running ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    try:
        nproc = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        nproc = os.cpu_count() or 0
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor", "cpu model") and value.strip():
                cpu = value.strip()
                break
    except OSError:
        pass
    return {"nproc": nproc, "arch": platform.machine(), "cpu": cpu or platform.processor() or "unknown CPU",
            "python": platform.python_version(), "system": platform.system()}


def run(part: Part, timeout: float) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "shared"), str(REPO), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run([sys.executable, *part.argv], capture_output=True, text=True, env=env, cwd=REPO,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{part.name}: no answer in {timeout:.0f} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no stderr"])[-1]
        raise BenchError(f"{part.name}: `{part.command}` exited {done.returncode}: {last[:300]}")
    if part.name == "localcloud":
        return parse_localcloud(done.stdout)
    return last_json(done.stdout, part.name)


def collect(selected: Sequence[Part], timeout: float) -> dict[str, Any]:
    figures: dict[str, Any] = {"parts": {}, "errors": {}}
    for part in selected:
        print(f"bench_all: {part.name}: {part.command}", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            data = run(part, timeout)
        except BenchError as exc:
            figures["errors"][part.name] = str(exc)
            print(f"bench_all: {part.name}: FAILED: {exc}", file=sys.stderr, flush=True)
            continue
        figures["parts"][part.name] = part.command
        key = "imports" if part.name == "import" else part.name
        figures[key] = data["operations"] if part.name == "operations" else data
        print(f"bench_all: {part.name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return figures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rampart_dev.bench.table", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smaller run of each part (1 cold run, 200 people, 300 calls): a smoke test")
    parser.add_argument("--only", action="append", choices=PARTS, help="only this part (repeatable; default: all)")
    parser.add_argument("--json", action="store_true", help="print the merged figures as one JSON object")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per part (default 900)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    words = argv if argv is not None else sys.argv[1:]
    selected = parts(args.quick, args.only or PARTS)
    figures = collect(selected, args.timeout)
    figures["command"] = " ".join(["python -m rampart_dev.bench.table", *words])
    figures["machine"] = machine()
    print(json.dumps(figures) if args.json else render(figures))
    for name, error in figures["errors"].items():
        print(f"rampart_dev.bench.table: {name} failed: {error}", file=sys.stderr)
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
