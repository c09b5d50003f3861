"""``python -m rampart_dev.bench.table`` (``make bench``): the one table built from each bench's
figures (canned figures made by the benches' own code, so their shapes are the real ones),
strict reading of ``rampart_dev.bench.emulator``'s table, and one quick real run of the cheap parts
(the calls per operation, a short rampart_dev.bench.emulator). Nothing here asserts a time."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rampart.operations import ImportReport, Outcome, PersonOutcome
from rampart_dev.bench import table as bench_all
from rampart_dev.bench.calls import ImportRun
from rampart_dev.bench.cold import INSTANCE_MIB, Sample, summary
from rampart_dev.bench.ops import LOCK_CALLS, OPERATIONS, OperationRow
from rampart_dev.bench.table import BenchError, last_json, parse_localcloud, parts, render, table

LOCALCLOUD_OUT = """RAM GetUser through alibabacloud_ram20150501, 2000 calls; Python 3.11.7, 2 CPUs (x86_64)
| server | sequential calls/s | 16 threads calls/s |
|---|---|---|
| baseline: same transport, canned answer | 1,727 | 1,577 |
| localcloud: signature + authz + state | 1,277 | 1,345 |
"""


def sample(total: float, rss: float) -> Sample:
    return Sample(import_ms=total / 5, event_ms=total * 4 / 5, total_ms=total, rss_mib=rss, modules=("yaml",),
                  outcome="202 accepted")


def cold_figures() -> dict[str, Any]:
    rows = [summary("hr_webhook", [sample(400, 74.0), sample(420, 74.5)], [sample(500, 82.0), sample(520, 82.0)],
                    [sample(900, 80.0), sample(920, 80.0)]),
            summary("sweeper", [sample(600, 78.0)] * 2, [sample(650, 83.0)] * 2)]
    return {"command": "python -m rampart_dev.bench.cold --json", "runs": 2, "instance_mib": INSTANCE_MIB,
            "functions": rows}


def operation_rows() -> list[dict[str, Any]]:
    joiner = OperationRow("joiner, console", Counter({"ram:CreateUser": 1, "ram:CreatePolicy": 1, "ram:DeletePolicy": 1,
                                                      "kms:CreateSecret": 1, "sls:PostLogStoreLogs": 2}),
                          lock_calls=2, minimum=1, lock_minimum=LOCK_CALLS, why="because")
    replay = OperationRow("no-op replay", Counter({"ram:GetUser": 3, "ram:CreatePolicy": 1, "ram:DeletePolicy": 1}),
                          lock_calls=2, minimum=3, lock_minimum=0, why="reads only")
    return [joiner.as_dict(), replay.as_dict()]


def import_run(label: str, people: int, seconds: float, calls: int, rate: float, concurrency: int) -> dict[str, Any]:
    outcomes = tuple(PersonOutcome(i + 2, f"E{i:05d}", f"e-{i}", Outcome.OK) for i in range(people))
    report = ImportReport(file="people.csv", source="csv", sha256="0" * 64, as_of=datetime(2026, 1, 1, tzinfo=timezone.utc),
                          rows=people, started=True, outcomes=outcomes, concurrency=concurrency, rate_per_second=rate,
                          seconds=seconds, api_calls=calls)
    return ImportRun(label, report, Counter({"ram:CreateUser": calls, "sls:PostLogStoreLogs": people}),
                     2 * people, 1.0, 2.0, (1.0,) * 10).as_dict()


def figures() -> dict[str, Any]:
    imports = {"baseline": import_run("baseline", 10, 2.5, 100, float("inf"), 1),
               "run": import_run("import", 100, 2.5, 1000, 400.0, 32)}
    return {"command": "python -m rampart_dev.bench.table", "errors": {},
            "machine": {"nproc": 2, "arch": "x86_64", "cpu": "AMD EPYC", "python": "3.11.7", "system": "Linux"},
            "parts": {"cold": "python -m rampart_dev.bench.cold --json"},
            "cold": cold_figures(), "operations": operation_rows(),
            "imports": {"latency_ms": 20.0, "imports": imports}, "localcloud": parse_localcloud(LOCALCLOUD_OUT)}


def rows_of(lines: list[str]) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines[2:]]


# --- the table ------------------------------------------------------------------------------------


def test_one_table_with_every_section_in_order_and_six_cells_a_row() -> None:
    lines = table(figures())
    assert lines[0].startswith("| section | row | rampart | baseline / minimum |")
    rows = rows_of(lines)
    assert all(len(row) == 6 for row in rows)
    titles = [row[0] for row in rows if row[0]]
    assert [t.split(" (")[0].strip("*") for t in titles] == list(bench_all.TITLES.values())
    assert len(rows) == 2 + 2 + 2 + 3 + 2  # functions x (time, RSS), operations, import rows, localcloud rows


def test_cold_start_and_rss_rows_put_lazy_beside_the_eager_baseline() -> None:
    rows = rows_of(table(figures()))
    hr_time, sweeper_time, hr_rss = rows[0], rows[1], rows[2]
    assert hr_time[1:4] == ["hr_webhook", "410 (400-420)", "510 (500-520)"]
    assert hr_time[4] == "-100 ms (-20%)"
    assert sweeper_time[1:5] == ["sweeper", "600 (600-600)", "650 (650-650)", "-50 ms (-8%)"]
    assert hr_rss[1:5] == ["hr_webhook", "74.2", "82.0", "-7.8 MiB"]
    assert f"{INSTANCE_MIB} MB headroom 54 MiB (eager 46)" in hr_rss[5]


def test_cold_start_rows_show_the_same_build_without_bytecode_when_measured() -> None:
    rows = rows_of(table(figures()))
    hr_time, sweeper_time = rows[0], rows[1]
    assert "same build without bytecode 910 (900-920)" in hr_time[5]
    assert "without bytecode" not in sweeper_time[5]  # not measured: no cell made up
    assert "built code and layer on FC's Python" in hr_time[0]


def test_operation_rows_show_the_lock_in_rampart_s_count_and_in_the_minimum() -> None:
    rows = rows_of(table(figures()))
    joiner, replay = rows[4], rows[5]
    assert joiner[1:5] == ["joiner, console", "4 (lock 2)", "3 (lock 2)", "+1"]
    assert "2 SLS audit" in joiner[5]  # SLS is apart: not in either count
    assert replay[1:5] == ["no-op replay", "5 (lock 2)", "3 (no lock)", "+2"]


def test_import_rows_give_the_x_factor_and_the_share_of_the_limit() -> None:
    rows = rows_of(table(figures()))
    people, calls, per_person = rows[6], rows[7], rows[8]
    assert people[1:5] == ["people/s", "40.00", "4.00", "10.00x"]
    assert "100 people in 2.5 s, 32 workers, all ok" in people[5] and "20 ms per call" in people[5]
    assert calls[1:5] == ["calls/s", "400", "40", "10.00x"] and calls[5] == "100% of R = 400 calls/s"
    assert per_person[1:4] == ["calls/person", "10.0", "10.0"] and per_person[5].startswith("lock 2 per person")


def test_an_import_with_failures_says_so() -> None:
    data = figures()
    data["imports"]["imports"]["run"]["ok"] = False
    data["imports"]["imports"]["run"]["counts"] = {"ok": 90, "failed": 10}
    assert "NOT all ok: {'failed': 10}" in rows_of(table(data))[6][5]


def test_localcloud_rows_compare_with_the_canned_server() -> None:
    rows = rows_of(table(figures()))
    assert rows[9][1:5] == ["sequential", "1,277", "1,727", "0.74x"]
    assert rows[10][1:5] == ["16 threads", "1,345", "1,577", "0.85x"]


def test_a_failed_part_is_a_row_saying_so_and_the_others_still_print() -> None:
    data = figures()
    del data["localcloud"], data["cold"]
    data["errors"] = {"localcloud": "localcloud: exited 1: boom | bang", "cold": "cold: no answer"}
    rows = rows_of(table(data))
    failed = [row for row in rows if row[1] == "FAILED"]
    assert [row[5] for row in failed] == ["cold: no answer", "localcloud: exited 1: boom / bang"]
    assert any(row[1] == "joiner, console" for row in rows)


def test_the_header_names_the_machine_and_the_command() -> None:
    text = render(figures())
    assert "Command: `python -m rampart_dev.bench.table`" in text
    assert "Machine: nproc 2, x86_64, AMD EPYC, Python 3.11.7 (Linux)" in text
    assert "Each part in its own process: `python -m rampart_dev.bench.cold --json`." in text


def test_every_operation_of_the_bench_has_a_minimum_and_writes_include_the_lock() -> None:
    for name, (minimum, locked, why) in OPERATIONS.items():
        assert minimum > 0 and why, name
        assert locked is ("no-op" not in name), name  # only the replay writes nothing


# --- reading the parts -----------------------------------------------------------------------------


def test_localcloud_s_table_is_read() -> None:
    found = parse_localcloud(LOCALCLOUD_OUT)
    assert (found["calls"], found["threads"]) == (2000, 16)
    assert found["baseline"]["sequential"] == 1727.0 and found["localcloud"]["threaded"] == 1345.0


@pytest.mark.parametrize("text", [
    "",
    LOCALCLOUD_OUT.replace("| localcloud: signature + authz + state | 1,277 | 1,345 |\n", ""),
    LOCALCLOUD_OUT.replace("1,277", "fast"),
    LOCALCLOUD_OUT.replace("| 1,277 | 1,345 |", "| 1,277 | 1,345 | 9 |"),
    LOCALCLOUD_OUT.replace("baseline: same", "other: same"),
    LOCALCLOUD_OUT.replace(", 2000 calls;", ";"),
])
def test_a_localcloud_table_that_is_not_the_expected_one_is_an_error(text: str) -> None:
    with pytest.raises(BenchError):
        parse_localcloud(text)


@pytest.mark.parametrize("text", ["", "progress\n", "[1]", "{broken"])
def test_a_part_without_a_json_object_on_its_last_line_is_an_error(text: str) -> None:
    with pytest.raises(BenchError):
        last_json(text, "cold")


def test_quick_and_only_choose_the_subprocesses() -> None:
    full = {p.name: p.command for p in parts(False, bench_all.PARTS)}
    assert full["cold"] == "python -m rampart_dev.bench.cold --json"
    assert full["localcloud"] == "python -m rampart_dev.bench.emulator"
    quick = {p.name: p.command for p in parts(True, ["import", "cold"])}
    assert list(quick) == ["cold", "import"]
    assert quick["import"].endswith("--people 200 --baseline-people 20")


def test_the_machine_is_described() -> None:
    host = bench_all.machine()
    assert host["nproc"] >= 1 and host["arch"] and host["cpu"] and host["python"].count(".") == 2


# --- one real, quick run ---------------------------------------------------------------------------


def test_a_quick_real_run_of_the_cheap_parts(repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rampart_dev.bench.table", "--quick", "--only", "operations", "--only", "localcloud", "--json"],
        capture_output=True, text=True, cwd=repo_root, timeout=120,
        env={"PYTHONPATH": f"{repo_root / 'shared'}:{repo_root}", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["errors"] == {} and set(data["parts"]) == {"operations", "localcloud"}
    ops = data["operations"]
    assert [op["operation"] for op in ops] == list(OPERATIONS)  # every event succeeded (no "(result ...)")
    for op in ops:
        assert op["lock_calls"] == LOCK_CALLS, op["operation"]  # one lock taken and given back per event
        assert op["calls"] >= op["minimum"], f"{op['operation']}: the minimum is not a minimum"
        assert op["by_action"]["ram:CreatePolicy"] >= 1 and op["by_action"]["ram:DeletePolicy"] >= 1
    assert data["localcloud"]["calls"] == 300
    lines = table(data)
    assert len(rows_of(lines)) == len(OPERATIONS) + 2
