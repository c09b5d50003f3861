"""Routes a Tablestore request: find the API, authenticate, find the instance, authorize through RAM, run, answer.

Protocol (tablestore.md §1.1-§1.5): ``POST /<ApiName>`` with a protobuf body; the API is the path's
last segment (an endpoint path becomes a prefix) and the instance travels only in
``x-ots-instancename``. The router claims requests that carry ``x-ots-apiversion`` or
``x-ots-instancename`` and no ``x-acs-action``. Every answer, errors included, carries
``x-ots-contentmd5``, ``x-ots-requestid``, ``x-ots-date`` (real UTC with microseconds, as the
service sends it; the SDK compares it with its own clock) and ``x-ots-contenttype: protocol
buffer``; once the caller is authenticated it is signed (``Authorization: OTS <akid>:<sig>``).
Errors are the protobuf ``Error{code, message}``.

RAM (§4): the action is ``ots:<ApiName>`` on ``acs:ots:<region>:<account>:instance/<instance, lower
case>/table/<table>``; a batch is checked once per table it names; ListTable is checked on
``instance/<instance>`` (which form the service uses is UNCONFIRMED). A denial is 403
OTSNoPermissionAccess. The root account is never checked.

Every request runs under ``state.lock``; mutating APIs end with ``on_mutation`` (persistence).
"""

from __future__ import annotations

import base64
import hashlib
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from google.protobuf.message import DecodeError
from tablestore.protobuf import table_store_pb2 as pb

from localcloud.core import ids
from localcloud.core.clock import utcnow
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.policy.authorizer import authorize, request_context
from localcloud.tablestore import errors, rows_api, signing, tables_api
from localcloud.tablestore.rows_api import Context
from localcloud.tablestore.signing import Caller

if TYPE_CHECKING:
    from localcloud.state import CloudState

MAX_REQUEST_BYTES = 5 * 1024 * 1024
"""The documented whole-request limit (§2.8, from older docs: UNCONFIRMED for today's service)."""


@dataclass(frozen=True, slots=True)
class Api:
    request: Any
    """The ``<Api>Request`` protobuf class."""
    run: Callable[[Context, Any], Any]
    tables: Callable[[Any], list[str]]
    """The tables the request names (RAM resources); empty for instance-level APIs."""
    mutating: bool = False


def _one(request: Any) -> list[str]:
    return [request.table_name]


def _batch(request: Any) -> list[str]:
    return [table.table_name for table in request.tables]


APIS: dict[str, Api] = {
    "CreateTable": Api(pb.CreateTableRequest, tables_api.create_table, lambda r: [r.table_meta.table_name], True),
    "ListTable": Api(pb.ListTableRequest, tables_api.list_table, lambda r: []),
    "DescribeTable": Api(pb.DescribeTableRequest, tables_api.describe_table, _one),
    "UpdateTable": Api(pb.UpdateTableRequest, tables_api.update_table, _one, True),
    "DeleteTable": Api(pb.DeleteTableRequest, tables_api.delete_table, _one, True),
    "GetRow": Api(pb.GetRowRequest, rows_api.get_row, _one),
    "PutRow": Api(pb.PutRowRequest, rows_api.put_row, _one, True),
    "UpdateRow": Api(pb.UpdateRowRequest, rows_api.update_row, _one, True),
    "DeleteRow": Api(pb.DeleteRowRequest, rows_api.delete_row, _one, True),
    "BatchGetRow": Api(pb.BatchGetRowRequest, rows_api.batch_get_row, _batch),
    "BatchWriteRow": Api(pb.BatchWriteRowRequest, rows_api.batch_write_row, _batch, True),
    "GetRange": Api(pb.GetRangeRequest, rows_api.get_range, _one),
}


def api_of(request: HttpRequest) -> str:
    return request.raw_path.rstrip("/").rsplit("/", 1)[-1]


def _answer(status: int, body: bytes, request_id: str, api: str, caller: Caller | None, extra: dict[str, str]) -> HttpResponse:
    headers = {
        "x-ots-contentmd5": base64.b64encode(hashlib.md5(body).digest()).decode("ascii"),  # noqa: S324 - protocol checksum
        "x-ots-requestid": request_id,
        "x-ots-date": utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "x-ots-contenttype": "protocol buffer",
    }
    if caller is not None:
        key_id = caller.principal.access_key_id
        headers["authorization"] = f"OTS {key_id}:{signing.response_signature(caller.response_key, api, headers)}"
    return HttpResponse(status, body, {**extra, **headers})


def _error_body(code: str, message: str) -> bytes:
    error = pb.Error()
    error.code = code
    error.message = message
    body: bytes = error.SerializeToString()
    return body


class TablestoreRouter:
    def __init__(self, state_of: Callable[[], CloudState], on_mutation: Callable[[], None] | None = None) -> None:
        self._state_of = state_of
        self._on_mutation = on_mutation

    def identify(self, request: HttpRequest) -> tuple[str, str] | None:
        if request.header("x-acs-action"):
            return None
        if not (request.header("x-ots-apiversion") or request.header("x-ots-instancename")):
            return None
        return "tablestore", api_of(request)

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = ids.request_id().lower()
        api_name = api_of(request)
        state = self._state_of()
        caller: Caller | None = None
        try:
            with state.lock:
                if request.method.upper() != "POST":
                    raise errors.OTSMethodNotAllowed()
                if len(request.body) > MAX_REQUEST_BYTES:
                    raise errors.OTSRequestBodyTooLarge()
                caller = signing.authenticate(state, request, api_name, utcnow())
                api = APIS.get(api_name)
                if api is None:
                    raise errors.unsupported_operation(api_name)
                instance = state.tablestore.instance(request.header("x-ots-instancename"))
                message = api.request()
                try:
                    message.ParseFromString(request.body)
                except DecodeError as exc:
                    raise errors.OTSParameterInvalid(f"The request body is not a valid {api_name}Request: {exc}") from exc
                if not caller.principal.is_root:
                    self._authorize(state, caller, api_name, request, api.tables(message))
                context = Context(state.tablestore, instance, state.tablestore.now_ms())
                body = api.run(context, message).SerializeToString()
            if api.mutating and self._on_mutation is not None:
                self._on_mutation()
            return _answer(200, body, request_id, api_name, caller, {})
        except errors.OTSError as error:
            signer = None if error.error_code == "OTSAuthFailed" else caller
            body = _error_body(error.error_code, error.error_message)
            return _answer(error.status, body, request_id, api_name, signer, error.headers)
        except Exception as exc:  # a localcloud bug: say where on stderr, answer 400 so the SDK does not retry
            traceback.print_exc(file=sys.stderr)
            body = _error_body("LocalcloudInternalError", f"localcloud internal error: {type(exc).__name__}: {exc}")
            return _answer(400, body, request_id, api_name, caller, {})

    def error_response(self, code: str, status: int, message: str, headers: dict[str, str]) -> HttpResponse:
        """A Tablestore error answer for ``code`` (the fault injector's; see ``Router`` in app.py). Unsigned:
        the SDK checks ``authorization`` on an error only when present (§1.5)."""
        return _answer(status, _error_body(code, message), ids.request_id().lower(), "", None, headers)

    @staticmethod
    def _authorize(state: CloudState, caller: Caller, api_name: str, request: HttpRequest, tables: list[str]) -> None:
        account = state.account
        base = f"acs:ots:{account.region}:{account.account_id}:instance/{request.header('x-ots-instancename').lower()}"
        action = f"ots:{api_name}"
        context = request_context(state, caller.principal, request.client_ip)
        for resource in [f"{base}/table/{name}" for name in dict.fromkeys(tables)] or [base]:
            if not authorize(state, caller.principal, action, resource, context).allowed:
                raise errors.OTSNoPermissionAccess(
                    f"You have no permission to access the requested resource, please contact the resource owner "
                    f"(action: {action}, resource: {resource})."
                )
