"""BatchGetRow, BatchWriteRow and GetRange through the unmodified tablestore SDK (tablestore.md §2.6, §2.7)."""

from __future__ import annotations

from typing import Any

import pytest
from tablestore import (
    INF_MAX,
    INF_MIN,
    BatchGetRowRequest,
    BatchWriteRowRequest,
    CapacityUnit,
    Condition,
    DeleteRowItem,
    OTSServiceError,
    PutRowItem,
    ReservedThroughput,
    Row,
    RowExistenceExpectation,
    TableInBatchGetRowItem,
    TableInBatchWriteRowItem,
    TableMeta,
    TableOptions,
    UpdateRowItem,
)

from localcloud.app import LocalCloud
from tests.functional.localcloud.types import OtsRaw

RT = ReservedThroughput(CapacityUnit(0, 0))
RE = RowExistenceExpectation


@pytest.fixture
def ots(cloud: LocalCloud, ots_raw: OtsRaw) -> Any:
    cloud.tablestore_create_instance(ots_raw.instance)
    sdk = ots_raw.client()
    sdk.create_table(TableMeta("t", [("p", "STRING"), ("n", "INTEGER")]), TableOptions(), RT)
    sdk.create_table(TableMeta("u", [("k", "STRING")]), TableOptions(), RT)
    return sdk


def test_batch_write_reports_each_row_and_applies_the_rest(ots: Any) -> None:
    ots.put_row("t", Row([("p", "x"), ("n", 1)], [("v", 0)]))
    request = BatchWriteRowRequest()
    request.add(TableInBatchWriteRowItem("t", [
        PutRowItem(Row([("p", "x"), ("n", 1)], [("v", 1)]), Condition(RE.EXPECT_NOT_EXIST)),  # fails: exists
        PutRowItem(Row([("p", "x"), ("n", 2)], [("v", 2)]), Condition(RE.EXPECT_NOT_EXIST)),
        UpdateRowItem(Row([("p", "x"), ("n", 3)], {"increment": [("v", 3)]}), Condition(RE.IGNORE)),
        DeleteRowItem(Row([("p", "x"), ("n", 9)]), Condition(RE.EXPECT_EXIST)),  # fails: absent
    ]))
    request.add(TableInBatchWriteRowItem("u", [PutRowItem(Row([("k", 1)], [("v", 1)]), Condition(RE.IGNORE))]))  # bad PK type
    response = ots.batch_write_row(request)
    assert not response.is_all_succeed()
    put_ok, put_failed = response.get_put()
    assert [(i.is_ok, i.error_code) for i in put_failed] == [(False, "OTSConditionCheckFail"), (False, "OTSInvalidPK")]
    assert len(put_ok) == 1
    assert [i.error_code for i in response.get_failed_of_delete()] == ["OTSConditionCheckFail"]
    assert response.get_failed_of_update() == []
    _, row, _ = ots.get_row("t", [("p", "x"), ("n", 1)], max_version=1)
    assert row.attribute_columns[0][:2] == ("v", 0)
    for n, value in ((2, 2), (3, 3)):
        assert ots.get_row("t", [("p", "x"), ("n", n)], max_version=1)[1].attribute_columns[0][1] == value


def test_a_missing_table_fails_its_rows_only(ots: Any) -> None:
    request = BatchWriteRowRequest()
    request.add(TableInBatchWriteRowItem("nope", [PutRowItem(Row([("k", "a")], [("v", 1)]), Condition(RE.IGNORE))]))
    request.add(TableInBatchWriteRowItem("u", [PutRowItem(Row([("k", "a")], [("v", 1)]), Condition(RE.IGNORE))]))
    response = ots.batch_write_row(request)
    assert [(i.is_ok, i.error_code) for i in response.get_failed_of_put()] == [(False, "OTSObjectNotExist")]
    assert ots.get_row("u", [("k", "a")], max_version=1)[1] is not None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "No row is specified in BatchWriteRow."),
        ([PutRowItem(Row([("k", "a")], [("v", 1)]), Condition(RE.IGNORE))] * 2, "Duplicated primary key in BatchWriteRow."),
        ([PutRowItem(Row([("k", f"r{i}")], [("v", i)]), Condition(RE.IGNORE)) for i in range(201)],
         "Rows count exceeds the upper limit: 200."),
    ],
    ids=["empty", "duplicate-key", "too-many"],
)
def test_whole_request_errors_apply_nothing(ots: Any, rows: list[Any], message: str) -> None:
    request = BatchWriteRowRequest()
    request.add(TableInBatchWriteRowItem("u", rows))
    with pytest.raises(OTSServiceError) as caught:
        ots.batch_write_row(request)
    assert (caught.value.get_http_status(), caught.value.get_error_code(), caught.value.get_error_message()) == (
        400, "OTSParameterInvalid", message)
    assert ots.get_range("u", "FORWARD", [("k", INF_MIN)], [("k", INF_MAX)])[2] == []


def test_batch_get_keeps_request_order_and_reports_absent_rows(ots: Any) -> None:
    ots.put_row("u", Row([("k", "b")], [("v", 2)]))
    ots.put_row("t", Row([("p", "a"), ("n", 1)], [("w", 1)]))
    request = BatchGetRowRequest()
    request.add(TableInBatchGetRowItem("u", [[("k", "missing")], [("k", "b")], [("k", 3)]], max_version=1))
    request.add(TableInBatchGetRowItem("t", [[("p", "a"), ("n", 1)]], max_version=1))
    response = ots.batch_get_row(request)
    u_rows = response.get_result_by_table("u")
    assert [(r.is_ok, r.row is not None) for r in u_rows] == [(True, False), (True, True), (False, False)]
    assert u_rows[1].row.attribute_columns[0][:2] == ("v", 2)
    assert u_rows[2].error_code == "OTSInvalidPK"
    assert response.get_result_by_table("t")[0].row.attribute_columns[0][:2] == ("w", 1)
    too_many = BatchGetRowRequest()
    too_many.add(TableInBatchGetRowItem("u", [[("k", f"r{i}")] for i in range(101)], max_version=1))
    with pytest.raises(OTSServiceError, match="OTSParameterInvalid"):
        ots.batch_get_row(too_many)


def _fill(ots: Any) -> None:
    request = BatchWriteRowRequest()
    request.add(TableInBatchWriteRowItem("t", [
        PutRowItem(Row([("p", p), ("n", n)], [("v", f"{p}{n}")]), Condition(RE.IGNORE)) for p in "ab" for n in range(5)
    ]))
    assert ots.batch_write_row(request).is_all_succeed()


def test_get_range_pages_forward_and_backward(ots: Any) -> None:
    _fill(ots)
    start, end = [("p", INF_MIN), ("n", INF_MIN)], [("p", INF_MAX), ("n", INF_MAX)]
    seen: list[Any] = []
    cursor, pages = start, 0
    while cursor is not None:
        _, cursor, rows, _ = ots.get_range("t", "FORWARD", cursor, end, limit=3, max_version=1)
        seen.extend(r.primary_key for r in rows)
        pages += 1
    assert pages == 4
    assert seen == [[("p", p), ("n", n)] for p in "ab" for n in range(5)]
    _, cursor, rows, _ = ots.get_range("t", "BACKWARD", [("p", "a"), ("n", INF_MAX)], [("p", "a"), ("n", 1)], limit=2)
    assert [r.primary_key[1][1] for r in rows] == [4, 3] and cursor == [("p", "a"), ("n", 2)]
    _, cursor, rows, _ = ots.get_range("t", "BACKWARD", cursor, [("p", "a"), ("n", 1)])
    assert [r.primary_key[1][1] for r in rows] == [2] and cursor is None  # the end key is exclusive
    _, _, rows, _ = ots.get_range("t", "FORWARD", [("p", "b"), ("n", 3)], [("p", "b"), ("n", INF_MAX)],
                                  columns_to_get=["v"])
    assert [r.attribute_columns[0][1] for r in rows] == ["b3", "b4"]


@pytest.mark.parametrize(
    ("direction", "start", "end", "message"),
    [
        ("FORWARD", [("p", "b"), ("n", 0)], [("p", "a"), ("n", 0)], "Begin key must less than end key in FORWARD"),
        ("FORWARD", [("p", "a"), ("n", 0)], [("p", "a"), ("n", 0)], "Begin key must less than end key in FORWARD"),
        ("BACKWARD", [("p", "a"), ("n", 0)], [("p", "b"), ("n", 0)], "Begin key must more than end key in BACKWARD"),
    ],
)
def test_bad_ranges_are_parameter_invalid(ots: Any, direction: str, start: Any, end: Any, message: str) -> None:
    with pytest.raises(OTSServiceError) as caught:
        ots.get_range("t", direction, start, end)
    assert (caught.value.get_error_code(), caught.value.get_error_message()) == ("OTSParameterInvalid", message)
