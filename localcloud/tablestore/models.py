"""Tablestore's state: instances and their tables, with every table-level rule.

An instance must exist before it is used (created through the admin route or
``LocalCloud.tablestore_create_instance``); a request naming an unknown instance is 403
OTSAuthFailed "The instance is not found." (tablestore.md §3.2). Instance names are
case-insensitive (§1.1). Table rules (§2.4, §2.8, §3.2): names of ``[A-Za-z0-9_]`` starting with a
letter or ``_``; 1-4 primary-key columns with unique names (duplicates: "Duplicated primary key
name: '<n>'."), at most one auto-increment column and never the first; TTL -1 or at least 86400 s;
max versions at least 1; 64 tables per instance. Row operations live in :mod:`.rows`; this module
hands them the table and localcloud's clock in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localcloud.tablestore import errors
from localcloud.tablestore.entities import (
    INSTANCE_NAME,
    MAX_DEFINED_COLUMNS,
    MAX_PK_COLUMNS,
    MAX_TABLES_PER_INSTANCE,
    MIN_TTL_SECONDS,
    TABLE_OR_COLUMN_NAME,
    DefinedColumn,
    Instance,
    PkColumn,
    Table,
    key_order,
)
from localcloud.tablestore.plainbuffer import Value
from localcloud.tablestore.rows import live_columns

if TYPE_CHECKING:
    from localcloud.state import CloudState


@dataclass(frozen=True, slots=True)
class OptionsChange:
    """TableOptions fields as sent; None means "not given"."""

    time_to_live: int | None = None
    max_versions: int | None = None
    deviation_seconds: int | None = None
    allow_update: bool | None = None


def _check_options(options: OptionsChange) -> None:
    ttl = options.time_to_live
    if ttl is not None and ttl != -1 and ttl < MIN_TTL_SECONDS:
        raise errors.OTSParameterInvalid(f"TimeToLive must be -1 or at least {MIN_TTL_SECONDS}: {ttl}.")
    if options.max_versions is not None and options.max_versions < 1:
        raise errors.OTSParameterInvalid(f"MaxVersions must be at least 1: {options.max_versions}.")
    if options.deviation_seconds is not None and options.deviation_seconds < 1:
        raise errors.OTSParameterInvalid(f"DeviationCellVersionInSec must be positive: {options.deviation_seconds}.")


def _apply_options(table: Table, options: OptionsChange) -> None:
    if options.time_to_live is not None:
        table.time_to_live = options.time_to_live
    if options.max_versions is not None:
        table.max_versions = options.max_versions
    if options.deviation_seconds is not None:
        table.deviation_seconds = options.deviation_seconds
    if options.allow_update is not None:
        table.allow_update = options.allow_update


def _json_value(value: Value) -> Any:
    data = value.data
    return data.hex() if isinstance(data, bytes) else data


class TablestoreBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.instances: dict[str, Instance] = {}

    def now_ms(self) -> int:
        return int(self._state.clock.now().timestamp() * 1000)

    def now_s(self) -> int:
        return int(self._state.clock.now().timestamp())

    # --- instances ----------------------------------------------------------------------------

    def create_instance(self, name: str) -> Instance:
        """Raises ValueError for a bad or taken name (an admin error, not a cloud one)."""
        if not INSTANCE_NAME.match(name):
            raise ValueError(
                f"instance name {name!r}: 3-16 letters, digits and '-', starting with a letter, not ending with '-'"
            )
        if name.lower() in self.instances:
            raise ValueError(f"instance {name!r} already exists")
        instance = Instance(name)
        self.instances[name.lower()] = instance
        return instance

    def instance(self, name: str) -> Instance:
        found = self.instances.get(name.lower())
        if found is None:
            raise errors.OTSAuthFailed("The instance is not found.")
        return found

    # --- tables -------------------------------------------------------------------------------

    def create_table(
        self, instance: Instance, name: str, primary_key: Sequence[PkColumn], defined: Sequence[DefinedColumn],
        options: OptionsChange, read_cu: int, write_cu: int,
    ) -> Table:
        if not TABLE_OR_COLUMN_NAME.match(name):
            raise errors.OTSParameterInvalid(f"Invalid table name: '{name}'.")
        if not 1 <= len(primary_key) <= MAX_PK_COLUMNS:
            raise errors.OTSParameterInvalid(f"The number of primary key columns must be in range: [1, {MAX_PK_COLUMNS}].")
        seen: set[str] = set()
        for column_name in [c.name for c in primary_key] + [c.name for c in defined]:
            if not TABLE_OR_COLUMN_NAME.match(column_name):
                raise errors.OTSParameterInvalid(f"Invalid column name: '{column_name}'.")
            if column_name in seen:
                raise errors.OTSParameterInvalid(f"Duplicated primary key name: '{column_name}'.")
            seen.add(column_name)
        if len(defined) > MAX_DEFINED_COLUMNS:
            raise errors.OTSParameterInvalid(f"The number of defined columns exceeds {MAX_DEFINED_COLUMNS}.")
        autos = [i for i, c in enumerate(primary_key) if c.auto_increment]
        if len(autos) > 1 or 0 in autos:
            raise errors.OTSParameterInvalid("At most one primary key column, not the first, may be auto-increment.")
        _check_options(options)
        if read_cu < 0 or write_cu < 0:
            raise errors.OTSParameterInvalid("Reserved throughput must not be negative.")
        if name in instance.tables:
            raise errors.OTSObjectAlreadyExist()
        if len(instance.tables) >= MAX_TABLES_PER_INSTANCE:
            raise errors.OTSQuotaExhausted(f"The number of tables exceeds the quota of {MAX_TABLES_PER_INSTANCE}.")
        now = self.now_s()
        table = Table(name, tuple(primary_key), tuple(defined), read_cu=read_cu, write_cu=write_cu,
                      created_s=now, last_increase_s=now)
        _apply_options(table, options)
        instance.tables[name] = table
        return table

    def table(self, instance: Instance, name: str) -> Table:
        found = instance.tables.get(name)
        if found is None:
            raise errors.OTSObjectNotExist()
        return found

    def update_table(
        self, instance: Instance, name: str, options: OptionsChange | None, throughput: tuple[int | None, int | None] | None
    ) -> Table:
        table = self.table(instance, name)
        if options is None and throughput is None:
            raise errors.OTSParameterInvalid("Neither reserved throughput nor table options is specified.")
        if options is not None:
            _check_options(options)
        if throughput is not None:
            read_cu, write_cu = throughput
            if (read_cu is not None and read_cu < 0) or (write_cu is not None and write_cu < 0):
                raise errors.OTSParameterInvalid("Reserved throughput must not be negative.")
            now = self.now_s()
            old = (table.read_cu, table.write_cu)
            table.read_cu = table.read_cu if read_cu is None else read_cu
            table.write_cu = table.write_cu if write_cu is None else write_cu
            if (table.read_cu, table.write_cu) > old:
                table.last_increase_s = now
            elif (table.read_cu, table.write_cu) < old:
                table.last_decrease_s = now
        if options is not None:
            _apply_options(table, options)
        return table

    def delete_table(self, instance: Instance, name: str) -> None:
        self.table(instance, name)
        del instance.tables[name]

    # --- inspection (admin route) ---------------------------------------------------------------

    def dump(self, instance_name: str, table_name: str) -> dict[str, Any]:
        """The table's schema, options and live rows (versions newest first), as JSON-ready data."""
        instance = self.instances.get(instance_name.lower())
        if instance is None:
            raise LookupError(f"no Tablestore instance named {instance_name!r}")
        table = instance.tables.get(table_name)
        if table is None:
            raise LookupError(f"no table {table_name!r} in instance {instance.name!r}")
        now = self.now_ms()
        rows = []
        for key in sorted(table.rows, key=key_order):
            stored = table.rows[key]
            columns = live_columns(table, stored, now)
            rows.append({
                "primary_key": {c.name: _json_value(v) for c, v in zip(table.primary_key, key, strict=True)},
                "columns": {
                    name: [{"value": _json_value(v), "timestamp": ts} for ts, v in versions]
                    for name, versions in sorted(columns.items())
                },
            })
        return {
            "instance": instance.name, "table": table.name,
            "primary_key": [{"name": c.name, "type": c.type.name, "auto_increment": c.auto_increment}
                            for c in table.primary_key],
            "time_to_live": table.time_to_live, "max_versions": table.max_versions,
            "deviation_cell_version_in_sec": table.deviation_seconds,
            "rows": rows,
        }
