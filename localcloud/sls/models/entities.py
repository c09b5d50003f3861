"""SLS state as plain data: projects, logstores and the logs they hold.

Everything here is pickled into the state file, so it is dataclasses, tuples, strings and
datetimes only. Logs are stored compactly: the topic, source and tags of a PutLogs call are
kept once per log group (:data:`GroupMeta`) and each log is a tuple referring to its group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Pairs = tuple[tuple[str, str], ...]

GroupMeta = tuple[str, str, Pairs]
"""(topic, source, tags) of one PutLogs call; tags include the system ``__receive_time__``."""

LogRecord = tuple[int, int, int, Pairs]
"""(time, time_ns, index of its GroupMeta in ``Logstore.groups``, contents)."""


@dataclass
class LogstoreIndex:
    """An index configuration as CreateIndex / UpdateIndex stored it (validated and with its
    defaults filled in, see :mod:`._indexes`), and when it was set."""

    config: dict[str, Any]
    modified: datetime


IndexSpan = tuple[int, LogstoreIndex | None]
"""(position in ``Logstore.records`` from which it applies, the index then in force or None)."""


@dataclass
class Logstore:
    name: str
    ttl: int
    shard_count: int
    enable_tracking: bool
    auto_split: bool
    max_split_shard: int
    append_meta: bool
    telemetry_type: str
    created: datetime
    modified: datetime
    extra: dict[str, Any] = field(default_factory=dict)
    """Optional settings stored and echoed, not enforced: mode, hot_ttl, encrypt_conf, ..."""
    groups: list[GroupMeta] = field(default_factory=list)
    records: list[LogRecord] = field(default_factory=list)
    index_spans: tuple[IndexSpan, ...] = ()
    """Which index each stretch of ``records`` was written under: SLS indexes a log with the
    configuration in force when it arrives, and only from CreateIndex on (create-indexes page:
    "take effect only for the logs that are written after you update the index
    configurations"). A tuple, so snapshots from before indexes existed load with ``()``."""

    @property
    def index(self) -> LogstoreIndex | None:
        """The index configured now (None: none, or deleted)."""
        return self.index_spans[-1][1] if self.index_spans else None


@dataclass
class Project:
    name: str
    description: str
    created: datetime
    modified: datetime
    resource_group_id: str
    data_redundancy_type: str
    logstores: dict[str, Logstore] = field(default_factory=dict)
