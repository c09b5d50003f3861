"""What handlers recorded, shared with the tests (handlers import it by its dotted name)."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
RECORDS: dict[str, list[Any]] = {}
COUNTERS: dict[str, int] = {}


def record(key: str, value: Any) -> None:
    with _lock:
        RECORDS.setdefault(key, []).append(value)


def records(key: str) -> list[Any]:
    with _lock:
        return list(RECORDS.get(key, []))


def bump(key: str) -> int:
    with _lock:
        COUNTERS[key] = COUNTERS.get(key, 0) + 1
        return COUNTERS[key]


def clear() -> None:
    with _lock:
        RECORDS.clear()
        COUNTERS.clear()
