"""``python -m rampart_dev.bench.emulator``: localcloud's calls/s through the RAM SDK, beside a baseline.

Each server runs in its own process (as ``python -m localcloud serve`` does), so the
client and the server do not share a GIL. The baseline is the same HTTP transport
answering a canned GetUser body with no signature check, no authorization and no state:
the gap between the two rows is what localcloud's fidelity costs per call.

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

CANNED = {
    "RequestId": "00000000-0000-0000-0000-000000000000",
    "User": {"UserId": "1", "UserName": "bench", "DisplayName": "", "CreateDate": "2026-01-01T00:00:00Z"},
}


def _null_server() -> int:
    """Serve the canned body on a free port; print the info line like `serve` does."""
    from localcloud.core.http import HttpRequest, HttpResponse
    from localcloud.server import HttpServer

    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse.json(200, CANNED)

    server = HttpServer("127.0.0.1", 0, answer)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    print(json.dumps({"endpoint": f"127.0.0.1:{server.port}", "access_key_id": "LTAI5tBench000000000000",
                      "access_key_secret": "bench", "region": "cn-hangzhou"}), flush=True)
    stop.wait()
    server.stop()
    return 0


@contextmanager
def _server(args: list[str]) -> Iterator[dict[str, Any]]:
    process = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def _client(info: dict[str, Any]) -> Any:
    from alibabacloud_ram20150501.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(Config(access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"],
                         endpoint=info["endpoint"], protocol="http", region_id=info["region"]))


def _rate(calls: int, work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return calls / (time.perf_counter() - start)


def measure(info: dict[str, Any], calls: int, threads: int) -> tuple[float, float]:
    from alibabacloud_ram20150501 import models

    client = _client(info)
    try:
        client.create_user(models.CreateUserRequest(user_name="bench"))
    except Exception as exc:  # the baseline answers anything with the canned user
        if getattr(exc, "code", "") != "EntityAlreadyExists.User":
            raise
    request = models.GetUserRequest(user_name="bench")
    for _ in range(50):  # warm up connections and caches
        client.get_user(request)

    def sequential() -> None:
        for _ in range(calls):
            client.get_user(request)

    per_thread = max(1, calls // threads)

    def threaded() -> None:
        def worker(_: int) -> None:
            for _ in range(per_thread):
                client.get_user(request)

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(worker, range(threads)))

    return _rate(calls, sequential), _rate(per_thread * threads, threaded)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rampart_dev.bench.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="GetUser calls per measurement (default 2000)")
    parser.add_argument("--threads", type=int, default=16, help="client threads for the concurrent row (default 16)")
    parser.add_argument("--null-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.null_server:
        return _null_server()
    if args.calls < 1 or args.threads < 1:
        parser.error("--calls and --threads must be positive")
    rows: list[tuple[str, float, float]] = []
    with _server(["-m", "rampart_dev.bench.emulator", "--null-server"]) as info:
        rows.append(("baseline: same transport, canned answer", *measure(info, args.calls, args.threads)))
    with _server(["-m", "localcloud", "serve"]) as info:
        rows.append(("localcloud: signature + authz + state", *measure(info, args.calls, args.threads)))
    cpu = platform.processor() or platform.machine()
    print(f"RAM GetUser through alibabacloud_ram20150501, {args.calls} calls; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs ({cpu})")
    print(f"| server | sequential calls/s | {args.threads} threads calls/s |")
    print("|---|---|---|")
    for name, seq, par in rows:
        print(f"| {name} | {seq:,.0f} | {par:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
