"""SLS handlers: parse a request into model calls and serialise the answer. No rules here.

Shapes are the ones aliyun-log-python-sdk 0.9.52 reads (``project_response.py``,
``logstore_config_response.py``, ``index_config_response.py``, ``getlogsresponse.py``,
``gethistogramsresponse.py``) and
the API pages of AlibabaCloudDocs/sls: success is status 200 exactly, with an empty body for
writes; lists carry both ``count`` and ``total`` (the SDK raises KeyError without either).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import lz4.block

from localcloud.auth.principal import Principal
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.sls import errors
from localcloud.sls.models import MAX_LINE, LogsRequest, LogsResult, make_request
from localcloud.sls.models.entities import Logstore, Project
from localcloud.sls.protocol import codec

if TYPE_CHECKING:
    from localcloud.sls.models import SlsBackend
    from localcloud.state import CloudState


@dataclass(frozen=True, slots=True)
class SlsCall:
    request: HttpRequest
    state: CloudState
    project: str
    logstore: str
    principal: Principal
    request_id: str

    @property
    def backend(self) -> SlsBackend:
        return self.state.sls

    @property
    def params(self) -> dict[str, str]:
        return dict(self.request.query_pairs())


def empty(call: SlsCall) -> HttpResponse:
    return HttpResponse(200, b"", {"x-log-requestid": call.request_id})


def as_json(call: SlsCall, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse.json(200, payload, {"x-log-requestid": call.request_id, **(headers or {})})


def json_body(call: SlsCall) -> dict[str, Any]:
    try:
        data = json.loads(call.request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.PostBodyInvalid("The request body is not valid JSON object.") from exc
    if not isinstance(data, dict):
        raise errors.PostBodyInvalid("The request body is not valid JSON object.")
    return data


def _int_param(params: dict[str, str], name: str, default: int, error: errors.SlsError) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise error from None


def _epoch(when: datetime) -> int:
    return int(when.timestamp())


# --- projects -----------------------------------------------------------------------------


def _project_view(call: SlsCall, project: Project, *, listed: bool) -> dict[str, Any]:
    account = call.state.account
    if listed:  # ListProject.md: epoch seconds as strings
        created, modified = str(_epoch(project.created)), str(_epoch(project.modified))
    else:  # GetProject.md: "2020-11-18 16:55:57" (UNCONFIRMED: shown here in UTC)
        created = project.created.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        modified = project.modified.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return {
        "projectName": project.name,
        "status": "Normal",
        "owner": account.account_id,
        "description": project.description,
        "region": account.region,
        "createTime": created,
        "lastModifyTime": modified,
        "resourceGroupId": project.resource_group_id,
        "dataRedundancyType": project.data_redundancy_type,
    }


def create_project(call: SlsCall) -> HttpResponse:
    body = json_body(call)
    named = body.get("projectName", call.project)
    if named != call.project:
        raise errors.ParameterInvalid(f"projectName {named!r} in the body differs from {call.project!r} in Host")
    description = body.get("description") or ""
    group = body.get("resourceGroupId") or ""
    redundancy = body.get("dataRedundancyType")
    if not isinstance(description, str) or not isinstance(group, str) or not isinstance(redundancy, str | None):
        raise errors.ParameterInvalid("description, resourceGroupId and dataRedundancyType must be strings")
    call.backend.create_project(call.project, description, group, redundancy)
    return empty(call)


def get_project(call: SlsCall) -> HttpResponse:
    return as_json(call, _project_view(call, call.backend.project(call.project), listed=False))


def update_project(call: SlsCall) -> HttpResponse:
    description = json_body(call).get("description") or ""
    if not isinstance(description, str):
        raise errors.ParameterInvalid("description must be a string")
    call.backend.update_project(call.project, description)
    return empty(call)


def delete_project(call: SlsCall) -> HttpResponse:
    call.backend.delete_project(call.project)
    return empty(call)


def list_projects(call: SlsCall) -> HttpResponse:
    params = call.params
    offset = _int_param(params, "offset", 0, errors.ParameterInvalid(f"offset : {params.get('offset')} pair is invalid"))
    size = _int_param(params, "size", 100, errors.ParameterInvalid(f"size : {params.get('size')} pair is invalid"))
    total, found = call.backend.list_projects(
        offset, size, params.get("projectName", ""), params.get("description", ""), params.get("resourceGroupId", "")
    )
    views = [_project_view(call, p, listed=True) for p in found]
    return as_json(call, {"count": len(views), "total": total, "projects": views})


# --- logstores ----------------------------------------------------------------------------


def _logstore_view(store: Logstore) -> dict[str, Any]:
    view: dict[str, Any] = {
        "logstoreName": store.name,
        "ttl": store.ttl,
        "shardCount": store.shard_count,
        "enable_tracking": store.enable_tracking,
        "autoSplit": store.auto_split,
        "maxSplitShard": store.max_split_shard,
        "appendMeta": store.append_meta,
        "telemetryType": store.telemetry_type,
        "createTime": _epoch(store.created),
        "lastModifyTime": _epoch(store.modified),
        "mode": "standard",  # UNCONFIRMED default; an explicit mode is echoed from extra
    }
    view.update(store.extra)
    return view


def create_logstore(call: SlsCall) -> HttpResponse:
    call.backend.create_logstore(call.project, json_body(call))
    return empty(call)


def get_logstore(call: SlsCall) -> HttpResponse:
    return as_json(call, _logstore_view(call.backend.logstore(call.project, call.logstore)))


def update_logstore(call: SlsCall) -> HttpResponse:
    call.backend.update_logstore(call.project, call.logstore, json_body(call))
    return empty(call)


def delete_logstore(call: SlsCall) -> HttpResponse:
    call.backend.delete_logstore(call.project, call.logstore)
    return empty(call)


def list_logstores(call: SlsCall) -> HttpResponse:
    params = call.params
    offset = _int_param(params, "offset", 0, errors.ParameterInvalid(f"offset : {params.get('offset')} pair is invalid"))
    size = _int_param(params, "size", 500, errors.ParameterInvalid(f"size : {params.get('size')} pair is invalid"))
    total, names = call.backend.list_logstores(call.project, params.get("logstoreName", ""), offset, size)
    return as_json(call, {"count": len(names), "total": total, "logstores": names})


# --- indexes --------------------------------------------------------------------------------


def create_index(call: SlsCall) -> HttpResponse:
    call.backend.create_index(call.project, call.logstore, json_body(call))
    return empty(call)


def update_index(call: SlsCall) -> HttpResponse:
    call.backend.update_index(call.project, call.logstore, json_body(call))
    return empty(call)


def get_index(call: SlsCall) -> HttpResponse:
    """GetIndex.md's body: the configuration plus ``ttl`` (the logstore's, as the SDK's
    IndexConfig documents), ``lastModifyTime``, ``index_mode`` and ``storage``."""
    store, index = call.backend.get_index(call.project, call.logstore)
    view = {**index.config, "ttl": store.ttl, "lastModifyTime": _epoch(index.modified),
            "index_mode": "v2", "storage": "pg"}
    return as_json(call, view)


def delete_index(call: SlsCall) -> HttpResponse:
    call.backend.delete_index(call.project, call.logstore)
    return empty(call)


# --- logs ---------------------------------------------------------------------------------


def put_logs(call: SlsCall) -> HttpResponse:
    request = call.request
    content_type = request.header("content-type").split(";")[0].strip().lower()
    if content_type != "application/x-protobuf":
        raise errors.InvalidContentType(f"Content-Type {content_type or '(none)'} is unsupported.")
    call.backend.logstore(call.project, call.logstore)  # LogStoreNotExist before body errors
    raw = codec.decompress(request.body, request.header("x-log-compresstype"), request.header("x-log-bodyrawsize"))
    group = codec.decode_group(raw)
    call.backend.put_logs(call.project, call.logstore, group, request.client_ip)
    return empty(call)


def _meta(result: LogsResult) -> dict[str, Any]:
    sql = result.query.sql is not None
    return {
        "progress": "Complete",
        "count": len(result.rows),
        "processedRows": result.processed_rows,
        "elapsedMillisecond": 0,
        "hasSQL": sql,
        "whereQuery": result.query.where_text,
        "aggQuery": result.query.agg_text,
        "cpuSec": 0,
        "cpuCores": 0,
        "keys": result.keys,
        "powerSql": False,
        "isAccurate": True,
    }


def get_logs_v2(call: SlsCall) -> HttpResponse:
    """POST /logstores/{ls}/logs, what SDK 0.9.52 sends by default (wire-protocol.md §3.4)."""
    body = json_body(call)
    reverse = body.get("reverse", False)
    if not isinstance(reverse, bool):
        raise errors.InvalidReverse()
    request = make_request(
        from_time=body.get("from"), to_time=body.get("to"), from_ns=body.get("fromNs", 0), to_ns=body.get("toNs", 0),
        topic=body.get("topic") or "", query_text=body.get("query") or "", line=body.get("line", MAX_LINE),
        offset=body.get("offset", 0), reverse=reverse,
    )
    result = call.backend.get_logs(call.project, call.logstore, request)
    payload = json.dumps({"meta": _meta(result), "data": result.rows}, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "x-log-requestid": call.request_id}
    if "lz4" in call.request.header("accept-encoding").lower():
        # As the service does when asked: a raw LZ4 block, size in x-log-bodyrawsize.
        headers.update({"x-log-compresstype": "lz4", "x-log-bodyrawsize": str(len(payload))})
        payload = lz4.block.compress(payload, store_size=False)
    return HttpResponse(200, payload, headers)


def _v1_request(params: dict[str, str], *, histogram: bool) -> LogsRequest:
    reverse_text = params.get("reverse", "false").lower()
    if reverse_text not in ("true", "false"):
        raise errors.InvalidReverse()
    bad_from = errors.ParameterInvalid("The parameter from must be a positive integer")
    bad_to = errors.ParameterInvalid("The parameter to must be a positive integer")
    return make_request(
        from_time=_int_param(params, "from", -1, bad_from), to_time=_int_param(params, "to", -1, bad_to),
        from_ns=_int_param(params, "fromNs", 0, errors.ParameterInvalid("The parameter fromNs is invalid")),
        to_ns=_int_param(params, "toNs", 0, errors.ParameterInvalid("The parameter toNs is invalid")),
        topic=params.get("topic", ""), query_text=params.get("query", ""),
        line=_int_param(params, "line", MAX_LINE, errors.InvalidLine()),
        offset=_int_param(params, "offset", 0, errors.ParameterInvalid("limit expression is required")),
        reverse=reverse_text == "true", histogram=histogram,
    )


def _header_text(text: str) -> str:
    """A query echoed in a header: no CR/LF (header injection) and nothing outside latin-1."""
    return "".join(c if " " <= c <= "~" else " " for c in text)


def get_logs_v1(call: SlsCall) -> HttpResponse:
    """GET /logstores/{ls}?type=log: a JSON list, progress and count in headers (GetLogs.md)."""
    result = call.backend.get_logs(call.project, call.logstore, _v1_request(call.params, histogram=False))
    meta = _meta(result)
    return as_json(call, result.rows, {
        "x-log-progress": "Complete",
        "x-log-count": str(meta["count"]),
        "x-log-processed-rows": str(meta["processedRows"]),
        "x-log-elapsed-millisecond": "0",
        "x-log-has-sql": "true" if meta["hasSQL"] else "false",
        "x-log-where-query": _header_text(meta["whereQuery"]),
        "x-log-agg-query": _header_text(meta["aggQuery"]),
    })


def get_histograms(call: SlsCall) -> HttpResponse:
    """GET /logstores/{ls}?type=histogram (GetHistograms.md)."""
    result = call.backend.get_histograms(call.project, call.logstore, _v1_request(call.params, histogram=True))
    body = [{"from": b.start, "to": b.end, "count": b.count, "progress": "Complete"} for b in result.buckets]
    return as_json(call, body, {"x-log-progress": "Complete", "x-log-count": str(result.total)})
