"""The cold-start bench's pure parts: reading a child's output, judging a first event's answer,
the figures over runs, the tables; and the child program itself on a tiny handler (no cloud)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rampart_dev.bench import cold_child as bench_cold_child
from rampart_dev.bench.cold import (
    INSTANCE_MIB,
    BenchError,
    Sample,
    Stat,
    outcome,
    parse_child_output,
    print_tables,
    sample_of,
    sdks,
    summary,
)

GOOD = {"import_ms": 80.5, "event_ms": 300.0, "total_ms": 380.5, "rss_mib": 70.2, "modules": ["yaml"],
        "answer": None, "error": None}


def http_answer(code: int, **body: Any) -> dict[str, Any]:
    return {"statusCode": code, "headers": {}, "isBase64Encoded": False, "body": json.dumps(body)}


# --- Stat ----------------------------------------------------------------------------------------


def test_stat_is_the_median_and_the_range() -> None:
    stat = Stat.of([5.0, 1.0, 3.0, 100.0])
    assert (stat.median, stat.low, stat.high) == (4.0, 1.0, 100.0)
    assert stat.cell() == "4 (1-100)"
    assert stat.as_dict() == {"median": 4.0, "min": 1.0, "max": 100.0}


def test_stat_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        Stat.of([])


# --- the child's output --------------------------------------------------------------------------


def test_the_last_line_is_the_result_whatever_comes_before() -> None:
    text = "a handler printed this\n{not json\n\n" + json.dumps(GOOD) + "\n"
    assert parse_child_output(text)["total_ms"] == 380.5


@pytest.mark.parametrize("text", ["", "\n  \n", "not json", "[1, 2]"])
def test_an_output_without_a_result_object_is_an_error(text: str) -> None:
    with pytest.raises(BenchError):
        parse_child_output(text)


@pytest.mark.parametrize("key", ["import_ms", "event_ms", "total_ms", "rss_mib"])
@pytest.mark.parametrize("bad", [0, -1.5, None, "12", True, [1]])
def test_a_figure_that_is_not_a_positive_number_is_an_error(key: str, bad: Any) -> None:
    with pytest.raises(BenchError, match=key):
        parse_child_output(json.dumps({**GOOD, key: bad}))


def test_a_missing_figure_is_an_error() -> None:
    data = dict(GOOD)
    del data["rss_mib"]
    with pytest.raises(BenchError, match="rss_mib"):
        parse_child_output(json.dumps(data))


@pytest.mark.parametrize("modules", [None, "yaml", [1], {"yaml": 1}])
def test_modules_must_be_a_list_of_names(modules: Any) -> None:
    with pytest.raises(BenchError, match="modules"):
        parse_child_output(json.dumps({**GOOD, "modules": modules}))


# --- the first event's answer --------------------------------------------------------------------


def test_a_receiver_did_its_work_only_when_it_answered_202() -> None:
    assert outcome("hr_webhook", {"answer": http_answer(202, status="accepted")}) == (True, "202 accepted")
    assert outcome("ticket_webhook", {"answer": http_answer(200, status="duplicate")}) == (False, "200 duplicate")
    assert outcome("hr_webhook", {"answer": http_answer(401, error="bad signature")}) == (False, "401 bad signature")


def test_the_lifecycle_did_its_work_when_every_item_applied() -> None:
    good = json.dumps({"items": 1, "ok": 1, "failed": 0, "results": []})
    partial = json.dumps({"items": 2, "ok": 1, "failed": 1, "results": []})
    assert outcome("lifecycle", {"answer": good}) == (True, "1/1 applied")
    assert outcome("lifecycle", {"answer": partial})[0] is False


def test_the_sweeper_did_its_work_when_no_user_failed() -> None:
    summary_ = {"users": 3, "failed": [], "drift": {"audit": "written"}}
    assert outcome("sweeper", {"answer": json.dumps(summary_)}) == (True, "3 users swept, drift report written")
    failed = {**summary_, "failed": [{"user": "x", "error": "CloudError"}]}
    assert outcome("sweeper", {"answer": json.dumps(failed)})[0] is False


@pytest.mark.parametrize("answer", [None, "not json", {"statusCode": "x"}, 42, "{}"])
def test_an_unreadable_answer_is_a_failure(answer: Any) -> None:
    for function in ("hr_webhook", "lifecycle", "sweeper"):
        ok, said = outcome(function, {"answer": answer})
        assert not ok and said.startswith("unreadable answer"), (function, answer, said)


def test_a_raised_error_is_a_failure_with_its_type() -> None:
    assert outcome("lifecycle", {"error": {"type": "BatchFailed", "message": "all 1 item(s) failed"}}) == (
        False, "BatchFailed: all 1 item(s) failed")


def test_a_failed_first_event_stops_the_bench_naming_the_function() -> None:
    with pytest.raises(BenchError, match=r"^sweeper: the first event failed: ConfigError: no credentials"):
        sample_of("sweeper", {**GOOD, "error": {"type": "ConfigError", "message": "no credentials"}})


# --- aggregation and the tables ------------------------------------------------------------------


def test_only_service_sdks_count_as_sdks() -> None:
    loaded = ["Tea", "aiohttp", "alibabacloud_credentials", "alibabacloud_kms20160120", "alibabacloud_tea_openapi",
              "alibabacloud_fc_open20210406", "aliyun", "cryptography", "darabonba", "yaml"]
    assert sdks(loaded) == ["alibabacloud_fc_open20210406", "alibabacloud_kms20160120", "aliyun"]


def sample(total: float, rss: float, *modules: str, said: str = "202 accepted") -> Sample:
    return Sample(total / 4, total * 3 / 4, total, rss, modules, said)


def test_a_row_holds_each_modes_figures_and_the_headroom() -> None:
    lazy = [sample(400, 70, "alibabacloud_kms20160120"), sample(500, 72, "alibabacloud_kms20160120"),
            sample(450, 71, "alibabacloud_kms20160120", "yaml")]
    eager = [sample(600, 82, "alibabacloud_ram20150501", "alibabacloud_kms20160120", "yaml")]
    row = summary("hr_webhook", lazy, eager)
    assert row["runs"] == 3
    assert row["lazy"]["total_ms"] == {"median": 450, "min": 400, "max": 500}
    assert row["lazy"]["rss_mib"]["median"] == 71
    assert row["headroom_mib"] == {"lazy": INSTANCE_MIB - 71, "eager": INSTANCE_MIB - 82}
    assert row["lazy"]["sdks"] == ["alibabacloud_kms20160120"]
    assert row["lazy"]["heavy"] == ["yaml"]  # the union over runs
    assert row["unexpected_sdks"] == []


def test_a_receiver_that_loads_an_sdk_it_does_not_use_is_flagged() -> None:
    loaded = ("alibabacloud_kms20160120", "alibabacloud_fc20230330", "alibabacloud_ram20150501", "aliyun")
    row = summary("ticket_webhook", [sample(400, 70, *loaded)], [sample(600, 82, *loaded)])
    assert row["unexpected_sdks"] == ["alibabacloud_ram20150501", "aliyun"]
    assert summary("lifecycle", [sample(400, 70, *loaded)], [sample(600, 82, *loaded)])["unexpected_sdks"] == []


def test_the_tables_print_one_line_per_function(capsys: pytest.CaptureFixture[str]) -> None:
    eager = [Sample(550, 50, 600, 82, ("alibabacloud_kms20160120",), "202 accepted")]
    rows = [summary("hr_webhook", [sample(400, 70, "alibabacloud_kms20160120")], eager),
            summary("ticket_webhook", [sample(400, 70, "alibabacloud_ram20150501")], eager)]
    print_tables(rows, 1)
    out = capsys.readouterr().out
    assert "| hr_webhook | 100 (100-100) | 300 (300-300) | 400 (400-400) | 70.0 | - | 600 (600-600) | 82.0 | 58 / 46 |" in out
    assert "| hr_webhook | " in out and "| kms20160120 | none |" in out
    assert ("- hr_webhook: lazy imports save 200 ms (33%) of the eager baseline's cold start and 12.0 MiB of RSS; "
            "with everything imported (the eager run) the first event takes 50 ms, so about 250 ms of the lazy first "
            "event is importing the SDKs it uses") in out
    assert "loads SDKs a receiver does not use: alibabacloud_ram20150501" in out
    assert "bytecode saves" not in out  # no sources-only run: nothing made up


def test_the_tables_show_the_same_build_without_bytecode(capsys: pytest.CaptureFixture[str]) -> None:
    eager = [Sample(550, 50, 600, 82, ("alibabacloud_kms20160120",), "202 accepted")]
    source = [Sample(300, 700, 1000, 75, ("alibabacloud_kms20160120",), "202 accepted")]
    print_tables([summary("hr_webhook", [sample(400, 70, "alibabacloud_kms20160120")], eager, source)], 1)
    out = capsys.readouterr().out
    assert "| hr_webhook | 100 (100-100) | 300 (300-300) | 400 (400-400) | 70.0 | 1000 (1000-1000) | 600 (600-600) |" in out
    assert "  - bytecode saves 600 ms against the same build shipping sources only" in out


# --- the child program, on a handler that needs no cloud -----------------------------------------


def run_child(tmp_path: Path, handler: str, eager: list[str]) -> dict[str, Any]:
    (tmp_path / "index.py").write_text(handler, encoding="utf-8")
    job = {"index": str(tmp_path / "index.py"), "eager": eager, "event": base64.b64encode(b'{"x": 1}').decode(),
           "request_id": "1-test"}
    done = subprocess.run([sys.executable, "-c", Path(bench_cold_child.__file__).read_text("utf-8")],
                          input=json.dumps(job), capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    return parse_child_output(done.stdout)


def test_the_child_times_the_import_and_the_event_and_lists_what_was_loaded(tmp_path: Path) -> None:
    handler = ("import json\nprint('noise from the handler')\n"
               "def handler(event, context):\n    return {'seen': json.loads(event), 'id': context.request_id}\n")
    lazy = run_child(tmp_path, handler, [])
    assert lazy["answer"] == {"seen": {"x": 1}, "id": "1-test"} and lazy["error"] is None
    assert lazy["modules"] == []
    assert lazy["total_ms"] == pytest.approx(lazy["import_ms"] + lazy["event_ms"], rel=1e-6)
    eager = run_child(tmp_path, handler, ["yaml"])
    assert "yaml" in eager["modules"]


def test_the_child_reports_a_handler_error_instead_of_dying(tmp_path: Path) -> None:
    data = run_child(tmp_path, "def handler(event, context):\n    raise ValueError('no luck')\n", [])
    assert data["error"] == {"type": "ValueError", "message": "no luck"} and data["answer"] is None
