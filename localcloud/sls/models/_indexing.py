"""SLS's indexing delay: a log is queryable a moment after PutLogs accepted it, not at once.

Real SLS: "Real-time data is queryable within about 3 s" (GetLogs, alibaba-platform.md §C.5;
https://www.alibabacloud.com/help/en/sls/developer-reference/api-sls-2020-12-30-getlogs). A
reader that writes a record and expects the next query to find it (rampart's tombstone: a
leaver writes it, a late joiner must find it) is wrong for those seconds, and a test bed with
no delay hides that. localcloud models it with one setting, ``seconds`` (0 by default, so tests
that do not care stay fast; ``python -m localcloud serve --sls-index-delay S`` or ``POST
/_localcloud/sls/index-delay {"seconds": S}``): the logs of a PutLogs call become visible to
GetLogs and GetHistograms when localcloud's clock reaches the call's time plus the delay then
in force. The clock, not the wall: a test moves past the delay with ``POST /_localcloud/clock
{"advance": S}`` instead of sleeping. PutLogs' own answer and ``__receive_time__`` are not
delayed, and a changed setting applies to later writes only.

Not state: the pending writes are kept here, outside the snapshot (a restart takes longer than
any delay), and ``reset`` forgets them but keeps the setting, like the latency.
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime, timedelta

from localcloud.sls.models.entities import Logstore

MAX_DELAY_SECONDS = 600.0
"""The largest delay accepted: a setting beyond minutes is a mistake, not a model of SLS."""

_Pending = tuple["weakref.ref[Logstore]", int, int, datetime]
"""(the logstore, first record position, end position, when they become visible)."""


class IndexingDelay:
    def __init__(self, seconds: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._seconds = 0.0
        self._pending: dict[int, list[_Pending]] = {}
        self.set(seconds)

    @property
    def seconds(self) -> float:
        return self._seconds

    def set(self, seconds: float) -> float:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise ValueError(f"the SLS index delay must be a number of seconds from 0 to {MAX_DELAY_SECONDS:g}, "
                             f"not {seconds!r}")
        with self._lock:
            self._seconds = float(seconds)
        return self._seconds

    def written(self, store: Logstore, start: int, end: int, now: datetime) -> None:
        """Records ``[start, end)`` of ``store`` were written at ``now``."""
        with self._lock:
            if self._seconds <= 0 or start >= end:
                return
            entry = (weakref.ref(store), start, end, now + timedelta(seconds=self._seconds))
            self._pending.setdefault(id(store), []).append(entry)

    def hidden(self, store: Logstore, now: datetime) -> list[tuple[int, int]]:
        """The record ranges of ``store`` not yet visible at ``now`` (those now visible are forgotten)."""
        with self._lock:
            entries = self._pending.get(id(store))
            if not entries:
                return []
            alive = [e for e in entries if e[0]() is store and e[3] > now]
            if alive:
                self._pending[id(store)] = alive
            else:
                del self._pending[id(store)]
            return [(start, end) for _, start, end, _ in alive]

    def pending_writes(self, now: datetime) -> int:
        """How many PutLogs calls are written and not yet visible at ``now``."""
        with self._lock:
            return sum(1 for entries in self._pending.values() for e in entries if e[0]() is not None and e[3] > now)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
