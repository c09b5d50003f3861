"""Function Compute's wire layer for both API versions the SDKs speak (wire-protocol.md §2).

Routes (path segments URL-decoded):
- ``POST /2023-03-30/functions/{fn}/invocations`` and
  ``POST /2021-04-06/services/{svc}/functions/{fn}/invocations``: InvokeFunction. Sync answers
  200 with the handler's bytes (``x-fc-error-type: UnhandledInvocationError`` when it raised);
  Async answers 202 with an empty body and the task id header.
- ``GET /2023-03-30/functions/{fn}/async-tasks/{id}`` (GetAsyncTask) and
  ``GET /2021-04-06/services/{svc}/functions/{fn}/stateful-async-invocations/{id}``
  (GetStatefulAsyncInvocation).
Authentication is ACS3 (both FC SDKs sign so); authorization checks ``fc:<Action>`` on the
function's ARN. Errors are JSON ``{"Code","Message","RequestId"}`` plus 2.0's
``ErrorCode``/``ErrorMessage``. This module parses and serialises; rules live in
:mod:`localcloud.fc.service`. The handler runs after ``state.lock`` is released.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from localcloud.auth import credentials, signatures
from localcloud.core.clock import utcnow
from localcloud.core.errors import CloudError
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.fc import errors
from localcloud.fc.service import MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, V2, V3, FunctionService, Registered
from localcloud.policy.authorizer import authorize, request_context
from localcloud.pop.dispatch import PopRouter
from localcloud.state import CloudState

_SEG = r"(?P<{}>[^/]+)"
_PATTERNS: list[tuple[str, str, re.Pattern[str]]] = [
    ("POST", "InvokeFunction", re.compile(rf"^/2023-03-30/functions/{_SEG.format('function')}/invocations$")),
    (
        "POST", "InvokeFunction",
        re.compile(rf"^/2021-04-06/services/{_SEG.format('service')}/functions/{_SEG.format('function')}/invocations$"),
    ),
    (
        "GET", "GetAsyncTask",
        re.compile(rf"^/2023-03-30/functions/{_SEG.format('function')}/async-tasks/{_SEG.format('task')}$"),
    ),
    (
        "GET", "GetStatefulAsyncInvocation",
        re.compile(
            rf"^/2021-04-06/services/{_SEG.format('service')}/functions/{_SEG.format('function')}"
            rf"/stateful-async-invocations/{_SEG.format('task')}$"
        ),
    ),
]
TASK_HEADER = {V3: "x-fc-async-task-id", V2: "x-fc-stateful-async-invocation-id"}


@dataclass(frozen=True, slots=True)
class Route:
    action: str
    api_version: str
    function: str
    service: str | None
    task_id: str | None


class FcRouter:
    def __init__(self, functions: FunctionService, state_of: Callable[[], CloudState]) -> None:
        self._functions = functions
        self._state_of = state_of

    @staticmethod
    def route(request: HttpRequest) -> Route | None:
        path = request.raw_path
        if not path.startswith(("/2023-03-30/", "/2021-04-06/")):
            return None
        for method, action, pattern in _PATTERNS:
            match = pattern.match(path)
            if match and request.method.upper() == method:
                groups = {k: unquote(v) for k, v in match.groupdict().items()}
                return Route(action, path[1:11], groups["function"], groups.get("service"), groups.get("task"))
        return None

    def identify(self, request: HttpRequest) -> tuple[str, str] | None:
        route = self.route(request)
        return ("fc", route.action) if route is not None else None

    def handle(self, request: HttpRequest) -> HttpResponse:
        route = self.route(request)
        assert route is not None
        request_id = self._functions.request_id(route.api_version)
        try:
            caller_key = self._authorize(request, route)
            target = self._functions.resolve(route.api_version, route.function, route.service)
            if route.task_id is not None:
                task = self._functions.task(route.task_id, target.spec.key)
                body = task.to_api_3() if route.api_version == V3 else task.to_api_2(route.service or "", route.function)
                return HttpResponse.json(200, body, {"x-fc-request-id": request_id})
            return self._invoke(request, route, target, request_id, caller_key)
        except CloudError as error:
            headers = {"x-fc-request-id": request_id, **error.headers}
            return self.error_response(error.error_code, error.status, error.error_message, headers)
        except Exception as exc:  # a localcloud bug: answer JSON 500, say where on stderr
            traceback.print_exc(file=sys.stderr)
            internal = errors.InternalServerError(f"localcloud internal error in {route.action}: {type(exc).__name__}")
            return self.error_response(internal.error_code, 500, internal.error_message, {"x-fc-request-id": request_id})

    def _authorize(self, request: HttpRequest, route: Route) -> str:
        """Authenticate and authorize under the state lock; returns the caller's AccessKeyId."""
        state = self._state_of()
        with state.lock:
            try:
                signed = signatures.verify_acs3(request, lambda key: credentials.secret_for(state, key), utcnow())
                PopRouter._check_nonce(state, signed.nonce)  # the same replay window as POP requests
                principal = credentials.principal_for(state, signed, "fc")
            except CloudError as error:
                raise errors.in_fc_vocabulary(error) from error
            if not principal.is_root:
                account, region = state.account.account_id, state.account.region
                if route.api_version == V2:
                    resource = f"acs:fc:{region}:{account}:services/{route.service}/functions/{route.function}"
                else:
                    resource = f"acs:fc:{region}:{account}:functions/{route.function}"
                permission = f"fc:{route.action}"
                context = request_context(state, principal, request.client_ip)
                decision = authorize(state, principal, permission, resource, context)
                if not decision.allowed:
                    # Wording UNCONFIRMED; the code and status are FC's (AccessDenied, 403).
                    raise errors.AccessDenied(
                        f"the caller is not authorized to perform '{permission}' on resource '{resource}'"
                    )
        return signed.access_key_id

    def _invoke(
        self, request: HttpRequest, route: Route, target: Registered, request_id: str, caller_key: str
    ) -> HttpResponse:
        qualifier = dict(request.query_pairs()).get("qualifier") or None
        if qualifier not in (None, "LATEST"):
            # localcloud has no versions or aliases: only LATEST exists.
            owner = f"service '{route.service}'" if route.service else f"function '{route.function}'"
            raise errors.AliasNotFound(f"alias '{qualifier}' of {owner} does not exist")
        invocation_type = _choice(request, "x-fc-invocation-type", ("Sync", "Async"), "Sync")
        log_type = _choice(request, "x-fc-log-type", ("None", "Tail"), "None")
        payload = request.body
        headers = {"x-fc-request-id": request_id}
        if invocation_type == "Async":
            if len(payload) > MAX_ASYNC_PAYLOAD:
                raise errors.EntityTooLarge.limit(MAX_ASYNC_PAYLOAD)
            header = TASK_HEADER[route.api_version]
            task = self._functions.submit(
                target, route.api_version, request_id, payload, request.header(header) or None, qualifier
            )
            headers[header] = task.task_id
            return HttpResponse(202, b"", headers)
        if len(payload) > MAX_SYNC_PAYLOAD:
            raise errors.EntityTooLarge.limit(MAX_SYNC_PAYLOAD)
        invocation = self._functions.invocation(target, route.api_version, request_id, qualifier)
        outcome = self._functions.run(target, invocation, payload, caller_key)
        headers["x-fc-invocation-duration"] = str(outcome.duration_ms)
        if outcome.error_type is not None:
            headers["x-fc-error-type"] = outcome.error_type
        if log_type == "Tail":
            headers["x-fc-log-result"] = outcome.log_result()
        return HttpResponse(200, outcome.body, headers)

    def error_response(self, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
        """FC's error answer (also used by the fault injector)."""
        request_id = headers.get("x-fc-request-id") or self._functions.request_id(V3)
        body = {"Code": code, "Message": message, "RequestId": request_id, "ErrorCode": code, "ErrorMessage": message}
        return HttpResponse.json(status, body, {**headers, "x-fc-request-id": request_id})


def _choice(request: HttpRequest, header: str, allowed: tuple[str, ...], default: str) -> str:
    raw = request.header(header).strip()
    if not raw:
        return default
    for value in allowed:
        if raw.lower() == value.lower():
            return value
    raise errors.InvalidArgument(f"invalid value {raw!r} for header {header}: expected one of {', '.join(allowed)}")
