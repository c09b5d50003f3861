"""Async destinations: which function a destination names, and the payload FC sends it.

Payload (https://help.aliyun.com/zh/functioncompute/user-guide/result-callback, alibaba-platform.md §D.6):
``{"timestamp", "requestContext": {"requestId", "functionArn", "condition", "approximateInvokeCount"},
"requestPayload", "responseContext": {"statusCode", "functionError"}, "responsePayload"}``.
``condition`` is "the invocation error code"; localcloud sends ``UnhandledInvocationError`` for a
function error, ``EventAgeExceeded`` for an expired event and ``Success`` on success (the last
two UNCONFIRMED). Payloads are carried as UTF-8 strings (UNCONFIRMED for binary payloads).
Destination ARNs: ``acs:fc:<region>:<account>:functions/<name>`` (3.0) and
``acs:fc:<region>:<account>:services/<svc>/functions/<fn>`` (2.0); a bare name is a
registered function's name.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from localcloud.fc.functions import FunctionSpec

if TYPE_CHECKING:
    from localcloud.fc.models._tasks import AsyncTask
    from localcloud.fc.runtime.executor import Outcome

_ARN_3 = re.compile(r"^acs:fc:[^:]*:[^:]*:functions/(?P<name>[^/]+)$")
_ARN_2 = re.compile(r"^acs:fc:[^:]*:[^:]*:services/(?P<service>[^/.]+)(\.[^/]+)?/functions/(?P<name>[^/]+)$")


def destination_key(destination: str) -> str:
    """The registry key a destination names (``svc$fn`` for a 2.0 ARN)."""
    match = _ARN_3.match(destination)
    if match:
        return match["name"]
    match = _ARN_2.match(destination)
    if match:
        return f"{match['service']}${match['name']}"
    return destination


def function_arn(spec: FunctionSpec, api_version: str, region: str, account_id: str) -> str:
    if api_version == "2021-04-06" and spec.service:
        return f"acs:fc:{region}:{account_id}:services/{spec.service}/functions/{spec.name}"
    return f"acs:fc:{region}:{account_id}:functions/{spec.key}"


def destination_payload(task: AsyncTask, outcome: Outcome | None, condition: str, now_ms: int) -> bytes:
    error = outcome.error_type if outcome is not None and outcome.error_type else ""
    payload = {
        "timestamp": now_ms,
        "requestContext": {
            "requestId": task.request_id,
            "functionArn": task.function_arn,
            "condition": condition,
            "approximateInvokeCount": task.attempts,
        },
        "requestPayload": task.payload.decode("utf-8", errors="replace"),
        "responseContext": {"statusCode": 200, "functionError": error},
        "responsePayload": outcome.body.decode("utf-8", errors="replace") if outcome is not None else "",
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
