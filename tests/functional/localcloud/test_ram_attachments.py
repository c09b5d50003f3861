"""Attaching policies to users, groups and roles: duplicates, limits, listings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.policy.system_policies import SYSTEM_POLICIES

TRUST = json.dumps({"Version": "1", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}]})


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def custom(ram: Ram, name: str) -> None:
    document = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*"}]})
    ram.create_policy(m.CreatePolicyRequest(policy_name=name, policy_document=document))


def to_user(ram: Ram, policy_type: str, name: str, user: str = "alice") -> None:
    ram.attach_policy_to_user(m.AttachPolicyToUserRequest(policy_type=policy_type, policy_name=name, user_name=user))


@pytest.fixture
def entities(ram: Ram) -> None:
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    ram.create_group(m.CreateGroupRequest(group_name="devs"))
    ram.create_role(m.CreateRoleRequest(role_name="fn", assume_role_policy_document=TRUST))


def test_attached_policy_is_listed_for_the_user(ram: Ram, entities: None) -> None:
    to_user(ram, "System", "ReadOnlyAccess")
    policies = ram.list_policies_for_user(m.ListPoliciesForUserRequest(user_name="alice")).body.policies.policy
    assert [(p.policy_name, p.policy_type, p.default_version) for p in policies] == [("ReadOnlyAccess", "System", "v1")]
    assert policies[0].attach_date.endswith("Z")


def test_attaching_twice_is_refused(ram: Ram, entities: None) -> None:
    to_user(ram, "System", "ReadOnlyAccess")
    expect_error("EntityAlreadyExists.User.Policy", 409, lambda: to_user(ram, "System", "ReadOnlyAccess"))


def test_detaching_what_is_not_attached_is_refused(ram: Ram, entities: None) -> None:
    expect_error("EntityNotExist.User.Policy", 404, lambda: ram.detach_policy_from_user(
        m.DetachPolicyFromUserRequest(policy_type="System", policy_name="ReadOnlyAccess", user_name="alice")))


def test_attach_needs_an_existing_policy_user_and_valid_type(ram: Ram, entities: None) -> None:
    expect_error("EntityNotExist.Policy", 404, lambda: to_user(ram, "Custom", "ghost"))
    expect_error("EntityNotExist.User", 404, lambda: to_user(ram, "System", "ReadOnlyAccess", "ghost"))
    expect_error("InvalidParameter.PolicyType", 400, lambda: to_user(ram, "Managed", "ReadOnlyAccess"))


def test_user_takes_at_most_20_system_policies(ram: Ram, entities: None) -> None:
    names = list(SYSTEM_POLICIES)[:21]
    for name in names[:20]:
        to_user(ram, "System", name)
    expect_error("LimitExceeded.User.Policy", 409, lambda: to_user(ram, "System", names[20]))


def test_user_takes_at_most_10_custom_policies(ram: Ram, entities: None) -> None:
    for i in range(11):
        custom(ram, f"c{i}")
    for i in range(10):
        to_user(ram, "Custom", f"c{i}")
    expect_error("LimitExceeded.User.Policy", 409, lambda: to_user(ram, "Custom", "c10"))
    to_user(ram, "System", "ReadOnlyAccess")  # the system quota is separate


def test_group_takes_at_most_5_custom_policies(ram: Ram, entities: None) -> None:
    for i in range(6):
        custom(ram, f"c{i}")
    attach: Callable[[int], Any] = lambda i: ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(  # noqa: E731
        policy_type="Custom", policy_name=f"c{i}", group_name="devs"))
    for i in range(5):
        attach(i)
    expect_error("LimitExceeded.Group.Policy", 409, lambda: attach(5))


def test_group_attach_twice_and_detach_missing(ram: Ram, entities: None) -> None:
    request = m.AttachPolicyToGroupRequest(policy_type="System", policy_name="ReadOnlyAccess", group_name="devs")
    ram.attach_policy_to_group(request)
    expect_error("EntityAlreadyExists.Group.Policy", 409, lambda: ram.attach_policy_to_group(request))
    detach = m.DetachPolicyFromGroupRequest(policy_type="System", policy_name="ReadOnlyAccess", group_name="devs")
    ram.detach_policy_from_group(detach)
    expect_error("EntityNotExist.Group.Policy", 404, lambda: ram.detach_policy_from_group(detach))


def test_role_takes_at_most_5_custom_policies(ram: Ram, entities: None) -> None:
    for i in range(6):
        custom(ram, f"c{i}")
    attach: Callable[[int], Any] = lambda i: ram.attach_policy_to_role(m.AttachPolicyToRoleRequest(  # noqa: E731
        policy_type="Custom", policy_name=f"c{i}", role_name="fn"))
    for i in range(5):
        attach(i)
    expect_error("LimitExceeded.Role.Policy", 409, lambda: attach(5))


def test_role_attach_twice_detach_missing_and_listing(ram: Ram, entities: None) -> None:
    request = m.AttachPolicyToRoleRequest(policy_type="System", policy_name="ReadOnlyAccess", role_name="fn")
    ram.attach_policy_to_role(request)
    expect_error("EntityAlreadyExists.Role.Policy", 409, lambda: ram.attach_policy_to_role(request))
    listed = ram.list_policies_for_role(m.ListPoliciesForRoleRequest(role_name="fn")).body.policies.policy
    assert [p.policy_name for p in listed] == ["ReadOnlyAccess"]
    detach = m.DetachPolicyFromRoleRequest(policy_type="System", policy_name="ReadOnlyAccess", role_name="fn")
    ram.detach_policy_from_role(detach)
    expect_error("EntityNotExist.Role.Policy", 404, lambda: ram.detach_policy_from_role(detach))


def test_list_entities_for_policy_names_users_groups_and_roles(cloud: LocalCloud, ram: Ram, entities: None) -> None:
    to_user(ram, "System", "ReadOnlyAccess")
    ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(
        policy_type="System", policy_name="ReadOnlyAccess", group_name="devs"))
    ram.attach_policy_to_role(m.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="ReadOnlyAccess", role_name="fn"))
    body = ram.list_entities_for_policy(m.ListEntitiesForPolicyRequest(
        policy_type="System", policy_name="ReadOnlyAccess")).body
    assert [u.user_name for u in body.users.user] == ["alice"]
    assert [g.group_name for g in body.groups.group] == ["devs"]
    assert [(r.role_name, r.arn) for r in body.roles.role] == [("fn", f"acs:ram::{cloud.account.account_id}:role/fn")]
    policy = ram.get_policy(m.GetPolicyRequest(policy_type="System", policy_name="ReadOnlyAccess")).body.policy
    assert policy.attachment_count == 3


def test_list_policies_for_group(ram: Ram, entities: None) -> None:
    ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", group_name="devs"))
    listed = ram.list_policies_for_group(m.ListPoliciesForGroupRequest(group_name="devs")).body.policies.policy
    assert [p.policy_name for p in listed] == ["AliyunRAMReadOnlyAccess"]
