"""RAM users: create, read, rename, list with Marker paging, delete and what blocks it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.ram.models import totp
from tests.functional.localcloud.types import MakeUser


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def create(ram: Ram, name: str, **kw: Any) -> m.CreateUserResponseBodyUser:
    return ram.create_user(m.CreateUserRequest(user_name=name, **kw)).body.user


# --- create / get -----------------------------------------------------------------------


def test_create_user_returns_the_documented_fields(ram: Ram) -> None:
    user = create(ram, "alice", display_name="Alice A", comments="dev", email="a@example.com",
                  mobile_phone="86-18600008888")
    assert (user.user_name, user.display_name, user.comments) == ("alice", "Alice A", "dev")
    assert (user.email, user.mobile_phone) == ("a@example.com", "86-18600008888")
    assert user.user_id and user.create_date.endswith("Z")


def test_get_user_adds_update_date(ram: Ram) -> None:
    created = create(ram, "alice")
    got = ram.get_user(m.GetUserRequest(user_name="alice")).body.user
    assert (got.user_id, got.update_date) == (created.user_id, created.create_date)


def test_duplicate_user_is_refused(ram: Ram) -> None:
    create(ram, "alice")
    expect_error("EntityAlreadyExists.User", 409, lambda: create(ram, "alice"))


def test_unknown_user_is_not_found(ram: Ram) -> None:
    expect_error("EntityNotExist.User", 404, lambda: ram.get_user(m.GetUserRequest(user_name="ghost")))


def test_missing_user_name_is_refused(ram: Ram) -> None:
    expect_error("MissingUserName", 400, lambda: ram.create_user(m.CreateUserRequest()))


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"user_name": "x" * 65}, "InvalidParameter.UserName.Length"),
        ({"user_name": "bad name"}, "InvalidParameter.UserName.InvalidChars"),
        ({"user_name": "ok", "display_name": "d" * 129}, "InvalidParameter.DisplayName.Length"),
        ({"user_name": "ok", "display_name": "a#b"}, "InvalidParameter.DisplayName.InvalidChars"),
        ({"user_name": "ok", "comments": "c" * 129}, "InvalidParameter.Comments.Length"),
        ({"user_name": "ok", "email": "not-an-email"}, "InvalidParameter.Email.Format"),
        ({"user_name": "ok", "mobile_phone": "18600008888"}, "InvalidParameter.MobilePhone.Format"),
    ],
)
def test_create_user_parameter_rules(ram: Ram, kw: dict[str, str], code: str) -> None:
    expect_error(code, 400, lambda: ram.create_user(m.CreateUserRequest(**kw)))


def test_user_limit_is_5000(cloud: LocalCloud, ram: Ram) -> None:
    for i in range(5000):
        ram.create_user(m.CreateUserRequest(user_name=f"u{i}"))
    expect_error("LimitExceeded.User", 409, lambda: create(ram, "one-too-many"))


# --- update -----------------------------------------------------------------------------


def test_update_user_changes_the_given_fields_only(ram: Ram) -> None:
    create(ram, "alice", display_name="Alice", comments="keep")
    user = ram.update_user(m.UpdateUserRequest(user_name="alice", new_display_name="Alice B")).body.user
    assert (user.display_name, user.comments) == ("Alice B", "keep")


def test_update_user_new_fields_follow_the_new_codes(ram: Ram) -> None:
    create(ram, "alice")
    expect_error("InvalidParameter.NewUserName.InvalidChars", 400,
                 lambda: ram.update_user(m.UpdateUserRequest(user_name="alice", new_user_name="a b")))
    expect_error("InvalidParameter.NewEmail.Format", 400,
                 lambda: ram.update_user(m.UpdateUserRequest(user_name="alice", new_email="nope")))


def test_rename_to_an_existing_user_is_refused(ram: Ram) -> None:
    create(ram, "alice")
    create(ram, "bob")
    expect_error("EntityAlreadyExists.User", 409,
                 lambda: ram.update_user(m.UpdateUserRequest(user_name="alice", new_user_name="bob")))


def test_rename_keeps_keys_groups_policies_and_mfa(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("old", "AliyunRAMReadOnlyAccess")
    ram.create_group(m.CreateGroupRequest(group_name="devs"))
    ram.add_user_to_group(m.AddUserToGroupRequest(group_name="devs", user_name="old"))
    device = ram.create_virtual_mfadevice(m.CreateVirtualMFADeviceRequest(virtual_mfadevice_name="old-phone"))
    seed, now = device.body.virtual_mfadevice.base_32string_seed, cloud.now()
    ram.bind_mfadevice(m.BindMFADeviceRequest(
        user_name="old", serial_number=device.body.virtual_mfadevice.serial_number,
        authentication_code_1=totp.hotp(seed, totp.time_step(now) - 1), authentication_code_2=totp.totp(seed, now)))

    ram.update_user(m.UpdateUserRequest(user_name="old", new_user_name="new"))

    renamed = Ram(cloud.config(ak, sk))  # the key still authenticates, as the renamed user
    assert renamed.get_user(m.GetUserRequest(user_name="new")).body.user.user_name == "new"
    groups = ram.list_groups_for_user(m.ListGroupsForUserRequest(user_name="new")).body.groups.group
    members = ram.list_users_for_group(m.ListUsersForGroupRequest(group_name="devs")).body.users.user
    policies = ram.list_policies_for_user(m.ListPoliciesForUserRequest(user_name="new")).body.policies.policy
    mfa = ram.get_user_mfainfo(m.GetUserMFAInfoRequest(user_name="new")).body.mfadevice
    assert [g.group_name for g in groups] == ["devs"]
    assert [u.user_name for u in members] == ["new"]
    assert [p.policy_name for p in policies] == ["AliyunRAMReadOnlyAccess"]
    assert mfa.serial_number.endswith(":mfa/old-phone")
    expect_error("EntityNotExist.User", 404, lambda: ram.get_user(m.GetUserRequest(user_name="old")))


# --- list -------------------------------------------------------------------------------


def test_list_users_is_wrapped_and_untruncated_without_marker(ram: Ram) -> None:
    create(ram, "alice")
    body = ram.list_users(m.ListUsersRequest()).body
    assert [u.user_name for u in body.users.user] == ["alice"]
    assert (body.is_truncated, body.marker) == (False, None)


def test_list_users_marker_round_trip_visits_every_user_once_in_order(ram: Ram) -> None:
    names = [f"user-{i:02d}" for i in range(7)]
    for name in names:
        create(ram, name)
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        body = ram.list_users(m.ListUsersRequest(max_items=3, marker=marker)).body
        seen += [u.user_name for u in body.users.user]
        pages += 1
        if not body.is_truncated:
            assert body.marker is None
            break
        marker = body.marker
    assert (seen, pages) == (names, 3)


def test_list_users_marker_survives_a_delete_between_pages(ram: Ram) -> None:
    for name in ("a", "b", "c", "d"):
        create(ram, name)
    first = ram.list_users(m.ListUsersRequest(max_items=2)).body
    ram.delete_user(m.DeleteUserRequest(user_name="b"))
    rest = ram.list_users(m.ListUsersRequest(max_items=2, marker=first.marker)).body
    assert [u.user_name for u in rest.users.user] == ["c", "d"]


def test_list_users_defaults_to_100_items(ram: Ram) -> None:
    for i in range(101):
        create(ram, f"u{i}")
    body = ram.list_users(m.ListUsersRequest()).body
    assert (len(body.users.user), body.is_truncated) == (100, True)


@pytest.mark.parametrize("max_items", [0, 1001])
def test_list_users_max_items_outside_1_to_1000_is_refused(ram: Ram, max_items: int) -> None:
    expect_error("InvalidParameter", 400, lambda: ram.list_users(m.ListUsersRequest(max_items=max_items)))


def test_list_users_forged_marker_is_refused(ram: Ram) -> None:
    expect_error("InvalidParameter", 400, lambda: ram.list_users(m.ListUsersRequest(marker="not-ours")))


# --- delete -----------------------------------------------------------------------------


def test_delete_user_removes_it(ram: Ram) -> None:
    create(ram, "alice")
    ram.delete_user(m.DeleteUserRequest(user_name="alice"))
    expect_error("EntityNotExist.User", 404, lambda: ram.get_user(m.GetUserRequest(user_name="alice")))


def _fully_loaded_user(cloud: LocalCloud, ram: Ram) -> None:
    create(ram, "busy")
    ram.create_group(m.CreateGroupRequest(group_name="g"))
    ram.add_user_to_group(m.AddUserToGroupRequest(group_name="g", user_name="busy"))
    ram.create_access_key(m.CreateAccessKeyRequest(user_name="busy"))
    ram.create_login_profile(m.CreateLoginProfileRequest(user_name="busy", password="Str0ng!Passw0rd"))
    device = ram.create_virtual_mfadevice(m.CreateVirtualMFADeviceRequest(virtual_mfadevice_name="busy")).body
    seed, now = device.virtual_mfadevice.base_32string_seed, cloud.now()
    ram.bind_mfadevice(m.BindMFADeviceRequest(
        user_name="busy", serial_number=device.virtual_mfadevice.serial_number,
        authentication_code_1=totp.hotp(seed, totp.time_step(now) - 1), authentication_code_2=totp.totp(seed, now)))
    ram.attach_policy_to_user(m.AttachPolicyToUserRequest(
        user_name="busy", policy_type="System", policy_name="ReadOnlyAccess"))


def test_delete_user_conflicts_come_in_documented_order(cloud: LocalCloud, ram: Ram) -> None:
    """Group, AccessKey, LoginProfile, MFADevice, Policy: the order of RAM's error table."""
    _fully_loaded_user(cloud, ram)
    delete: Callable[[], Any] = lambda: ram.delete_user(m.DeleteUserRequest(user_name="busy"))  # noqa: E731
    cleanup: list[tuple[str, Callable[[], Any]]] = [
        ("DeleteConflict.User.Group",
         lambda: ram.remove_user_from_group(m.RemoveUserFromGroupRequest(group_name="g", user_name="busy"))),
        ("DeleteConflict.User.AccessKey",
         lambda: [ram.delete_access_key(m.DeleteAccessKeyRequest(user_name="busy", user_access_key_id=k.access_key_id))
                  for k in ram.list_access_keys(m.ListAccessKeysRequest(user_name="busy")).body.access_keys.access_key]),
        ("DeleteConflict.User.LoginProfile",
         lambda: ram.delete_login_profile(m.DeleteLoginProfileRequest(user_name="busy"))),
        ("DeleteConflict.User.MFADevice",
         lambda: ram.unbind_mfadevice(m.UnbindMFADeviceRequest(user_name="busy"))),
        ("DeleteConflict.User.Policy",
         lambda: ram.detach_policy_from_user(m.DetachPolicyFromUserRequest(
             user_name="busy", policy_type="System", policy_name="ReadOnlyAccess"))),
    ]
    for code, clean in cleanup:
        expect_error(code, 409, delete)
        clean()
    delete()
    expect_error("EntityNotExist.User", 404, lambda: ram.get_user(m.GetUserRequest(user_name="busy")))


def test_delete_unknown_user_is_not_found(ram: Ram) -> None:
    expect_error("EntityNotExist.User", 404, lambda: ram.delete_user(m.DeleteUserRequest(user_name="ghost")))
