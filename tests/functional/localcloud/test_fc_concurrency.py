"""FC's async queue at real concurrency: N async invocations run N at a time (each
process-isolated one in its own instance, warm ones reused), a function's reservedConcurrency
caps it below the account-wide limit, tasks over a limit wait and all complete, and inline
handlers (one shared process) never overlap. Overlap is read from the order of the start/end
lines the handlers write themselves (fcfuncs/spans.py), never from timings. Invocations go
through the official FC 3.0 SDK over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from darabonba.runtime import RuntimeOptions

from localcloud import LocalCloud
from localcloud.fc.functions import DEFAULT_CONCURRENCY

SPANS = "tests/functional/localcloud/fcfuncs/spans.handler"


@pytest.fixture
def fc3(cloud: LocalCloud) -> Fc3:
    return Fc3(cloud.config())


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "spans.log"


def register(cloud: LocalCloud, name: str, log: Path, *, isolation: str = "process", reserved: int | None = None) -> None:
    cloud.functions.register(
        name, SPANS, env={"SPAN_LOG": str(log)}, timeout=120, isolation=isolation, reserved_concurrency=reserved,
        async_config={"max_retries": 0},
    )


def submit(fc3: Fc3, name: str, tag: str, *, together: int, hold: float = 0.3, patience: float = 60) -> None:
    body = json.dumps({"tag": tag, "together": together, "hold": hold, "patience": patience}).encode()
    headers = fc3_models.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id=tag)
    response = fc3.invoke_function_with_options(name, fc3_models.InvokeFunctionRequest(body=body), headers, RuntimeOptions())
    assert response.status_code == 202


def spans(log: Path) -> list[tuple[str, str, str]]:
    """``(start|end, tag, instance)`` in the order the handlers wrote them."""
    return [(kind, tag, instance) for kind, tag, instance in (line.split() for line in log.read_text().splitlines())]


def most_at_once(lines: list[tuple[str, str, str]], tags: set[str] | None = None) -> int:
    """The most invocations (of ``tags``, or all) that were open at the same moment."""
    open_now, most = 0, 0
    for kind, tag, _ in lines:
        if tags is not None and tag not in tags:
            continue
        open_now += 1 if kind == "start" else -1
        most = max(most, open_now)
    return most


def finished(cloud: LocalCloud, fc3: Fc3, name: str, tags: list[str]) -> list[str]:
    """Each task's status as GetAsyncTask reports it, once localcloud is idle."""
    cloud.functions.drain(timeout=180)
    return [fc3.get_async_task(name, tag, fc3_models.GetAsyncTaskRequest()).body.status for tag in tags]


def test_by_default_sixteen_process_isolated_invocations_run_at_once_each_in_its_own_instance(
    cloud: LocalCloud, fc3: Fc3, log: Path
) -> None:
    assert cloud.functions.concurrency == DEFAULT_CONCURRENCY == 16
    register(cloud, "fan", log)
    tags = [f"job-{i}" for i in range(16)]
    for tag in tags:
        submit(fc3, "fan", tag, together=16, hold=0.2, patience=90)
    assert finished(cloud, fc3, "fan", tags) == ["Succeeded"] * 16
    lines = spans(log)
    assert most_at_once(lines) == 16
    assert [kind for kind, _, _ in lines] == ["start"] * 16 + ["end"] * 16  # all had started before any ended
    assert len({instance for _, _, instance in lines}) == 16


def test_over_the_limit_tasks_wait_then_run_in_the_warm_instances(cloud: LocalCloud, fc3: Fc3, log: Path) -> None:
    cloud.functions.set_concurrency(4)
    register(cloud, "fan", log)
    tags = [f"job-{i}" for i in range(8)]
    for tag in tags:
        submit(fc3, "fan", tag, together=4, patience=60)
    assert finished(cloud, fc3, "fan", tags) == ["Succeeded"] * 8
    lines = spans(log)
    assert most_at_once(lines) == 4  # reached, never passed
    assert [kind for kind, _, _ in lines[:4]] == ["start"] * 4
    # warm reuse: the second four ran in the first four's instances, one invocation per instance at a time
    assert len({instance for _, _, instance in lines}) == 4
    busy: set[str] = set()
    for kind, _, instance in lines:
        if kind == "start":
            assert instance not in busy
            busy.add(instance)
        else:
            busy.discard(instance)


def test_with_concurrency_one_queued_tasks_run_one_by_one_and_all_complete(
    cloud: LocalCloud, fc3: Fc3, log: Path
) -> None:
    cloud.functions.set_concurrency(1)
    register(cloud, "single", log)
    tags = [f"job-{i}" for i in range(5)]
    for tag in tags:
        submit(fc3, "single", tag, together=1, hold=0.05)
    assert finished(cloud, fc3, "single", tags) == ["Succeeded"] * 5
    lines = spans(log)
    assert most_at_once(lines) == 1
    assert [tag for kind, tag, _ in lines if kind == "start"] == tags  # in submission order


def test_reserved_concurrency_caps_a_function_below_the_global_limit_without_holding_others_back(
    cloud: LocalCloud, fc3: Fc3, log: Path
) -> None:
    cloud.functions.set_concurrency(8)
    register(cloud, "capped", log, reserved=2)
    register(cloud, "free", log, isolation="inline")
    capped = [f"capped-{i}" for i in range(6)]
    for tag in capped:
        submit(fc3, "capped", tag, together=2, hold=0.5)
    submit(fc3, "free", "free-0", together=1, hold=0)
    assert finished(cloud, fc3, "capped", capped) == ["Succeeded"] * 6
    assert finished(cloud, fc3, "free", ["free-0"]) == ["Succeeded"]
    lines = spans(log)
    assert most_at_once(lines, set(capped)) == 2
    starts = [tag for kind, tag, _ in lines if kind == "start"]
    # submitted after all six, the other function's task did not wait behind the four held back
    assert starts.index("free-0") < max(starts.index(tag) for tag in capped)


def test_inline_handlers_share_one_process_so_they_run_one_at_a_time_and_all_complete(
    cloud: LocalCloud, fc3: Fc3, log: Path
) -> None:
    register(cloud, "first", log, isolation="inline")
    register(cloud, "second", log, isolation="inline")
    tags = {"first": [f"first-{i}" for i in range(3)], "second": [f"second-{i}" for i in range(3)]}
    for i in range(3):
        for name in ("first", "second"):
            submit(fc3, name, tags[name][i], together=1, hold=0.05)
    for name, own in tags.items():
        assert finished(cloud, fc3, name, own) == ["Succeeded"] * 3
    assert most_at_once(spans(log)) == 1


def test_raising_the_limit_starts_waiting_tasks_at_once(cloud: LocalCloud, fc3: Fc3, log: Path) -> None:
    cloud.functions.set_concurrency(1)
    register(cloud, "fan", log)
    tags = ["job-0", "job-1", "job-2"]
    for tag in tags:  # each waits (up to 60 s) until three are open: only a raised limit lets them meet
        submit(fc3, tag=tag, name="fan", together=3, hold=0.05)
    assert cloud.functions.load().queued == 2
    cloud.functions.set_concurrency(3)
    assert finished(cloud, fc3, "fan", tags) == ["Succeeded"] * 3
    assert most_at_once(spans(log)) == 3


def test_a_lowered_limit_lets_running_tasks_finish_and_holds_the_rest(cloud: LocalCloud, fc3: Fc3, log: Path) -> None:
    cloud.functions.set_concurrency(2)
    register(cloud, "fan", log)
    tags = [f"job-{i}" for i in range(4)]
    for tag in tags[:2]:
        submit(fc3, "fan", tag, together=2, hold=0.05)
    cloud.functions.set_concurrency(1)
    for tag in tags[2:]:
        submit(fc3, "fan", tag, together=1, hold=0.05)
    assert finished(cloud, fc3, "fan", tags) == ["Succeeded"] * 4
    lines = spans(log)
    assert most_at_once(lines, set(tags[:2])) == 2
    assert most_at_once(lines, set(tags[2:])) == 1
    assert most_at_once(lines) == 2
    first_end = next(i for i, (kind, _, _) in enumerate(lines) if kind == "end")
    later = [i for i, (kind, tag, _) in enumerate(lines) if kind == "start" and tag in tags[2:]]
    assert min(later) > first_end


def test_paused_tasks_are_counted_as_queued(cloud: LocalCloud, fc3: Fc3, log: Path) -> None:
    register(cloud, "fan", log)
    cloud.functions.pause()
    for tag in ("job-0", "job-1", "job-2"):
        submit(fc3, "fan", tag, together=1, hold=0)
    load = cloud.functions.load()
    assert (load.concurrency, load.running, load.queued) == (16, 0, 3)
    assert not Path(log).exists()
    cloud.functions.resume()
    assert finished(cloud, fc3, "fan", ["job-0", "job-1", "job-2"]) == ["Succeeded"] * 3
    assert cloud.functions.load().to_json() == {"concurrency": 16, "running": 0, "queued": 0}


def test_a_function_removed_while_its_tasks_wait_leaves_them_invalid_not_stuck(
    cloud: LocalCloud, fc3: Fc3, log: Path
) -> None:
    cloud.functions.set_concurrency(1)
    register(cloud, "gone", log, reserved=1)
    cloud.functions.pause()
    submit(fc3, "gone", "job-0", together=1, hold=0)
    submit(fc3, "gone", "job-1", together=1, hold=0)
    cloud.functions.unregister("gone")
    cloud.functions.resume()
    cloud.functions.drain(timeout=60)
    statuses: dict[str, Any] = {t.task_id: t.status.value for t in cloud.functions.tasks("gone")}
    assert statuses == {"job-0": "Invalid", "job-1": "Invalid"}
    assert not Path(log).exists()
