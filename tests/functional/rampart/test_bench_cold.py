"""``python -m rampart_dev.bench.cold`` end to end, one run of two functions on a localcloud
subprocess: the JSON's shape, positive figures, the children ran the built code (FC's Python,
the build's rampart, no bytecode written), and the modules each first event loaded (a receiver
loads only the SDKs it uses). Nothing here asserts a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rampart_dev.bench.cold import EAGER_MODULES, INSTANCE_MIB

FIGURES = ("import_ms", "event_ms", "total_ms", "rss_mib")
EVERY_SDK = {m.split(".")[0] for m in EAGER_MODULES if m.startswith(("alibabacloud_", "aliyun"))}


@pytest.fixture(scope="module")
def report(repo_root: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "rampart_dev.bench.cold", "--runs", "1", "--function", "lifecycle",
         "--function", "hr_webhook", "--json"],
        capture_output=True, text=True, cwd=repo_root, timeout=900,
        env={"PYTHONPATH": f"{repo_root / 'shared'}:{repo_root}", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, "--json prints exactly one JSON object"
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def test_the_report_has_one_row_per_function_in_the_bench_order(report: dict[str, Any]) -> None:
    assert report["runs"] == 1 and report["instance_mib"] == INSTANCE_MIB
    assert [row["function"] for row in report["functions"]] == ["hr_webhook", "lifecycle"]
    assert set(report["machine"]) == {"cpus", "machine", "python", "system"}
    assert report["eager_modules"] == list(EAGER_MODULES)
    assert report["command"].startswith("python -m rampart_dev.bench.cold")


def test_every_figure_is_a_positive_number_and_consistent(report: dict[str, Any]) -> None:
    for row in report["functions"]:
        assert row["runs"] == 1
        for mode in ("lazy", "source", "eager"):
            figures = row[mode]
            for name in FIGURES:
                stat = figures[name]
                assert isinstance(stat["median"], (int, float)) and stat["median"] > 0, (row["function"], mode, name)
                assert stat["min"] == stat["median"] == stat["max"]  # one run
            assert figures["total_ms"]["median"] >= max(figures["import_ms"]["median"], figures["event_ms"]["median"])
            assert row["headroom_mib"][mode] == pytest.approx(INSTANCE_MIB - figures["rss_mib"]["median"], abs=0.1)


def test_the_first_events_did_their_work(report: dict[str, Any]) -> None:
    rows = {row["function"]: row for row in report["functions"]}
    for mode in ("lazy", "source", "eager"):
        assert rows["hr_webhook"][mode]["outcome"] == "202 accepted"
        assert rows["lifecycle"][mode]["outcome"] == "1/1 applied"


def test_the_children_ran_the_built_code_on_the_runtimes_python(report: dict[str, Any], repo_root: Path) -> None:
    assert report["runtime"].endswith("python3.10")
    built = repo_root / "build" / "bench"
    for row in report["functions"]:
        for mode, tree in (("lazy", "bytecode"), ("source", "sources"), ("eager", "bytecode")):
            assert row[mode]["origin"] == str(built / tree / row["function"] / "rampart" / "__init__.py")
    assert list((built / "sources").rglob("__pycache__")) == []  # nothing compiled, nothing written


def test_the_hr_receiver_loads_only_kms_and_fc3_and_no_yaml(report: dict[str, Any]) -> None:
    hr = next(row for row in report["functions"] if row["function"] == "hr_webhook")
    assert hr["lazy"]["sdks"] == ["alibabacloud_fc20230330", "alibabacloud_kms20160120"]
    assert hr["unexpected_sdks"] == []
    assert "yaml" not in hr["lazy"]["modules"]
    assert set(hr["eager"]["sdks"]) == EVERY_SDK


def test_the_lifecycle_loads_what_a_joiner_needs_and_less_than_the_baseline(report: dict[str, Any]) -> None:
    lifecycle = next(row for row in report["functions"] if row["function"] == "lifecycle")
    loaded = set(lifecycle["lazy"]["sdks"])
    assert {"alibabacloud_ram20150501", "alibabacloud_kms20160120", "aliyun"} <= loaded
    assert loaded < set(lifecycle["eager"]["sdks"])
    assert "yaml" not in lifecycle["lazy"]["modules"]  # the catalog is the build's JSON
    assert lifecycle["unexpected_sdks"] == []  # only receivers are held to "load what you use"
