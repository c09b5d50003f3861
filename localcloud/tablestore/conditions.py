"""Row-existence expectations and column conditions (filters): parsed from the wire, evaluated on a row.

Wire form (tablestore.md §1.8; sdk:tablestore/protobuf/table_store_filter.proto): ``Filter{type,
filter}`` where FT_SINGLE_COLUMN_VALUE carries ``SingleColumnValueFilter{comparator, column_name,
column_value (a bare PlainBuffer value), filter_if_missing, latest_version_only}`` and
FT_COMPOSITE_COLUMN_VALUE carries ``CompositeColumnValueFilter{combinator NOT/AND/OR, sub_filters}``.

Semantics (§2.1): the existence check runs first, then the column condition; either failing is
OTSConditionCheckFail. ``filter_if_missing = not pass_if_missing`` (the SDK mapping, §1.8): a missing
column passes when ``filter_if_missing`` is false. ``latest_version_only`` false lets any live
version match. A primary-key column may be tested. At most 10 column conditions per write.
Choices where the reference is silent (UNCONFIRMED): a value of another type than the stored one
never satisfies a comparison (so a CAS on ``int 5`` against ``'5'`` fails); against an absent row
every column is missing; NOT takes exactly one sub-filter, AND/OR at least two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from google.protobuf.message import DecodeError
from tablestore.protobuf import table_store_filter_pb2 as filter_pb2

from localcloud.tablestore import errors
from localcloud.tablestore.entities import MAX_COLUMN_CONDITIONS
from localcloud.tablestore.plainbuffer import PlainBufferError, Value, decode_value


class Existence(IntEnum):
    IGNORE = 0
    EXPECT_EXIST = 1
    EXPECT_NOT_EXIST = 2


class Comparator(IntEnum):
    EQUAL = 1
    NOT_EQUAL = 2
    GREATER_THAN = 3
    GREATER_EQUAL = 4
    LESS_THAN = 5
    LESS_EQUAL = 6
    EXIST = 7
    NOT_EXIST = 8


class Combinator(IntEnum):
    NOT = 1
    AND = 2
    OR = 3


@dataclass(frozen=True, slots=True)
class Single:
    comparator: Comparator
    column: str
    value: Value | None
    filter_if_missing: bool
    latest_version_only: bool


@dataclass(frozen=True, slots=True)
class Composite:
    combinator: Combinator
    subs: tuple[Single | Composite, ...]


ColumnFilter = Single | Composite


@dataclass(frozen=True, slots=True)
class RowCondition:
    existence: Existence = Existence.IGNORE
    column: ColumnFilter | None = None


_FT_SINGLE, _FT_COMPOSITE = 1, 2


def parse_filter(data: bytes) -> ColumnFilter:
    """A serialized ``Filter``; bad bytes are OTSParameterInvalid."""
    column_filter = _parse(data, 0)
    if _count(column_filter) > MAX_COLUMN_CONDITIONS:
        raise errors.OTSParameterInvalid(f"The number of column conditions exceeds {MAX_COLUMN_CONDITIONS}.")
    return column_filter


def _parse(data: bytes, depth: int) -> ColumnFilter:
    if depth > MAX_COLUMN_CONDITIONS:
        raise errors.OTSParameterInvalid("The column condition nests too deeply.")
    try:
        outer = filter_pb2.Filter()
        outer.ParseFromString(data)
        if outer.type == _FT_SINGLE:
            single = filter_pb2.SingleColumnValueFilter()
            single.ParseFromString(outer.filter)
            return _single(single)
        if outer.type == _FT_COMPOSITE:
            composite = filter_pb2.CompositeColumnValueFilter()
            composite.ParseFromString(outer.filter)
            return _composite(composite, depth)
    except (DecodeError, ValueError) as exc:
        raise errors.OTSParameterInvalid(f"The column condition is not a valid Filter message: {exc}") from exc
    raise errors.OTSParameterInvalid(f"Unsupported filter type: {outer.type}.")


def _single(proto: filter_pb2.SingleColumnValueFilter) -> Single:
    if proto.HasField("value_trans_rule"):
        raise errors.OTSParameterInvalid("localcloud does not emulate value_trans_rule (regex conditions).")
    comparator = Comparator(proto.comparator)
    value: Value | None = None
    if comparator not in (Comparator.EXIST, Comparator.NOT_EXIST) or proto.column_value:
        try:
            value = decode_value(proto.column_value)
        except PlainBufferError as exc:
            raise errors.OTSParameterInvalid(f"Invalid column value in condition: {exc}.") from exc
    return Single(comparator, proto.column_name, value, proto.filter_if_missing, proto.latest_version_only)


def _composite(proto: filter_pb2.CompositeColumnValueFilter, depth: int) -> Composite:
    combinator = Combinator(proto.combinator)
    subs = tuple(_parse(sub.SerializeToString(), depth + 1) for sub in proto.sub_filters)
    if combinator is Combinator.NOT and len(subs) != 1:
        raise errors.OTSParameterInvalid("A NOT condition takes exactly one sub condition.")
    if combinator is not Combinator.NOT and len(subs) < 2:
        raise errors.OTSParameterInvalid(f"An {combinator.name} condition takes at least two sub conditions.")
    return Composite(combinator, subs)


def _count(column_filter: ColumnFilter) -> int:
    if isinstance(column_filter, Single):
        return 1
    return sum(_count(sub) for sub in column_filter.subs)


# --- evaluation -------------------------------------------------------------------------------

Versions = Mapping[str, Sequence[Value]]
"""Column name -> live values, newest first (primary-key columns as one value each)."""

_ORDERED: dict[Comparator, Callable[[int], bool]] = {
    Comparator.EQUAL: lambda c: c == 0,
    Comparator.NOT_EQUAL: lambda c: c != 0,
    Comparator.GREATER_THAN: lambda c: c > 0,
    Comparator.GREATER_EQUAL: lambda c: c >= 0,
    Comparator.LESS_THAN: lambda c: c < 0,
    Comparator.LESS_EQUAL: lambda c: c <= 0,
}


def _compare(stored: Value, wanted: Value) -> int | None:
    """-1/0/1 for stored against wanted, None when the types differ."""
    if stored.type is not wanted.type or stored.data is None or wanted.data is None:
        return None
    left, right = stored.data, wanted.data
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.encode("utf-8"), right.encode("utf-8")
    return (left > right) - (left < right)  # type: ignore[operator]


def _matches(single: Single, value: Value) -> bool:
    if single.comparator is Comparator.EXIST:
        return True
    if single.comparator is Comparator.NOT_EXIST:
        return False
    assert single.value is not None
    order = _compare(value, single.value)
    return order is not None and _ORDERED[single.comparator](order)


def evaluate(column_filter: ColumnFilter, versions: Versions) -> bool:
    if isinstance(column_filter, Composite):
        results = (evaluate(sub, versions) for sub in column_filter.subs)
        if column_filter.combinator is Combinator.NOT:
            return not next(results)
        if column_filter.combinator is Combinator.AND:
            return all(results)
        return any(results)
    values = versions.get(column_filter.column) or ()
    if not values:
        if column_filter.comparator is Comparator.NOT_EXIST:
            return True
        if column_filter.comparator is Comparator.EXIST:
            return False
        return not column_filter.filter_if_missing
    tested = values[:1] if column_filter.latest_version_only else values
    return any(_matches(column_filter, value) for value in tested)


def check(condition: RowCondition, exists: bool, versions: Versions) -> None:
    """Raise OTSConditionCheckFail unless the row-existence expectation and then the column condition hold."""
    if condition.existence is Existence.EXPECT_EXIST and not exists:
        raise errors.OTSConditionCheckFail()
    if condition.existence is Existence.EXPECT_NOT_EXIST and exists:
        raise errors.OTSConditionCheckFail()
    if condition.column is not None and not evaluate(condition.column, versions):
        raise errors.OTSConditionCheckFail()

