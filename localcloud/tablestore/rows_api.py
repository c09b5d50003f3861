"""The row APIs on the wire: GetRow, PutRow, UpdateRow, DeleteRow, BatchGetRow, BatchWriteRow, GetRange.

Each handler takes the parsed ``<Api>Request`` (sdk:tablestore/protobuf/table_store.proto) and
returns the ``<Api>Response`` with every proto2 required field set, empty ``row``/``rows`` bytes
and ``consumed.capacity_unit`` included (tablestore.md §1.2). Rules live in :mod:`.rows`.

- Batch results keep the request's table and row order; the SDK matches them by index (§1.2).
  BatchWriteRow is not atomic: each row succeeds or fails alone (``is_ok``/``error``); a
  duplicate table or primary key, an empty request or more than 200 rows fails the whole request
  with OTSParameterInvalid (§2.7); BatchGetRow takes at most 100 rows (§2.6). A table that does
  not exist fails its rows with OTSObjectNotExist (UNCONFIRMED: per row, not the whole request).
- Return content: RT_PK answers the primary key (with any auto-increment value filled in);
  RT_AFTER_MODIFY (other SDKs) the key plus the latest live ``return_column_names`` (§2.3, shape
  UNCONFIRMED).
- Consumed capacity is nominal: 1 read CU for a read or a conditional write, 1 write CU per write
  (the real unit depends on row size, which nothing here depends on).
- Undecodable PlainBuffer (bad tag, length, UTF-8 or checksum) is OTSParameterInvalid (the real
  code is UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tablestore.protobuf import table_store_pb2 as pb

from localcloud.tablestore import errors, rows
from localcloud.tablestore.conditions import Existence, RowCondition, parse_filter
from localcloud.tablestore.entities import MAX_BATCH_GET_ROWS, MAX_BATCH_WRITE_ROWS, Instance, PrimaryKey, Table
from localcloud.tablestore.models import TablestoreBackend
from localcloud.tablestore.plainbuffer import (
    PlainBufferError,
    PlainRow,
    VariantType,
    decode_row,
    encode_row,
    encode_rows,
)

_RT_PK, _RT_AFTER_MODIFY = 1, 2
_PUT, _UPDATE, _DELETE = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Context:
    backend: TablestoreBackend
    instance: Instance
    now_ms: int

    def table(self, name: str) -> Table:
        return self.backend.table(self.instance, name)


def plain(data: bytes, what: str) -> PlainRow:
    try:
        return decode_row(data)
    except PlainBufferError as exc:
        raise errors.OTSParameterInvalid(f"Invalid PlainBuffer in {what}: {exc}.") from exc


def _condition(proto: Any) -> RowCondition:
    try:
        existence = Existence(proto.row_existence)
    except ValueError as exc:
        raise errors.OTSParameterInvalid(f"Invalid row existence expectation: {proto.row_existence}.") from exc
    column = parse_filter(proto.column_condition) if proto.HasField("column_condition") else None
    return RowCondition(existence, column)


def _consumed(target: Any, read: int, write: int) -> None:
    target.capacity_unit.read = read
    target.capacity_unit.write = write


def _read_spec(proto: Any) -> rows.ReadSpec:
    time_range = None
    if proto.HasField("time_range"):
        window = proto.time_range
        if window.HasField("specific_time"):
            time_range = (window.specific_time, window.specific_time + 1)
        elif window.HasField("start_time") and window.HasField("end_time") and window.start_time < window.end_time:
            time_range = (window.start_time, window.end_time)
        else:
            raise errors.OTSParameterInvalid("Invalid time range: give specific_time, or start_time < end_time.")
    max_versions = proto.max_versions if proto.HasField("max_versions") else None
    if max_versions is None and time_range is None:
        raise errors.OTSParameterInvalid("Neither column max versions nor time range is set.")
    if max_versions is not None and max_versions < 1:
        raise errors.OTSParameterInvalid(f"Invalid max versions: {max_versions}.")
    column_filter = parse_filter(proto.filter) if proto.HasField("filter") else None
    return rows.ReadSpec(tuple(proto.columns_to_get), max_versions, time_range, column_filter)


def _returned(ctx: Context, table: Table, key: PrimaryKey, proto: Any) -> bytes:
    if not proto.HasField("return_content"):
        return b""
    kind = proto.return_content.return_type
    if kind == _RT_PK:
        return encode_row(rows.key_row(table, key))
    if kind == _RT_AFTER_MODIFY:
        names = tuple(proto.return_content.return_column_names)
        found = rows.read(table, key, rows.ReadSpec(names, 1), ctx.now_ms) if names else None
        return encode_row(found or rows.key_row(table, key))
    return b""


# --- single-row APIs --------------------------------------------------------------------------

def get_row(ctx: Context, request: Any) -> Any:
    table = ctx.table(request.table_name)
    key = rows.validate_key(table, plain(request.primary_key, "primary_key").primary_key)
    found = rows.read(table, key, _read_spec(request), ctx.now_ms)
    response = pb.GetRowResponse()
    _consumed(response.consumed, 1, 0)
    response.row = encode_row(found) if found is not None else b""
    return response


Writer = Callable[[Table, PlainRow, RowCondition, int], PrimaryKey]


def _write(ctx: Context, request: Any, response: Any, field: str, writer: Writer) -> Any:
    table = ctx.table(request.table_name)
    condition = _condition(request.condition)
    key = writer(table, plain(getattr(request, field), field), condition, ctx.now_ms)
    _consumed(response.consumed, 0 if condition.existence is Existence.IGNORE else 1, 1)
    response.row = _returned(ctx, table, key, request)
    return response


def put_row(ctx: Context, request: Any) -> Any:
    return _write(ctx, request, pb.PutRowResponse(), "row", rows.put)


def update_row(ctx: Context, request: Any) -> Any:
    return _write(ctx, request, pb.UpdateRowResponse(), "row_change", rows.update)


def delete_row(ctx: Context, request: Any) -> Any:
    return _write(ctx, request, pb.DeleteRowResponse(), "primary_key", rows.delete)


def get_range(ctx: Context, request: Any) -> Any:
    table = ctx.table(request.table_name)
    start = rows.validate_key(table, plain(request.inclusive_start_primary_key, "inclusive_start_primary_key").primary_key,
                              infinite=True)
    end = rows.validate_key(table, plain(request.exclusive_end_primary_key, "exclusive_end_primary_key").primary_key,
                            infinite=True)
    if request.direction not in (0, 1):
        raise errors.OTSParameterInvalid(f"Invalid direction: {request.direction}.")
    limit = request.limit if request.HasField("limit") else None
    found, next_key = rows.scan(table, request.direction == 0, start, end, limit, _read_spec(request), ctx.now_ms)
    response = pb.GetRangeResponse()
    _consumed(response.consumed, max(1, len(found)), 0)
    response.rows = encode_rows(found)
    if next_key is not None:
        response.next_start_primary_key = encode_row(rows.key_row(table, next_key))
    return response


# --- batches ----------------------------------------------------------------------------------

def _unique_tables(names: list[str]) -> None:
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise errors.OTSParameterInvalid(f"Duplicated table name: '{duplicate}'.")


def _fail(item: Any, error: errors.OTSError) -> None:
    item.is_ok = False
    item.error.code = error.error_code
    item.error.message = error.error_message


def batch_get_row(ctx: Context, request: Any) -> Any:
    _unique_tables([t.table_name for t in request.tables])
    total = sum(len(t.primary_key) for t in request.tables)
    if total == 0:
        raise errors.OTSParameterInvalid("No row is specified in BatchGetRow.")
    if total > MAX_BATCH_GET_ROWS:
        raise errors.OTSParameterInvalid(f"Rows count exceeds the upper limit: {MAX_BATCH_GET_ROWS}.")
    parsed = [(t, _read_spec(t), [plain(k, "primary_key") for k in t.primary_key]) for t in request.tables]
    response = pb.BatchGetRowResponse()
    for table_request, spec, keys in parsed:
        out = response.tables.add()
        out.table_name = table_request.table_name
        for key_row in keys:
            item = out.rows.add()
            try:
                table = ctx.table(table_request.table_name)
                found = rows.read(table, rows.validate_key(table, key_row.primary_key), spec, ctx.now_ms)
            except errors.OTSError as error:
                _fail(item, error)
                continue
            item.is_ok = True
            _consumed(item.consumed, 1, 0)
            item.row = encode_row(found) if found is not None else b""
    return response


_WRITERS: dict[int, Writer] = {_PUT: rows.put, _UPDATE: rows.update, _DELETE: rows.delete}


def _key_cells(row: PlainRow) -> tuple[tuple[str, Any], ...]:
    return tuple((c.name, c.value) for c in row.primary_key)


def batch_write_row(ctx: Context, request: Any) -> Any:
    _unique_tables([t.table_name for t in request.tables])
    total = sum(len(t.rows) for t in request.tables)
    if total == 0:
        raise errors.OTSParameterInvalid("No row is specified in BatchWriteRow.")
    if total > MAX_BATCH_WRITE_ROWS:
        raise errors.OTSParameterInvalid(f"Rows count exceeds the upper limit: {MAX_BATCH_WRITE_ROWS}.")
    parsed: list[tuple[str, list[tuple[Any, PlainRow, RowCondition]]]] = []
    for table_request in request.tables:
        items = []
        seen: set[tuple[tuple[str, Any], ...]] = set()
        for row_request in table_request.rows:
            if row_request.type not in _WRITERS:
                raise errors.OTSParameterInvalid(f"Invalid operation type: {row_request.type}.")
            change = plain(row_request.row_change, "row_change")
            cells = _key_cells(change)
            auto = any(c.value is not None and c.value.type is VariantType.AUTO_INCREMENT for c in change.primary_key)
            if cells in seen and not auto:
                raise errors.OTSParameterInvalid("Duplicated primary key in BatchWriteRow.")
            seen.add(cells)
            items.append((row_request, change, _condition(row_request.condition)))
        parsed.append((table_request.table_name, items))
    response = pb.BatchWriteRowResponse()
    for table_name, items in parsed:
        out = response.tables.add()
        out.table_name = table_name
        for row_request, change, condition in items:
            item = out.rows.add()
            try:
                table = ctx.table(table_name)
                key = _WRITERS[row_request.type](table, change, condition, ctx.now_ms)
            except errors.OTSError as error:
                _fail(item, error)
                continue
            item.is_ok = True
            _consumed(item.consumed, 0 if condition.existence is Existence.IGNORE else 1, 1)
            item.row = _returned(ctx, table, key, row_request)
    return response

