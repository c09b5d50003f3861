"""SLS authentication (LOG v1 and SLS4 v4 signatures, STS tokens) and RAM authorization."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as Sts
from aliyun.log import GetLogsRequest, LogException, LogItem, PutLogsRequest

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from tests.functional.localcloud.types import MakeUser, SlsRaw

PROJECT, STORE = "audit-trail", "events"


@pytest.fixture
def root_sls(cloud: LocalCloud, sls_raw: SlsRaw) -> Any:
    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
    client.create_project(PROJECT, "")
    client.create_logstore(PROJECT, STORE)
    client.create_logstore(PROJECT, "other")
    client.create_index(PROJECT, STORE, sls_raw.index_config())
    return client


def _put(client: Any, store: str = STORE) -> Any:
    return client.put_logs(PutLogsRequest(PROJECT, store, "", "", [LogItem(int(time.time()), [("k", "v")])]))


def _count(client: Any) -> int:
    now = int(time.time())
    return int(client.get_logs(GetLogsRequest(PROJECT, STORE, now - 60, now + 60)).get_count())


def _refused(call: Any, *args: Any) -> LogException:
    with pytest.raises(LogException) as info:
        call(*args)
    return info.value


def _client(cloud: LocalCloud, ak: str, sk: str, token: str | None = None, **options: Any) -> Any:
    return log_client(cloud, ak, sk, token, source="test-host", **options)


# --- signatures -------------------------------------------------------------------------


def test_wrong_secret_is_signature_not_match(cloud: LocalCloud, root_sls: Any) -> None:
    error = _refused(_put, _client(cloud, cloud.account.root_access_key_id, "wrong-secret"))
    assert (error.get_error_code(), error.get_resp_status()) == ("SignatureNotMatch", 401)


def test_unknown_access_key_is_unauthorized(cloud: LocalCloud, root_sls: Any) -> None:
    error = _refused(_put, _client(cloud, "LTAI5tNoSuchKey000000000", "whatever"))
    assert (error.get_error_code(), error.get_resp_status()) == ("Unauthorized", 401)
    assert error.get_error_message() == "AccessKeyId not found: LTAI5tNoSuchKey000000000"


def test_v4_signature_is_accepted(cloud: LocalCloud, root_sls: Any) -> None:
    info = cloud.info()
    v4 = _client(cloud, info["access_key_id"], info["access_key_secret"], auth_version="v4", region="cn-hangzhou")
    _put(v4)
    assert _count(v4) == 1


def test_v4_signature_with_a_wrong_secret_is_signature_not_match(cloud: LocalCloud, root_sls: Any) -> None:
    v4 = _client(cloud, cloud.account.root_access_key_id, "wrong", auth_version="v4", region="cn-hangzhou")
    error = _refused(_put, v4)
    assert (error.get_error_code(), error.get_resp_status()) == ("SignatureNotMatch", 401)


def test_date_more_than_15_minutes_off_is_request_time_expired(cloud: LocalCloud, root_sls: Any, sls_raw: SlsRaw) -> None:
    info = cloud.info()
    stale = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() - 16 * 60))

    def backdate(headers: dict[str, str]) -> None:
        headers["Date"] = headers["x-log-date"] = stale

    response = sls_raw.tampered(info["access_key_id"], info["access_key_secret"], "GET", PROJECT, "/logstores",
                               change=backdate)
    assert (response.status_code, response.json()["errorCode"]) == (400, "RequestTimeExpired")


def test_request_without_api_version_is_missing_api_version(cloud: LocalCloud, root_sls: Any, sls_raw: SlsRaw) -> None:
    info = cloud.info()
    response = sls_raw.tampered(info["access_key_id"], info["access_key_secret"], "GET", PROJECT, "/logstores",
                               change=lambda headers: headers.pop("x-log-apiversion"))
    assert (response.status_code, response.json()["errorCode"]) == (400, "MissingAPIVersion")


def test_error_request_id_header_is_lower_case_x_log_requestid(cloud: LocalCloud, root_sls: Any, sls_raw: SlsRaw) -> None:
    info = cloud.info()
    response = sls_raw.tampered(info["access_key_id"], "wrong", "GET", PROJECT, "/logstores")
    assert "x-log-requestid" in list(response.raw.headers)  # the names as sent: the SDK misses X-Log-RequestId


def test_disabled_access_key_is_unauthorized(cloud: LocalCloud, ram: Ram, root_sls: Any, make_user: MakeUser) -> None:
    ak, sk = make_user("writer", "AliyunLogFullAccess")
    ram.update_access_key(ram_models.UpdateAccessKeyRequest(user_access_key_id=ak, status="Inactive", user_name="writer"))
    error = _refused(_put, _client(cloud, ak, sk))
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "Unauthorized", f"AccessKeyId is disabled: {ak}", 401)


# --- RAM --------------------------------------------------------------------------------


def test_user_without_log_permission_is_unauthorized(cloud: LocalCloud, root_sls: Any, make_user: MakeUser) -> None:
    ak, sk = make_user("nobody")
    error = _refused(_put, _client(cloud, ak, sk))
    resource = f"acs:log:{cloud.account.region}:{cloud.account.account_id}:project/{PROJECT}/logstore/{STORE}"
    assert (error.get_error_code(), error.get_resp_status()) == ("Unauthorized", 401)
    assert error.get_error_message() == f"denied by sts or ram, action: log:PostLogStoreLogs, resource: {resource}"


def test_user_with_log_full_access_writes_and_reads(cloud: LocalCloud, root_sls: Any, make_user: MakeUser) -> None:
    ak, sk = make_user("writer", "AliyunLogFullAccess")
    client = _client(cloud, ak, sk)
    _put(client)
    assert _count(client) == 1


def test_read_only_user_reads_but_cannot_write(cloud: LocalCloud, root_sls: Any, make_user: MakeUser) -> None:
    _put(root_sls)
    ak, sk = make_user("reader", "AliyunLogReadOnlyAccess")
    client = _client(cloud, ak, sk)
    assert _count(client) == 1
    assert _refused(_put, client).get_error_code() == "Unauthorized"


def test_policy_scoped_to_one_logstore_allows_only_that_logstore(
    cloud: LocalCloud, ram: Ram, root_sls: Any, make_user: MakeUser
) -> None:
    document = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["log:Post*"],
                                               "Resource": [f"acs:log:*:*:project/{PROJECT}/logstore/{STORE}"]}]}
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="write-events", policy_document=json.dumps(document)))
    ak, sk = make_user("scoped")
    ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type="Custom", policy_name="write-events", user_name="scoped"))
    client = _client(cloud, ak, sk)
    _put(client)
    assert _refused(_put, client, "other").get_error_code() == "Unauthorized"


def test_list_project_checks_the_project_wildcard(cloud: LocalCloud, root_sls: Any, make_user: MakeUser) -> None:
    ak, sk = make_user("nobody")
    error = _refused(_client(cloud, ak, sk).list_project)
    resource = f"acs:log:{cloud.account.region}:{cloud.account.account_id}:project/*"
    assert error.get_error_message() == f"denied by sts or ram, action: log:ListProject, resource: {resource}"


# --- STS --------------------------------------------------------------------------------


@pytest.fixture
def session(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> Callable[..., sts_models.AssumeRoleResponseBodyCredentials]:
    """Assume a role holding AliyunLogFullAccess; returns the session credentials."""
    account = cloud.account.account_id
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"RAM": [f"acs:ram::{account}:root"]}}]}
    ram.create_role(ram_models.CreateRoleRequest(role_name="auditor", assume_role_policy_document=json.dumps(trust)))
    ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="AliyunLogFullAccess", role_name="auditor"))
    ak, sk = make_user("assumer", "AliyunSTSAssumeRoleAccess")
    sts = Sts(cloud.config(ak, sk))

    def assume(**options: Any) -> sts_models.AssumeRoleResponseBodyCredentials:
        request = sts_models.AssumeRoleRequest(
            role_arn=f"acs:ram::{account}:role/auditor", role_session_name="s1", **options)
        return sts.assume_role(request).body.credentials

    return assume


def test_sts_session_with_log_access_writes(cloud: LocalCloud, root_sls: Any, session: Any) -> None:
    creds = session()
    client = _client(cloud, creds.access_key_id, creds.access_key_secret, creds.security_token)
    _put(client)
    assert _count(client) == 1


def test_sts_key_without_its_token_is_unauthorized(cloud: LocalCloud, root_sls: Any, session: Any) -> None:
    creds = session()
    error = _refused(_put, _client(cloud, creds.access_key_id, creds.access_key_secret))
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "Unauthorized", "The security token you provided is invalid.", 401)


def test_expired_sts_token_is_unauthorized(cloud: LocalCloud, root_sls: Any, session: Any) -> None:
    creds = session(duration_seconds=900)
    client = _client(cloud, creds.access_key_id, creds.access_key_secret, creds.security_token)
    cloud.clock_advance(901)
    error = _refused(_put, client)
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "Unauthorized", "The security token you provided has expired.", 401)


def test_sts_session_policy_narrows_the_role(cloud: LocalCloud, root_sls: Any, session: Any) -> None:
    narrow = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "log:Get*", "Resource": "*"}]}
    creds = session(policy=json.dumps(narrow))
    client = _client(cloud, creds.access_key_id, creds.access_key_secret, creds.security_token)
    assert _count(client) == 0
    assert _refused(_put, client).get_error_code() == "Unauthorized"
