"""Tablestore row APIs through the unmodified tablestore SDK: writes, conditions, INCREMENT, versions, TTL
(tablestore.md §2.1-§2.4, §2.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tablestore import (
    CapacityUnit,
    ComparatorType,
    CompositeColumnCondition,
    Condition,
    LogicalOperator,
    OTSServiceError,
    ReservedThroughput,
    ReturnType,
    Row,
    RowExistenceExpectation,
    SingleColumnCondition,
    TableMeta,
    TableOptions,
)
from tablestore.metadata import PK_AUTO_INCR

from localcloud.app import LocalCloud
from tests.functional.localcloud.types import OtsRaw

RT = ReservedThroughput(CapacityUnit(0, 0))
RE = RowExistenceExpectation
PK = [("id", "a")]


@pytest.fixture
def ots(cloud: LocalCloud, ots_raw: OtsRaw) -> Any:
    cloud.tablestore_create_instance(ots_raw.instance)
    sdk = ots_raw.client()
    sdk.create_table(TableMeta("t", [("id", "STRING")]), TableOptions(), RT)
    return sdk


def _fails(call: Any) -> tuple[int, str, str]:
    with pytest.raises(OTSServiceError) as caught:
        call()
    return caught.value.get_http_status(), caught.value.get_error_code(), caught.value.get_error_message()


CHECK_FAIL = (403, "OTSConditionCheckFail", "Condition check failed.")


def _columns(ots: Any, pk: list[tuple[str, Any]] = PK, **kw: Any) -> dict[str, Any] | None:
    _, row, _ = ots.get_row("t", pk, max_version=kw.pop("max_version", 1), **kw)
    return None if row is None else {name: value for name, value, _ in row.attribute_columns}


def test_put_get_replace_and_delete(ots: Any) -> None:
    assert _columns(ots) is None
    consumed, returned = ots.put_row("t", Row(PK, [("s", "x"), ("n", 5), ("f", 1.5), ("b", True), ("bin", bytearray(b"\x00"))]))
    assert returned is None and consumed.write == 1
    assert _columns(ots) == {"s": "x", "n": 5, "f": 1.5, "b": True, "bin": bytearray(b"\x00")}
    _, row, _ = ots.get_row("t", PK, columns_to_get=["n"], max_version=1)
    assert row.primary_key == PK and [c[:2] for c in row.attribute_columns] == [("n", 5)]
    assert ots.get_row("t", PK, columns_to_get=["missing"], max_version=1)[1] is None
    ots.put_row("t", Row(PK, [("other", 1)]))  # PutRow replaces the whole row
    assert _columns(ots) == {"other": 1}
    ots.delete_row("t", Row(PK), None)
    assert _columns(ots) is None
    ots.delete_row("t", Row(PK), None)  # IGNORE on an absent row succeeds


def test_row_existence_expectations(ots: Any) -> None:
    ots.put_row("t", Row(PK, [("v", 1)]), Condition(RE.EXPECT_NOT_EXIST))
    assert _fails(lambda: ots.put_row("t", Row(PK, [("v", 2)]), Condition(RE.EXPECT_NOT_EXIST))) == CHECK_FAIL
    ots.put_row("t", Row(PK, [("v", 3)]), Condition(RE.EXPECT_EXIST))
    other = [("id", "b")]
    assert _fails(lambda: ots.put_row("t", Row(other, [("v", 1)]), Condition(RE.EXPECT_EXIST))) == CHECK_FAIL
    assert _fails(lambda: ots.update_row("t", Row(other, {"put": [("v", 1)]}), Condition(RE.EXPECT_EXIST))) == CHECK_FAIL
    assert _fails(lambda: ots.delete_row("t", Row(other), Condition(RE.EXPECT_EXIST))) == CHECK_FAIL
    assert _columns(ots, other) is None and _columns(ots) == {"v": 3}
    ots.delete_row("t", Row(PK), Condition(RE.EXPECT_EXIST))
    assert _columns(ots) is None


def _cond(value: Any, op: Any = ComparatorType.EQUAL, column: str = "owner", **kw: Any) -> SingleColumnCondition:
    return SingleColumnCondition(column, value, op, **kw)


@pytest.mark.parametrize(
    ("condition", "passes"),
    [
        (_cond("me"), True),
        (_cond("you"), False),
        (_cond("you", ComparatorType.NOT_EQUAL), True),
        (_cond(3, ComparatorType.GREATER_THAN, "fence"), True),
        (_cond(4, ComparatorType.GREATER_THAN, "fence"), False),
        (_cond(4, ComparatorType.GREATER_EQUAL, "fence"), True),
        (_cond(5, ComparatorType.LESS_THAN, "fence"), True),
        (_cond(3, ComparatorType.LESS_EQUAL, "fence"), False),
        (_cond("4", ComparatorType.EQUAL, "fence"), False),  # another type never matches
        (_cond("x", column="absent"), True),  # pass_if_missing defaults to True
        (_cond("x", column="absent", pass_if_missing=False), False),
        (_cond("a", column="id"), True),  # a primary-key column may be tested
        (_cond("old", latest_version_only=False, column="owner"), False),  # max_versions 1 keeps no old version
    ],
)
def test_single_column_conditions(ots: Any, condition: SingleColumnCondition, passes: bool) -> None:
    ots.put_row("t", Row(PK, [("owner", "me"), ("fence", 4)]))
    write: Callable[[], Any] = lambda: ots.update_row("t", Row(PK, {"put": [("done", True)]}), Condition(RE.EXPECT_EXIST, condition))  # noqa: E731
    if passes:
        write()
        assert _columns(ots)["done"] is True  # type: ignore[index]
    else:
        assert _fails(write) == CHECK_FAIL
        assert "done" not in _columns(ots)  # type: ignore[operator]


def test_composite_conditions_for_a_fenced_takeover(ots: Any) -> None:
    ots.put_row("t", Row(PK, [("owner", "me"), ("fence", 1), ("expires", 100)]))

    def both(fence: int, now: int) -> CompositeColumnCondition:
        cond = CompositeColumnCondition(LogicalOperator.AND)
        cond.add_sub_condition(_cond(fence, column="fence", pass_if_missing=False))
        cond.add_sub_condition(_cond(now, ComparatorType.LESS_THAN, "expires", pass_if_missing=False))
        return cond

    take: Callable[[int, int], Any] = lambda fence, now: ots.update_row(  # noqa: E731
        "t", Row(PK, {"put": [("owner", "you"), ("fence", fence + 1)]}), Condition(RE.EXPECT_EXIST, both(fence, now)))
    assert _fails(lambda: take(1, 50)) == CHECK_FAIL  # lease not expired
    assert _fails(lambda: take(2, 500)) == CHECK_FAIL  # stale fence
    take(1, 500)
    assert _columns(ots) == {"owner": "you", "fence": 2, "expires": 100}
    either = CompositeColumnCondition(LogicalOperator.OR)
    either.add_sub_condition(_cond("nobody"))
    either.add_sub_condition(_cond("you"))
    ots.delete_row("t", Row(PK), Condition(RE.IGNORE, either))
    assert _columns(ots) is None
    negated = CompositeColumnCondition(LogicalOperator.NOT)
    negated.add_sub_condition(_cond("x", column="absent"))
    assert _fails(lambda: ots.put_row("t", Row(PK, [("v", 1)]), Condition(RE.IGNORE, negated))) == CHECK_FAIL


def test_more_than_ten_column_conditions_are_refused(ots: Any) -> None:
    many = CompositeColumnCondition(LogicalOperator.AND)
    for index in range(11):
        many.add_sub_condition(_cond(index, column=f"c{index}"))
    status, code, _ = _fails(lambda: ots.put_row("t", Row(PK, [("v", 1)]), Condition(RE.IGNORE, many)))
    assert (status, code) == (400, "OTSParameterInvalid")


def test_update_put_delete_delete_all_and_increment(ots: Any) -> None:
    ots.update_row("t", Row(PK, {"put": [("a", 1), ("b", "x")], "increment": [("n", 5)]}), None)
    assert _columns(ots) == {"a": 1, "b": "x", "n": 5}
    ots.update_row("t", Row(PK, {"increment": [("n", -7)]}), Condition(RE.EXPECT_EXIST))
    ots.update_row("t", Row(PK, {"delete_all": ["b"]}), None)
    assert _columns(ots) == {"a": 1, "n": -2}
    ots.update_row("t", Row(PK, {"delete_all": ["a", "n"]}), None)
    _, row, _ = ots.get_row("t", PK, max_version=1)
    assert row is not None and row.attribute_columns == []  # removing every column keeps the row
    only_removes = [("id", "ghost")]
    ots.update_row("t", Row(only_removes, {"delete_all": ["a"]}), None)
    assert ots.get_row("t", only_removes, max_version=1)[1] is None  # not created


@pytest.mark.parametrize(
    ("change", "stored"),
    [
        ({"increment": [("s", 1)]}, [("s", "text")]),  # not an INTEGER column
        ({"increment": [("n", 1)]}, [("n", 2**63 - 1)]),  # int64 overflow
        ({"increment": [("n", 1)], "put": [("n", 3)]}, [("n", 1)]),  # incremented and put at once
        ({"increment": [("n", 1.5)]}, [("n", 1)]),  # not an INTEGER delta
    ],
    ids=["string-column", "overflow", "increment-and-put", "double-delta"],
)
def test_increment_misuse_is_parameter_invalid(ots: Any, change: dict[str, Any], stored: list[Any]) -> None:
    ots.put_row("t", Row(PK, stored))
    status, code, _ = _fails(lambda: ots.update_row("t", Row(PK, change), None))
    assert (status, code) == (400, "OTSParameterInvalid")
    assert _columns(ots) == dict(stored)


def test_versions_and_max_versions(cloud: LocalCloud, ots: Any) -> None:
    ots.create_table(TableMeta("v", [("id", "STRING")]), TableOptions(max_version=2), RT)
    now = int(cloud.now().timestamp() * 1000)
    for offset, value in ((-3000, "one"), (-2000, "two"), (-1000, "three")):
        ots.update_row("v", Row(PK, {"put": [("c", value, now + offset)]}), None)
    _, row, _ = ots.get_row("v", PK, max_version=5)
    assert row.attribute_columns == [("c", "three", now - 1000), ("c", "two", now - 2000)]
    _, row, _ = ots.get_row("v", PK, time_range=(now - 2500, now - 1500), max_version=None)
    assert row.attribute_columns == [("c", "two", now - 2000)]
    ots.update_row("v", Row(PK, {"delete": [("c", None, now - 1000)]}), None)
    _, row, _ = ots.get_row("v", PK, max_version=5)
    assert row.attribute_columns == [("c", "two", now - 2000)]
    ots.update_table("v", TableOptions(max_version=1))
    ots.update_row("v", Row(PK, {"put": [("c", "four", now)]}), None)
    _, row, _ = ots.get_row("v", PK, max_version=5)
    assert row.attribute_columns == [("c", "four", now)]
    far = now - 2 * 86400 * 1000  # outside the default 86400 s deviation
    status, code, _ = _fails(lambda: ots.update_row("v", Row(PK, {"put": [("c", "old", far)]}), None))
    assert (status, code) == (400, "OTSParameterInvalid")


def test_ttl_expires_cells_and_rows_by_localclouds_clock(cloud: LocalCloud, ots: Any) -> None:
    ots.create_table(TableMeta("ttl", [("id", "STRING")]), TableOptions(time_to_live=86400), RT)
    ots.put_row("ttl", Row(PK, [("v", 1)]), Condition(RE.EXPECT_NOT_EXIST))
    cloud.clock_advance(86400 - 60)
    ots.put_row("ttl", Row([("id", "young")], [("v", 2)]))
    assert ots.get_row("ttl", PK, max_version=1)[1] is not None
    cloud.clock_advance(120)
    assert ots.get_row("ttl", PK, max_version=1)[1] is None
    assert ots.get_row("ttl", [("id", "young")], max_version=1)[1] is not None
    ots.put_row("ttl", Row(PK, [("v", 3)]), Condition(RE.EXPECT_NOT_EXIST))  # the expired row no longer exists


def test_auto_increment_keys_come_back_with_rt_pk(ots: Any) -> None:
    ots.create_table(TableMeta("log", [("person", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)]), TableOptions(), RT)
    keys = []
    for index in range(3):
        _, row = ots.put_row("log", Row([("person", "p"), ("seq", PK_AUTO_INCR)], [("i", index)]),
                             Condition(RE.IGNORE), return_type=ReturnType.RT_PK)
        keys.append(row.primary_key[1][1])
    assert keys == sorted(set(keys))
    _, row, _ = ots.get_row("log", [("person", "p"), ("seq", keys[1])], max_version=1)
    assert row.attribute_columns[0][:2] == ("i", 1)


@pytest.mark.parametrize(
    ("pk", "message"),
    [
        ([("id", 1)], "Validate PK type fail. Input: VT_INTEGER, Meta: VT_STRING."),
        ([("other", "a")], "Validate PK name fail. Input: other, Meta: id."),
        ([("id", "a"), ("x", 1)], "Validate PK size fail. Input: 2, Meta: 1."),
    ],
)
def test_primary_keys_that_do_not_fit_the_schema_are_invalid_pk(ots: Any, pk: list[Any], message: str) -> None:
    for call in (lambda: ots.put_row("t", Row(pk, [("v", 1)])), lambda: ots.get_row("t", pk, max_version=1)):
        assert _fails(call) == (400, "OTSInvalidPK", message)
