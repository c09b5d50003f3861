"""Logs in a logstore: PutLogs' acceptance rules, GetLogs and GetHistograms.

PutLogs rules (PutLogs.md, alibaba-platform.md §C.1): at most 4,096 logs and 3 MB per call,
each value at most 1 MB, UTF-8 only (``InvalidEncoding``), every log time within
[now - 168 h, now + 15 min] (``PostBodyInvalid`` "The post data time is out of range"); a call
that breaks a rule writes nothing. "now" is localcloud's clock, so a test that moves the clock
moves the accepted window with it (logs stamped with the machine's real time are refused
once the clock is more than 7 days ahead).

GetLogs rules (GetLogs.md, and the live behaviour asserted by the Java SDK's
AbnormalOperationTest): [from, to) is left-closed, right-open and from >= to is
``InvalidTimeRange``; a negative from/to is ``ParameterInvalid`` "The parameter from must be
a positive integer"; line above 100 is served as 100; a negative line is ``InvalidLine``; a
negative offset is ``ParameterInvalid`` "limit expression is required"; a query that does not
parse is ``ParameterInvalid``; with SQL, offset must be 0. Results are complete at once, over
the logs indexed by then (:mod:`._indexing`: a log is queryable a moment after PutLogs).

Queries go through the logstore's index (:mod:`._indexes`, :mod:`._analysis`): without one
GetLogs and GetHistograms answer ``IndexConfigNotExist`` "logstore without index config"
(GetLogs.md; for GetHistograms UNCONFIRMED: its page lists no such code); a search naming a
field the index does not cover is ``ParameterInvalid`` with SLS's message; and a log is found
only when an index was in force when it was written, through the configuration of that time
(the create-indexes page: configurations "take effect only for the logs that are written
after you update the index configurations"; reindexing is not modelled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from localcloud.sls import errors
from localcloud.sls.models import _indexes as indexes
from localcloud.sls.models import query
from localcloud.sls.models._analysis import Schema
from localcloud.sls.models.entities import LogRecord, Logstore, LogstoreIndex

MAX_LOGS = 4096
MAX_VALUE = 1024 * 1024
MAX_LINE = 100
PAST_WINDOW = timedelta(hours=168)
FUTURE_WINDOW = timedelta(minutes=15)
PERMANENT_TTL = 3650
_NS = 1_000_000_000
MAX_RAW_SIZE = 3 * 1024 * 1024
"""PutLogs.md: a log group of at most 3 MB; Common request headers.md: x-log-bodyrawsize 0..3145728."""


# --- PutLogs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecodedLog:
    time: int
    time_ns: int
    contents: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class DecodedGroup:
    """One PutLogs body as the wire codec (:mod:`localcloud.sls.protocol.codec`) decoded it;
    values stay bytes, so refusing non-UTF-8 is :func:`append`'s call. Not stored."""

    topic: str
    source: str
    tags: tuple[tuple[str, str], ...]
    logs: tuple[DecodedLog, ...]
    raw_size: int


def append(store: Logstore, group: DecodedGroup, now: datetime, client_ip: str) -> None:
    if len(group.logs) > MAX_LOGS or group.raw_size > MAX_RAW_SIZE:
        raise errors.PostBodyTooLarge()
    earliest = int((now - PAST_WINDOW).timestamp())
    latest = int((now + FUTURE_WINDOW).timestamp())
    records: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    for log in group.logs:
        if not earliest <= log.time <= latest:
            raise errors.PostBodyInvalid("The post data time is out of range")
        contents: list[tuple[str, str]] = []
        for key, raw in log.contents:
            if not key:
                raise errors.InvalidKey("Invalid keys are in logs: a key is empty.")
            if len(raw) > MAX_VALUE:
                # UNCONFIRMED code: PutLogs.md says the request fails when a value exceeds 1 MB.
                raise errors.PostBodyTooLarge(f"The value of {key} is larger than 1 MB.")
            try:
                contents.append((key, raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                raise errors.InvalidEncoding(f"Non-UTF8 characters are in logs (key {key}).") from exc
        records.append((log.time, log.time_ns, tuple(contents)))
    # System tags SLS adds to every log group; __client_ip__ only with appendMeta (UNCONFIRMED
    # beyond the "Log" data-model page, which names both as system tags).
    tags = [*group.tags, ("__receive_time__", str(int(now.timestamp())))]
    if store.append_meta:
        tags.append(("__client_ip__", client_ip))
    store.groups.append((group.topic, group.source, tuple(tags)))
    index = len(store.groups) - 1
    store.records.extend((t, ns, index, contents) for t, ns, contents in records)


# --- GetLogs / GetHistograms --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogsRequest:
    from_time: int
    to_time: int
    from_ns: int
    to_ns: int
    topic: str
    query: query.Query
    line: int
    offset: int
    reverse: bool


@dataclass(frozen=True, slots=True)
class LogsResult:
    rows: list[dict[str, str]]
    processed_rows: int
    query: query.Query
    keys: list[str]


@dataclass(frozen=True, slots=True)
class Bucket:
    start: int
    end: int
    count: int


@dataclass(frozen=True, slots=True)
class Histogram:
    buckets: list[Bucket]
    total: int


def make_request(
    *, from_time: Any, to_time: Any, from_ns: Any = 0, to_ns: Any = 0, topic: Any = "", query_text: Any = "",
    line: Any = MAX_LINE, offset: Any = 0, reverse: bool = False, histogram: bool = False,
) -> LogsRequest:
    """Validate GetLogs / GetHistograms parameters (already type-converted by the route)."""
    for name, value in (("from", from_time), ("to", to_time)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise errors.ParameterInvalid(f"The parameter {name} must be a positive integer")
    for name, value in (("fromNs", from_ns), ("toNs", to_ns)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _NS:
            raise errors.ParameterInvalid(f"The parameter {name} is invalid")
    if (from_time, from_ns) >= (to_time, to_ns):
        raise errors.InvalidTimeRange()
    if isinstance(line, bool) or not isinstance(line, int) or line < 0:
        raise errors.InvalidLine()
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise errors.ParameterInvalid("limit expression is required")
    if not isinstance(query_text, str) or not isinstance(topic, str):
        raise errors.ParameterInvalid("query and topic must be strings")
    try:
        parsed = query.parse(query_text)
    except query.QueryError as exc:
        if histogram:  # GetHistograms.md: search statements only, InvalidQueryString otherwise
            raise errors.InvalidQueryString(f"Query string is invalid: {exc}") from exc
        raise errors.ParameterInvalid(f"ErrorType:QueryParseError.ErrorMessage:{exc}") from exc
    if histogram and parsed.sql is not None:
        raise errors.InvalidQueryString("Query string is invalid: GetHistograms takes a search statement only.")
    if parsed.sql is not None and offset:
        raise errors.ParameterInvalid(
            "ErrorType:OLSQueryParseError.ErrorMessage:offset is not available for pagination in sql query, "
            "please use limit x,y syntax for pagination."
        )
    return LogsRequest(from_time, to_time, from_ns, to_ns, topic, parsed, min(line, MAX_LINE), offset, reverse)


def _fields(store: Logstore, record: LogRecord) -> dict[str, str]:
    time, _, group_index, contents = record
    topic, source, tags = store.groups[group_index]
    fields = {"__time__": str(time), "__source__": source, "__topic__": topic}
    fields.update(contents)
    fields.update((f"__tag__:{k}", v) for k, v in tags)
    return fields


def _schemas(store: Logstore, search: query.Node) -> list[tuple[int, Schema | None]]:
    """Where each index applies in ``store.records``; refuses a search the current index
    cannot run."""
    current = store.index
    if current is None:
        raise errors.IndexConfigNotExist("logstore without index config")
    compiled: dict[int, Schema] = {}

    def of(index: LogstoreIndex | None) -> Schema | None:
        if index is None:
            return None
        return compiled.setdefault(id(index), indexes.schema(index.config))

    try:
        query.check(search, of(current) or query.FULL)
    except query.QueryError as exc:
        raise errors.ParameterInvalid(str(exc)) from exc
    return [(start, of(index)) for start, index in store.index_spans]


def _matching(
    store: Logstore, request: LogsRequest, now: datetime, hidden: Sequence[tuple[int, int]] = (),
) -> tuple[list[LogRecord], int]:
    spans = _schemas(store, request.query.search)
    low = request.from_time * _NS + request.from_ns
    high = request.to_time * _NS + request.to_ns
    cutoff = int((now - timedelta(days=store.ttl)).timestamp()) if store.ttl < PERMANENT_TTL else 0
    scanned = 0
    out: list[LogRecord] = []
    span, schema = -1, None
    for position, record in enumerate(store.records):
        while span + 1 < len(spans) and spans[span + 1][0] <= position:
            span += 1
            schema = spans[span][1]
        stamp = record[0] * _NS + record[1]
        if schema is None or not low <= stamp < high or record[0] < cutoff:
            continue  # not indexed (written before any index, or after DeleteIndex), or out of range
        if hidden and any(start <= position < end for start, end in hidden):
            continue  # not indexed yet (:mod:`._indexing`)
        if request.topic and store.groups[record[2]][0] != request.topic:
            continue
        scanned += 1
        fields = _fields(store, record)
        if query.matches(request.query.search, fields, schema.fulltext(record[3]), schema):
            out.append(record)
    out.sort(key=lambda r: (r[0], r[1]))
    if request.reverse:
        out.reverse()
    return out, scanned


def search(
    store: Logstore, request: LogsRequest, now: datetime, *, hidden: Sequence[tuple[int, int]] = (),
) -> LogsResult:
    matched, scanned = _matching(store, request, now, hidden)
    sql = request.query.sql
    if sql is not None:  # UNCONFIRMED: the row carries only the column (no __time__/__source__)
        return LogsResult([{sql.column: str(len(matched))}], scanned, request.query, [sql.column])
    rows: list[dict[str, str]] = []
    keys: dict[str, None] = {}
    for record in matched[request.offset:request.offset + request.line]:
        rows.append(_fields(store, record))
        keys.update(dict.fromkeys(k for k, _ in record[3]))
    return LogsResult(rows, scanned, request.query, list(keys))


# UNCONFIRMED: how SLS picks the histogram interval is not documented; localcloud uses the
# smallest of these widths that yields at most 60 buckets.
_WIDTHS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def histogram(
    store: Logstore, request: LogsRequest, now: datetime, *, hidden: Sequence[tuple[int, int]] = (),
) -> Histogram:
    matched, _ = _matching(store, request, now, hidden)
    span = request.to_time - request.from_time
    width = next((w for w in _WIDTHS if -(-span // w) <= 60), -(-span // 60) or 1)
    counts: dict[int, int] = {}
    for record in matched:
        slot = (record[0] - request.from_time) // width
        counts[slot] = counts.get(slot, 0) + 1
    buckets = [
        Bucket(start, min(start + width, request.to_time), counts.get(i, 0))
        for i, start in enumerate(range(request.from_time, request.to_time, width))
    ]
    return Histogram(buckets, len(matched))
