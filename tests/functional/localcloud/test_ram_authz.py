"""How RAM permissions decide what a RAM user may call: system, custom, group, deny, time-bound."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.core.clock import iso
from tests.functional.localcloud.types import MakeUser


def expect_no_permission(call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == ("NoPermission", 403)


def custom_policy(ram: Ram, name: str, *statements: dict[str, Any]) -> None:
    document = json.dumps({"Version": "1", "Statement": list(statements)})
    ram.create_policy(m.CreatePolicyRequest(policy_name=name, policy_document=document))


def attach_custom(ram: Ram, user: str, name: str) -> None:
    ram.attach_policy_to_user(m.AttachPolicyToUserRequest(user_name=user, policy_type="Custom", policy_name=name))


def test_read_only_user_may_list_but_not_create_users(cloud: LocalCloud, make_user: MakeUser) -> None:
    ak, sk = make_user("reader", "AliyunRAMReadOnlyAccess")
    reader = Ram(cloud.config(ak, sk))
    assert [u.user_name for u in reader.list_users(m.ListUsersRequest()).body.users.user] == ["reader"]
    expect_no_permission(lambda: reader.create_user(m.CreateUserRequest(user_name="intruder")))


def test_user_without_policies_is_refused(cloud: LocalCloud, make_user: MakeUser) -> None:
    ak, sk = make_user("nobody")
    expect_no_permission(lambda: Ram(cloud.config(ak, sk)).list_users(m.ListUsersRequest()))


def test_explicit_deny_overrides_an_allow(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("denied", "AliyunRAMFullAccess")
    custom_policy(ram, "no-user-deletes", {"Effect": "Deny", "Action": "ram:DeleteUser", "Resource": "*"})
    attach_custom(ram, "denied", "no-user-deletes")
    ram.create_user(m.CreateUserRequest(user_name="victim"))
    caller = Ram(cloud.config(ak, sk))
    caller.get_user(m.GetUserRequest(user_name="victim"))
    expect_no_permission(lambda: caller.delete_user(m.DeleteUserRequest(user_name="victim")))


def test_resource_scoped_policy_allows_only_its_user(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("scoped")
    account = cloud.account.account_id
    custom_policy(ram, "read-alice", {"Effect": "Allow", "Action": "ram:GetUser",
                                      "Resource": f"acs:ram:*:{account}:user/alice"})
    attach_custom(ram, "scoped", "read-alice")
    for name in ("alice", "bob"):
        ram.create_user(m.CreateUserRequest(user_name=name))
    caller = Ram(cloud.config(ak, sk))
    caller.get_user(m.GetUserRequest(user_name="alice"))
    expect_no_permission(lambda: caller.get_user(m.GetUserRequest(user_name="bob")))


def test_time_bound_policy_stops_authorising_after_its_end(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("temp")
    end = cloud.now() + timedelta(hours=1)
    custom_policy(ram, "until-end", {"Effect": "Allow", "Action": "ram:ListUsers", "Resource": "*",
                                     "Condition": {"DateLessThan": {"acs:CurrentTime": iso(end)}}})
    attach_custom(ram, "temp", "until-end")
    caller = Ram(cloud.config(ak, sk))
    caller.list_users(m.ListUsersRequest())
    cloud.clock_advance(2 * 3600)
    expect_no_permission(lambda: caller.list_users(m.ListUsersRequest()))


def test_group_policies_count_for_members_only_while_they_are_members(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("member")
    ram.create_group(m.CreateGroupRequest(group_name="readers"))
    ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(
        group_name="readers", policy_type="System", policy_name="AliyunRAMReadOnlyAccess"))
    caller = Ram(cloud.config(ak, sk))
    expect_no_permission(lambda: caller.list_users(m.ListUsersRequest()))
    ram.add_user_to_group(m.AddUserToGroupRequest(group_name="readers", user_name="member"))
    caller.list_users(m.ListUsersRequest())
    ram.remove_user_from_group(m.RemoveUserFromGroupRequest(group_name="readers", user_name="member"))
    expect_no_permission(lambda: caller.list_users(m.ListUsersRequest()))


def test_new_default_version_changes_what_a_policy_grants(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("versioned")
    custom_policy(ram, "evolving", {"Effect": "Allow", "Action": "ram:GetUser", "Resource": "*"})
    attach_custom(ram, "versioned", "evolving")
    caller = Ram(cloud.config(ak, sk))
    expect_no_permission(lambda: caller.list_users(m.ListUsersRequest()))
    document = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:List*", "Resource": "*"}]})
    ram.create_policy_version(m.CreatePolicyVersionRequest(policy_name="evolving", policy_document=document,
                                                           set_as_default=True))
    caller.list_users(m.ListUsersRequest())


def test_brackets_in_a_resource_pattern_are_literal(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    """RAM's wildcards are only ``*`` and ``?``: ``user/a[1]*`` is no character class, so it does not
    grant ``user/a1x`` (https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements, Resource)."""
    ak, sk = make_user("bracketed")
    account = cloud.account.account_id
    custom_policy(ram, "read-a-bracket", {"Effect": "Allow", "Action": "ram:GetUser",
                                          "Resource": f"acs:ram:*:{account}:user/a[1]*"})
    custom_policy(ram, "read-b-star", {"Effect": "Allow", "Action": "ram:GetUser",
                                       "Resource": f"acs:ram:*:{account}:user/b?x*"})
    attach_custom(ram, "bracketed", "read-a-bracket")
    attach_custom(ram, "bracketed", "read-b-star")
    for name in ("a1x", "a1", "b1xy"):
        ram.create_user(m.CreateUserRequest(user_name=name))
    caller = Ram(cloud.config(ak, sk))
    caller.get_user(m.GetUserRequest(user_name="b1xy"))
    expect_no_permission(lambda: caller.get_user(m.GetUserRequest(user_name="a1x")))
    expect_no_permission(lambda: caller.get_user(m.GetUserRequest(user_name="a1")))
