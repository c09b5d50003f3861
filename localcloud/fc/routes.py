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
:mod:`localcloud.fc.models`. The handler runs after ``state.lock`` is released.

Admin routes for functions (loopback only, JSON), thin wrappers over ``cloud.functions``.

- ``POST /_localcloud/functions``: register (the JSON of :meth:`FunctionService.register_json`; 400 with the rule broken);
- ``GET /_localcloud/functions``; ``DELETE /_localcloud/functions`` (drop queued calls, forget all);
- ``POST /_localcloud/functions/drain`` ``{"timeout": s}``: 200 once idle, 504 on timeout;
- ``POST /_localcloud/functions/pause`` / ``resume``: hold or release queued async calls;
- ``GET /_localcloud/functions/tasks?function=<name>``: async task records;
- ``GET /_localcloud/functions/concurrency``: ``{"concurrency": N, "running": n, "queued": n}``, how
  many async invocations run at once in all and how many run and wait now; ``PUT`` the same
  path with ``{"concurrency": N}`` (1-300; 400 otherwise) changes it until the next reset;
- ``POST /_localcloud/functions/kill`` ``{"function": name, "after_calls": N}``: arm one kill of a
  process-isolated function's instance after its N-th applied cloud request (``{"armed": true,
  "id": ...}``), or ``{"function": name, "now": true}``: kill its busy instances at once
  (``{"killed": bool, "instances": n}``); 400 for an inline function or a bad ``after_calls``;
- ``GET /_localcloud/functions/kills``: kills that fired (and those still armed).
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localcloud.admin import AdminError, AdminRoutes
from localcloud.auth import credentials, signatures
from localcloud.core.clock import utcnow
from localcloud.core.errors import CloudError
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.fc import errors
from localcloud.fc.functions import FunctionConfigError
from localcloud.fc.models import MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, V2, V3, DrainTimeout, FunctionService, Registered
from localcloud.fc.runtime.isolation import ArmedKill, KillRefused
from localcloud.fc.runtime.loader import HandlerLoadError
from localcloud.policy.authorizer import authorize, request_context
from localcloud.pop.dispatch import PopRouter
from localcloud.state import CloudState

if TYPE_CHECKING:
    from localcloud.app import LocalCloud


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


# --- admin routes ---------------------------------------------------------------------------


def _register(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        spec = cloud.functions.register_json(body)
    except (FunctionConfigError, HandlerLoadError) as exc:
        raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, spec.to_json())


def _list(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, {"functions": [spec.to_json() for spec in cloud.functions.specs()]})


def _timeout(body: dict[str, Any]) -> float:
    timeout = body.get("timeout", 30)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise AdminError(400, '"timeout" must be a positive number of seconds')
    return float(timeout)


def _reset(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        cloud.functions.reset(_timeout(body))
    except DrainTimeout as exc:
        raise AdminError(504, str(exc)) from exc
    return HttpResponse.json(200, {"reset": True})


def _drain(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    try:
        cloud.functions.drain(_timeout(body))
    except DrainTimeout as exc:
        raise AdminError(504, str(exc)) from exc
    return HttpResponse.json(200, {"drained": True})


def _pause(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.functions.pause()
    return HttpResponse.json(200, {"paused": True})


def _resume(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    cloud.functions.resume()
    return HttpResponse.json(200, {"paused": False})


def _tasks(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    function = dict(request.query_pairs()).get("function") or None
    return HttpResponse.json(200, {"tasks": [task.to_json() for task in cloud.functions.tasks(function)]})


def _concurrency(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse.json(200, cloud.functions.load().to_json())


def _set_concurrency(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    unknown = set(body) - {"concurrency"}
    if unknown or "concurrency" not in body:
        raise AdminError(400, f'give {{"concurrency": N}} and nothing else (got keys {sorted(body)})')
    try:
        cloud.functions.set_concurrency(body["concurrency"])
    except FunctionConfigError as exc:
        raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, cloud.functions.load().to_json())


def _kill(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    unknown = set(body) - {"function", "after_calls", "now"}
    if unknown:
        raise AdminError(400, f"unknown key(s) {sorted(unknown)}; expected function, after_calls or now")
    function, now = body.get("function"), body.get("now", False)
    if not isinstance(function, str) or not function:
        raise AdminError(400, '"function" is required (the name of a function registered with isolation "process")')
    if not isinstance(now, bool):
        raise AdminError(400, '"now" must be true or false')
    if now and "after_calls" in body:
        raise AdminError(400, 'give "after_calls" or "now", not both')
    try:
        result = cloud.functions.kill(function, after_calls=body.get("after_calls", 1), now=now)
    except KillRefused as exc:
        raise AdminError(400, str(exc)) from exc
    if isinstance(result, ArmedKill):
        return HttpResponse.json(200, {"armed": True, **result.to_json()})
    return HttpResponse.json(200, {"killed": result > 0, "instances": result, "state": "killed" if result else "idle"})


def _kills(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    fired = [record.to_json() for record in cloud.functions.kills()]
    armed = [kill.to_json() for kill in cloud.functions.processes.armed()]
    return HttpResponse.json(200, {"count": len(fired), "kills": fired, "armed": armed})


def install(routes: AdminRoutes) -> None:
    routes.add("POST", "/functions", _register)
    routes.add("GET", "/functions", _list)
    routes.add("DELETE", "/functions", _reset)
    routes.add("POST", "/functions/drain", _drain)
    routes.add("POST", "/functions/pause", _pause)
    routes.add("POST", "/functions/resume", _resume)
    routes.add("GET", "/functions/tasks", _tasks)
    routes.add("GET", "/functions/concurrency", _concurrency)
    routes.add("PUT", "/functions/concurrency", _set_concurrency)
    routes.add("POST", "/functions/kill", _kill)
    routes.add("GET", "/functions/kills", _kills)
