"""A slow handler that records when it starts and ends, from inside the function, so a test can
tell from the order of the lines how many invocations ran at once (no clock involved).

It appends ``start <tag> <instance>`` to the file in ``SPAN_LOG``, waits until at least
``together`` invocations are open at once (or ``patience`` seconds pass: a limit below
``together`` makes it give up instead of hanging), stays open ``hold`` seconds more so that an
invocation past a limit would be seen overlapping, then appends ``end <tag> <instance>``.
Each line is one ``write`` to an ``O_APPEND`` file: whole lines, in the order they happened,
from any number of processes. The event: ``{"tag": str, "together": int, "hold": s, "patience": s}``.
"""

import json
import os
import time
from typing import Any


def _write(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def _open_now(path: str) -> int:
    with open(path) as log:
        lines = [line.split() for line in log if line.strip()]
    return sum(1 if kind == "start" else -1 for kind, *_ in lines)


def handler(event: bytes, context: Any) -> Any:
    job = json.loads(event)
    path = os.environ["SPAN_LOG"]
    instance = os.environ.get("FC_INSTANCE_ID", "inline")
    _write(path, f"start {job['tag']} {instance}")
    deadline = time.monotonic() + float(job.get("patience", 20))
    while _open_now(path) < int(job.get("together", 1)) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(float(job.get("hold", 0.3)))
    _write(path, f"end {job['tag']} {instance}")
    return job["tag"]
