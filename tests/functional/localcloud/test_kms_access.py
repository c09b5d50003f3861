"""KMS authorization (kms:<Action> on the secret or secret-container ARN) and the KMS error body."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser

NAME = "app/db"


@pytest.fixture
def secret(kms: Kms) -> str:
    kms.create_secret(models.CreateSecretRequest(secret_name=NAME, secret_data="one", version_id="v1"))
    return NAME


def _error(call: Callable[[], object]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _client(cloud: LocalCloud, make_user: Callable[..., tuple[str, str]], name: str, *policies: str) -> Kms:
    ak, sk = make_user(name, *policies)
    return Kms(cloud.config(ak, sk))


def _create(kms: Kms, name: str = "app/other") -> object:
    return kms.create_secret(models.CreateSecretRequest(secret_name=name, secret_data="x", version_id="v1"))


def test_error_body_carries_http_status(kms: Kms) -> None:
    error = _error(lambda: kms.describe_secret(models.DescribeSecretRequest(secret_name="nope")))
    assert error.data["HttpStatus"] == 404
    assert (error.data["Code"], error.data["RequestId"]) == ("Forbidden.ResourceNotFound", error.request_id)


def test_user_without_kms_permission_is_refused(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    nobody = _client(cloud, make_user, "nobody")
    error = _error(lambda: nobody.describe_secret(models.DescribeSecretRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Forbidden.NoPermission", 403)
    assert error.data["HttpStatus"] == 403


def test_read_only_user_can_describe_and_list(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    reader = _client(cloud, make_user, "reader", "AliyunKMSReadOnlyAccess")
    assert reader.describe_secret(models.DescribeSecretRequest(secret_name=NAME)).body.secret_name == NAME
    assert reader.list_secrets(models.ListSecretsRequest()).body.total_count == 1
    versions = reader.list_secret_version_ids(models.ListSecretVersionIdsRequest(secret_name=NAME)).body
    assert versions.total_count == 1


def test_read_only_user_cannot_read_the_value(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    # AliyunKMSReadOnlyAccess v3 lists kms:Get... actions one by one and leaves out GetSecretValue.
    reader = _client(cloud, make_user, "reader", "AliyunKMSReadOnlyAccess")
    error = _error(lambda: reader.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Forbidden.NoPermission", 403)


def test_read_only_user_cannot_create(cloud: LocalCloud, make_user: MakeUser) -> None:
    reader = _client(cloud, make_user, "reader", "AliyunKMSReadOnlyAccess")
    error = _error(lambda: _create(reader))
    assert (error.code, error.status_code) == ("Forbidden.NoPermission", 403)


def test_read_only_user_cannot_delete(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    reader = _client(cloud, make_user, "reader", "AliyunKMSReadOnlyAccess")
    error = _error(lambda: reader.delete_secret(models.DeleteSecretRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Forbidden.NoPermission", 403)


def test_secret_user_can_read_the_value(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    user = _client(cloud, make_user, "app", "AliyunKMSSecretUserAccess")
    assert user.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)).body.secret_data == "one"
    error = _error(lambda: user.put_secret_value(
        models.PutSecretValueRequest(secret_name=NAME, version_id="v2", secret_data="two")))
    assert (error.code, error.status_code) == ("Forbidden.NoPermission", 403)


def test_secret_admin_can_create_list_and_delete(cloud: LocalCloud, make_user: MakeUser) -> None:
    # AliyunKMSSecretAdminAccess allows kms:* on acs:kms:*:*:secret*: the container and every secret.
    admin = _client(cloud, make_user, "admin", "AliyunKMSSecretAdminAccess")
    _create(admin)
    assert admin.list_secrets(models.ListSecretsRequest()).body.total_count == 1
    admin.delete_secret(models.DeleteSecretRequest(secret_name="app/other", force_delete_without_recovery="true"))


def test_full_access_user_can_read_the_value(cloud: LocalCloud, make_user: MakeUser, secret: str) -> None:
    full = _client(cloud, make_user, "full", "AliyunKMSFullAccess")
    assert full.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)).body.secret_data == "one"

