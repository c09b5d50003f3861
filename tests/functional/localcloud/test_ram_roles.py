"""RAM roles: trust policies, session length, listing, and what STS reads from them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def trust(principal: dict[str, Any], action: str = "sts:AssumeRole", **extra: Any) -> str:
    return json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": action, "Principal": principal, **extra}]})


FC_TRUST = trust({"Service": ["fc.aliyuncs.com"]})


def create(ram: Ram, name: str, document: str = FC_TRUST, **kw: Any) -> m.CreateRoleResponseBodyRole:
    return ram.create_role(m.CreateRoleRequest(role_name=name, assume_role_policy_document=document, **kw)).body.role


def test_create_role_returns_arn_and_default_session_length(cloud: LocalCloud, ram: Ram) -> None:
    role = create(ram, "fc-exec", description="function role")
    assert role.arn == f"acs:ram::{cloud.account.account_id}:role/fc-exec"
    assert (role.max_session_duration, role.assume_role_policy_document, role.description) == (
        3600, FC_TRUST, "function role")
    assert role.role_id


def test_get_role_adds_principal_name_and_update_date(cloud: LocalCloud, ram: Ram) -> None:
    created = create(ram, "fc-exec")
    role = ram.get_role(m.GetRoleRequest(role_name="fc-exec")).body.role
    assert role.role_principal_name == f"fc-exec@role.{cloud.account.alias}.onaliyunservice.com"
    assert (role.role_id, role.update_date, role.is_service_linked_role) == (created.role_id, created.create_date, False)


def test_duplicate_role_is_refused(ram: Ram) -> None:
    create(ram, "r")
    expect_error("EntityAlreadyExists.Role", 409, lambda: create(ram, "r"))


def test_unknown_role_is_not_found(ram: Ram) -> None:
    expect_error("EntityNotExist.Role", 404, lambda: ram.get_role(m.GetRoleRequest(role_name="ghost")))


@pytest.mark.parametrize(("name", "code"), [
    ("r" * 65, "InvalidParameter.RoleName.Length"),
    ("under_score", "InvalidParameter.RoleName.InvalidChars"),
])
def test_role_name_rules(ram: Ram, name: str, code: str) -> None:
    expect_error(code, 400, lambda: create(ram, name))


@pytest.mark.parametrize("seconds", [3599, 43201])
def test_max_session_duration_outside_3600_to_43200_is_refused(ram: Ram, seconds: int) -> None:
    expect_error("InvalidParameter.MaxSessionDuration", 400, lambda: create(ram, "r", max_session_duration=seconds))


@pytest.mark.parametrize("document", [
    "{oops",
    json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
    trust({"RAM": ["acs:ram::1:root"]}, action="ram:GetUser"),
    trust({"Someone": ["x"]}),
    trust({"RAM": ["acs:ram::1:root"]}, Resource="*"),
])
def test_malformed_trust_policy_is_refused(ram: Ram, document: str) -> None:
    expect_error("MalformedPolicyDocument", 400, lambda: create(ram, "r", document))


def test_overlong_trust_policy_is_refused(ram: Ram) -> None:
    document = trust({"RAM": [f"acs:ram::1:user/{'u' * 60}{i}" for i in range(40)]})
    expect_error("InvalidParameter.AssumeRolePolicyDocument.Length", 400, lambda: create(ram, "r", document))


def test_description_longer_than_1024_is_refused(ram: Ram) -> None:
    expect_error("InvalidParameter.Description.Length", 400, lambda: create(ram, "r", description="d" * 1025))


def test_update_role_changes_trust_and_session_length(ram: Ram) -> None:
    create(ram, "r")
    new_trust = trust({"RAM": ["acs:ram::1:root"]})
    role = ram.update_role(m.UpdateRoleRequest(role_name="r", new_assume_role_policy_document=new_trust,
                                               new_max_session_duration=7200, new_description="d2")).body.role
    assert (role.assume_role_policy_document, role.max_session_duration, role.description) == (new_trust, 7200, "d2")


def test_update_role_validates_the_new_values(ram: Ram) -> None:
    create(ram, "r")
    expect_error("MalformedPolicyDocument", 400, lambda: ram.update_role(
        m.UpdateRoleRequest(role_name="r", new_assume_role_policy_document='{"Version": "1"}')))
    long_trust = trust({"RAM": [f"acs:ram::1:user/{'u' * 60}{i}" for i in range(40)]})
    expect_error("InvalidParameter.NewAssumeRolePolicyDocument.Length", 400, lambda: ram.update_role(
        m.UpdateRoleRequest(role_name="r", new_assume_role_policy_document=long_trust)))
    expect_error("InvalidParameter.MaxSessionDuration", 400, lambda: ram.update_role(
        m.UpdateRoleRequest(role_name="r", new_max_session_duration=60)))


def test_list_roles_pages_with_marker(ram: Ram) -> None:
    for i in range(5):
        create(ram, f"r{i}")
    first = ram.list_roles(m.ListRolesRequest(max_items=4)).body
    rest = ram.list_roles(m.ListRolesRequest(max_items=4, marker=first.marker)).body
    assert [r.role_name for r in first.roles.role + rest.roles.role] == [f"r{i}" for i in range(5)]
    assert (first.is_truncated, rest.is_truncated, rest.marker) == (True, False, None)


def test_list_roles_filters_by_tag(ram: Ram) -> None:
    create(ram, "tagged", tag=[m.CreateRoleRequestTag(key="app", value="rampart")])
    create(ram, "plain")
    roles = ram.list_roles(m.ListRolesRequest(tag=[m.ListRolesRequestTag(key="app", value="rampart")])).body.roles.role
    assert [r.role_name for r in roles] == ["tagged"]


def test_role_limit_is_1000(ram: Ram) -> None:
    for i in range(1000):
        create(ram, f"r{i}")
    expect_error("LimitExceeded.Role", 409, lambda: create(ram, "r1000"))


def test_delete_role_with_policies_is_refused(ram: Ram) -> None:
    create(ram, "r")
    ram.attach_policy_to_role(m.AttachPolicyToRoleRequest(role_name="r", policy_type="System",
                                                          policy_name="ReadOnlyAccess"))
    expect_error("DeleteConflict.Role.Policy", 409, lambda: ram.delete_role(m.DeleteRoleRequest(role_name="r")))
    ram.detach_policy_from_role(m.DetachPolicyFromRoleRequest(role_name="r", policy_type="System",
                                                              policy_name="ReadOnlyAccess"))
    ram.delete_role(m.DeleteRoleRequest(role_name="r"))
    expect_error("EntityNotExist.Role", 404, lambda: ram.get_role(m.GetRoleRequest(role_name="r")))


def test_sts_honours_the_updated_max_session_duration(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("assumer", "AliyunSTSAssumeRoleAccess")
    create(ram, "long", trust({"RAM": [f"acs:ram::{cloud.account.account_id}:root"]}))
    assumer = Sts(cloud.config(ak, sk))
    request = sts_models.AssumeRoleRequest(role_arn=f"acs:ram::{cloud.account.account_id}:role/long",
                                           role_session_name="s1", duration_seconds=7200)
    expect_error("InvalidParameter.DurationSeconds", 400, lambda: assumer.assume_role(request))
    ram.update_role(m.UpdateRoleRequest(role_name="long", new_max_session_duration=7200))
    assert assumer.assume_role(request).body.credentials.access_key_id.startswith("STS.")
