"""RAM groups: lifecycle, membership limits, paging, and the conflicts that block DeleteGroup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def group(ram: Ram, name: str, comments: str | None = None) -> m.CreateGroupResponseBodyGroup:
    return ram.create_group(m.CreateGroupRequest(group_name=name, comments=comments)).body.group


def user(ram: Ram, name: str) -> None:
    ram.create_user(m.CreateUserRequest(user_name=name))


def join(ram: Ram, group_name: str, user_name: str) -> None:
    ram.add_user_to_group(m.AddUserToGroupRequest(group_name=group_name, user_name=user_name))


def test_create_and_get_group(ram: Ram) -> None:
    created = group(ram, "devs", "developers")
    got = ram.get_group(m.GetGroupRequest(group_name="devs")).body.group
    assert (got.group_id, got.group_name, got.comments) == (created.group_id, "devs", "developers")
    assert got.update_date == created.create_date


def test_duplicate_group_is_refused(ram: Ram) -> None:
    group(ram, "devs")
    expect_error("EntityAlreadyExists.Group", 409, lambda: group(ram, "devs"))


@pytest.mark.parametrize(("name", "comments", "code"), [
    ("g" * 65, None, "InvalidParameter.GroupName.Length"),
    ("bad name", None, "InvalidParameter.GroupName.InvalidChars"),
    ("ok", "c" * 129, "InvalidParameter.Comments.Length"),
])
def test_create_group_parameter_rules(ram: Ram, name: str, comments: str | None, code: str) -> None:
    expect_error(code, 400, lambda: group(ram, name, comments))


def test_group_limit_is_300(ram: Ram) -> None:
    for i in range(300):
        group(ram, f"g{i}")
    expect_error("LimitExceeded.Group", 409, lambda: group(ram, "g300"))


def test_unknown_group_is_not_found(ram: Ram) -> None:
    expect_error("EntityNotExist.Group", 404, lambda: ram.get_group(m.GetGroupRequest(group_name="ghost")))


def test_update_group_renames_and_keeps_members(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    join(ram, "devs", "alice")
    got = ram.update_group(m.UpdateGroupRequest(group_name="devs", new_group_name="builders",
                                                new_comments="renamed")).body.group
    assert (got.group_name, got.comments) == ("builders", "renamed")
    groups = ram.list_groups_for_user(m.ListGroupsForUserRequest(user_name="alice")).body.groups.group
    assert [g.group_name for g in groups] == ["builders"]
    expect_error("EntityNotExist.Group", 404, lambda: ram.get_group(m.GetGroupRequest(group_name="devs")))


def test_update_group_new_name_rules_and_conflict(ram: Ram) -> None:
    group(ram, "a")
    group(ram, "b")
    expect_error("InvalidParameter.NewGroupName.InvalidChars", 400,
                 lambda: ram.update_group(m.UpdateGroupRequest(group_name="a", new_group_name="x y")))
    expect_error("EntityAlreadyExists.Group", 409,
                 lambda: ram.update_group(m.UpdateGroupRequest(group_name="a", new_group_name="b")))


def test_list_groups_pages_with_marker(ram: Ram) -> None:
    for i in range(5):
        group(ram, f"g{i}")
    first = ram.list_groups(m.ListGroupsRequest(max_items=3)).body
    second = ram.list_groups(m.ListGroupsRequest(max_items=3, marker=first.marker)).body
    assert [g.group_name for g in first.groups.group] == ["g0", "g1", "g2"] and first.is_truncated
    assert [g.group_name for g in second.groups.group] == ["g3", "g4"] and not second.is_truncated
    assert second.marker is None


def test_membership_is_listed_both_ways_with_join_dates(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    join(ram, "devs", "alice")
    groups = ram.list_groups_for_user(m.ListGroupsForUserRequest(user_name="alice")).body.groups.group
    users = ram.list_users_for_group(m.ListUsersForGroupRequest(group_name="devs")).body.users.user
    assert [g.group_name for g in groups] == ["devs"] and groups[0].join_date
    assert [u.user_name for u in users] == ["alice"] and users[0].join_date == groups[0].join_date


def test_list_users_for_group_pages_with_marker(ram: Ram) -> None:
    group(ram, "devs")
    for i in range(5):
        user(ram, f"u{i}")
        join(ram, "devs", f"u{i}")
    first = ram.list_users_for_group(m.ListUsersForGroupRequest(group_name="devs", max_items=2)).body
    rest = ram.list_users_for_group(m.ListUsersForGroupRequest(group_name="devs", max_items=10,
                                                               marker=first.marker)).body
    assert [u.user_name for u in first.users.user + rest.users.user] == [f"u{i}" for i in range(5)]
    assert (first.is_truncated, rest.is_truncated) == (True, False)


def test_joining_twice_is_refused(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    join(ram, "devs", "alice")
    expect_error("EntityAlreadyExists.User.Group", 409, lambda: join(ram, "devs", "alice"))


def test_user_joins_at_most_10_groups(ram: Ram) -> None:
    user(ram, "alice")
    for i in range(11):
        group(ram, f"g{i}")
    for i in range(10):
        join(ram, f"g{i}", "alice")
    expect_error("LimitExceeded.User.Group", 409, lambda: join(ram, "g10", "alice"))


def test_join_needs_both_entities(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    expect_error("EntityNotExist.User", 404, lambda: join(ram, "devs", "ghost"))
    expect_error("EntityNotExist.Group", 404, lambda: join(ram, "ghost", "alice"))


def test_removing_a_non_member_is_refused(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    expect_error("EntityNotExist.User.Group", 404, lambda: ram.remove_user_from_group(
        m.RemoveUserFromGroupRequest(group_name="devs", user_name="alice")))


def test_delete_group_with_members_then_policies_is_refused(ram: Ram) -> None:
    group(ram, "devs")
    user(ram, "alice")
    join(ram, "devs", "alice")
    ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(
        group_name="devs", policy_type="System", policy_name="ReadOnlyAccess"))
    delete: Callable[[], Any] = lambda: ram.delete_group(m.DeleteGroupRequest(group_name="devs"))  # noqa: E731
    expect_error("DeleteConflict.Group.User", 409, delete)
    ram.remove_user_from_group(m.RemoveUserFromGroupRequest(group_name="devs", user_name="alice"))
    expect_error("DeleteConflict.Group.Policy", 409, delete)
    ram.detach_policy_from_group(m.DetachPolicyFromGroupRequest(
        group_name="devs", policy_type="System", policy_name="ReadOnlyAccess"))
    delete()
    expect_error("EntityNotExist.Group", 404, lambda: ram.get_group(m.GetGroupRequest(group_name="devs")))
