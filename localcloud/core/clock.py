"""localcloud's clock: real UTC time plus an offset that tests move.

The clock drives every rule that depends on "now": STS token expiry, `acs:CurrentTime`
in policy conditions, KMS recovery windows, timestamps in responses. It never goes
backwards by accident: ``set`` and ``advance`` are the only ways to move it.
Signature freshness (``x-acs-date`` within 15 minutes) is checked against real time,
because the SDK signs with the machine's clock, not with localcloud's.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    """The machine's real time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """Alibaba's response timestamp form: ``2026-11-28T03:42:30Z``."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time; a naive value is taken as UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


class Clock:
    """Real time shifted by an offset; thread-safe."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return utcnow() + self._offset

    def set(self, when: datetime) -> datetime:
        """Make ``now()`` equal ``when`` from this instant on; time keeps running."""
        if when.tzinfo is None:
            raise ValueError("clock time must be timezone-aware")
        with self._lock:
            self._offset = when - utcnow()
        return self.now()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def restore_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = timedelta(seconds=seconds)
