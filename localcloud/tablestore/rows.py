"""Row reads and writes on one table: key validation, versions, TTL, conditions, INCREMENT, ranges.

Semantics (tablestore.md §2.1-§2.8):
- PutRow replaces the whole row; UpdateRow changes only the named columns and creates the row
  unless it only removes columns; DeleteRow with IGNORE succeeds on an absent row (§2.2).
- Every write is a cell version at ``now_ms`` (localcloud's clock) unless the client gives a
  timestamp, which must be within ``deviation_cell_version_in_sec`` of now (§2.2).
- Versions past ``max_versions`` are unreadable at once; a version older than the TTL is hidden
  (§2.4). Choices where §2.4 says UNCONFIRMED: expired cells are invisible to reads and to
  conditions, and a row whose cells all expired no longer exists; a row with no attribute
  columns expires by its last write time.
- INCREMENT adds to the latest live INTEGER version (a missing column counts as 0) and writes a
  new version; a non-integer column or an int64 overflow is OTSParameterInvalid, as is one
  column both INCREMENTed and PUT or DELETEd in one request (§2.3).
- GetRange: start inclusive, end exclusive, FORWARD needs start < end and BACKWARD start > end;
  at most ``limit`` and 5000 rows a page; ``next_start_primary_key`` names the next row when more
  remain (§2.6). The BACKWARD error message mirrors the documented FORWARD one (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from localcloud.tablestore import errors
from localcloud.tablestore.conditions import ColumnFilter, RowCondition, Versions, check, evaluate
from localcloud.tablestore.entities import (
    MAX_ATTRIBUTE_VALUE_BYTES,
    MAX_COLUMNS_PER_WRITE,
    MAX_PK_VALUE_BYTES,
    MAX_RANGE_ROWS,
    TABLE_OR_COLUMN_NAME,
    VARIANT_NAMES,
    PrimaryKey,
    StoredRow,
    Table,
    key_order,
)
from localcloud.tablestore.plainbuffer import Cell, CellOp, PlainRow, Value, VariantType

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_ATTRIBUTE_TYPES = (VariantType.INTEGER, VariantType.DOUBLE, VariantType.BOOLEAN, VariantType.STRING, VariantType.BLOB)
_INF = (VariantType.INF_MIN, VariantType.INF_MAX)


@dataclass(frozen=True, slots=True)
class ReadSpec:
    columns: tuple[str, ...] = ()
    max_versions: int | None = None
    time_range: tuple[int, int] | None = None
    """``[start_ms, end_ms)``; a specific time ``t`` is ``(t, t + 1)``."""
    column_filter: ColumnFilter | None = None


# --- keys -------------------------------------------------------------------------------------

def validate_key(table: Table, cells: Sequence[Cell], *, infinite: bool = False, auto_increment: bool = False) -> PrimaryKey:
    """The key in schema order; OTSInvalidPK with the documented messages when it does not fit."""
    schema = table.primary_key
    if len(cells) != len(schema):
        raise errors.pk_size_mismatch(len(cells), len(schema))
    key: list[Value] = []
    for cell, column in zip(cells, schema, strict=True):
        if cell.name != column.name:
            raise errors.pk_name_mismatch(cell.name, column.name)
        value = cell.value
        assert value is not None
        if value.type in _INF and infinite:
            key.append(value)
            continue
        if value.type is VariantType.AUTO_INCREMENT and auto_increment and column.auto_increment:
            table.auto_increment_last += 1
            key.append(Value(VariantType.INTEGER, table.auto_increment_last))
            continue
        if value.type is not column.type.variant:
            raise errors.pk_type_mismatch(VARIANT_NAMES.get(value.type, str(value.type)), VARIANT_NAMES[column.type.variant])
        if _size(value) > MAX_PK_VALUE_BYTES:
            raise errors.OTSParameterInvalid(f"The length of primary key column {cell.name!r} exceeds {MAX_PK_VALUE_BYTES} bytes.")
        key.append(value)
    return tuple(key)


def _size(value: Value) -> int:
    data = value.data
    return len(data.encode("utf-8")) if isinstance(data, str) else len(data) if isinstance(data, bytes) else 8


def key_row(table: Table, key: PrimaryKey, cells: Sequence[Cell] = ()) -> PlainRow:
    return PlainRow(tuple(Cell(c.name, v) for c, v in zip(table.primary_key, key, strict=True)), tuple(cells))


# --- versions ---------------------------------------------------------------------------------

def _live(table: Table, versions: list[tuple[int, Value]], now_ms: int) -> list[tuple[int, Value]]:
    kept = versions[: table.max_versions]
    if table.time_to_live < 0:
        return kept
    return [(ts, v) for ts, v in kept if now_ms - ts <= table.time_to_live * 1000]


def live_columns(table: Table, row: StoredRow, now_ms: int) -> dict[str, list[tuple[int, Value]]]:
    out = {}
    for name, versions in row.columns.items():
        live = _live(table, versions, now_ms)
        if live:
            out[name] = live
    return out


def _alive(table: Table, row: StoredRow, now_ms: int) -> bool:
    if live_columns(table, row, now_ms):
        return True
    if row.columns and any(row.columns.values()):
        return False  # every cell expired or fell past max_versions
    return table.time_to_live < 0 or now_ms - row.written_ms <= table.time_to_live * 1000


def find(table: Table, key: PrimaryKey, now_ms: int) -> StoredRow | None:
    row = table.rows.get(key)
    if row is not None and not _alive(table, row, now_ms):
        del table.rows[key]
        return None
    return row


def _view(table: Table, key: PrimaryKey, row: StoredRow | None, now_ms: int) -> Versions:
    view: dict[str, list[Value]] = {c.name: [v] for c, v in zip(table.primary_key, key, strict=True)}
    if row is not None:
        for name, versions in live_columns(table, row, now_ms).items():
            view[name] = [v for _, v in versions]
    return view


def _store(table: Table, row: StoredRow, name: str, ts: int, value: Value) -> None:
    versions = [(t, v) for t, v in row.columns.get(name, []) if t != ts]
    versions.append((ts, value))
    versions.sort(key=lambda item: item[0], reverse=True)
    row.columns[name] = versions[: table.max_versions]


def _prune(table: Table, row: StoredRow, now_ms: int) -> None:
    row.columns = live_columns(table, row, now_ms)


# --- writes -----------------------------------------------------------------------------------

def _check_cell(table: Table, cell: Cell, now_ms: int) -> None:
    if not TABLE_OR_COLUMN_NAME.match(cell.name):
        raise errors.OTSParameterInvalid(f"Invalid column name: '{cell.name}'.")
    if any(c.name == cell.name for c in table.primary_key):
        raise errors.OTSParameterInvalid(f"Attribute column '{cell.name}' has the name of a primary key column.")
    if cell.value is not None:
        if cell.value.type not in _ATTRIBUTE_TYPES:
            raise errors.OTSParameterInvalid(f"Invalid column type of '{cell.name}': {VARIANT_NAMES.get(cell.value.type)}.")
        if _size(cell.value) > MAX_ATTRIBUTE_VALUE_BYTES:
            raise errors.OTSParameterInvalid(f"The length of attribute column '{cell.name}' exceeds {MAX_ATTRIBUTE_VALUE_BYTES} bytes.")
    late = cell.timestamp is not None and (cell.timestamp < 0 or abs(now_ms - cell.timestamp) > table.deviation_seconds * 1000)
    if late and cell.op is None:
        raise errors.OTSParameterInvalid(
            f"The timestamp of column '{cell.name}' is out of the table's deviation of {table.deviation_seconds} seconds."
        )


def _check_columns(table: Table, cells: Sequence[Cell], now_ms: int) -> None:
    if len(cells) > MAX_COLUMNS_PER_WRITE:
        raise errors.OTSParameterInvalid(f"The number of columns exceeds the limit of {MAX_COLUMNS_PER_WRITE}.")
    for cell in cells:
        _check_cell(table, cell, now_ms)


def put(table: Table, change: PlainRow, condition: RowCondition, now_ms: int) -> PrimaryKey:
    if change.delete_marker:
        raise errors.OTSParameterInvalid("A PutRow row carries no delete marker.")
    key = validate_key(table, change.primary_key, auto_increment=True)
    _check_columns(table, change.cells, now_ms)
    for cell in change.cells:
        if cell.op is not None or cell.value is None:
            raise errors.OTSParameterInvalid(f"PutRow column '{cell.name}' must be a value without an update type.")
    existing = find(table, key, now_ms)
    check(condition, existing is not None, _view(table, key, existing, now_ms))
    row = StoredRow(written_ms=now_ms)
    for cell in change.cells:
        assert cell.value is not None
        _store(table, row, cell.name, cell.timestamp if cell.timestamp is not None else now_ms, cell.value)
    table.rows[key] = row
    return key


def _check_update_cell(cell: Cell) -> None:
    op, value, ts = cell.op, cell.value, cell.timestamp
    if op is None and value is None:
        raise errors.OTSParameterInvalid(f"The PUT of column '{cell.name}' has no value.")
    if op is CellOp.DELETE_ONE_VERSION and (value is not None or ts is None):
        raise errors.OTSParameterInvalid(f"Deleting one version of '{cell.name}' needs its timestamp and no value.")
    if op is CellOp.DELETE_ALL_VERSION and (value is not None or ts is not None):
        raise errors.OTSParameterInvalid(f"Deleting all versions of '{cell.name}' takes no value and no timestamp.")
    if op is CellOp.INCREMENT and (value is None or value.type is not VariantType.INTEGER or ts is not None):
        raise errors.OTSParameterInvalid(f"The INCREMENT of '{cell.name}' needs an INTEGER delta and no timestamp.")


def update(table: Table, change: PlainRow, condition: RowCondition, now_ms: int) -> PrimaryKey:
    if change.delete_marker:
        raise errors.OTSParameterInvalid("An UpdateRow row carries no delete marker.")
    if not change.cells:
        raise errors.OTSParameterInvalid("No attribute column is specified in UpdateRow.")
    key = validate_key(table, change.primary_key)
    _check_columns(table, change.cells, now_ms)
    incremented = {c.name for c in change.cells if c.op is CellOp.INCREMENT}
    for cell in change.cells:
        _check_update_cell(cell)
        if cell.name in incremented and cell.op is not CellOp.INCREMENT:
            raise errors.OTSParameterInvalid(f"Column '{cell.name}' cannot be incremented and changed in one request.")
    if len(incremented) != sum(1 for c in change.cells if c.op is CellOp.INCREMENT):
        raise errors.OTSParameterInvalid("A column is incremented more than once in one request.")
    existing = find(table, key, now_ms)
    check(condition, existing is not None, _view(table, key, existing, now_ms))
    only_removes = all(c.op in (CellOp.DELETE_ONE_VERSION, CellOp.DELETE_ALL_VERSION) for c in change.cells)
    if existing is None and only_removes:
        return key
    row = existing if existing is not None else StoredRow()
    _prune(table, row, now_ms)
    for cell in change.cells:
        _apply(table, row, cell, now_ms)
    row.written_ms = now_ms
    table.rows[key] = row
    return key


def _apply(table: Table, row: StoredRow, cell: Cell, now_ms: int) -> None:
    if cell.op is CellOp.DELETE_ALL_VERSION:
        row.columns.pop(cell.name, None)
    elif cell.op is CellOp.DELETE_ONE_VERSION:
        kept = [(t, v) for t, v in row.columns.get(cell.name, []) if t != cell.timestamp]
        if kept:
            row.columns[cell.name] = kept
        else:
            row.columns.pop(cell.name, None)
    elif cell.op is CellOp.INCREMENT:
        assert cell.value is not None and isinstance(cell.value.data, int)
        current = row.columns.get(cell.name)
        base = 0
        if current:
            latest = current[0][1]
            if latest.type is not VariantType.INTEGER or not isinstance(latest.data, int):
                raise errors.OTSParameterInvalid(f"Column '{cell.name}' is not an INTEGER and cannot be incremented.")
            base = latest.data
        total = base + cell.value.data
        if not INT64_MIN <= total <= INT64_MAX:
            raise errors.OTSParameterInvalid(f"The INCREMENT of column '{cell.name}' overflows int64.")
        _store(table, row, cell.name, now_ms, Value(VariantType.INTEGER, total))
    else:
        assert cell.value is not None
        _store(table, row, cell.name, cell.timestamp if cell.timestamp is not None else now_ms, cell.value)


def delete(table: Table, change: PlainRow, condition: RowCondition, now_ms: int) -> PrimaryKey:
    if change.cells:
        raise errors.OTSParameterInvalid("A DeleteRow primary key carries no attribute columns.")
    key = validate_key(table, change.primary_key)
    existing = find(table, key, now_ms)
    check(condition, existing is not None, _view(table, key, existing, now_ms))
    table.rows.pop(key, None)
    return key


# --- reads ------------------------------------------------------------------------------------

def _read_cells(table: Table, row: StoredRow, spec: ReadSpec, now_ms: int) -> list[Cell]:
    cells: list[Cell] = []
    for name, versions in sorted(live_columns(table, row, now_ms).items()):
        if spec.columns and name not in spec.columns:
            continue
        if spec.time_range is not None:
            start, end = spec.time_range
            versions = [(t, v) for t, v in versions if start <= t < end]
        if spec.max_versions is not None:
            versions = versions[: spec.max_versions]
        cells.extend(Cell(name, value, None, ts) for ts, value in versions)
    return cells


def _project(table: Table, key: PrimaryKey, row: StoredRow, spec: ReadSpec, now_ms: int) -> PlainRow | None:
    if spec.column_filter is not None and not evaluate(spec.column_filter, _view(table, key, row, now_ms)):
        return None
    cells = _read_cells(table, row, spec, now_ms)
    pk_names = {c.name for c in table.primary_key}
    if spec.columns and not cells and not pk_names.intersection(spec.columns):
        return None  # none of columns_to_get exists: no row (§2.6)
    return key_row(table, key, cells)


def read(table: Table, key: PrimaryKey, spec: ReadSpec, now_ms: int) -> PlainRow | None:
    row = find(table, key, now_ms)
    return None if row is None else _project(table, key, row, spec, now_ms)


def scan(
    table: Table, forward: bool, start: PrimaryKey, end: PrimaryKey, limit: int | None, spec: ReadSpec, now_ms: int
) -> tuple[list[PlainRow], PrimaryKey | None]:
    low, high = key_order(start), key_order(end)
    if forward and not low < high:
        raise errors.OTSParameterInvalid("Begin key must less than end key in FORWARD")
    if not forward and not low > high:
        raise errors.OTSParameterInvalid("Begin key must more than end key in BACKWARD")
    if limit is not None and limit <= 0:
        raise errors.OTSParameterInvalid("The limit must be greater than 0.")
    page = min(limit or MAX_RANGE_ROWS, MAX_RANGE_ROWS)
    if forward:
        keys = sorted((k for k in table.rows if low <= key_order(k) < high), key=key_order)
    else:
        keys = sorted((k for k in table.rows if high < key_order(k) <= low), key=key_order, reverse=True)
    rows: list[PlainRow] = []
    for index, key in enumerate(keys):
        row = find(table, key, now_ms)
        if row is None:
            continue
        if len(rows) == page:
            return rows, keys[index]
        projected = _project(table, key, row, spec, now_ms)
        if projected is not None:
            rows.append(projected)
    return rows, None
