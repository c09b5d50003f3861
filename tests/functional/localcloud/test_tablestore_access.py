"""Tablestore authentication, RAM authorization, faults, persistence and bad input (tablestore.md §1.3-§1.5,
§3.2, §4)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_sts20150401 import models as sts_models
from tablestore import (
    CapacityUnit,
    OTSServiceError,
    ReservedThroughput,
    Row,
    TableMeta,
    TableOptions,
)
from tablestore.plainbuffer.plain_buffer_builder import PlainBufferBuilder
from tablestore.protobuf import table_store_pb2 as pb
from tablestore.retry import NoDelayRetryPolicy

from localcloud.app import LocalCloud
from localcloud.tablestore import signing
from localcloud.tablestore.client import ots_client
from tests.functional.localcloud.types import MakeUser, OtsRaw

RT = ReservedThroughput(CapacityUnit(0, 0))


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


def test_the_reference_signature_vectors() -> None:
    headers = {"x-ots-date": "2026-01-01T00:00:00.000Z", "x-ots-apiversion": "2015-12-31",
               "x-ots-accesskeyid": "LTAI5tFakeAk", "x-ots-instancename": "myinst",
               "x-ots-contentmd5": "1B2M2Y8AsgTpgAmY7PhCfg=="}
    assert signing.v2_signature("FakeSecret123", "ListTable", headers) == "V35+taqKqrKTqeoq2LjTUFqQ4bo="
    key = signing.v4_signing_key("FakeSecret123", "20260101", "cn-hangzhou")
    assert key == "AotaT8UJbidE1AhHvF6bsRLRCtjWLTI/CDONxXvigag="
    v4_headers = {**headers, "x-ots-signdate": "20260101", "x-ots-signregion": "cn-hangzhou"}
    assert signing.v4_signature(key, "ListTable", v4_headers) == "64phL3kwtSVGHRq2/XybAU7VvVTiYyw8GEfT5Nh6eY8="
    answer = {"x-ots-contentmd5": "1B2M2Y8AsgTpgAmY7PhCfg==", "x-ots-contenttype": "protocol buffer",
              "x-ots-date": "2026-01-01T00:00:01.000000Z", "x-ots-requestid": "req-1"}
    assert signing.response_signature("FakeSecret123", "ListTable", answer) == "UMzSyR9VwzXUK/Wv17iMlft5sjY="
    assert signing.response_signature(key, "ListTable", answer) == "b0qulAyuP3MF/6KpGKoQEjHxyYg="


def test_v4_signed_clients_work(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    v4 = ots_client(cloud, ots_raw.instance, region=cloud.account.region)
    v4.put_row("t", Row([("id", "a")], [("v", 1)]))
    assert v4.get_row("t", [("id", "a")], max_version=1)[1] is not None


def test_a_wrong_secret_or_unknown_key_is_refused(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    wrong = ots_raw.client(cloud.account.root_access_key_id, "not-the-secret")
    assert _fails(wrong.list_table) == (403, "OTSAuthFailed", "Signature mismatch.")
    stranger = ots_raw.client("LTAI5tNobodyHere", "whatever")
    assert _fails(stranger.list_table) == (403, "OTSAuthFailed", "The AccessKeyID does not exist.")


def test_tampered_and_stale_requests_are_refused(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    status, headers, body = ots_raw.raw("ListTable", b"")
    assert status == 200 and headers["x-ots-contenttype"] == "protocol buffer"
    assert headers["authorization"].startswith(f"OTS {cloud.account.root_access_key_id}:")
    cases = {
        "body": dict(tamper={"x-ots-contentmd5": base64.b64encode(hashlib.md5(b"x").digest()).decode()}),  # noqa: S324
        "instance": dict(tamper={"x-ots-instancename": "inst2"}),
        "stale": dict(date="2020-01-01T00:00:00.000Z"),
    }
    expected = {"body": "Signature mismatch.", "instance": "Signature mismatch.",
                "stale": "Mismatch between system time and x-ots-date: 2020-01-01T00:00:00.000Z."}
    for name, options in cases.items():
        status, headers, body = ots_raw.raw("ListTable", b"", **options)  # type: ignore[arg-type]
        assert (status, ots_raw.error_of(body)) == (403, ("OTSAuthFailed", expected[name])), name
        assert "authorization" not in headers
    status, _, body = ots_raw.raw("ListTable", b"\x00")  # well signed, but no ListTableRequest
    assert (status, ots_raw.error_of(body)[0]) == (400, "OTSParameterInvalid")
    status, _, body = ots_raw.raw("ListTable", b"", tamper={"x-ots-date": "yesterday"})
    assert (status, ots_raw.error_of(body)[0]) == (400, "OTSParameterInvalid")
    status, _, body = ots_raw.raw("ListTable", b"", tamper={"x-ots-signature": ""})
    assert (status, ots_raw.error_of(body)) == (400, ("OTSParameterInvalid", "Missing header: x-ots-signature."))
    status, _, body = ots_raw.raw("ListTable", b"", method="GET")
    assert (status, ots_raw.error_of(body)[0]) == (405, "OTSMethodNotAllowed")
    status, _, body = ots_raw.raw("SQLQuery", b"")
    assert (status, ots_raw.error_of(body)) == (400, ("OTSParameterInvalid", "Unsupported operation: SQLQuery."))


def test_malformed_protobuf_and_plainbuffer_are_parameter_invalid(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    status, headers, body = ots_raw.raw("PutRow", b"\x0a\xff\xff")
    assert (status, ots_raw.error_of(body)[0]) == (400, "OTSParameterInvalid")
    assert headers["authorization"].startswith("OTS ")  # a signed caller gets a signed error
    status, _, body = ots_raw.raw("GetRow", pb.GetRowRequest(table_name="t", primary_key=b"").SerializePartialToString())
    assert (status, ots_raw.error_of(body)[0]) == (400, "OTSParameterInvalid")  # an empty primary_key is no PlainBuffer
    key = bytearray(PlainBufferBuilder.serialize_primary_key([("id", "a")]))
    key[-1] ^= 0xFF  # the row checksum
    request = pb.GetRowRequest(table_name="t", primary_key=bytes(key), max_versions=1)
    status, _, body = ots_raw.raw("GetRow", request.SerializeToString())
    code, message = ots_raw.error_of(body)
    assert (status, code) == (400, "OTSParameterInvalid") and "checksum" in message
    row = bytearray(PlainBufferBuilder.serialize_for_put_row([("id", "a")], [("v", 1)]))
    row[-3] ^= 0xFF  # the last cell's checksum
    put = pb.PutRowRequest(table_name="t", row=bytes(row))
    put.condition.row_existence = pb.IGNORE
    status, _, body = ots_raw.raw("PutRow", put.SerializeToString())
    assert (status, ots_raw.error_of(body)[0]) == (400, "OTSParameterInvalid")
    assert cloud.state.tablestore.dump(ots_raw.instance, "t")["rows"] == []


def test_ram_user_needs_ots_put_row_on_the_table(cloud: LocalCloud, ots: Any, make_user: MakeUser, ram: Any, ots_raw: OtsRaw) -> None:
    ak, sk = make_user("writer")
    user = ots_raw.client(ak, sk)
    status, code, message = _fails(lambda: user.put_row("t", Row([("id", "a")], [("v", 1)])))
    assert (status, code) == (403, "OTSNoPermissionAccess")
    assert "ots:PutRow" in message and ots_raw.table_arn("t") in message
    ots_raw.grant(ram, "writer", ["ots:PutRow"], [ots_raw.table_arn("t")])
    user.put_row("t", Row([("id", "a")], [("v", 1)]))
    assert _fails(lambda: user.get_row("t", [("id", "a")], max_version=1))[1] == "OTSNoPermissionAccess"
    ots.create_table(TableMeta("other", [("id", "STRING")]), TableOptions(), RT)
    assert _fails(lambda: user.put_row("other", Row([("id", "a")], [("v", 1)])))[1] == "OTSNoPermissionAccess"
    ots_raw.grant(ram, "writer", ["ots:Get*", "ots:BatchWriteRow", "ots:ListTable"],
          [ots_raw.table_arn("*"), ots_raw.table_arn("").removesuffix("/table/")])
    assert user.get_row("t", [("id", "a")], max_version=1)[1] is not None
    assert user.list_table() == ("other", "t")


def test_sts_credentials_work_and_expire(cloud: LocalCloud, ots: Any, make_user: MakeUser, ram: Any, ots_raw: OtsRaw) -> None:
    from alibabacloud_ram20150501 import models as ram_models
    from alibabacloud_sts20150401.client import Client as Sts

    account = cloud.account.account_id
    trust = ('{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
             f'"Principal":{{"RAM":["acs:ram::{account}:root"]}}}}]}}')
    ram.create_role(ram_models.CreateRoleRequest(role_name="ledger", assume_role_policy_document=trust))
    ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="AdministratorAccess", role_name="ledger"))
    assumer = make_user("assumer", "AliyunSTSAssumeRoleAccess")
    credentials = Sts(cloud.config(*assumer)).assume_role(sts_models.AssumeRoleRequest(
        role_arn=f"acs:ram::{account}:role/ledger", role_session_name="ledger-session", duration_seconds=900)).body.credentials
    session = ots_raw.client(credentials.access_key_id, credentials.access_key_secret, credentials.security_token)
    session.put_row("t", Row([("id", "a")], [("v", 1)]))
    no_token = ots_raw.client(credentials.access_key_id, credentials.access_key_secret)
    assert _fails(no_token.list_table)[:2] == (403, "OTSAuthFailed")
    cloud.clock_advance(901)
    assert _fails(session.list_table) == (403, "OTSAuthFailed", "The security token has expired.")


def test_faults_reach_the_sdk_as_tablestore_errors(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    cloud.faults.add("tablestore", "throttle", "PutRow", count=1)
    assert _fails(lambda: ots.put_row("t", Row([("id", "a")], [("v", 1)]))) == (503, "OTSServerBusy", "Server is busy.")
    cloud.faults.add("tablestore", "error", "GetRow", count=1)
    assert _fails(lambda: ots.get_row("t", [("id", "a")], max_version=1)) == (503, "OTSServerUnavailable", "Server is not available.")
    cloud.faults.add("tablestore", "error", "ListTable", count=1, code="OTSInternalServerError", status=500)
    assert _fails(ots.list_table)[:2] == (500, "OTSInternalServerError")
    retrying = ots_raw.client(retry_policy=NoDelayRetryPolicy())
    cloud.faults.add("tablestore", "throttle", "PutRow", count=2)
    retrying.put_row("t", Row([("id", "a")], [("v", 1)]))  # OTSServerBusy is retried on every API
    assert [entry.action for entry in cloud.faults.log()][-2:] == ["PutRow", "PutRow"]


def test_a_state_file_keeps_instances_tables_and_rows(tmp_path: Path, ots_raw: OtsRaw) -> None:
    path = tmp_path / "state.db"
    with LocalCloud(state_file=path) as first:
        first.tablestore_create_instance(ots_raw.instance)
        sdk = ots_raw.on(first).client()
        sdk.create_table(TableMeta("t", [("id", "STRING")]), TableOptions(max_version=2), RT)
        sdk.put_row("t", Row([("id", "a")], [("v", 1)]))
        sdk.update_row("t", Row([("id", "a")], {"increment": [("n", 2)]}), None)
        keys = (first.account.root_access_key_id, first.account.root_access_key_secret)
    with LocalCloud(state_file=path) as second:
        assert (second.account.root_access_key_id, second.account.root_access_key_secret) == keys
        sdk = ots_raw.on(second).client()
        assert sdk.describe_table("t").table_options.max_version == 2
        _, row, _ = sdk.get_row("t", [("id", "a")], max_version=1)
        assert {name: value for name, value, _ in row.attribute_columns} == {"v": 1, "n": 2}


def test_answers_are_signed_with_the_callers_secret_as_the_sdk_checks(cloud: LocalCloud, ots: Any, ots_raw: OtsRaw) -> None:
    """Checked with the SDK's own response signer (sdk:tablestore/auth.py), not localcloud's."""
    from tablestore.auth import SignV2

    status, headers, body = ots_raw.raw("ListTable", b"")
    assert status == 200
    assert headers["x-ots-contentmd5"] == base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324
    expected = SignV2("utf-8").make_response_signature("/ListTable", headers, cloud.account.root_access_key_secret)
    assert headers["authorization"] == f"OTS {cloud.account.root_access_key_id}:{expected}"
    status, headers, body = ots_raw.raw("DescribeTable", pb.DescribeTableRequest(table_name="nope").SerializeToString())
    assert (status, ots_raw.error_of(body)[0]) == (404, "OTSObjectNotExist")
    expected = SignV2("utf-8").make_response_signature("/DescribeTable", headers, cloud.account.root_access_key_secret)
    assert headers["authorization"].endswith(":" + expected)
