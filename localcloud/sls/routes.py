"""Routes an SLS request: find the action, authenticate, authorize through RAM, run, answer.

Addressing (wire-protocol.md §3.1): the project travels in the Host header as its first
label (``my-project.127.0.0.1``); a Host that is a bare IP, ``localhost`` or a regional
``<region>.log.aliyuncs.com`` endpoint carries no project (ListProject). The router claims a
request when its Authorization is ``LOG ...`` or ``SLS4-HMAC-SHA256 ...`` or it has
``x-log-apiversion``, and never one that carries ``x-acs-action`` (POP's).

RAM actions and resources follow "Authentication rules used when a RAM user accesses the
resources of a primary account by using Log Service APIs"
(https://www.alibabacloud.com/help/doc-detail/29052.htm) and the per-API "Authorization"
tables: ``acs:log:<region>:<account>:project/<p>[/logstore/<ls>]``; ListProject checks
``project/*`` and ListLogStores ``project/<p>/logstore/*``; the index APIs are
``log:CreateIndex`` / ``UpdateIndex`` / ``GetIndex`` / ``DeleteIndex`` on the logstore. A
missing project is reported before the RAM check, since SLS needs the project to know its
owner (UNCONFIRMED order).

Every request runs under ``state.lock``; mutating actions end with ``on_mutation``
(persistence). Errors are SLS JSON with a lowercase ``x-log-requestid`` header, and never
5xx (the SDK retries those ten times, one second apart). Signatures are checked by
:mod:`localcloud.sls.protocol.auth`; rules live in :mod:`localcloud.sls.models`.

Admin route (loopback only, JSON): ``GET|POST /_localcloud/sls/index-delay``. ``POST
{"seconds": S}`` sets how long after PutLogs a log becomes queryable (0 to 600; SLS says about
3 s); later writes get the new delay. ``GET`` answers the setting. Both answer ``{"seconds": S,
"pending_writes": N}``, N the PutLogs calls written and not yet queryable.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localcloud.admin import AdminError, AdminRoutes
from localcloud.core.clock import utcnow
from localcloud.core.errors import CloudError
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.policy.authorizer import authorize, request_context
from localcloud.sls import errors, responses
from localcloud.sls.protocol import auth
from localcloud.sls.responses import SlsCall

if TYPE_CHECKING:
    from localcloud.app import LocalCloud
    from localcloud.state import CloudState

Handler = Callable[[SlsCall], HttpResponse]


@dataclass(frozen=True, slots=True)
class Route:
    action: str
    handler: Handler
    permission: str
    scope: str
    """``none`` (ListProject), ``project``, ``logstores`` (the logstore/* of a project) or ``logstore``."""
    mutating: bool = False


_PROJECT_ROUTES = {
    "POST": Route("CreateProject", responses.create_project, "log:CreateProject", "project", mutating=True),
    "GET": Route("GetProject", responses.get_project, "log:GetProject", "project"),
    "PUT": Route("UpdateProject", responses.update_project, "log:UpdateProject", "project", mutating=True),
    "DELETE": Route("DeleteProject", responses.delete_project, "log:DeleteProject", "project", mutating=True),
}
_LIST_PROJECTS = Route("ListProject", responses.list_projects, "log:ListProject", "none")
_LOGSTORES = {
    "POST": Route("CreateLogStore", responses.create_logstore, "log:CreateLogStore", "logstore", mutating=True),
    "GET": Route("ListLogStores", responses.list_logstores, "log:ListLogStores", "logstores"),
}
_LOGSTORE = {
    "PUT": Route("UpdateLogStore", responses.update_logstore, "log:UpdateLogStore", "logstore", mutating=True),
    "DELETE": Route("DeleteLogStore", responses.delete_logstore, "log:DeleteLogStore", "logstore", mutating=True),
}
_LOGSTORE_GET = {
    "": Route("GetLogStore", responses.get_logstore, "log:GetLogStore", "logstore"),
    "log": Route("GetLogs", responses.get_logs_v1, "log:GetLogStoreLogs", "logstore"),
    "histogram": Route("GetHistograms", responses.get_histograms, "log:GetLogStoreHistogram", "logstore"),
}
_PUT_LOGS = Route("PutLogs", responses.put_logs, "log:PostLogStoreLogs", "logstore", mutating=True)
_GET_LOGS_V2 = Route("GetLogs", responses.get_logs_v2, "log:GetLogStoreLogs", "logstore")
_INDEX = {
    "POST": Route("CreateIndex", responses.create_index, "log:CreateIndex", "logstore", mutating=True),
    "PUT": Route("UpdateIndex", responses.update_index, "log:UpdateIndex", "logstore", mutating=True),
    "GET": Route("GetIndex", responses.get_index, "log:GetIndex", "logstore"),
    "DELETE": Route("DeleteIndex", responses.delete_index, "log:DeleteIndex", "logstore", mutating=True),
}
_PATH = re.compile(r"^/logstores/(?P<ls>[^/]+)(?P<rest>/shards/lb|/shards/route|/logs|/index)?/?$")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def project_of(host: str) -> str:
    """The project named by a Host header, or "" when the Host is a bare endpoint."""
    host = host.strip().lower()
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and not host.endswith("]"):
        host = name
    if not host or _is_ip(host) or host == "localhost":
        return ""
    first, _, rest = host.partition(".")
    if not rest:
        return ""
    if rest.endswith("log.aliyuncs.com") and host.count(".") < 4:  # <region>.log.aliyuncs.com
        return ""
    return first


@dataclass(frozen=True, slots=True)
class Resolved:
    route: Route | None
    project: str
    logstore: str


def resolve(request: HttpRequest) -> Resolved:
    project = project_of(request.header("host"))
    path = unquote(request.raw_path)
    method = request.method.upper()
    if path in ("", "/"):
        route = _PROJECT_ROUTES.get(method) if project else (_LIST_PROJECTS if method == "GET" else None)
        return Resolved(route, project, "")
    if not project:
        return Resolved(None, project, "")
    if path.rstrip("/") == "/logstores":
        return Resolved(_LOGSTORES.get(method), project, "")
    match = _PATH.match(path)
    if match is None:
        return Resolved(None, project, "")
    logstore, rest = match["ls"], match["rest"] or ""
    if rest in ("/shards/lb", "/shards/route"):
        return Resolved(_PUT_LOGS if method == "POST" else None, project, logstore)
    if rest == "/logs":
        return Resolved(_GET_LOGS_V2 if method == "POST" else None, project, logstore)
    if rest == "/index":
        return Resolved(_INDEX.get(method), project, logstore)
    if method == "GET":
        kind = dict(request.query_pairs()).get("type", "")
        return Resolved(_LOGSTORE_GET.get(kind), project, logstore)
    return Resolved(_LOGSTORE.get(method), project, logstore)


def sls_request_id() -> str:
    """SLS request ids are 24 upper-case hex digits (``5642FC2399248C8F7B0145FD``)."""
    return secrets.token_hex(12).upper()


def _render(code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
    return HttpResponse.json(status, {"errorCode": code, "errorMessage": message}, headers)


def _error(error: CloudError, request_id: str) -> HttpResponse:
    return _render(error.error_code, error.status, error.error_message, {"x-log-requestid": request_id, **error.headers})


class SlsRouter:
    def __init__(self, state_of: Callable[[], CloudState], on_mutation: Callable[[], None] | None = None) -> None:
        self._state_of = state_of
        self._on_mutation = on_mutation

    def identify(self, request: HttpRequest) -> tuple[str, str] | None:
        """("sls", action) for SLS requests; the action is "Unknown" for APIs localcloud lacks."""
        if request.header("x-acs-action"):
            return None
        if not (auth.is_sls_authorization(request.header("authorization")) or request.header("x-log-apiversion")):
            return None
        route = resolve(request).route
        return "sls", route.action if route is not None else "Unknown"

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = sls_request_id()
        state = self._state_of()
        resolved = resolve(request)
        route = resolved.route
        try:
            with state.lock:
                principal = auth.authenticate(state, request, utcnow())
                if route is None:
                    raise errors.LocalcloudUnsupported(
                        f"localcloud does not emulate the SLS API {request.method} {request.raw_path} "
                        f"(project {resolved.project or '(none)'})."
                    )
                call = SlsCall(request, state, resolved.project, resolved.logstore, principal, request_id)
                if not principal.is_root:
                    self._authorize(state, call, route, request)
                response = route.handler(call)
            if route.mutating and self._on_mutation is not None:
                self._on_mutation()
            return response
        except CloudError as error:
            return _error(error, request_id)
        except Exception as exc:  # a localcloud bug: say where on stderr, answer 400 so the SDK does not retry
            traceback.print_exc(file=sys.stderr)
            bug = errors.SlsError(f"localcloud internal error: {type(exc).__name__}: {exc}",
                                  code="LocalcloudInternalError", http_status=400)
            return _error(bug, request_id)

    def error_response(self, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
        """An SLS error answer for ``code`` (the fault injector's; see ``Router`` in app.py)."""
        return _render(code, status, message, {"x-log-requestid": sls_request_id(), **headers})

    @staticmethod
    def _authorize(state: CloudState, call: SlsCall, route: Route, request: HttpRequest) -> None:
        account = state.account
        base = f"acs:log:{account.region}:{account.account_id}:project"
        if route.scope == "none":
            resource = f"{base}/*"
        else:
            if route.action != "CreateProject":
                state.sls.project(call.project)  # ProjectNotExist first
            resource = f"{base}/{call.project}"
            if route.scope == "logstores":
                resource += "/logstore/*"
            elif route.scope == "logstore":
                name = call.logstore
                if route.action == "CreateLogStore":
                    body = responses.json_body(call)
                    name = str(body.get("logstoreName", "")) or "*"
                resource += f"/logstore/{name}"
        decision = authorize(state, call.principal, route.permission, resource,
                             request_context(state, call.principal, request.client_ip))
        if not decision.allowed:
            raise errors.Unauthorized(f"denied by sts or ram, action: {route.permission}, resource: {resource}")


# --- admin route ----------------------------------------------------------------------


def _index_delay(cloud: LocalCloud, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    indexing = cloud.state.sls_indexing
    if request.method.upper() == "POST":
        if "seconds" not in body:
            raise AdminError(400, 'give {"seconds": <delay from 0 to 600>}')
        try:
            indexing.set(body["seconds"])
        except ValueError as exc:
            raise AdminError(400, str(exc)) from exc
    return HttpResponse.json(200, {"seconds": indexing.seconds, "pending_writes": indexing.pending_writes(cloud.now())})


def install(routes: AdminRoutes) -> None:
    routes.add("GET", "/sls/index-delay", _index_delay)
    routes.add("POST", "/sls/index-delay", _index_delay)
