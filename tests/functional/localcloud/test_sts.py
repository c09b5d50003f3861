"""STS: AssumeRole rules, temporary keys honoured until the clock passes their expiry."""

from __future__ import annotations

import json

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser


def _trust(principal: dict[str, list[str]]) -> str:
    return json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}]})


@pytest.fixture
def role_arn(cloud: LocalCloud, ram: Ram) -> str:
    """A role any principal of the account may assume, allowed to read RAM."""
    account = cloud.account.account_id
    ram.create_role(ram_models.CreateRoleRequest(
        role_name="reader", assume_role_policy_document=_trust({"RAM": [f"acs:ram::{account}:root"]}),
        max_session_duration=7200))
    ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", role_name="reader"))
    return f"acs:ram::{account}:role/reader"


@pytest.fixture
def assumer(cloud: LocalCloud, make_user: MakeUser) -> Sts:
    ak, sk = make_user("assumer", "AliyunSTSAssumeRoleAccess")
    return Sts(cloud.config(ak, sk))


def _assume(sts: Sts, arn: str, **kw: object) -> sts_models.AssumeRoleResponseBodyCredentials:
    request = sts_models.AssumeRoleRequest(role_arn=arn, role_session_name="s1", **kw)
    return sts.assume_role(request).body.credentials


def test_session_key_has_the_role_permissions(cloud: LocalCloud, assumer: Sts, role_arn: str) -> None:
    creds = _assume(assumer, role_arn)
    session_ram = Ram(cloud.config(creds.access_key_id, creds.access_key_secret, creds.security_token))
    assert session_ram.list_users(ram_models.ListUsersRequest()).body.users is not None
    with pytest.raises(ClientException) as info:
        session_ram.create_user(ram_models.CreateUserRequest(user_name="nope"))
    assert (info.value.code, info.value.status_code) == ("NoPermission", 403)


def test_session_identity_is_the_assumed_role(cloud: LocalCloud, assumer: Sts, role_arn: str) -> None:
    creds = _assume(assumer, role_arn)
    me = Sts(cloud.config(creds.access_key_id, creds.access_key_secret, creds.security_token))
    body = me.get_caller_identity().body
    assert body.identity_type == "AssumedRoleUser"
    assert body.arn.endswith(":assumed-role/reader/s1")


def test_session_key_dies_when_the_clock_passes_its_expiry(cloud: LocalCloud, assumer: Sts, role_arn: str) -> None:
    creds = _assume(assumer, role_arn, duration_seconds=900)
    me = Sts(cloud.config(creds.access_key_id, creds.access_key_secret, creds.security_token))
    me.get_caller_identity()
    cloud.clock_advance(901)
    with pytest.raises(ClientException) as info:
        me.get_caller_identity()
    assert (info.value.code, info.value.status_code) == ("InvalidSecurityToken.Expired", 400)


def test_session_key_without_its_token_is_refused(cloud: LocalCloud, assumer: Sts, role_arn: str) -> None:
    creds = _assume(assumer, role_arn)
    with pytest.raises(ClientException) as info:
        Sts(cloud.config(creds.access_key_id, creds.access_key_secret)).get_caller_identity()
    assert info.value.code == "MissingSecurityToken"


def test_session_key_with_another_token_is_refused(cloud: LocalCloud, assumer: Sts, role_arn: str) -> None:
    creds = _assume(assumer, role_arn)
    with pytest.raises(ClientException) as info:
        Sts(cloud.config(creds.access_key_id, creds.access_key_secret, "CAISforged")).get_caller_identity()
    assert info.value.code == "InvalidSecurityToken.MismatchWithAccessKey"


def test_session_policy_narrows_the_role(cloud: LocalCloud, assumer: Sts, role_arn: str, ram: Ram) -> None:
    ram.create_user(ram_models.CreateUserRequest(user_name="visible"))
    narrow = json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*"}]})
    creds = _assume(assumer, role_arn, policy=narrow)
    session_ram = Ram(cloud.config(creds.access_key_id, creds.access_key_secret, creds.security_token))
    session_ram.get_user(ram_models.GetUserRequest(user_name="visible"))
    with pytest.raises(ClientException) as info:
        session_ram.list_users(ram_models.ListUsersRequest())
    assert info.value.code == "NoPermission"


def test_root_account_cannot_assume_a_role(sts: Sts, role_arn: str) -> None:
    with pytest.raises(ClientException) as info:
        _assume(sts, role_arn)
    assert (info.value.code, info.value.status_code) == ("NoPermission", 403)


def test_caller_without_sts_permission_is_refused(cloud: LocalCloud, role_arn: str, make_user: MakeUser) -> None:
    ak, sk = make_user("no-sts")
    with pytest.raises(ClientException) as info:
        _assume(Sts(cloud.config(ak, sk)), role_arn)
    assert info.value.code == "NoPermission"


def test_role_that_does_not_trust_the_caller_is_refused(cloud: LocalCloud, ram: Ram, assumer: Sts) -> None:
    account = cloud.account.account_id
    ram.create_role(ram_models.CreateRoleRequest(
        role_name="private", assume_role_policy_document=_trust({"RAM": [f"acs:ram::{account}:user/someone-else"]})))
    with pytest.raises(ClientException) as info:
        _assume(assumer, f"acs:ram::{account}:role/private")
    assert info.value.code == "NoPermission"


@pytest.mark.parametrize("duration", [899, 7201])
def test_duration_outside_900_to_max_session_is_refused(assumer: Sts, role_arn: str, duration: int) -> None:
    with pytest.raises(ClientException) as info:
        _assume(assumer, role_arn, duration_seconds=duration)
    assert info.value.code == "InvalidParameter.DurationSeconds"


def test_unknown_role_is_refused(cloud: LocalCloud, assumer: Sts) -> None:
    with pytest.raises(ClientException) as info:
        _assume(assumer, f"acs:ram::{cloud.account.account_id}:role/ghost")
    assert (info.value.code, info.value.status_code) == ("EntityNotExist.Role", 404)


def test_malformed_role_arn_is_refused(assumer: Sts) -> None:
    with pytest.raises(ClientException) as info:
        _assume(assumer, "arn:aws:iam::1:role/x")
    assert info.value.code == "InvalidParameter.RoleArn"


def test_bad_session_name_is_refused(assumer: Sts, role_arn: str) -> None:
    with pytest.raises(ClientException) as info:
        assumer.assume_role(sts_models.AssumeRoleRequest(role_arn=role_arn, role_session_name="a b"))
    assert info.value.code == "InvalidParameter.RoleSessionName"


def test_malformed_session_policy_is_refused(assumer: Sts, role_arn: str) -> None:
    with pytest.raises(ClientException) as info:
        _assume(assumer, role_arn, policy="{not json")
    assert info.value.code == "InvalidParameter.PolicyGrammar"
