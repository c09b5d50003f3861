"""Async task records: states, events, deduplication by task id, and their API shapes.

Rules (alibaba-platform.md §D.6): a task id starts with a letter or ``_`` and holds letters,
digits, ``_`` and ``-``, at most 128 characters (fc20230330 InvokeFunctionHeaders); one is
generated when omitted; the same id submitted again is refused with 409 (doc 2513608; FC
calls task ids "globally unique", so localcloud dedups across the account). Task states are
FC's: Enqueued, Running, Succeeded, Failed, Retrying, Expired, Invalid (the function was
deleted). Task status can be queried for 7 days (doc "overview-25"); localcloud forgets a
used id after 7 days by its clock (UNCONFIRMED that the id then becomes reusable).
Shapes: fc20230330 ``AsyncTask``/``AsyncTaskEvent`` and fc_open20210406
``StatefulAsyncInvocation`` (their ``from_map`` keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from localcloud.fc import errors

TASK_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
TASK_RETENTION = timedelta(days=7)


class TaskStatus(Enum):
    ENQUEUED = "Enqueued"
    RUNNING = "Running"
    RETRYING = "Retrying"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    EXPIRED = "Expired"
    INVALID = "Invalid"

    @property
    def finished(self) -> bool:
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.EXPIRED, TaskStatus.INVALID)


@dataclass(slots=True)
class TaskEvent:
    event_id: int
    status: TaskStatus
    timestamp_ms: int
    detail: str = ""

    def to_api(self) -> dict[str, Any]:
        return {"eventId": self.event_id, "status": self.status.value, "timestamp": self.timestamp_ms, "eventDetail": self.detail}


@dataclass(slots=True)
class AsyncTask:
    task_id: str
    request_id: str
    function: str
    """The registry key (3.0 name) of the function that runs it."""
    function_arn: str
    api_version: str
    qualifier: str | None
    payload: bytes
    submitted: datetime
    generation: int
    status: TaskStatus = TaskStatus.ENQUEUED
    attempts: int = 0
    started_ms: int = 0
    ended_ms: int = 0
    duration_ms: int = 0
    error_message: str = ""
    return_payload: str = ""
    destination_status: str = ""
    destination: str | None = None
    """The function the destination payload went to, if any."""
    events: list[TaskEvent] = field(default_factory=list)

    def record(self, status: TaskStatus, now_ms: int, detail: str = "") -> None:
        self.status = status
        self.events.append(TaskEvent(len(self.events) + 1, status, now_ms, detail))

    @property
    def already_retried(self) -> int:
        return max(self.attempts - 1, 0)

    def _common(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "status": self.status.value,
            "alreadyRetriedTimes": self.already_retried,
            "destinationStatus": self.destination_status,
            "startedTime": self.started_ms,
            "endTime": self.ended_ms,
            "durationMs": self.duration_ms,
            "events": [event.to_api() for event in self.events],
            "returnPayload": self.return_payload,
            "qualifier": self.qualifier or "LATEST",
            "instanceId": "",
        }

    def to_api_3(self) -> dict[str, Any]:
        """fc20230330 ``AsyncTask``."""
        return {
            "taskId": self.task_id,
            "functionArn": self.function_arn,
            "taskPayload": self.payload.decode("utf-8", errors="replace"),
            "taskErrorMessage": self.error_message,
            **self._common(),
        }

    def to_api_2(self, service: str, function_name: str) -> dict[str, Any]:
        """fc_open20210406 ``StatefulAsyncInvocation``."""
        return {
            "invocationId": self.task_id,
            "serviceName": service,
            "functionName": function_name,
            "invocationPayload": self.payload.decode("utf-8", errors="replace"),
            "invocationErrorMessage": self.error_message,
            **self._common(),
        }

    def to_json(self) -> dict[str, Any]:
        """The admin route's view: the 3.0 shape plus what tests look for."""
        return {**self.to_api_3(), "function": self.function, "attempts": self.attempts, "destination": self.destination}


def validate_task_id(task_id: str) -> None:
    if not TASK_ID.match(task_id):
        raise errors.InvalidArgument(
            f"invalid async task id {task_id!r}: it must start with a letter or '_', hold only letters, digits, "
            "'_' and '-', and be at most 128 characters long"
        )


class TaskStore:
    """Task records by id. Not thread-safe: the caller (FunctionService) holds its lock."""

    def __init__(self) -> None:
        self.tasks: dict[str, AsyncTask] = {}

    def reserve(self, task: AsyncTask, now: datetime) -> None:
        existing = self.tasks.get(task.task_id)
        if existing is not None and now - existing.submitted < TASK_RETENTION:
            raise errors.AsyncTaskAlreadyExists(
                f"async task {task.task_id!r} already exists (submitted for function {existing.function!r}); "
                "a task id can be submitted once"
            )
        self.tasks[task.task_id] = task

    def get(self, task_id: str) -> AsyncTask | None:
        return self.tasks.get(task_id)

    def for_function(self, function: str | None) -> list[AsyncTask]:
        return [t for t in self.tasks.values() if function is None or t.function == function]

    def clear(self) -> None:
        self.tasks.clear()
