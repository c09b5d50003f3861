"""``rampart dev``'s HTTP front end: what Function Compute's HTTP trigger does in front of
rampart's two webhook functions, on loopback, with the functions running in localcloud.

Per request (alibaba-platform.md §D.2, the FC 3.0 HTTP trigger):

- ``/hr/...`` goes to ``rampart-hr-webhook``, ``/ticket/...`` to ``rampart-ticket-webhook``
  (the paths ``rampart.fc.receiver`` routes); any other path is answered 404 JSON here;
- the request becomes FC 3.0's HTTP trigger event (:func:`trigger_event`, built by
  ``rampart.fc.http_trigger.http_event``): ``version: v1``; ``rawPath`` the path as sent,
  URL-encoded; ``requestContext.http.path`` decoded; repeated header and query values
  comma-joined; the body as UTF-8 text, or base64 with ``isBase64Encoded: true`` when it is
  not valid UTF-8 (what FC calls "binary" is UNCONFIRMED); ``requestContext`` with
  ``accountId``, ``domainName``, ``domainPrefix``, ``http{method, path, protocol, sourceIp,
  userAgent}``, ``requestId``, ``time`` and ``timeEpoch`` (a string of milliseconds). Header
  names are passed as the client sent them (FC's casing is UNCONFIRMED; the receivers look
  them up case-insensitively);
- the event is invoked **synchronously** through the FC 3.0 SDK (InvokeFunction), and the
  function's answer ``{statusCode, headers, isBase64Encoded, body}`` becomes the HTTP
  response. A function that raised is answered 502 with FC's request id (FC's exact answer
  is UNCONFIRMED); a return value that is not the struct is sent as a 200 body (§D.2 says
  UNCONFIRMED, most likely so).

The receivers then hand off to ``rampart-lifecycle`` with FC async invocations inside
localcloud (task ids, 409 on a redelivery, retries), as deployed. :class:`SweepTimer` fires
``rampart-sweeper`` with a timer trigger event (§D.5) every N seconds, asynchronously, as FC's
timer trigger does.

Progress goes to ``log`` as one dict per request (status, function, FC request id, time
taken); never a header value, a body or a secret. Nothing here imports localcloud.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from rampart.clock import Clock, utcnow
from rampart.fc.http_trigger import http_event

if TYPE_CHECKING:
    from rampart_dev.devcloud import DevCloud

ROUTES = (("/hr", "rampart-hr-webhook"), ("/ticket", "rampart-ticket-webhook"))
"""Path prefix -> function (``rampart.fc.receiver.HR_ROUTES`` / ``TICKET_ROUTES``)."""
SWEEPER = "rampart-sweeper"
MAX_REQUEST_BYTES = 32 * 1024 * 1024
"""FC's synchronous invocation payload limit (https://www.alibabacloud.com/help/doc-detail/2527064.html)."""
DOMAIN_PREFIX = "rampart-dev"
TIMER_PAYLOAD = '{"rotate": true}'
"""s.yaml's sweeper timer payload."""

Log = Callable[[dict[str, Any]], None]


def function_for(path: str) -> str | None:
    """The function serving ``path`` (the decoded path), or None."""
    for prefix, function in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return function
    return None


def trigger_event(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes,
    now: datetime,
    *,
    source_ip: str,
    account_id: str,
    region: str,
) -> dict[str, Any]:
    """FC 3.0's HTTP trigger event for one request; ``target`` is the request-target as sent
    (path and query string)."""
    parts = urlsplit(target)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return http_event(method, parts.path or "/", body, now, headers=headers, query=query, source_ip=source_ip,
                      account_id=account_id, domain_prefix=DOMAIN_PREFIX, region=region)


def timer_event(now: datetime, name: str = "dev-sweep", payload: str = TIMER_PAYLOAD) -> dict[str, str]:
    """FC's timer trigger event (§D.5): ``{"triggerTime", "triggerName", "payload"}``."""
    return {"triggerTime": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "triggerName": name,
            "payload": payload}


def _json_answer(status: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload, separators=(",", ":")).encode()


class Gateway:
    """Request in, response out: the wrapping and the synchronous invocation."""

    def __init__(self, fc: DevCloud, *, account_id: str, region: str, clock: Clock = utcnow,
                 log: Log = lambda _entry: None) -> None:
        self._fc = fc
        self.account_id = account_id
        self.region = region
        self._clock = clock
        self._log = log

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               source_ip: str) -> tuple[int, dict[str, str], bytes]:
        started = time.monotonic()
        event = trigger_event(method, target, headers, body, self._clock(), source_ip=source_ip,
                              account_id=self.account_id, region=self.region)
        path = event["requestContext"]["http"]["path"]
        function = function_for(path)
        entry: dict[str, Any] = {"event": "request", "method": method, "path": path[:200]}
        if function is None:
            answer = _json_answer(404, {"error": f"nothing is served at {path[:80]!r}",
                                        "hint": "POST to /hr/<source> or /ticket/<source>"})
        else:
            entry["function"] = function
            answer = self._invoke(function, event, entry)
        entry |= {"status": answer[0], "ms": int((time.monotonic() - started) * 1000)}
        self._log(entry)
        return answer

    def _invoke(self, function: str, event: dict[str, Any], entry: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        from rampart.errors import CloudError

        try:
            result = self._fc.invoke_sync(function, json.dumps(event, ensure_ascii=False).encode("utf-8"))
        except CloudError as exc:
            entry["error"] = f"{exc.code}"
            return _json_answer(502, {"error": f"Function Compute refused the invocation: {exc.code}",
                                      "request_id": exc.request_id})
        entry["request_id"] = result.request_id
        headers = {"x-fc-request-id": result.request_id}
        if result.error_type:
            entry["error"] = result.error_type
            status, base, body = _json_answer(502, {"error": "the function failed", "request_id": result.request_id})
            return status, {**base, **headers}, body
        return self._response(result.body, headers)

    @staticmethod
    def _response(raw: bytes, extra: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not (isinstance(answer, dict) and isinstance(answer.get("statusCode"), int)):
            return 200, extra, raw
        headers = {str(k): str(v) for k, v in (answer.get("headers") or {}).items()}
        text = answer.get("body", "")
        text = text if isinstance(text, str) else json.dumps(text)
        if answer.get("isBase64Encoded") is True:
            import base64

            body = base64.b64decode(text)
        else:
            body = text.encode("utf-8")
        return int(answer["statusCode"]), {**headers, **extra}, body


class _Handler(BaseHTTPRequestHandler):
    server: DevHttpServer
    protocol_version = "HTTP/1.1"
    server_version = "rampart-dev"

    def log_message(self, *args: Any) -> None:  # the gateway logs each request itself
        return

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked()
        length = (self.headers.get("Content-Length") or "0").strip()
        if not length.isdigit():
            raise ValueError("Content-Length is not a number")
        size = int(length)
        if size > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(size) if size else b""

    def _chunked(self) -> bytes | None:
        out = bytearray()
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            size = int(line or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return bytes(out)
            if len(out) + size > MAX_REQUEST_BYTES:
                return None
            out += self.rfile.read(size)
            self.rfile.readline(8)

    def _serve(self) -> None:
        try:
            body = self._body()
        except ValueError:
            status, headers, payload = _json_answer(400, {"error": "malformed request body framing"})
            self.close_connection = True
        else:
            if body is None:
                status, headers, payload = _json_answer(413, {"error": f"request body over {MAX_REQUEST_BYTES} bytes"})
                self.close_connection = True
            else:
                pairs = [(name, value) for name, value in self.headers.items()]
                status, headers, payload = self.server.gateway.handle(self.command, self.path, pairs, body,
                                                                      self.client_address[0])
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve


class DevHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class SweepTimer:
    """Fires the sweeper every ``every`` seconds (FC timer trigger: an async invocation)."""

    def __init__(self, fc: DevCloud, every: float, *, clock: Clock = utcnow, log: Log = lambda _entry: None) -> None:
        self._fc = fc
        self.every = every
        self._clock = clock
        self._log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> str:
        """One timer firing now; the async task id."""
        event = timer_event(self._clock())
        task = self._fc.invoke_async(SWEEPER, json.dumps(event).encode("utf-8"))
        self._log({"event": "timer", "function": SWEEPER, "task_id": task, "trigger_time": event["triggerTime"]})
        return task

    def _run(self) -> None:
        from rampart.errors import RampartError

        while not self._stop.wait(self.every):
            try:
                self.tick()
            except RampartError as exc:
                self._log({"event": "timer", "function": SWEEPER, "error": str(exc)[:300]})

    def start(self) -> None:
        if self.every > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rampart-dev-sweep", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


class DevServer:
    """The gateway on ``host:port`` plus the sweep timer; :meth:`start` / :meth:`stop`."""

    def __init__(self, fc: DevCloud, *, account_id: str, region: str, host: str = "127.0.0.1", port: int = 0,
                 sweep_every: float = 60.0, clock: Clock = utcnow, log: Log = lambda _entry: None) -> None:
        self.gateway = Gateway(fc, account_id=account_id, region=region, clock=clock, log=log)
        self.http = DevHttpServer((host, port), self.gateway)
        self.timer = SweepTimer(fc, sweep_every, clock=clock, log=log)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.http.server_address[0], self.http.server_address[1]
        return f"http://{host!s}:{port}"

    def start(self) -> DevServer:
        self._thread = threading.Thread(target=self.http.serve_forever, args=(0.05,), name="rampart-dev-http",
                                        daemon=True)
        self._thread.start()
        self.timer.start()
        return self

    def stop(self) -> None:
        self.timer.stop()
        self.http.shutdown()
        self.http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
