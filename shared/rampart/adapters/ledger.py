"""``rampart.ports.Ledger`` on Tablestore, with the official ``tablestore`` SDK (tablestore.md).

Tables (``<prefix>people`` ... ; ``rampart init`` creates them, :meth:`TablestoreLedger.ensure_tables`):

- ``people`` (PK ``person_id``): the person's record as JSON columns, ``version`` and ``writer``;
- ``users`` (PK ``user_name``): which person a RAM user belongs to (an index; the person row is
  the authority: a user its person row does not list is nobody's);
- ``leases`` (PK ``key``): ``owner``, ``fence``, ``expires_ms``;
- ``counters`` (PK ``name``): ``n``, ``writer``;
- ``deliveries`` (PK ``source``, ``delivery_id``): ``digest``, ``first_ms``; the table's TTL
  (tablestore.md §2.4: at least a day) collects them.

Every "only if" is a conditional write (§2.1): create-if-absent is ``EXPECT_NOT_EXIST``, a
compare-and-swap is ``EXPECT_EXIST`` and a ``SingleColumnCondition`` with
``pass_if_missing=False`` on the version (or fence, or count). A failed condition is 403
``OTSConditionCheckFail`` and changes nothing. Base-table reads are strongly consistent
(§2.5), so a read after a write sees it.

Retries are rampart's (``rampart.adapters.retry.call``: jitter, budget), with the SDK's own
policy off, and a retried write whose first attempt was applied but whose answer was lost
then fails its own condition (§3.3): every conditional write carries a ``writer`` token, and on
``OTSConditionCheckFail`` the row is read back: our token at the expected next value means
our write won. INCREMENT is never used for the breaker: a retried increment can double-count
and the Python SDK cannot return the new value (§2.3).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from rampart.adapters._ledger_codec import person_columns, person_from_columns
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call
from rampart.clock import Clock, utcnow
from rampart.config import LedgerSettings, Settings
from rampart.errors import CloudError, LedgerConflict
from rampart.model import Lease, PersonRecord

CHECK_FAILED = "OTSConditionCheckFail"
NOT_FOUND = "OTSObjectNotExist"
TABLES = ("people", "users", "leases", "counters", "deliveries")
DELIVERY_TTL_SECONDS = 30 * 86400
"""How long a delivery is remembered: well past every source's retry schedule
(webhook-formats.md) and FC's async task-id window; Tablestore's TTL must be >= 86400 (§2.4)."""
_PAGE = 1000
SDK_LOGGER = "tablestore-client"
"""The logger the SDK writes to (``OTSClient(logger_name=...)``'s default, sdk:tablestore/client.py)."""


def _sdk() -> Any:
    # The SDK announces at import which row codec it picked (native or Python), and logs every
    # refused request at ERROR, expected ones included (a lost condition is an answer here, not
    # a failure): rampart reports what matters itself, as structured records.
    logging.getLogger("tablestore.encoder").setLevel(logging.ERROR)
    logging.getLogger("tablestore.decoder").setLevel(logging.ERROR)
    logging.getLogger(SDK_LOGGER).setLevel(logging.CRITICAL)
    import tablestore

    return tablestore


class _NetworkError(ConnectionError):
    """urllib3's exceptions (the SDK lets them through raw, tablestore.md §1.1) as the
    ConnectionError ``retry.classify`` treats as a network failure; their text quotes no
    request parameter, but only the class name is kept."""


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class TablestoreLedger:
    def __init__(self, settings: Settings, ledger: LedgerSettings, *, clock: Clock = utcnow,
                 policy: RetryPolicy = DEFAULT_POLICY, client: Any = None) -> None:
        self._settings = settings
        self._ledger = ledger
        self._clock = clock
        self._policy = policy
        self._client = client

    @property
    def instance(self) -> str:
        return self._ledger.instance

    def __repr__(self) -> str:
        return f"TablestoreLedger({self._ledger.instance!r}, prefix={self._ledger.table_prefix!r})"

    # --- plumbing --------------------------------------------------------------------------

    def client(self) -> Any:
        if self._client is None:
            ots = _sdk()
            from tablestore.retry import NoRetryPolicy

            s = self._settings
            self._client = ots.OTSClient(
                self._ledger.endpoint_for(s), s.access_key_id, s.access_key_secret.reveal(), self._ledger.instance,
                sts_token=None if s.security_token is None else s.security_token.reveal(),
                retry_policy=NoRetryPolicy(), socket_timeout=10, max_connection=8,
            )
        return self._client

    def table(self, name: str) -> str:
        return f"{self._ledger.table_prefix}{name}"

    def _call(self, action: str, fn: Callable[[], Any]) -> Any:
        def attempt() -> Any:
            import urllib3

            try:
                return fn()
            except urllib3.exceptions.HTTPError as exc:
                raise _NetworkError(type(exc).__name__) from None

        return call("ots", action, attempt, policy=self._policy)

    def _get(self, table: str, pk: list[tuple[str, Any]]) -> dict[str, Any] | None:
        _, row, _ = self._call("GetRow", lambda: self.client().get_row(self.table(table), pk, max_version=1))
        if row is None:
            return None
        return {name: value for name, value, *_ in row.attribute_columns}

    def _conditional(self, action: str, write: Callable[[], Any], mine: Callable[[], bool]) -> bool:
        """Run a conditional write; True if it (or a lost-answer retry of it) took effect,
        False if its condition failed against someone else's change."""
        try:
            self._call(action, write)
            return True
        except CloudError as exc:
            if exc.code != CHECK_FAILED:
                raise
            return mine()

    # --- tables ----------------------------------------------------------------------------

    def ensure_tables(self) -> list[str]:
        """Create the tables that do not exist (describe first); the names created."""
        ots = _sdk()
        created = []
        keys: dict[str, list[tuple[str, str]]] = {
            "people": [("person_id", "STRING")], "users": [("user_name", "STRING")], "leases": [("key", "STRING")],
            "counters": [("name", "STRING")], "deliveries": [("source", "STRING"), ("delivery_id", "STRING")],
        }
        for name in TABLES:
            table = self.table(name)
            try:
                self._call("DescribeTable", partial(self.client().describe_table, table))
                continue
            except CloudError as exc:
                if exc.code != NOT_FOUND:
                    raise
            ttl = DELIVERY_TTL_SECONDS if name == "deliveries" else -1
            meta = ots.TableMeta(table, keys[name])
            options = ots.TableOptions(time_to_live=ttl, max_version=1)
            throughput = ots.ReservedThroughput(ots.CapacityUnit(0, 0))
            self._call("CreateTable", partial(self.client().create_table, meta, options, throughput))
            created.append(table)
        return created

    # --- people ----------------------------------------------------------------------------

    def person(self, person_id: str) -> PersonRecord | None:
        columns = self._get("people", [("person_id", person_id)])
        return None if columns is None else person_from_columns(person_id, columns)

    def person_of_user(self, user_name: str) -> PersonRecord | None:
        index = self._get("users", [("user_name", user_name)])
        if index is None or not isinstance(index.get("person_id"), str):
            return None
        record = self.person(index["person_id"])
        return record if record is not None and user_name in record.users else None

    def save(self, record: PersonRecord) -> PersonRecord:
        ots = _sdk()
        token = uuid.uuid4().hex
        new_version = record.version + 1
        columns = {**person_columns(record), "version": new_version, "writer": token,
                   "updated_ms": _ms(self._clock())}
        pk = [("person_id", record.person_id)]
        if record.version == 0:
            condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_NOT_EXIST)
        else:
            condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_EXIST, ots.SingleColumnCondition(
                "version", record.version, ots.ComparatorType.EQUAL, pass_if_missing=False))
        row = ots.Row(pk, list(columns.items()))

        def mine() -> bool:
            now = self._get("people", pk)
            return now is not None and now.get("writer") == token and now.get("version") == new_version

        if not self._conditional("PutRow", lambda: self.client().put_row(self.table("people"), row, condition), mine):
            raise LedgerConflict(f"the ledger row of person {record.person_id!r} changed since version "
                                 f"{record.version} was read", hint="read it again and decide again")
        for user_name in record.users:
            index = ots.Row([("user_name", user_name)], [("person_id", record.person_id)])
            self._call("PutRow", partial(self.client().put_row, self.table("users"), index))
        return PersonRecord(record.person_id, record.users, record.removal, record.handed_over, new_version)

    def people(self) -> Iterator[PersonRecord]:
        ots = _sdk()
        start: Any = [("person_id", ots.INF_MIN)]
        end = [("person_id", ots.INF_MAX)]
        while start is not None:
            _, start, rows, _ = self._call("GetRange", partial(
                self.client().get_range, self.table("people"), "FORWARD", start, end, max_version=1, limit=_PAGE))
            for row in rows:
                person_id = str(row.primary_key[0][1])
                yield person_from_columns(person_id, {n: v for n, v, *_ in row.attribute_columns})

    # --- leases ----------------------------------------------------------------------------

    def acquire(self, key: str, owner: str, ttl: timedelta) -> Lease | None:
        ots = _sdk()
        now = self._clock()
        expires = now + ttl
        pk = [("key", key)]
        current = self._get("leases", pk)
        if current is None:
            fence = 1
            condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_NOT_EXIST)
        else:
            held_until = current.get("expires_ms")
            if not isinstance(held_until, int) or not isinstance(current.get("fence"), int):
                raise CloudError("ots", "GetRow", "LedgerCorrupt", f"lease {key!r} is malformed")
            if held_until > _ms(now) and current.get("owner") != owner:
                return None
            fence = int(current["fence"]) + 1
            same = ots.CompositeColumnCondition(ots.LogicalOperator.AND)
            same.add_sub_condition(ots.SingleColumnCondition("fence", current["fence"], ots.ComparatorType.EQUAL,
                                                             pass_if_missing=False))
            same.add_sub_condition(ots.SingleColumnCondition("expires_ms", held_until, ots.ComparatorType.EQUAL,
                                                             pass_if_missing=False))
            condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_EXIST, same)
        row = ots.Row(pk, [("owner", owner), ("fence", fence), ("expires_ms", _ms(expires))])

        def mine() -> bool:
            again = self._get("leases", pk)
            return again is not None and again.get("owner") == owner and again.get("fence") == fence

        if self._conditional("PutRow", lambda: self.client().put_row(self.table("leases"), row, condition), mine):
            return Lease(key, owner, fence, expires)
        return None

    def release(self, lease: Lease) -> None:
        ots = _sdk()
        same = ots.CompositeColumnCondition(ots.LogicalOperator.AND)
        same.add_sub_condition(ots.SingleColumnCondition("owner", lease.owner, ots.ComparatorType.EQUAL,
                                                         pass_if_missing=False))
        same.add_sub_condition(ots.SingleColumnCondition("fence", lease.fence, ots.ComparatorType.EQUAL,
                                                         pass_if_missing=False))
        condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_EXIST, same)
        row = ots.Row([("key", lease.key)])
        # A lease already taken over (or already released by a lost-answer retry) is not ours to drop.
        self._conditional("DeleteRow", lambda: self.client().delete_row(self.table("leases"), row, condition),
                          lambda: True)

    # --- counters --------------------------------------------------------------------------

    def count(self, counter: str) -> int:
        columns = self._get("counters", [("name", counter)])
        value = 0 if columns is None else columns.get("n", 0)
        return value if isinstance(value, int) else 0

    def _step(self, counter: str, delta: int, limit: int | None) -> bool:
        ots = _sdk()
        pk = [("name", counter)]
        for _ in range(self._ledger.cas_attempts):
            columns = self._get("counters", pk)
            current = 0 if columns is None else int(columns.get("n", 0))
            target = current + delta
            if (limit is not None and target > limit) or target < 0:
                return False
            token = uuid.uuid4().hex
            if columns is None:
                condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_NOT_EXIST)
            else:
                condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_EXIST, ots.SingleColumnCondition(
                    "n", current, ots.ComparatorType.EQUAL, pass_if_missing=False))
            row = ots.Row(pk, [("n", target), ("writer", token)])

            def mine(token: str = token, target: int = target) -> bool:
                again = self._get("counters", pk)
                return again is not None and again.get("writer") == token and again.get("n") == target

            write = partial(self.client().put_row, self.table("counters"), row, condition)
            if self._conditional("PutRow", write, mine):
                return True
            # another writer won this round: read the count again
        raise LedgerConflict(f"counter {counter!r} kept changing under {self._ledger.cas_attempts} attempts",
                             hint="the event is retried by Function Compute")

    def reserve(self, counter: str, limit: int) -> bool:
        return self._step(counter, 1, limit)

    def give_back(self, counter: str) -> None:
        self._step(counter, -1, None)

    # --- deliveries ------------------------------------------------------------------------

    def first_delivery(self, source: str, delivery_id: str, digest: str) -> bool:
        ots = _sdk()
        pk = [("source", source), ("delivery_id", delivery_id)]
        token = uuid.uuid4().hex
        row = ots.Row(pk, [("digest", digest), ("first_ms", _ms(self._clock())), ("writer", token)])
        condition = ots.Condition(ots.RowExistenceExpectation.EXPECT_NOT_EXIST)

        def mine() -> bool:
            # Our own first attempt, applied with its answer lost: still the first delivery.
            again = self._get("deliveries", pk)
            return again is not None and again.get("writer") == token

        return self._conditional("PutRow", lambda: self.client().put_row(self.table("deliveries"), row, condition),
                                 mine)
