"""Tablestore table APIs and instances through the unmodified tablestore SDK (tablestore.md §1.2, §2.4, §3.2)."""

from __future__ import annotations

from typing import Any

import pytest
from tablestore import CapacityUnit, OTSServiceError, ReservedThroughput, Row, TableMeta, TableOptions
from tablestore.metadata import PK_AUTO_INCR
from tablestore.retry import NoRetryPolicy

from localcloud.app import LocalCloud
from localcloud.tablestore.client import ots_client
from tests.functional.localcloud.types import Admin, OtsRaw

RT = ReservedThroughput(CapacityUnit(0, 0))


@pytest.fixture
def ots(cloud: LocalCloud, ots_raw: OtsRaw) -> Any:
    cloud.tablestore_create_instance(ots_raw.instance)
    return ots_raw.client()


def _code(call: Any) -> tuple[int, str, str]:
    with pytest.raises(OTSServiceError) as caught:
        call()
    error = caught.value
    return error.get_http_status(), error.get_error_code(), error.get_error_message()


def test_create_list_describe_update_delete(ots: Any) -> None:
    meta = TableMeta("ledger", [("person", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)], [("note", "STRING")])
    ots.create_table(meta, TableOptions(time_to_live=86400, max_version=3), ReservedThroughput(CapacityUnit(1, 2)))
    ots.create_table(TableMeta("a_first", [("k", "BINARY")]), TableOptions(), RT)
    assert ots.list_table() == ("a_first", "ledger")
    described = ots.describe_table("ledger")
    assert described.table_meta.table_name == "ledger"
    assert described.table_meta.schema_of_primary_key == [("person", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)]
    assert described.table_meta.defined_columns == [("note", "STRING")]
    assert (described.table_options.time_to_live, described.table_options.max_version) == (86400, 3)
    assert described.table_options.max_time_deviation == 86400
    cu = described.reserved_throughput_details.capacity_unit
    assert (cu.read, cu.write) == (1, 2)
    updated = ots.update_table("ledger", TableOptions(time_to_live=-1, max_version=1), ReservedThroughput(CapacityUnit(3, 2)))
    assert (updated.table_options.time_to_live, updated.table_options.max_version) == (-1, 1)
    assert updated.reserved_throughput_details.capacity_unit.read == 3
    ots.delete_table("ledger")
    assert ots.list_table() == ("a_first",)


def test_documented_errors_for_tables(ots: Any) -> None:
    ots.create_table(TableMeta("t", [("k", "STRING")]), TableOptions(), RT)
    assert _code(lambda: ots.create_table(TableMeta("t", [("k", "STRING")]), TableOptions(), RT)) == (
        409, "OTSObjectAlreadyExist", "Requested table already exists.")
    for call in (lambda: ots.describe_table("nope"), lambda: ots.delete_table("nope"),
                 lambda: ots.update_table("nope", TableOptions(max_version=2))):
        assert _code(call) == (404, "OTSObjectNotExist", "Requested table does not exist.")
    duplicated = TableMeta("d", [("PK0", "STRING"), ("PK0", "INTEGER")])
    assert _code(lambda: ots.create_table(duplicated, TableOptions(), RT)) == (
        400, "OTSParameterInvalid", "Duplicated primary key name: 'PK0'.")


@pytest.mark.parametrize(
    ("meta", "options"),
    [
        (TableMeta("bad-name", [("k", "STRING")]), TableOptions()),
        (TableMeta("t5", [("a", "STRING"), ("b", "STRING"), ("c", "STRING"), ("d", "STRING"), ("e", "STRING")]), TableOptions()),
        (TableMeta("ttl", [("k", "STRING")]), TableOptions(time_to_live=3600)),
        (TableMeta("ver", [("k", "STRING")]), TableOptions(max_version=0)),
        (TableMeta("auto", [("k", "INTEGER", PK_AUTO_INCR)]), TableOptions()),
        (TableMeta("autostr", [("k", "STRING"), ("s", "STRING", PK_AUTO_INCR)]), TableOptions()),
    ],
    ids=["name", "five-keys", "ttl-under-a-day", "zero-versions", "auto-increment-first", "auto-increment-string"],
)
def test_invalid_tables_are_refused(ots: Any, meta: TableMeta, options: TableOptions) -> None:
    status, code, _ = _code(lambda: ots.create_table(meta, options, RT))
    assert (status, code) == (400, "OTSParameterInvalid")
    assert ots.list_table() == ()


def test_an_unknown_instance_is_refused_and_names_are_case_insensitive(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    stranger = ots_client(cloud, "other1", retry_policy=NoRetryPolicy())
    assert _code(stranger.list_table) == (403, "OTSAuthFailed", "The instance is not found.")
    ots.create_table(TableMeta("t", [("k", "STRING")]), TableOptions(), RT)
    upper = ots_client(cloud, ots_raw.instance.upper(), retry_policy=NoRetryPolicy())
    assert upper.list_table() == ("t",)


def test_admin_routes_create_instances_and_dump_tables(cloud: LocalCloud, admin: Admin) -> None:
    assert admin("POST", "/tablestore/instances", {"name": "state01"})[0] == 200
    assert admin("POST", "/tablestore/instances", {"name": "STATE01"})[0] == 409
    for bad in ("ab", "1abc", "abc-", "a" * 17, "has_underscore"):
        assert admin("POST", "/tablestore/instances", {"name": bad})[0] == 400, bad
    sdk = ots_client(cloud, "state01")
    sdk.create_table(TableMeta("t", [("k", "STRING")]), TableOptions(max_version=2), RT)
    sdk.put_row("t", Row([("k", "a")], [("b", bytearray(b"\x01\x02")), ("n", 1)]))
    status, dump = admin("GET", "/tablestore/state01/t")
    assert status == 200
    assert dump["max_versions"] == 2 and dump["primary_key"] == [{"name": "k", "type": "STRING", "auto_increment": False}]
    [row] = dump["rows"]
    assert row["primary_key"] == {"k": "a"}
    assert row["columns"]["b"][0]["value"] == "0102" and row["columns"]["n"][0]["value"] == 1
    assert admin("GET", "/tablestore/instances")[1] == {"instances": [{"name": "state01", "tables": ["t"]}]}
    assert admin("GET", "/tablestore/state01/missing")[0] == 404
    assert admin("GET", "/tablestore/nosuch/t")[0] == 404
    assert admin("GET", "/tablestore/state01")[0] == 404
