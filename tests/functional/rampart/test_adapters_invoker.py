"""FcInvoker against localcloud through the official FC 3.0 and FC 2.0 SDKs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from rampart.adapters.fc import FcInvoker, FcVersion, task_id_for
from rampart.errors import CloudError, EventError

from localcloud import LocalCloud
from tests.functional.localcloud.fcfuncs import store
from tests.functional.rampart.types import AdaptersFor, FastPolicy, MakeWaits

RECORDER = "tests/functional/localcloud/fcfuncs/recorder.handler"


@pytest.fixture(autouse=True)
def _clean_store() -> Iterator[None]:
    store.clear()
    yield
    store.clear()


@pytest.fixture
def invoker(adapters: AdaptersFor, fast_policy: FastPolicy, make_waits: MakeWaits) -> Callable[..., FcInvoker]:
    """An invoker (version, service name) on localcloud's root key."""

    def made(version: FcVersion = FcVersion.V3, service: str | None = None) -> FcInvoker:
        return FcInvoker(adapters()[0], version=version, service_name=service, policy=fast_policy(make_waits()))

    return made


def event(n: int) -> bytes:
    return json.dumps({"event_id": f"ev-{n}"}).encode()


def test_fc3_submit_is_accepted_and_the_function_runs(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    cloud.functions.register("lifecycle", RECORDER)
    assert invoker().submit("lifecycle", event(1), "ev-1") is True
    cloud.functions.drain()
    assert store.records("lifecycle") == [{"event_id": "ev-1"}]
    [task] = cloud.functions.tasks("lifecycle")
    assert task.status.value == "Succeeded"


def test_fc3_a_reused_task_id_answers_false_and_runs_nothing_more(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    cloud.functions.register("lifecycle", RECORDER)
    fc = invoker()
    assert fc.submit("lifecycle", event(1), "ev-1") is True
    assert fc.submit("lifecycle", event(1), "ev-1") is False
    cloud.functions.drain()
    assert store.records("lifecycle") == [{"event_id": "ev-1"}]


def test_fc2_submit_with_a_service_and_its_409(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    cloud.functions.register("lifecycle", RECORDER, service="rampart")
    fc = invoker(FcVersion.V2, "rampart")
    assert fc.submit("lifecycle", event(2), "ev-2") is True
    assert fc.submit("lifecycle", event(2), "ev-2") is False
    cloud.functions.drain()
    assert store.records("lifecycle") == [{"event_id": "ev-2"}]


def test_a_dropped_submission_is_retried_and_its_409_means_already_accepted(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    cloud.functions.register("lifecycle", RECORDER)
    cloud.faults.add("fc", "drop", "InvokeFunction", count=1)
    assert invoker().submit("lifecycle", event(3), "ev-3") is False
    cloud.functions.drain()
    assert store.records("lifecycle") == [{"event_id": "ev-3"}]


def test_a_throttled_submission_is_retried(cloud: LocalCloud, adapters: AdaptersFor, fast_policy: FastPolicy, make_waits: MakeWaits) -> None:
    cloud.functions.register("lifecycle", RECORDER)
    cloud.faults.add("fc", "throttle", "InvokeFunction", count=2, retry_after_ms=20)
    waits = make_waits()
    clients = adapters()[0]
    assert FcInvoker(clients, policy=fast_policy(waits)).submit("lifecycle", event(4), "ev-4") is True
    assert len(waits.seconds) == 2 and all(w >= 0.02 for w in waits.seconds)


def test_an_unknown_function_is_a_cloud_error(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    with pytest.raises(CloudError) as caught:
        invoker().submit("missing", event(5), "ev-5")
    assert caught.value.code == "FunctionNotFound" and caught.value.status == 404


def test_an_invalid_task_id_is_refused_before_any_call(cloud: LocalCloud, invoker: Callable[..., FcInvoker]) -> None:
    with pytest.raises(EventError):
        invoker().submit("lifecycle", event(6), "9 starts with a digit")


def test_task_id_for_keeps_valid_ids_and_maps_others_stably() -> None:
    assert task_id_for("ev-1") == "ev-1"
    mapped = task_id_for("feishu:2024/01 #7")
    assert mapped == task_id_for("feishu:2024/01 #7") and mapped.startswith("ev-") and len(mapped) <= 128
    assert task_id_for("x" * 200) != "x" * 200


def test_fc2_needs_a_service_name(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    with pytest.raises(ValueError):
        FcInvoker(adapters()[0], version=FcVersion.V2)
