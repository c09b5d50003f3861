"""``AuditSink`` on Simple Log Service, with the official ``aliyun.log.LogClient``.

- ``write``: one PutLogs per call (topic and source ``rampart``; each record's ``contents()``,
  its time to the nanosecond). A call with more than 4,096 records (the PutLogs limit,
  alibaba-platform.md §C.1) is split; one event never comes close.
- the reads of the ``AuditSink`` port (``by_correlation``, ``removals``, ``count_removals`` ...):
  the one place that speaks SLS's search syntax. Each builds a search (values quoted as
  phrases, :func:`phrase`), pages through GetLogs by 100 (the API's maximum ``line``), turns
  each log back into an ``AuditRecord`` and keeps only those whose fields *equal* the values
  asked for: a phrase search matches a field that merely contains the phrase's tokens
  (``target: "alice"`` finds ``alice/ops``: ``/`` is an index delimiter, :data:`TOKENS`). The
  count is ``<search> | select count(*) as n``, sent once with offset 0 (§C.5: SQL takes no
  offset).
- ``ensure``: the project, the logstore and its index (``rampart init``).

Addressing (localcloud/sls/client.py, wire-protocol.md §3.1): ``LogClient`` puts the project in
the URL's host name unless the endpoint is a bare IP; for an ``IP:port`` endpoint (localcloud)
the client's private ``_isRowIp`` is set so requests go to the endpoint itself with the
project in the ``Host`` header. The logic is copied here: rampart never imports localcloud.

The SDK itself retries 5xx answers and broken connections ten times, one second apart
(``LogClient._send``); nothing here adds retries: a failed audit write goes to stderr for
replay (``rampart.audit``). Failures become ``CloudError`` (``PermissionDenied`` for a RAM
denial), with messages redacted.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rampart.audit import AuditAction, record_from_contents, redact_record
from rampart.config import Settings
from rampart.errors import CloudError, PermissionDenied
from rampart.model import AuditRecord, AuditResult
from rampart.redact import redact_text

TOPIC = "rampart"
SOURCE = "rampart"
MAX_LOGS_PER_PUT = 4096
PAGE_SIZE = 100
DEFAULT_TTL_DAYS = 3650
"""SLS's "permanent" retention: an audit trail is kept until someone decides otherwise."""
# SLS's default index delimiters (the console's default token list).
TOKENS = [",", " ", "'", '"', ";", "=", "(", ")", "[", "]", "{", "}", "?", "@", "&", "<", ">", "/", ":", "\n", "\t", "\r"]
NUMERIC_FIELDS = frozenset({"duration_ms"})
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

T = TypeVar("T")
Keep = Callable[[AuditRecord], bool]

_log = logging.getLogger("rampart.adapters.sls")


def endpoint_url(settings: Settings) -> str:
    """``RAMPART_ENDPOINT`` over plain HTTP (localcloud), else the region's public HTTPS endpoint."""
    if settings.endpoint is not None:
        return f"http://{settings.endpoint}"
    return f"https://{settings.region}.log.aliyuncs.com"


def _addressed_directly(endpoint: str) -> bool:
    host = urlsplit(endpoint if "://" in endpoint else "http://" + endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def make_client(settings: Settings) -> Any:
    """A ``LogClient`` for ``settings`` (the SDK is imported now, not at module import)."""
    from aliyun.log import LogClient

    endpoint = endpoint_url(settings)
    client = LogClient(
        endpoint,
        settings.access_key_id,
        settings.access_key_secret.reveal(),
        securityToken=settings.security_token.reveal() if settings.security_token is not None else None,
        source=SOURCE,  # spares the SDK a UDP-socket lookup of <project>.<endpoint> per PutLogs
    )
    if _addressed_directly(endpoint):
        if not hasattr(client, "_isRowIp"):
            raise RuntimeError("aliyun.log.LogClient has no _isRowIp: the SDK changed (see rampart/adapters/sls.py)")
        client._isRowIp = True
    return client


def _split(moment: datetime) -> tuple[int, int]:
    """Unix seconds and the nanosecond part (GetLogs' from/fromNs)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone: rampart's times are UTC")
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    return int(seconds), moment.microsecond * 1000


class IndexState(Enum):
    CREATED = "created"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class EnsureReport:
    project_created: bool
    logstore_created: bool
    index: IndexState


class SlsAuditSink:
    """rampart's audit trail in ``settings.sls_project`` / ``settings.sls_logstore``."""

    def __init__(self, settings: Settings, *, project: str | None = None, logstore: str | None = None) -> None:
        self.project = project or settings.sls_project
        self.logstore = logstore or settings.sls_logstore
        self._client = make_client(settings)

    def __repr__(self) -> str:
        return f"SlsAuditSink(project={self.project!r}, logstore={self.logstore!r})"

    # --- AuditSink ------------------------------------------------------------------------

    def write(self, records: Sequence[AuditRecord]) -> None:
        from aliyun.log import LogItem, PutLogsRequest

        def put(items: list[LogItem]) -> None:
            request = PutLogsRequest(self.project, self.logstore, TOPIC, SOURCE, items)
            self._call("PutLogs", lambda: self._client.put_logs(request))

        for start in range(0, len(records), MAX_LOGS_PER_PUT):
            items: list[LogItem] = []
            for record in records[start:start + MAX_LOGS_PER_PUT]:
                safe = redact_record(record)
                seconds, nanos = _split(safe.time)
                item = LogItem(timestamp=seconds, contents=safe.contents())
                item.set_time_nano_part(nanos)  # the constructor reads a nano part of 0 as "now"
                items.append(item)
            put(items)

    def by_correlation(
        self, correlation_id: str, since: datetime, until: datetime, *, limit: int = 1000
    ) -> list[AuditRecord]:
        return self._search(correlation_search(correlation_id), since, until, limit,
                            lambda r: r.correlation_id == correlation_id)

    def by_event(self, event_id: str, since: datetime, until: datetime, *, limit: int = 100) -> list[AuditRecord]:
        return self._search(event_search(event_id), since, until, limit, lambda r: r.event_id == event_id)

    def removals(
        self, since: datetime, until: datetime, *, person_id: str = "", user_name: str = "",
        correlation_id: str = "", limit: int = 100,
    ) -> list[AuditRecord]:
        def keep(r: AuditRecord) -> bool:
            return (r.action == AuditAction.REMOVAL.value and r.result is AuditResult.OK
                    and (not person_id or r.person_id == person_id) and (not user_name or r.target == user_name)
                    and (not correlation_id or r.correlation_id == correlation_id))

        return self._search(removal_search(person_id=person_id, user_name=user_name, correlation_id=correlation_id),
                            since, until, limit, keep)

    def count_removals(self, since: datetime, until: datetime) -> int:
        rows = self._rows(REMOVAL_COUNT, since, until, 0, PAGE_SIZE)
        return int(str(rows[0].get_contents().get("n", "0"))) if rows else 0

    def releases(self, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        return self._search(RELEASES, since, until, limit,
                            lambda r: r.action == AuditAction.BREAKER_RELEASE.value and r.result is AuditResult.OK)

    def outcomes(self, since: datetime, until: datetime, *, held: bool, limit: int = 1000) -> list[AuditRecord]:
        return self._search(HELD if held else SETTLED, since, until, limit,
                            lambda r: r.action == AuditAction.EVENT.value and (r.result is AuditResult.HELD) == held)

    def handovers(self, user_name: str, since: datetime, until: datetime, *, limit: int = 1000) -> list[AuditRecord]:
        return self._search(handover_search(user_name), since, until, limit,
                            lambda r: r.action == AuditAction.HANDOVER.value and r.target == user_name)

    def user_trail(
        self, user_name: str, since: datetime, until: datetime, *, person_id: str = "", limit: int = 100
    ) -> list[AuditRecord]:
        return self._search(user_search(user_name, person_id), since, until, limit,
                            lambda r: r.target == user_name or (bool(person_id) and r.person_id == person_id),
                            newest_first=True)

    # --- beyond the port: the demo, the chaos campaign and the tests read the trail too -----

    def by_action(
        self, action: str, since: datetime, until: datetime, *, correlation_id: str = "", limit: int = 100
    ) -> list[AuditRecord]:
        """Records of one action (a step kind's value or an ``AuditAction``'s), of one
        correlation id when given."""
        return self._search(action_search(action, correlation_id), since, until, limit,
                            lambda r: r.action == action and (not correlation_id or r.correlation_id == correlation_id))

    def every_record(self, since: datetime, until: datetime, *, limit: int = 100) -> list[AuditRecord]:
        """The whole trail of the window."""
        return self._search("*", since, until, limit)

    # --- GetLogs ------------------------------------------------------------------------------

    def _search(
        self, search: str, since: datetime, until: datetime, limit: int, keep: Keep | None = None, *,
        newest_first: bool = False,
    ) -> list[AuditRecord]:
        """The records ``search`` finds in [since, until) that ``keep`` accepts, paged until
        ``limit`` are kept or SLS has no more; oldest first (``newest_first``: GetLogs'
        ``reverse``, newest first). A log that is not an audit record is skipped."""
        records: list[AuditRecord] = []
        offset = 0
        while len(records) < limit:
            size = min(PAGE_SIZE, limit - len(records))
            logs = self._rows(search, since, until, offset, size, newest_first=newest_first)
            offset += len(logs)
            for log in logs:
                record = _record(log)
                if record is not None and (keep is None or keep(record)):
                    records.append(record)
            if len(logs) < size:
                break
        return records

    def _rows(
        self, search: str, since: datetime, until: datetime, offset: int, size: int, *, newest_first: bool = False
    ) -> list[Any]:
        """One GetLogs page: the SDK's ``QueriedLog`` objects."""
        frm, frm_ns = _split(since)
        to, to_ns = _split(until)
        response = self._call("GetLogs", lambda: self._client.get_log(
            self.project, self.logstore, frm, to, query=search, offset=offset, size=size, reverse=newest_first,
            from_time_nano_part=frm_ns, to_time_nano_part=to_ns,
        ))
        return list(response.get_logs())

    # --- rampart init ---------------------------------------------------------------------

    def ensure(self, *, ttl_days: int = DEFAULT_TTL_DAYS, shard_count: int = 2) -> EnsureReport:
        """Create the project, the logstore and its index if missing (idempotent)."""
        project_created = logstore_created = False
        try:
            self._call("GetProject", lambda: self._client.get_project(self.project))
        except CloudError as exc:
            if exc.code != "ProjectNotExist":
                raise
            # Project names are global across accounts: a name taken by another account is
            # refused here with ProjectAlreadyExist, which is reported as it is.
            self._call("CreateProject", lambda: self._client.create_project(self.project, "rampart audit trail"))
            project_created = True
        try:
            self._call("GetLogStore", lambda: self._client.get_logstore(self.project, self.logstore))
        except CloudError as exc:
            if exc.code != "LogStoreNotExist":
                raise
            self._call("CreateLogStore", lambda: self._client.create_logstore(
                self.project, self.logstore, ttl=ttl_days, shard_count=shard_count))
            logstore_created = True
        return EnsureReport(project_created, logstore_created, self._ensure_index())

    def _ensure_index(self) -> IndexState:
        """GetLogs needs an index (``IndexConfigNotExist`` otherwise, §C.5): full text plus
        every audit field, with doc values so ``| select`` analytics work. An existing index
        (``IndexAlreadyExist``, CreateIndex.md) is replaced by rampart's: UpdateIndex rewrites
        the whole configuration. SLS indexes only logs written after the index exists, which is
        why ``rampart init`` runs before anything is written."""
        config = index_config()
        try:
            self._call("CreateIndex", lambda: self._client.create_index(self.project, self.logstore, config))
            return IndexState.CREATED
        except CloudError as exc:
            if exc.code != "IndexAlreadyExist":
                raise
        self._call("UpdateIndex", lambda: self._client.update_index(self.project, self.logstore, config))
        return IndexState.UPDATED

    # --- errors ---------------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        from aliyun.log import LogException

        try:
            return fn()
        except LogException as exc:
            raise sls_error(action, exc) from exc


def _record(log: Any) -> AuditRecord | None:
    """A GetLogs log as the ``AuditRecord`` it was written from; None (and a warning) when it
    is not one (written by something else, or damaged)."""
    try:
        return record_from_contents({str(k): str(v) for k, v in log.get_contents().items()})
    except ValueError as exc:
        _log.warning("skipped a log that is not an audit record", extra={"error": redact_text(str(exc))})
        return None


# --- the searches: SLS query syntax (alibaba-platform.md §C.5) ------------------------------------


def phrase(value: str) -> str:
    """``value`` as a quoted SLS search phrase (a quote or backslash in it escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


REMOVALS = "action: removal and result: ok"
REMOVAL_COUNT = f"action: {phrase(AuditAction.REMOVAL.value)} and result: {AuditResult.OK.value} | select count(*) as n"
RELEASES = f"action: {phrase(AuditAction.BREAKER_RELEASE.value)} and result: {AuditResult.OK.value}"
HELD = f"action: {phrase(AuditAction.EVENT.value)} and result: {AuditResult.HELD.value}"
SETTLED = f"action: {phrase(AuditAction.EVENT.value)} and not result: {AuditResult.HELD.value}"


def removal_search(*, person_id: str = "", user_name: str = "", correlation_id: str = "") -> str:
    """Successful removals, narrowed by whichever of person, user and correlation id is given."""
    parts = [REMOVALS]
    parts += [f"person_id: {phrase(person_id)}"] if person_id else []
    parts += [f"target: {phrase(user_name)}"] if user_name else []
    parts += [f"correlation_id: {phrase(correlation_id)}"] if correlation_id else []
    return " and ".join(parts)


def correlation_search(correlation_id: str) -> str:
    return f"correlation_id: {phrase(correlation_id)}"


def event_search(event_id: str) -> str:
    return f"event_id: {phrase(event_id)}"


def handover_search(user_name: str) -> str:
    return f"action: {phrase(AuditAction.HANDOVER.value)} and target: {phrase(user_name)}"


def user_search(user_name: str, person_id: str = "") -> str:
    search = f"target: {phrase(user_name)}"
    return f"{search} or person_id: {phrase(person_id)}" if person_id else search


def action_search(action: str, correlation_id: str = "") -> str:
    search = f"action: {phrase(action)}"
    return f"{search} and correlation_id: {phrase(correlation_id)}" if correlation_id else search


def sls_error(action: str, exc: Any) -> CloudError:
    """A ``CloudError`` from a ``LogException`` (read by its accessors; message redacted)."""
    code = str(exc.get_error_code() or "UnknownError")
    message = redact_text(str(exc.get_error_message() or ""))
    request_id = str(exc.get_request_id() or "")
    status = getattr(exc, "resp_status", None)
    status = status if isinstance(status, int) and status >= 400 else None
    # SLS answers a RAM denial with Unauthorized "denied by sts or ram, action: ..., resource: ..."
    # (https://sls.aliyun.com/doc/sqlerror/denied_by_sts_ram.html); other Unauthorized answers
    # are bad or expired credentials.
    denied = code == "Unauthorized" and "denied by sts or ram" in message.lower()
    cls = PermissionDenied if denied else CloudError
    return cls("sls", action, code, message, request_id=request_id, status=status)


def index_config() -> Any:
    """The logstore index rampart needs: full text, and every field of ``AuditRecord``."""
    from aliyun.log import IndexConfig, IndexKeyConfig, IndexLineConfig

    keys: dict[str, Any] = {}
    for name in AUDIT_FIELDS:
        if name in NUMERIC_FIELDS:
            keys[name] = IndexKeyConfig(index_type="long", doc_value=True)
        else:
            keys[name] = IndexKeyConfig(token_list=list(TOKENS), index_type="text", doc_value=True)
    return IndexConfig(line_config=IndexLineConfig(token_list=list(TOKENS)), key_config_list=keys)


AUDIT_FIELDS = (
    "time", "correlation_id", "event_id", "source", "action", "target", "result", "person_id", "actor",
    "approver", "policy", "scope", "error_code", "request_ids", "duration_ms", "plan_hash", "detail",
)
"""The keys of ``AuditRecord.contents()`` (a unit test keeps the two in step)."""
