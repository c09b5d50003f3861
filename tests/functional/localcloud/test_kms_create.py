"""KMS CreateSecret, DescribeSecret, UpdateSecret and tags: names, limits and error codes (§B.2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud


def _create(kms: Kms, name: str = "app/db", data: str = "s3cret", version: str = "v1", **kw: Any) -> Any:
    return kms.create_secret(models.CreateSecretRequest(secret_name=name, secret_data=data, version_id=version, **kw))


def _error(call: Callable[[], object]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _tags(n: int, key: str = "k", value: str = "v") -> str:
    return json.dumps([{"TagKey": f"{key}{i}", "TagValue": value} for i in range(n)])


def test_create_returns_arn_name_type_and_version(cloud: LocalCloud, kms: Kms) -> None:
    body = _create(kms).body
    account = cloud.account
    assert body.arn == f"acs:kms:{account.region}:{account.account_id}:secret/app/db"
    assert (body.secret_name, body.secret_type, body.version_id) == ("app/db", "Generic", "v1")


def test_initial_version_is_acs_current(kms: Kms) -> None:
    _create(kms, data='{"AccessKeyId": "a", "AccessKeySecret": "p@ss word+&="}')
    body = kms.get_secret_value(models.GetSecretValueRequest(secret_name="app/db")).body
    assert body.secret_data == '{"AccessKeyId": "a", "AccessKeySecret": "p@ss word+&="}'
    assert (body.version_id, body.version_stages.version_stage) == ("v1", ["ACSCurrent"])
    assert body.secret_data_type == "text"


def test_existing_name_is_rejected_with_resource_exist(kms: Kms) -> None:
    _create(kms)
    error = _error(lambda: _create(kms, version="v2"))
    assert (error.code, error.status_code) == ("Rejected.ResourceExist", 409)


def test_name_pending_deletion_is_rejected_with_in_delete_window(kms: Kms) -> None:
    _create(kms)
    kms.delete_secret(models.DeleteSecretRequest(secret_name="app/db"))
    error = _error(lambda: _create(kms))
    assert (error.code, error.status_code) == ("Rejected.ResourceInDeleteWindow", 409)


def test_name_of_192_characters_is_accepted(kms: Kms) -> None:
    assert _create(kms, name="n" * 192).body.secret_name == "n" * 192


@pytest.mark.parametrize("name", ["n" * 193, "has space", "semi;colon", "star*", "$Auto"])
def test_invalid_name_is_rejected(kms: Kms, name: str) -> None:
    error = _error(lambda: _create(kms, name=name))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_name_allows_every_documented_special_character(kms: Kms) -> None:
    assert _create(kms, name="a_b/c+d=e.f-g@h").body.secret_name == "a_b/c+d=e.f-g@h"


def test_generic_name_cannot_start_with_acs(kms: Kms) -> None:
    error = _error(lambda: _create(kms, name="acs/app"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_secret_data_of_30720_bytes_is_accepted(kms: Kms) -> None:
    _create(kms, data="é" * 15_360)
    assert kms.get_secret_value(models.GetSecretValueRequest(secret_name="app/db")).body.secret_data == "é" * 15_360


def test_secret_data_over_30720_bytes_is_rejected(kms: Kms) -> None:
    error = _error(lambda: _create(kms, data="é" * 15_360 + "x"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_version_id_over_64_characters_is_rejected(kms: Kms) -> None:
    assert _create(kms, version="v" * 64).body.version_id == "v" * 64
    error = _error(lambda: _create(kms, name="other", version="v" * 65))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


@pytest.mark.parametrize("missing", ["secret_name", "secret_data", "version_id"])
def test_missing_required_parameter_answers_missing_parameter(kms: Kms, missing: str) -> None:
    fields = {"secret_name": "app/db", "secret_data": "x", "version_id": "v1", missing: None}
    error = _error(lambda: kms.create_secret(models.CreateSecretRequest(**fields)))
    assert (error.code, error.status_code) == ("MissingParameter", 400)


def test_unknown_data_type_is_rejected(kms: Kms) -> None:
    error = _error(lambda: _create(kms, secret_data_type="json"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_unknown_secret_type_is_rejected(kms: Kms) -> None:
    error = _error(lambda: _create(kms, secret_type="Password"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_binary_secret_keeps_its_data_type(kms: Kms) -> None:
    _create(kms, data="AAECAwQ=", secret_data_type="binary")
    body = kms.get_secret_value(models.GetSecretValueRequest(secret_name="app/db")).body
    assert (body.secret_data, body.secret_data_type) == ("AAECAwQ=", "binary")


def test_secret_quota_answers_limit_exceeded(cloud: LocalCloud, kms: Kms) -> None:
    cloud.state.kms.secret_quota = 1
    _create(kms)
    error = _error(lambda: _create(kms, name="second"))
    assert (error.code, error.status_code) == ("Rejected.LimitExceeded", 400)


# --- tags ---------------------------------------------------------------------------------


def test_twenty_tags_are_accepted(kms: Kms) -> None:
    _create(kms, tags=_tags(20))
    tags = kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db", fetch_tags="true")).body.tags.tag
    assert len(tags) == 20


@pytest.mark.parametrize(
    "tags",
    [
        _tags(21),
        json.dumps([{"TagKey": "k" * 129, "TagValue": "v"}]),
        json.dumps([{"TagKey": "k", "TagValue": "v" * 129}]),
        json.dumps([{"TagKey": "aliyun-owner", "TagValue": "v"}]),
        json.dumps([{"TagKey": "acs:owner", "TagValue": "v"}]),
        json.dumps([{"TagKey": "", "TagValue": "v"}]),
        json.dumps([{"TagKey": "has space", "TagValue": "v"}]),
        '{"TagKey": "k"}',
        "not json",
    ],
    ids=["21-tags", "long-key", "long-value", "aliyun-key", "acs-key", "empty-key", "bad-chars", "not-array", "bad-json"],
)
def test_invalid_tags_are_rejected(kms: Kms, tags: str) -> None:
    error = _error(lambda: _create(kms, tags=tags))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_tag_key_and_value_of_128_characters_are_accepted(kms: Kms) -> None:
    _create(kms, tags=json.dumps([{"TagKey": "k" * 128, "TagValue": "v/\\_-.+=:@" + "v" * 118}]))
    tag = kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db", fetch_tags="true")).body.tags.tag[0]
    assert (len(tag.tag_key), len(tag.tag_value)) == (128, 128)


def test_tag_resource_adds_and_untag_resource_removes(kms: Kms) -> None:
    _create(kms, tags=json.dumps([{"TagKey": "owner", "TagValue": "alice"}]))
    kms.tag_resource(models.TagResourceRequest(secret_name="app/db", tags=_tags(2, key="env")))
    kms.untag_resource(models.UntagResourceRequest(secret_name="app/db", tag_keys='["owner","env0"]'))
    tags = kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db", fetch_tags="true")).body.tags.tag
    assert [(t.tag_key, t.tag_value) for t in tags] == [("env1", "v")]


def test_tag_resource_overwrites_an_existing_key(kms: Kms) -> None:
    _create(kms, tags=json.dumps([{"TagKey": "owner", "TagValue": "alice"}]))
    kms.tag_resource(models.TagResourceRequest(secret_name="app/db", tags='[{"TagKey":"owner","TagValue":"bob"}]'))
    tags = kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db", fetch_tags="true")).body.tags.tag
    assert [(t.tag_key, t.tag_value) for t in tags] == [("owner", "bob")]


def test_tag_resource_cannot_pass_twenty_tags(kms: Kms) -> None:
    _create(kms, tags=_tags(20))
    error = _error(lambda: kms.tag_resource(models.TagResourceRequest(secret_name="app/db", tags=_tags(1, key="x"))))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_tag_resource_on_a_key_answers_key_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.tag_resource(models.TagResourceRequest(key_id="key-123", tags=_tags(1))))
    assert (error.code, error.status_code) == ("Forbidden.KeyNotFound", 404)


def test_tag_resource_on_an_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.tag_resource(models.TagResourceRequest(secret_name="nope", tags=_tags(1))))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


# --- describe and update -------------------------------------------------------------------


def test_describe_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.describe_secret(models.DescribeSecretRequest(secret_name="nope")))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_describe_accepts_the_secret_arn(kms: Kms) -> None:
    arn = _create(kms, description="db password").body.arn
    body = kms.describe_secret(models.DescribeSecretRequest(secret_name=arn)).body
    assert (body.secret_name, body.arn, body.description) == ("app/db", arn, "db password")
    assert body.planned_delete_time is None


def test_arn_of_another_account_is_not_found(cloud: LocalCloud, kms: Kms) -> None:
    _create(kms)
    arn = f"acs:kms:{cloud.account.region}:1111111111111111:secret/app/db"
    error = _error(lambda: kms.describe_secret(models.DescribeSecretRequest(secret_name=arn)))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_describe_returns_tags_only_when_fetch_tags(kms: Kms) -> None:
    _create(kms, tags=_tags(1))
    assert kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db")).body.tags is None


def test_update_secret_changes_the_description(kms: Kms) -> None:
    _create(kms, description="old")
    kms.update_secret(models.UpdateSecretRequest(secret_name="app/db", description="new"))
    assert kms.describe_secret(models.DescribeSecretRequest(secret_name="app/db")).body.description == "new"


def test_update_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.update_secret(models.UpdateSecretRequest(secret_name="nope", description="x")))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


# --- managed (non-Generic) types: validated and stored, never rotated ------------------------


def _ram_config(user: str = "alice") -> dict[str, Any]:
    return {"SecretSubType": "RamUserAccessKey", "UserName": user}


def test_ram_credentials_secret_gets_a_generated_name(kms: Kms) -> None:
    body = _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config(),
                   data='{"AccessKeys":[{"AccessKeyId":"a","AccessKeySecret":"b"}]}').body
    assert (body.secret_name, body.secret_type) == ("acs/ram/user/alice", "RAMCredentials")


def test_ram_credentials_secret_must_be_named_auto(kms: Kms) -> None:
    error = _error(lambda: _create(kms, name="mine", secret_type="RAMCredentials", extended_config=_ram_config()))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_managed_secret_needs_extended_config(kms: Kms) -> None:
    error = _error(lambda: _create(kms, name="$Auto", secret_type="RAMCredentials"))
    assert (error.code, error.status_code) == ("MissingParameter", 400)


def test_managed_secret_cannot_be_binary(kms: Kms) -> None:
    error = _error(lambda: _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config(),
                                   secret_data_type="binary"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_ecs_secret_name_must_start_with_acs_ecs(kms: Kms) -> None:
    config = {"SecretSubType": "Password", "RegionId": "cn-hangzhou", "InstanceId": "i-1"}
    error = _error(lambda: _create(kms, name="web", secret_type="ECS", extended_config=config))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)
    assert _create(kms, name="acs/ecs/web", secret_type="ECS", extended_config=config).body.secret_type == "ECS"


def test_rotation_interval_is_reported_in_seconds(kms: Kms) -> None:
    _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config(),
            enable_automatic_rotation=True, rotation_interval="7d")
    body = kms.describe_secret(models.DescribeSecretRequest(secret_name="acs/ram/user/alice")).body
    assert (body.automatic_rotation, body.rotation_interval) == ("Enabled", "604800s")


@pytest.mark.parametrize("interval", ["5h", "8761h", "7 days", None])
def test_rotation_interval_outside_6h_to_8760h_is_rejected(kms: Kms, interval: str | None) -> None:
    error = _error(lambda: _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config(),
                                   enable_automatic_rotation=True, rotation_interval=interval))
    assert error.status_code == 400
    assert error.code == ("MissingParameter" if interval is None else "InvalidParameter")


def test_update_secret_replaces_custom_data_of_a_managed_secret(kms: Kms) -> None:
    _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config())
    kms.update_secret(models.UpdateSecretRequest(
        secret_name="acs/ram/user/alice",
        extended_config=models.UpdateSecretRequestExtendedConfig(custom_data={"team": "red"})))
    body = kms.describe_secret(models.DescribeSecretRequest(secret_name="acs/ram/user/alice")).body
    assert json.loads(body.extended_config)["CustomData"] == {"team": "red"}


def test_put_secret_value_is_only_for_generic_secrets(kms: Kms) -> None:
    _create(kms, name="$Auto", secret_type="RAMCredentials", extended_config=_ram_config())
    request = models.PutSecretValueRequest(secret_name="acs/ram/user/alice", version_id="v2", secret_data="x")
    error = _error(lambda: kms.put_secret_value(request))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)
