"""Authentication: every refusal gets its documented code and status, as the SDK raises it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser, RawPop


def _caller(cloud: LocalCloud, ak: str | None = None, sk: str | None = None, token: str | None = None) -> str:
    return str(Sts(cloud.config(ak, sk, token)).get_caller_identity().body.arn)


def test_root_key_is_the_account(cloud: LocalCloud) -> None:
    assert _caller(cloud) == f"acs:ram::{cloud.account.account_id}:root"


def test_wrong_secret_is_signature_does_not_match(cloud: LocalCloud) -> None:
    with pytest.raises(ClientException) as info:
        _caller(cloud, cloud.account.root_access_key_id, "wrong-secret")
    assert (info.value.code, info.value.status_code) == ("SignatureDoesNotMatch", 400)


def test_unknown_key_is_not_found(cloud: LocalCloud) -> None:
    with pytest.raises(ClientException) as info:
        _caller(cloud, "LTAI5tNoSuchKey000000000", "whatever")
    assert (info.value.code, info.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_v1_signature_is_accepted(cloud: LocalCloud) -> None:
    config = cloud.config()
    config.signature_algorithm = "v2"
    user = Ram(config).create_user(ram_models.CreateUserRequest(user_name="v1-user")).body.user
    assert user.user_name == "v1-user"


def test_v1_signature_with_wrong_secret_is_refused(cloud: LocalCloud) -> None:
    config = cloud.config(cloud.account.root_access_key_id, "wrong")
    config.signature_algorithm = "v2"
    with pytest.raises(ClientException) as info:
        Ram(config).create_user(ram_models.CreateUserRequest(user_name="v1-user"))
    assert info.value.code == "SignatureDoesNotMatch"


def test_missing_signature_is_incomplete_signature(cloud: LocalCloud, raw_pop: RawPop) -> None:
    headers = raw_pop.signed_headers(cloud.endpoint, "GetUser", "2015-05-01", {"UserName": "a"}, "x", "y")
    del headers["Authorization"]
    status, body = raw_pop.post(cloud.endpoint, {"UserName": "a"}, headers)
    assert (status, body["Code"]) == (400, "IncompleteSignature")


def test_request_time_more_than_15_minutes_off_is_refused(cloud: LocalCloud, raw_pop: RawPop) -> None:
    account = cloud.account
    stale = datetime.now(timezone.utc) - timedelta(minutes=20)
    query = {"UserName": "a"}
    headers = raw_pop.signed_headers(
        cloud.endpoint, "GetUser", "2015-05-01", query, account.root_access_key_id, account.root_access_key_secret,
        when=stale,
    )
    status, body = raw_pop.post(cloud.endpoint, query, headers)
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")


def test_replayed_nonce_is_refused(cloud: LocalCloud, raw_pop: RawPop) -> None:
    account = cloud.account
    query = {"UserName": "nobody"}
    headers = raw_pop.signed_headers(
        cloud.endpoint, "GetUser", "2015-05-01", query, account.root_access_key_id, account.root_access_key_secret
    )
    first, _ = raw_pop.post(cloud.endpoint, query, headers)
    second, body = raw_pop.post(cloud.endpoint, query, headers)
    assert first == 404
    assert (second, body["Code"]) == (400, "SignatureNonceUsed")


def test_unknown_action_is_api_not_found(cloud: LocalCloud, raw_pop: RawPop) -> None:
    account = cloud.account
    headers = raw_pop.signed_headers(
        cloud.endpoint, "MakeCoffee", "2015-05-01", {}, account.root_access_key_id, account.root_access_key_secret
    )
    status, body = raw_pop.post(cloud.endpoint, {}, headers)
    assert (status, body["Code"]) == (404, "InvalidApi.NotFound")


def test_error_body_is_json_with_request_id(cloud: LocalCloud, ram: Ram) -> None:
    with pytest.raises(ClientException) as info:
        ram.get_user(ram_models.GetUserRequest(user_name="ghost"))
    assert info.value.request_id
    assert info.value.data["HostId"] == "ram.aliyuncs.com"


def test_deactivated_key_is_refused(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("deact")
    assert _caller(cloud, ak, sk).endswith("user/deact")
    ram.update_access_key(ram_models.UpdateAccessKeyRequest(user_name="deact", user_access_key_id=ak, status="Inactive"))
    with pytest.raises(ClientException) as info:
        _caller(cloud, ak, sk)
    assert (info.value.code, info.value.status_code) == ("InvalidAccessKeyId.Inactive", 400)


def test_deleted_key_is_refused(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("gone")
    ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name="gone", user_access_key_id=ak))
    with pytest.raises(ClientException) as info:
        _caller(cloud, ak, sk)
    assert info.value.code == "InvalidAccessKeyId.NotFound"


def test_plain_config_without_endpoint_scheme_is_what_the_info_line_gives(cloud: LocalCloud) -> None:
    info = cloud.info()
    config = Config(access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"],
                    endpoint=info["endpoint"], protocol="http", region_id=info["region"])
    assert Sts(config).get_caller_identity().body.account_id == info["account_id"]
