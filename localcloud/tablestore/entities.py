"""Tablestore's stored records: instances, tables (schema, options, throughput) and rows of versioned cells.

Limits and defaults: tablestore.md §2.4 (TTL, max versions, deviation), §2.8 (names, key
columns), §5.1 (instance names). A row's cells keep every version written, newest first, each a
millisecond timestamp; versions past ``max_versions`` are dropped on write and hidden on read, and
versions older than the TTL are hidden (§2.4: "deleted asynchronously"; here they are dropped
when the row is next written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

from localcloud.tablestore.plainbuffer import Value, VariantType

INSTANCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,14}[A-Za-z0-9]$")
"""3-16 letters, digits and ``-``, starting with a letter, not ending with ``-`` (§5.1)."""
TABLE_OR_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
"""1-255 bytes of ``[A-Za-z0-9_]`` starting with a letter or ``_`` (§2.8)."""
MAX_TABLES_PER_INSTANCE = 64
MAX_PK_COLUMNS = 4
MAX_DEFINED_COLUMNS = 32
MIN_TTL_SECONDS = 86400
DEFAULT_DEVIATION_SECONDS = 86400
MAX_PK_VALUE_BYTES = 1024
MAX_ATTRIBUTE_VALUE_BYTES = 2 * 1024 * 1024
MAX_COLUMNS_PER_WRITE = 1024
MAX_COLUMN_CONDITIONS = 10
MAX_BATCH_GET_ROWS = 100
MAX_BATCH_WRITE_ROWS = 200
MAX_RANGE_ROWS = 5000


class PkType(IntEnum):
    """``PrimaryKeyType`` of table_store.proto (§1.2)."""

    INTEGER = 1
    STRING = 2
    BINARY = 3
    BOOLEAN = 5

    @property
    def variant(self) -> VariantType:
        return _PK_VARIANT[self]


_PK_VARIANT = {
    PkType.INTEGER: VariantType.INTEGER,
    PkType.STRING: VariantType.STRING,
    PkType.BINARY: VariantType.BLOB,
    PkType.BOOLEAN: VariantType.BOOLEAN,
}
VARIANT_NAMES = {
    VariantType.INTEGER: "VT_INTEGER", VariantType.STRING: "VT_STRING", VariantType.BLOB: "VT_BLOB",
    VariantType.BOOLEAN: "VT_BOOLEAN", VariantType.DOUBLE: "VT_DOUBLE", VariantType.NULL: "VT_NULL",
    VariantType.INF_MIN: "VT_INF_MIN", VariantType.INF_MAX: "VT_INF_MAX",
    VariantType.AUTO_INCREMENT: "VT_AUTO_INCREMENT",
}


@dataclass(frozen=True, slots=True)
class PkColumn:
    name: str
    type: PkType
    auto_increment: bool = False


@dataclass(frozen=True, slots=True)
class DefinedColumn:
    name: str
    type: int
    """``DefinedColumnType`` of table_store.proto, kept as sent (it only comes back in DescribeTable)."""


@dataclass(slots=True)
class StoredRow:
    columns: dict[str, list[tuple[int, Value]]] = field(default_factory=dict)
    """Column name -> versions as ``(timestamp_ms, value)``, newest first."""
    written_ms: int = 0
    """When the row was last written: a row with no cells left expires by this (see models)."""


PrimaryKey = tuple[Value, ...]


@dataclass(slots=True)
class Table:
    name: str
    primary_key: tuple[PkColumn, ...]
    defined_columns: tuple[DefinedColumn, ...] = ()
    time_to_live: int = -1
    max_versions: int = 1
    deviation_seconds: int = DEFAULT_DEVIATION_SECONDS
    allow_update: bool = True
    read_cu: int = 0
    write_cu: int = 0
    created_s: int = 0
    last_increase_s: int = 0
    last_decrease_s: int | None = None
    rows: dict[PrimaryKey, StoredRow] = field(default_factory=dict)
    auto_increment_last: int = 0
    """The last auto-increment value handed out: values grow across the table (§2.2 only promises
    growth within a partition key, and no contiguity)."""


@dataclass(slots=True)
class Instance:
    name: str
    """As created; requests name it case-insensitively (§1.1)."""
    tables: dict[str, Table] = field(default_factory=dict)


def sort_key(value: Value) -> tuple[int, int | bytes | bool | float]:
    """Ordering of one primary-key value: INF_MIN below everything, INF_MAX above; strings and
    binaries by their bytes."""
    if value.type is VariantType.INF_MIN:
        return (0, 0)
    if value.type is VariantType.INF_MAX:
        return (2, 0)
    data = value.data
    if isinstance(data, str):
        return (1, data.encode("utf-8"))
    assert data is not None
    return (1, data)


def key_order(key: PrimaryKey) -> tuple[tuple[int, int | bytes | bool | float], ...]:
    return tuple(sort_key(value) for value in key)
