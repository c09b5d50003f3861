"""``rampart.ports.Invoker`` on Function Compute: hand an event to the lifecycle function, async.

FC 3.0 (``fc20230330``, the default): ``POST /2023-03-30/functions/{fn}/invocations`` with
``x-fc-invocation-type: Async`` and ``x-fc-async-task-id``. FC 2.0 (``fc_open20210406``, a
service name is needed): ``X-Fc-Stateful-Async-Invocation-Id``. The task id is the event id,
so FC itself deduplicates deliveries: a reused id answers 409 (alibaba-platform.md §D.6,
"任务防重复提交"), which here means "already accepted" and returns False. A submission whose
answer was lost is retried by ``rampart.adapters.retry`` and meets that 409 too.
"""

from __future__ import annotations

import hashlib
import re
from enum import Enum
from typing import Any

from rampart.adapters.clients import Clients
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call
from rampart.errors import CloudError, EventError

TASK_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
"""Task id rule: starts with a letter or ``_``; letters, digits, ``_``, ``-``; at most 128
characters (fc20230330 models/_invoke_function_headers.py)."""


class FcVersion(Enum):
    V3 = "2023-03-30"
    V2 = "2021-04-06"


def task_id_for(event_id: str) -> str:
    """A valid FC task id for any event id: the id itself when it fits the rule, otherwise a
    stable digest (the same event always maps to the same task id, so deduplication holds)."""
    if TASK_ID.match(event_id):
        return event_id
    return "ev-" + hashlib.sha256(event_id.encode()).hexdigest()[:40]


class FcInvoker:
    def __init__(
        self,
        clients: Clients,
        *,
        version: FcVersion = FcVersion.V3,
        service_name: str | None = None,
        qualifier: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        if version is FcVersion.V2 and not service_name:
            raise ValueError("FC 2.0 invocations need the service name")
        self._clients = clients
        self._version = version
        self._service = service_name
        self._qualifier = qualifier
        self._policy = policy

    def __repr__(self) -> str:
        return f"FcInvoker({self._version.value}, service={self._service!r})"

    def submit(self, function: str, payload: bytes, task_id: str) -> bool:
        if not TASK_ID.match(task_id):
            raise EventError(
                f"FC task id {task_id[:40]!r} is invalid",
                hint="start with a letter or _, use letters, digits, _ and -, at most 128 characters (task_id_for)",
            )
        try:
            response = call("fc", "InvokeFunction", lambda: self._invoke(function, payload, task_id), policy=self._policy)
        except CloudError as exc:
            if exc.status == 409:
                return False
            raise
        return int(getattr(response, "status_code", 202) or 202) < 300

    def _invoke(self, function: str, payload: bytes, task_id: str) -> Any:
        if self._version is FcVersion.V3:
            from alibabacloud_fc20230330 import models as fc3
            from darabonba.runtime import RuntimeOptions

            headers = fc3.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id=task_id)
            request = fc3.InvokeFunctionRequest(body=payload, qualifier=self._qualifier)
            return self._clients.fc3().invoke_function_with_options(function, request, headers, RuntimeOptions())
        from alibabacloud_fc_open20210406 import models as fc2
        from alibabacloud_tea_util.models import RuntimeOptions as Fc2RuntimeOptions

        headers2 = fc2.InvokeFunctionHeaders(
            x_fc_invocation_type="Async", x_fc_stateful_async_invocation_id=task_id
        )
        request2 = fc2.InvokeFunctionRequest(body=payload, qualifier=self._qualifier)
        return self._clients.fc2().invoke_function_with_options(
            self._service, function, request2, headers2, Fc2RuntimeOptions()
        )
