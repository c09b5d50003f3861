"""Async invocation, from the queue to the end: attempts, retries, event age, destinations.

Rules (alibaba-platform.md §D.6, https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2):
a function error is retried ``maxAsyncRetryAttempts`` times; an event older than
``maxAsyncEventAgeInSeconds`` (by localcloud's clock) is dropped; internal errors (here: the role
cannot be assumed) are not retried. After the last attempt the on-failure destination function
receives FC's destination payload (https://help.aliyun.com/zh/functioncompute/user-guide/result-callback);
after a success, the on-success one. Runs on the async queue's threads (``_dispatch``), never
under ``state.lock``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from localcloud.core.errors import CloudError
from localcloud.fc.models._api import RETURN_PAYLOAD_PREVIEW, V3
from localcloud.fc.models._destinations import destination_key, destination_payload
from localcloud.fc.models._tasks import AsyncTask, TaskStatus
from localcloud.fc.runtime.executor import UNHANDLED, Outcome

if TYPE_CHECKING:
    from localcloud.fc.models import FunctionService, Registered


def process(self: FunctionService, task: AsyncTask) -> None:
    """Run one async task to its end: attempts, retries, event age, then its destination."""
    clock = self._state_of().clock
    with self._lock:
        if task.generation != self._generation:  # dropped by reset()
            return
        target = self._functions.get(task.function)
        if target is None:
            task.record(TaskStatus.INVALID, ms(clock.now()), "the function no longer exists")
            return
    config = target.spec.async_config
    while True:
        now = clock.now()
        if now - task.submitted > timedelta(seconds=config.max_event_age):
            _finish(self, task, TaskStatus.EXPIRED, "event older than maxAsyncEventAgeInSeconds")
            # UNCONFIRMED condition name (AWS Lambda's, whose destination format FC's mirrors).
            _deliver(self, task, target, None, "EventAgeExceeded")
            return
        with self._lock:
            task.attempts += 1
            task.started_ms = task.started_ms or ms(now)
            task.record(TaskStatus.RUNNING, ms(now))
        try:
            invocation = self.invocation(target, task.api_version, task.request_id, task.qualifier)
            outcome = self.run(target, invocation, task.payload, task_id=task.task_id)
        except CloudError as exc:  # not retried: FC retries function errors only
            task.error_message = exc.error_message
            _finish(self, task, TaskStatus.FAILED, exc.error_code)
            _deliver(self, task, target, None, exc.error_code)
            return
        task.duration_ms += outcome.duration_ms
        if not outcome.failed:
            task.return_payload = outcome.body[:RETURN_PAYLOAD_PREVIEW].decode("utf-8", errors="replace")
            _finish(self, task, TaskStatus.SUCCEEDED)
            _deliver(self, task, target, outcome, "Success")  # UNCONFIRMED condition for success
            return
        task.error_message = outcome.error_type or UNHANDLED
        if task.attempts > config.max_retries:
            _finish(self, task, TaskStatus.FAILED, f'{{"Error":"{task.error_message}"}}')
            _deliver(self, task, target, outcome, task.error_message)
            return
        with self._lock:
            task.record(TaskStatus.RETRYING, ms(clock.now()), f'{{"Error":"{task.error_message}"}}')

def _finish(self: FunctionService, task: AsyncTask, status: TaskStatus, detail: str = "") -> None:
    now_ms = ms(self._state_of().clock.now())
    with self._lock:
        task.ended_ms = now_ms
        task.record(status, now_ms, detail)

def _deliver(self: FunctionService, task: AsyncTask, source: Registered, outcome: Outcome | None, condition: str) -> None:
    succeeded = task.status is TaskStatus.SUCCEEDED
    configured = source.spec.async_config.on_success if succeeded else source.spec.async_config.on_failure
    if not configured:
        return
    with self._lock:
        target = self._functions.get(destination_key(configured))
    if target is None:
        task.destination_status = "Failed"
        return
    now = self._state_of().clock.now()
    payload = destination_payload(task, outcome, condition, ms(now))
    self.submit(target, V3, self.request_id(V3), payload, None, None)
    task.destination_status = "Succeeded"
    task.destination = target.spec.key


def ms(when: Any) -> int:
    return int(when.timestamp() * 1000)
