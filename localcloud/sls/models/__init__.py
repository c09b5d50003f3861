"""SLS projects and logstores: state and every documented rule (logs live in :mod:`._logs`).

Rules and their sources:
- project names: 3-63 characters of lowercase letters, digits and hyphens, starting and ending
  with a letter or digit; descriptions up to 512 characters (CreateProject.md; the 512 limit
  and the ``Invalid project description: '<d>'`` message from the Java SDK's live
  ProjectFunctionTest); ``ProjectAlreadyExist`` / ``ProjectNotExist``;
- logstore names: 3-63 characters of lowercase letters, digits, ``-`` and ``_``, starting and
  ending with a letter or digit (https://www.alibabacloud.com/help/en/sls/developer-reference/logstores);
  ttl 1-3650 days (CreateLogstore.md); maxSplitShard 1-64 when autoSplit (message from the live
  LogStoreFunctionTest); at most 200 logstores per project (CreateLogStore API page,
  ``ProjectQuotaExceed``); shardCount cannot be changed by UpdateLogStore (live test);
- list pages: offset >= 0 and size in (0, 500] (ListProject.md / ListLogstore.md);
- indexes (:mod:`._indexes` for the body): one per logstore, ``IndexAlreadyExist`` on a second
  CreateIndex (CreateIndex.md), ``IndexConfigNotExist`` from GetIndex without one (GetIndex.md),
  ``ParameterInvalid`` "log store index is not created" from UpdateIndex / DeleteIndex without
  one (UpdateIndex.md, DeleteIndex.md); a new configuration applies to logs written from then
  on (:attr:`Logstore.index_spans`);
- logs are queryable a moment after PutLogs (about 3 s in SLS; :mod:`._indexing`, 0 by default).

Public: :class:`SlsBackend`, :mod:`.entities` (the records the responses serialise and the state
file keeps), :mod:`.query` (the search language), and the PutLogs / GetLogs types and limits the
responses and the wire codec build and read (from ``_logs``) and the indexing delay the state
keeps (from ``_indexing``). Private: ``_logs`` (PutLogs' acceptance rules, GetLogs,
GetHistograms), ``_indexes`` (index configurations), ``_analysis`` (how an index tokenizes
values), ``_indexing`` (the delay before a log is queryable).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from localcloud.sls import errors
from localcloud.sls.models import _indexes as indexes
from localcloud.sls.models import _logs as logs
from localcloud.sls.models._indexing import MAX_DELAY_SECONDS, IndexingDelay
from localcloud.sls.models._logs import (
    MAX_LINE,
    MAX_RAW_SIZE,
    Bucket,
    DecodedGroup,
    DecodedLog,
    Histogram,
    LogsRequest,
    LogsResult,
    make_request,
)
from localcloud.sls.models.entities import Logstore, LogstoreIndex, Project

if TYPE_CHECKING:
    from localcloud.state import CloudState

__all__ = [
    "MAX_DELAY_SECONDS", "MAX_LINE", "MAX_RAW_SIZE", "Bucket", "DecodedGroup", "DecodedLog", "Histogram",
    "IndexingDelay", "LogsRequest", "LogsResult", "SlsBackend", "make_request",
]

_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_LOGSTORE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
MAX_DESCRIPTION = 512
MAX_LOGSTORES = 200
MAX_PAGE = 500
_EXTRA_KEYS = ("mode", "hot_ttl", "encrypt_conf", "infrequentAccessTTL", "enableModify")


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise errors.LogStoreInfoInvalid(f"{key} must be a boolean, not {value!r}")
    return value


def _int(body: dict[str, Any], key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.LogStoreInfoInvalid(f"{key} must be an integer, not {value!r}")
    return value


def page(total: list[str], offset: int, size: int) -> list[str]:
    if offset < 0:
        raise errors.ParameterInvalid(f"offset : {offset} pair is invalid")
    if size <= 0 or size > MAX_PAGE:
        raise errors.ParameterInvalid(f"Invalid parameter size, (0, {MAX_PAGE}]: {size}")
    return total[offset:offset + size]


class SlsBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.projects: dict[str, Project] = {}

    def _now(self) -> datetime:
        return self._state.clock.now()

    # --- projects ---------------------------------------------------------------------

    def project(self, name: str) -> Project:
        found = self.projects.get(name)
        if found is None:
            raise errors.ProjectNotExist(f"Project {name} does not exist")
        return found

    def create_project(self, name: str, description: str, resource_group_id: str, redundancy: str | None) -> Project:
        if not _PROJECT_NAME.match(name):
            # UNCONFIRMED message; the code is CreateProject.md's ParameterInvalid.
            raise errors.ParameterInvalid(f"Invalid project name: {name}")
        self._check_description(description)
        if name in self.projects:
            raise errors.ProjectAlreadyExist(f"Project {name} already exist")
        now = self._now()
        # dataRedundancyType defaults to LRS (UNCONFIRMED default)
        project = Project(name, description, now, now, resource_group_id, redundancy or "LRS")
        self.projects[name] = project
        return project

    @staticmethod
    def _check_description(description: str) -> None:
        if len(description) > MAX_DESCRIPTION:
            raise errors.ParameterInvalid(f"Invalid project description: '{description}'")

    def update_project(self, name: str, description: str) -> None:
        project = self.project(name)
        self._check_description(description)
        project.description = description
        project.modified = self._now()

    def delete_project(self, name: str) -> None:
        self.project(name)
        del self.projects[name]

    def list_projects(
        self, offset: int, size: int, name_part: str, description_part: str, resource_group_id: str
    ) -> tuple[int, list[Project]]:
        """Matches sorted by name (UNCONFIRMED: the real order is not documented)."""
        names = sorted(
            p.name for p in self.projects.values()
            if name_part in p.name
            and description_part.lower() in p.description.lower()
            and (not resource_group_id or p.resource_group_id == resource_group_id)
        )
        return len(names), [self.projects[n] for n in page(names, offset, size)]

    # --- logstores --------------------------------------------------------------------

    def logstore(self, project_name: str, name: str) -> Logstore:
        found = self.project(project_name).logstores.get(name)
        if found is None:
            raise errors.LogStoreNotExist(f"logstore {name} does not exist")
        return found

    def create_logstore(self, project_name: str, body: dict[str, Any]) -> Logstore:
        project = self.project(project_name)
        name = body.get("logstoreName")
        if not isinstance(name, str) or not _LOGSTORE_NAME.match(name):
            raise errors.LogStoreInfoInvalid(f"logstore name {name if isinstance(name, str) else ''} is invalid")
        if name in project.logstores:
            raise errors.LogStoreAlreadyExist(f"logstore {name} already exists")
        if len(project.logstores) >= MAX_LOGSTORES:
            raise errors.ProjectQuotaExceed(f"Project Quota Exceed: at most {MAX_LOGSTORES} logstores per project")
        shard_count = _int(body, "shardCount")
        # UNCONFIRMED upper bound: the docs disagree (1-10 in CreateLogstore.md, 1-100 in the
        # Japanese page), so only the lower bound is enforced.
        if shard_count < 1:
            raise errors.LogStoreInfoInvalid(f"shardCount must be at least 1, not {shard_count}")
        now = self._now()
        store = Logstore(
            name=name, ttl=0, shard_count=shard_count, enable_tracking=False, auto_split=False, max_split_shard=64,
            append_meta=False, telemetry_type="", created=now, modified=now,
        )
        self._apply(store, body, creating=True)
        project.logstores[name] = store
        return store

    def _apply(self, store: Logstore, body: dict[str, Any], *, creating: bool) -> None:
        ttl = _int(body, "ttl", None if creating else store.ttl)
        if not 1 <= ttl <= 3650:
            raise errors.LogStoreInfoInvalid(f"ttl must be within range [1, 3650], not {ttl}")
        auto_split = _bool(body, "autoSplit", store.auto_split)
        max_split = _int(body, "maxSplitShard", store.max_split_shard)
        if auto_split and not 1 <= max_split <= 64:
            raise errors.LogStoreInfoInvalid("maxSplitShard must be within range [1, 64]")
        telemetry = body.get("telemetryType", store.telemetry_type)
        if telemetry not in ("", "None", "Metrics", "Event"):
            raise errors.LogStoreInfoInvalid(f"telemetryType {telemetry!r} is invalid")
        store.ttl = ttl
        store.auto_split = auto_split
        store.max_split_shard = max_split
        store.enable_tracking = _bool(body, "enable_tracking", store.enable_tracking)
        store.append_meta = _bool(body, "appendMeta", store.append_meta)
        store.telemetry_type = str(telemetry)
        store.extra.update({k: body[k] for k in _EXTRA_KEYS if k in body})

    def update_logstore(self, project_name: str, name: str, body: dict[str, Any]) -> None:
        store = self.logstore(project_name, name)
        self._apply(store, body, creating=False)  # shardCount is ignored: SplitShard/MergeShards change it
        store.modified = self._now()

    def delete_logstore(self, project_name: str, name: str) -> None:
        self.logstore(project_name, name)
        del self.projects[project_name].logstores[name]

    def list_logstores(self, project_name: str, name_part: str, offset: int, size: int) -> tuple[int, list[str]]:
        names = sorted(n for n in self.project(project_name).logstores if name_part in n)
        return len(names), page(names, offset, size)

    # --- indexes ----------------------------------------------------------------------

    def create_index(self, project_name: str, logstore_name: str, body: dict[str, Any]) -> None:
        store = self.logstore(project_name, logstore_name)
        if store.index is not None:
            raise errors.IndexAlreadyExist()
        self._set_index(store, LogstoreIndex(indexes.normalize(body), self._now()))

    def update_index(self, project_name: str, logstore_name: str, body: dict[str, Any]) -> None:
        """Replaces the whole configuration (UpdateIndex is not a merge)."""
        store = self.logstore(project_name, logstore_name)
        if store.index is None:
            # UpdateIndex.md's code. A published sample script (repository not identified)
            # expects InternalServerError with this message; localcloud follows the page and
            # never answers 5xx (the SDK would retry it ten times).
            raise errors.ParameterInvalid("log store index is not created")
        self._set_index(store, LogstoreIndex(indexes.normalize(body), self._now()))

    def get_index(self, project_name: str, logstore_name: str) -> tuple[Logstore, LogstoreIndex]:
        store = self.logstore(project_name, logstore_name)
        if store.index is None:
            raise errors.IndexConfigNotExist("index config doesn't exist")
        return store, store.index

    def delete_index(self, project_name: str, logstore_name: str) -> None:
        store = self.logstore(project_name, logstore_name)
        if store.index is None:
            raise errors.ParameterInvalid("Log store index not created")
        self._set_index(store, None)

    @staticmethod
    def _set_index(store: Logstore, index: LogstoreIndex | None) -> None:
        """Logs already stored keep the index they were written under; later ones get ``index``."""
        position = len(store.records)
        spans = store.index_spans
        if spans and spans[-1][0] == position:  # nothing was written under the previous one
            spans = spans[:-1]
        store.index_spans = (*spans, (position, index))

    # --- logs -------------------------------------------------------------------------

    def put_logs(self, project_name: str, logstore_name: str, group: DecodedGroup, client_ip: str) -> None:
        store = self.logstore(project_name, logstore_name)
        now, start = self._now(), len(store.records)
        logs.append(store, group, now, client_ip)
        self._state.sls_indexing.written(store, start, len(store.records), now)

    def get_logs(self, project_name: str, logstore_name: str, request: logs.LogsRequest) -> logs.LogsResult:
        store, now = self.logstore(project_name, logstore_name), self._now()
        return logs.search(store, request, now, hidden=self._state.sls_indexing.hidden(store, now))

    def get_histograms(self, project_name: str, logstore_name: str, request: logs.LogsRequest) -> logs.Histogram:
        store, now = self.logstore(project_name, logstore_name), self._now()
        return logs.histogram(store, request, now, hidden=self._state.sls_indexing.hidden(store, now))
