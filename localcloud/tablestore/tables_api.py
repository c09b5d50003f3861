"""The table APIs on the wire: CreateTable, ListTable, DescribeTable, UpdateTable, DeleteTable.

Messages: sdk:tablestore/protobuf/table_store.proto (tablestore.md §1.2). DescribeTable and
UpdateTable answer the required ``reserved_throughput_details{capacity_unit, last_increase_time}``
and ``table_options``, with all four options filled in (the SDK reads ``time_to_live``,
``max_versions`` and ``deviation_cell_version_in_sec`` unconditionally). Streams, SSE, partitions
and secondary indexes are not emulated: a request that asks for them is OTSParameterInvalid.
Rules live in :mod:`.models`.
"""

from __future__ import annotations

from typing import Any

from tablestore.protobuf import table_store_pb2 as pb

from localcloud.tablestore import errors
from localcloud.tablestore.entities import DefinedColumn, PkColumn, PkType, Table
from localcloud.tablestore.models import OptionsChange
from localcloud.tablestore.rows_api import Context

_AUTO_INCREMENT = 1


def _options(proto: Any) -> OptionsChange:
    return OptionsChange(
        time_to_live=proto.time_to_live if proto.HasField("time_to_live") else None,
        max_versions=proto.max_versions if proto.HasField("max_versions") else None,
        deviation_seconds=proto.deviation_cell_version_in_sec if proto.HasField("deviation_cell_version_in_sec") else None,
        allow_update=proto.allow_update if proto.HasField("allow_update") else None,
    )


def _pk_column(proto: Any) -> PkColumn:
    try:
        kind = PkType(proto.type)
    except ValueError as exc:
        raise errors.OTSParameterInvalid(f"Invalid primary key type: {proto.type}.") from exc
    auto = proto.HasField("option") and proto.option == _AUTO_INCREMENT
    if auto and kind is not PkType.INTEGER:
        raise errors.OTSParameterInvalid(f"Auto-increment primary key '{proto.name}' must be INTEGER.")
    return PkColumn(proto.name, kind, auto)


def _fill_options(target: Any, table: Table) -> None:
    target.time_to_live = table.time_to_live
    target.max_versions = table.max_versions
    target.deviation_cell_version_in_sec = table.deviation_seconds
    target.allow_update = table.allow_update


def _fill_throughput(target: Any, table: Table) -> None:
    target.capacity_unit.read = table.read_cu
    target.capacity_unit.write = table.write_cu
    target.last_increase_time = table.last_increase_s
    if table.last_decrease_s is not None:
        target.last_decrease_time = table.last_decrease_s


def create_table(ctx: Context, request: Any) -> Any:
    stream = request.HasField("stream_spec") and request.stream_spec.enable_stream
    sse = request.HasField("sse_spec") and request.sse_spec.enable
    if request.partitions or request.index_metas or stream or sse:
        raise errors.OTSParameterInvalid(
            "localcloud does not emulate partitions, streams, server-side encryption or secondary indexes."
        )
    meta = request.table_meta
    primary_key = [_pk_column(column) for column in meta.primary_key]
    defined = [DefinedColumn(column.name, column.type) for column in meta.defined_column]
    options = _options(request.table_options) if request.HasField("table_options") else OptionsChange()
    cu = request.reserved_throughput.capacity_unit
    ctx.backend.create_table(ctx.instance, meta.table_name, primary_key, defined, options, cu.read, cu.write)
    return pb.CreateTableResponse()


def list_table(ctx: Context, request: Any) -> Any:
    response = pb.ListTableResponse()
    response.table_names.extend(sorted(ctx.instance.tables))
    return response


def describe_table(ctx: Context, request: Any) -> Any:
    table = ctx.table(request.table_name)
    response = pb.DescribeTableResponse()
    response.table_meta.table_name = table.name
    for column in table.primary_key:
        out = response.table_meta.primary_key.add()
        out.name, out.type = column.name, int(column.type)
        if column.auto_increment:
            out.option = _AUTO_INCREMENT
    for defined in table.defined_columns:
        added = response.table_meta.defined_column.add()
        added.name, added.type = defined.name, defined.type
    _fill_throughput(response.reserved_throughput_details, table)
    _fill_options(response.table_options, table)
    return response


def update_table(ctx: Context, request: Any) -> Any:
    if request.HasField("stream_spec") and request.stream_spec.enable_stream:
        raise errors.OTSParameterInvalid("localcloud does not emulate stream_spec.")
    options = _options(request.table_options) if request.HasField("table_options") else None
    throughput = None
    if request.HasField("reserved_throughput"):
        cu = request.reserved_throughput.capacity_unit
        throughput = (cu.read if cu.HasField("read") else None, cu.write if cu.HasField("write") else None)
    table = ctx.backend.update_table(ctx.instance, request.table_name, options, throughput)
    response = pb.UpdateTableResponse()
    _fill_throughput(response.reserved_throughput_details, table)
    _fill_options(response.table_options, table)
    return response


def delete_table(ctx: Context, request: Any) -> Any:
    ctx.backend.delete_table(ctx.instance, request.table_name)
    return pb.DeleteTableResponse()
