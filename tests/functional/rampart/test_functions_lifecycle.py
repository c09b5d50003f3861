"""The lifecycle function, registered in localcloud's FC under its role and invoked through the
FC 3.0 SDK: message-queue batches are applied item by item, partial failures are reported per
item, a batch where every item failed raises (FC retries it), and duplicates are harmless."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.rampart.deployment_names import LIFECYCLE
from tests.functional.rampart.types import Deploy, Deployment


@pytest.fixture
def deployment(tmp_path: Path, deploy: Deploy) -> Iterator[Deployment]:
    yield deploy(tmp_path)


def sample(deployment: Deployment, name: str) -> bytes:
    return deployment.repo.event("mq", name)


def test_a_batch_with_malformed_items_reports_a_partial_failure(deployment: Deployment) -> None:
    error, report = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-batch-partial.json"))
    assert error == ""
    # element 3 repeats element 0 (dropped); the leaver E3003 was never a rampart user here
    assert (report["items"], report["ok"], report["failed"]) == (4, 1, 3)
    by_index = {r["index"]: r for r in report["results"]}
    assert by_index[0]["result"] == "ok" and by_index[0]["ok"]
    assert [i for i, r in by_index.items() if r["result"] == "unreadable"] == [1, 4]
    assert all(by_index[i]["error"] for i in (1, 4))
    assert (by_index[2]["result"], by_index[2]["error_type"]) == ("refused", "UnknownPerson")
    deployment.assert_clean(json.dumps(report))


def test_a_batch_where_every_item_failed_raises_so_fc_retries(deployment: Deployment) -> None:
    batch = json.loads(sample(deployment, "cloudevent-batch-partial.json"))
    error, body = deployment.invoke(LIFECYCLE, json.dumps([batch[1], batch[4]]).encode())
    assert error == "UnhandledInvocationError"
    assert body["errorType"] == "BatchFailed"
    assert "all 2 item(s) failed" in body["errorMessage"]


def test_a_redelivered_cloudevent_changes_nothing_the_second_time(deployment: Deployment) -> None:
    _, first = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    _, second = deployment.invoke(LIFECYCLE, sample(deployment, "cloudevent-single.json"))
    assert first["results"][0]["result"] == "ok"
    assert second["results"][0]["result"] == "noop" and second["ok"] == 1
