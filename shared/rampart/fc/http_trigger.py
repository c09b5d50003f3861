"""FC 3.0's HTTP trigger, both ways: the event a built-in runtime hands the function
(-> :class:`InboundRequest`) and the answer struct it expects back.

The event (alibaba-platform.md §D.2, https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function)::

    {"version": "v1", "rawPath": "/example", "body": "Hello FC!", "isBase64Encoded": false,
     "headers": {"header2": "value1,value2"}, "queryParameters": {"parameter2": "value1,value2"},
     "requestContext": {"http": {"method": "GET", "path": "/example", "sourceIp": "..."},
                        "requestId": "1-64f6cd87-...", "time": "2023-09-05T06:41:11Z",
                        "timeEpoch": "1693896071895"}}

- repeated header and query values arrive comma-joined into one string; header names are
  looked up case-insensitively (lower-cased here);
- ``rawPath`` is URL-encoded, ``requestContext.http.path`` decoded;
- ``body`` is base64 when ``isBase64Encoded`` is true; signatures are checked on the decoded
  bytes (for a text body, its UTF-8 encoding: the string FC passed, never re-serialised);
- ``timeEpoch`` is a string of milliseconds.

The answer is ``{"statusCode", "headers", "isBase64Encoded", "body"}``. :func:`answer_from`
turns a source's :class:`Inbound` or a refusal into it; a refusal's body is the message and
hint only, never the request body, a secret or a stack trace.

:func:`http_event` builds the event the same way FC does (for the dev server, the samples
and tests). Which bodies FC base64-encodes ("binary content") is UNCONFIRMED: here, a
body that is not valid UTF-8.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote

from rampart.errors import RampartError, http_status
from rampart.sources import check_size, decode_base64, decode_json_object, epoch_millis, json_type
from rampart.sources.base import MAX_BODY_BYTES, Inbound, InboundRequest, SourceError

MAX_EVENT_BYTES = MAX_BODY_BYTES * 4 // 3 + 64 * 1024
"""A trigger event larger than this cannot carry an acceptable body (base64 plus headers)."""
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class HttpTriggerEvent:
    request: InboundRequest
    raw_path: str
    request_id: str
    received_at: datetime | None
    """``requestContext.timeEpoch``: when FC received the request."""


def _joined(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    raise SourceError(400, f"trigger event: {where} must be a string, not {json_type(value)}")


def _string_map(data: Mapping[str, Any], key: str, *, lower: bool) -> dict[str, str]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(400, f"trigger event: {key} must be an object, not {json_type(value)}")
    out: dict[str, str] = {}
    for name, item in value.items():
        text = _joined(item, f"{key}.{str(name)[:40]}")
        name = name.lower() if lower else name
        out[name] = f"{out[name]},{text}" if name in out else text
    return out


def parse_http_event(event: bytes | str) -> HttpTriggerEvent:
    """The FC 3.0 HTTP trigger event; 413 when too large, 400 when it is not one."""
    raw = event.encode("utf-8") if isinstance(event, str) else event
    if len(raw) > MAX_EVENT_BYTES:
        raise SourceError(413, f"request is {len(raw)} bytes, more than the {MAX_BODY_BYTES}-byte body accepted")
    data = decode_json_object(raw, what="trigger event")
    raw_path = data.get("rawPath")
    if not isinstance(raw_path, str) or not raw_path.startswith("/"):
        raise SourceError(400, "trigger event: rawPath is missing; not an FC 3.0 HTTP trigger event")
    context = data.get("requestContext", {})
    if not isinstance(context, dict):
        raise SourceError(400, f"trigger event: requestContext must be an object, not {json_type(context)}")
    http = context.get("http", {})
    if not isinstance(http, dict):
        raise SourceError(400, f"trigger event: requestContext.http must be an object, not {json_type(http)}")
    method = http.get("method", "POST")
    if not isinstance(method, str) or not method.isalpha() or len(method) > 16:
        raise SourceError(400, "trigger event: requestContext.http.method is not an HTTP method")
    path = http.get("path")
    if not isinstance(path, str):
        path = unquote(raw_path.split("?", 1)[0])

    body_text = data.get("body", "")
    if body_text is None:
        body_text = ""
    if not isinstance(body_text, str):
        raise SourceError(400, f"trigger event: body must be a string, not {json_type(body_text)}")
    encoded = data.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise SourceError(400, f"trigger event: isBase64Encoded must be true or false, not {json_type(encoded)}")
    if encoded:
        body = decode_base64(body_text, what="trigger event: body (isBase64Encoded)")
    else:
        body = body_text.encode("utf-8", "surrogatepass")
    check_size(body)

    source_ip = http.get("sourceIp", "")
    request_id = context.get("requestId", "")
    received_at: datetime | None = None
    try:
        received_at = epoch_millis(context.get("timeEpoch"))
    except ValueError:
        received_at = None
    request = InboundRequest(
        method=method.upper(),
        path=path,
        headers=_string_map(data, "headers", lower=True),
        query=_string_map(data, "queryParameters", lower=False),
        body=body,
        source_ip=source_ip if isinstance(source_ip, str) else "",
    )
    return HttpTriggerEvent(
        request=request,
        raw_path=raw_path,
        request_id=request_id if isinstance(request_id, str) else "",
        received_at=received_at,
    )


def to_inbound(event: bytes | str) -> InboundRequest:
    return parse_http_event(event).request


# --- building the event (dev server, samples, tests) ---------------------------------------


def _pairs(values: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Iterable[tuple[str, str]]:
    if values is None:
        return ()
    return values.items() if isinstance(values, Mapping) else values


def http_event(
    method: str,
    raw_path: str,
    body: bytes,
    now: datetime,
    *,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    query: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    source_ip: str = "127.0.0.1",
    request_id: str = "",
    account_id: str = "1234567890123456",
    domain_prefix: str = "rampart-local",
    region: str = "cn-hangzhou",
) -> dict[str, Any]:
    """The FC 3.0 HTTP trigger event for a request: repeated headers (names as given) and
    query values comma-joined, ``rawPath`` encoded, the body base64 unless it is UTF-8 text.
    ``raw_path`` is the path as sent on the wire (without the query string)."""
    joined_headers: dict[str, str] = {}
    user_agent = ""
    for name, value in _pairs(headers):
        joined_headers[name] = f"{joined_headers[name]},{value}" if name in joined_headers else value
        if name.lower() == "user-agent":
            user_agent = value
    joined_query: dict[str, str] = {}
    for name, value in _pairs(query):
        joined_query[name] = f"{joined_query[name]},{value}" if name in joined_query else value
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    stamp = now.astimezone(timezone.utc)
    millis = int(stamp.timestamp() * 1000)
    if not request_id:
        digest = hashlib.sha256(f"{millis}|{method}|{raw_path}".encode() + body).hexdigest()
        request_id = f"1-{millis // 1000:08x}-{digest[:8]}-{digest[8:20]}"
    encoded_path = quote(raw_path, safe="/%:@!$&'()*+,;=-._~")
    return {
        "version": "v1",
        "rawPath": encoded_path,
        "body": text,
        "isBase64Encoded": encoded,
        "headers": joined_headers,
        "queryParameters": joined_query,
        "requestContext": {
            "accountId": account_id,
            "domainName": f"{domain_prefix}.{region}.fcapp.run",
            "domainPrefix": domain_prefix,
            "http": {
                "method": method.upper(),
                "path": unquote(encoded_path),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": user_agent,
            },
            "requestId": request_id,
            "time": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeEpoch": str(millis),
        },
    }


# --- answers -------------------------------------------------------------------------------


def answer(
    status: int, body: str | bytes | Mapping[str, Any] = "", headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """FC 3.0's response struct; a mapping body is sent as compact JSON, bytes that are not
    UTF-8 as base64."""
    out_headers = dict(JSON if headers is None else headers)
    if isinstance(body, Mapping):
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        out_headers.setdefault("Content-Type", "application/json")
        return {"statusCode": status, "headers": out_headers, "isBase64Encoded": False, "body": text}
    if isinstance(body, bytes):
        try:
            return {
                "statusCode": status,
                "headers": out_headers,
                "isBase64Encoded": False,
                "body": body.decode("utf-8"),
            }
        except UnicodeDecodeError:
            encoded = base64.b64encode(body).decode("ascii")
            return {"statusCode": status, "headers": out_headers, "isBase64Encoded": True, "body": encoded}
    return {"statusCode": status, "headers": out_headers, "isBase64Encoded": False, "body": body}


def _refusal(status: int, error: RampartError) -> dict[str, Any]:
    payload = {"error": error.message}
    if error.hint:
        payload["hint"] = error.hint
    return answer(status, payload)


def status_for(error: BaseException) -> int:
    """The HTTP status for a refusal: the error's class's (``rampart.errors``: a source's own,
    422 for an unknown person or profile or a catalog refusal, 400 for a bad event, 502 for a
    cloud failure), else 500."""
    return http_status(error)


def answer_from(result: Inbound | BaseException, *, already_accepted: bool = False) -> dict[str, Any]:
    """The answer for a source's result: its immediate reply, 200 for an ignored delivery or a
    duplicate (``already_accepted``: FC said 409 for the task id), 202 for an accepted
    hand-off; for an error, its status with the message and hint (an exception that is not
    rampart's own answers a bare 500, its text never shown)."""
    if isinstance(result, BaseException):
        if isinstance(result, RampartError):
            return _refusal(status_for(result), result)
        return answer(500, {"error": "internal error; the delivery was not accepted, retry later"})
    if result.reply is not None:
        return answer(result.reply.status, result.reply.body, result.reply.headers)
    if result.ignored or not result.events:
        return answer(200, {"status": "ignored", "reason": result.ignored or "no lifecycle event"})
    payload: dict[str, Any] = {
        "status": "duplicate" if already_accepted else "accepted",
        "delivery_id": result.delivery_id,
        "events": [event.event_id for event in result.events],
    }
    return answer(200 if already_accepted else 202, payload)
