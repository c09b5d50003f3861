"""All of localcloud's state in one object, and its persistence.

``CloudState`` owns one backend per service plus the account and the clock. Every
request runs under ``CloudState.lock`` (a re-entrant lock), so backends need no locks of
their own and a snapshot is always consistent. With a state file, each mutating request
ends with an atomic SQLite write of the whole snapshot (file mode 0600, since it holds
the AccessKey secrets localcloud must verify signatures with).
"""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from localcloud.core import ids
from localcloud.core.clock import Clock
from localcloud.issued import IssuedSecrets
from localcloud.kms.models import KmsBackend
from localcloud.ram.models import RamBackend
from localcloud.resourcemanager.models import RmBackend
from localcloud.sls.models import IndexingDelay, SlsBackend
from localcloud.sts.models import StsBackend
from localcloud.tablestore.models import TablestoreBackend

DEFAULT_REGION = "cn-hangzhou"


@dataclass
class Account:
    account_id: str
    alias: str
    """The account alias; the default domain is ``<alias>.onaliyun.com``."""
    region: str
    root_access_key_id: str
    root_access_key_secret: str
    initial_alias: str = ""
    """The alias the account started with; ``reset`` restores it (SetAccountAlias and
    IMS SetDefaultDomain change ``alias``)."""

    @property
    def default_domain(self) -> str:
        return f"{self.alias}.onaliyun.com"

    @classmethod
    def generate(cls, region: str = DEFAULT_REGION, alias: str | None = None) -> Account:
        account_id = ids.numeric_id(16)
        return cls(
            account_id=account_id,
            alias=alias or account_id,
            initial_alias=alias or account_id,
            region=region,
            root_access_key_id=ids.access_key_id(),
            root_access_key_secret=ids.access_key_secret(),
        )


class CloudState:
    def __init__(self, account: Account, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.account = account
        self.nonces: dict[str, float] = {}
        self.issued = IssuedSecrets()
        """Every secret value handed out (localcloud.issued): not state, not persisted."""
        self.sls_indexing = IndexingDelay()
        """SLS's indexing delay and the writes still waiting for it (localcloud.sls.models._indexing): not persisted."""
        self.ram = RamBackend(self)
        self.kms = KmsBackend(self)
        self.rm = RmBackend(self)
        self.sts = StsBackend(self)
        self.sls = SlsBackend(self)
        self.tablestore = TablestoreBackend(self)

    def reset(self) -> None:
        """Forget every resource and restore the initial alias; keep the account id, the
        root key and the clock."""
        with self.lock:
            self.nonces.clear()
            self.issued.clear()
            self.sls_indexing.clear()
            self.account.alias = self.account.initial_alias or self.account.alias
            self.ram = RamBackend(self)
            self.kms = KmsBackend(self)
            self.rm = RmBackend(self)
            self.sts = StsBackend(self)
            self.sls = SlsBackend(self)
            self.tablestore = TablestoreBackend(self)

    # --- persistence -------------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        return {
            "version": 1,
            "account": self.account,
            "clock_offset": self.clock.offset_seconds,
            "ram": self.ram,
            "kms": self.kms,
            "rm": self.rm,
            "sts": self.sts,
            "sls": self.sls,
            "tablestore": self.tablestore,
        }

    def snapshot(self) -> dict[str, Any]:
        """Every resource as plain, comparable data (dicts, lists, strings, numbers), for tests
        that assert a request changed nothing: ``before == after``.

        Left out, because a request that changes nothing still moves them: the clock, the
        signature nonces, and each AccessKey's ``last_used``/``last_used_service`` (every
        authenticated call stamps its key). Everything else is in, SLS log records included.
        Function registrations and async tasks are the FC service's, not the state's
        (``LocalCloud.functions.tasks()``)."""
        with self.lock:
            return {
                "account_alias": self.account.alias,
                **{name: _plain(getattr(self, name)) for name in ("ram", "kms", "rm", "sts", "sls", "tablestore")},
            }

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("CloudState is persisted through StateFile, not pickled directly")


_VOLATILE = frozenset({"last_used", "last_used_service"})
"""Record fields a read-only request changes (see :meth:`CloudState.snapshot`)."""


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-like data: records by their public fields (back-references to the
    state, locks and the clock skipped), enums by value, times as ISO strings."""
    if depth > 64:
        raise ValueError("snapshot: records nest more than 64 deep")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return _plain(value.value, depth + 1)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else repr(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v, depth + 1) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    fields = vars(value) if hasattr(value, "__dict__") else {
        name: getattr(value, name) for name in getattr(value, "__slots__", ()) if hasattr(value, name)
    }
    return {
        name: _plain(item, depth + 1)
        for name, item in fields.items()
        if not name.startswith("_") and name not in _VOLATILE and not isinstance(item, (CloudState, Clock, _LOCKS))
    }


_LOCKS = (type(threading.Lock()), type(threading.RLock()))


_ALLOWED_MODULES = ("localcloud.", "datetime", "collections", "builtins", "copyreg")

_MOVED = {
    "localcloud.ram.entities": "localcloud.ram.models.entities",
    "localcloud.ram.totp": "localcloud.ram.models.totp",
    **{f"localcloud.ram.{m}": f"localcloud.ram.models._{m}" for m in (
        "attachments", "base", "groups", "keys", "mfa", "paging", "passwords", "policies", "roles", "rules", "users")},
    "localcloud.kms.entities": "localcloud.kms.models.entities",
    "localcloud.kms.rules": "localcloud.kms.models._rules",
    "localcloud.kms.staging": "localcloud.kms.models._staging",
    "localcloud.fc.service": "localcloud.fc.models",
    "localcloud.fc.tasks": "localcloud.fc.models._tasks",
    "localcloud.fc.destinations": "localcloud.fc.models._destinations",
    "localcloud.sls.entities": "localcloud.sls.models.entities",
    "localcloud.sls.query": "localcloud.sls.models.query",
    **{f"localcloud.sls.{m}": f"localcloud.sls.models._{m}" for m in ("analysis", "indexing", "logs")},
    "localcloud.sls.codec": "localcloud.sls.protocol.codec",
    "localcloud.iam.policy": "localcloud.policy.language",
    "localcloud.iam.authorizer": "localcloud.policy.authorizer",
}
"""Where the classes a state file names by module have moved since the file was written, so a
snapshot saved before the services took their models/responses/routes shape still loads."""


class _StateUnpickler(pickle.Unpickler):
    """Loads only localcloud's own classes and plain data: a state file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in ("eval", "exec", "compile", "open", "__import__", "getattr"):
            raise pickle.UnpicklingError(f"refusing {module}.{name} in a state file")
        if not module.startswith(_ALLOWED_MODULES):
            raise pickle.UnpicklingError(f"refusing {module}.{name} in a state file")
        return super().find_class(_MOVED.get(module, module), name)


class _Pickler(pickle.Pickler):
    """Pickles backends without their back-reference to the live CloudState."""

    def __init__(self, file: io.BytesIO, state: CloudState) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._state = state

    def persistent_id(self, obj: Any) -> str | None:
        if obj is self._state:
            return "cloud-state"
        if isinstance(obj, (threading.Lock().__class__, threading.RLock().__class__)):
            return "lock"
        if isinstance(obj, Clock):
            return "clock"
        return None


class _Unpickler(_StateUnpickler):
    def __init__(self, file: io.BytesIO, state: CloudState) -> None:
        super().__init__(file)
        self._state = state

    def persistent_load(self, pid: Any) -> Any:
        if pid == "cloud-state":
            return self._state
        if pid == "lock":
            return threading.Lock()
        if pid == "clock":
            return self._state.clock
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


class StateFileError(Exception):
    """The state file cannot be opened or does not hold a localcloud snapshot."""


class StateFile:
    """An SQLite file holding the latest snapshot; each save replaces it in one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            os.chmod(path, 0o600)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=DELETE")
            self._db.execute("CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB)")
        except (OSError, sqlite3.Error) as exc:
            raise StateFileError(f"cannot use state file {path}: {exc}") from exc
        self._lock = threading.Lock()

    def save(self, state: CloudState) -> None:
        buffer = io.BytesIO()
        with state.lock:
            _Pickler(buffer, state).dump(state._snapshot())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT OR REPLACE INTO snapshot (id, data) VALUES (1, ?)", (buffer.getvalue(),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def load_into(self, state: CloudState) -> bool:
        """Restore the saved snapshot into ``state``; False when the file has none yet."""
        row = self._db.execute("SELECT data FROM snapshot WHERE id = 1").fetchone()
        if row is None:
            return False
        with state.lock:
            try:
                data = _Unpickler(io.BytesIO(row[0]), state).load()
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
                raise StateFileError(f"state file {self.path} does not hold a localcloud snapshot: {exc}") from exc
            if not isinstance(data, dict) or data.get("version") != 1:
                raise StateFileError(f"state file {self.path} holds an unknown snapshot version")
            state.account = data["account"]
            state.clock.restore_offset(data["clock_offset"])
            state.ram = data["ram"]
            state.kms = data["kms"]
            state.rm = data["rm"]
            state.sts = data["sts"]
            if "sls" in data:  # snapshots written before SLS existed have none
                state.sls = data["sls"]
            if "tablestore" in data:  # nor Tablestore
                state.tablestore = data["tablestore"]
        return True

    def close(self) -> None:
        with self._lock:
            self._db.close()
