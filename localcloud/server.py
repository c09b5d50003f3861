"""The HTTP/1.1 server: one port, every service, keep-alive, no Nagle stalls.

It only moves bytes: it reads a request, hands an :class:`HttpRequest` to the
dispatcher and writes the answer in a single ``sendall`` (headers and body together),
with ``TCP_NODELAY`` set and a listen backlog of 512. A stock ``http.server`` stalls
40 ms per call on keep-alive connections (wire-protocol.md §4).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from localcloud.core.http import HttpRequest, HttpResponse

Dispatch = Callable[[HttpRequest], HttpResponse]

MAX_BODY = 64 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        return  # access logs would drown test output; state is inspectable instead

    def _handle(self) -> None:
        length_text = self.headers.get("Content-Length")
        try:
            length = int(length_text) if length_text else 0
        except ValueError:
            self._write(HttpResponse(400, b"bad Content-Length"), close=True)
            return
        if length < 0 or length > MAX_BODY:
            self._write(HttpResponse(413, b"body too large"), close=True)
            return
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=headers,
            body=body,
            client_ip=self.client_address[0],
        )
        response = self.server.dispatch(request)
        if response.status == -1:  # the fault injector's "drop": close without answering
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _write(self, response: HttpResponse, close: bool = False) -> None:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Status"
        lines = [f"HTTP/1.1 {response.status} {reason}"]
        headers = dict(response.headers)
        headers["Content-Length"] = str(len(response.body))
        if close or self.close_connection:
            headers["Connection"] = "close"
            self.close_connection = True
        for name, value in headers.items():
            lines.append(f"{name}: {value}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        self.wfile.write(head + response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        super().__init__(address, _Handler)


class HttpServer:
    """A background-thread server bound to ``host:port`` (port 0 picks a free one)."""

    def __init__(self, host: str, port: int, dispatch: Dispatch) -> None:
        self._server = _Server((host, port), dispatch)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="localcloud-http", daemon=True
        )
        self._thread.start()

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

