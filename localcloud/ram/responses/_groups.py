"""User groups and membership on the wire (ram20150501==1.3.0 models/_create_group_* ... _list_users_for_group_*)."""

from __future__ import annotations

from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call
from localcloud.ram.models.entities import Group
from localcloud.ram.responses._common import every, on, page_fields, service

_group = on("group", "GroupName")


def group_body(group: Group, *, update_date: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "GroupId": group.group_id,
        "GroupName": group.group_name,
        "Comments": group.comments,
        "CreateDate": iso(group.create_date),
    }
    if update_date:
        body["UpdateDate"] = iso(group.update_date)
    return body


@service.action("CreateGroup", resource=_group)
def create_group(call: Call) -> dict[str, Any]:
    group = call.state.ram.create_group(call.params.required("GroupName"), call.params.str("Comments"))
    return {"Group": group_body(group, update_date=False)}


@service.action("GetGroup", resource=_group)
def get_group(call: Call) -> dict[str, Any]:
    return {"Group": group_body(call.state.ram.get_group(call.params.required("GroupName")))}


@service.action("UpdateGroup", resource=_group)
def update_group(call: Call) -> dict[str, Any]:
    p = call.params
    group = call.state.ram.update_group(p.required("GroupName"), p.str("NewGroupName"), p.str("NewComments"))
    return {"Group": group_body(group)}


@service.action("ListGroups", resource=every("group"))
def list_groups(call: Call) -> dict[str, Any]:
    page = call.state.ram.list_groups(call.params.str("Marker"), call.params.int("MaxItems", 100))
    return {**page_fields(page.is_truncated, page.marker), "Groups": {"Group": [group_body(g) for g in page.items]}}


@service.action("DeleteGroup", resource=_group)
def delete_group(call: Call) -> dict[str, Any]:
    call.state.ram.delete_group(call.params.required("GroupName"))
    return {}


@service.action("AddUserToGroup", resource=_group)
def add_user_to_group(call: Call) -> dict[str, Any]:
    call.state.ram.add_user_to_group(call.params.required("GroupName"), call.params.required("UserName"))
    return {}


@service.action("RemoveUserFromGroup", resource=_group)
def remove_user_from_group(call: Call) -> dict[str, Any]:
    call.state.ram.remove_user_from_group(call.params.required("GroupName"), call.params.required("UserName"))
    return {}


@service.action("ListGroupsForUser", resource=on("user", "UserName"))
def list_groups_for_user(call: Call) -> dict[str, Any]:
    rows = call.state.ram.groups_for_user(call.params.required("UserName"))
    return {
        "Groups": {
            "Group": [
                {
                    "GroupId": group.group_id,
                    "GroupName": group.group_name,
                    "Comments": group.comments,
                    "JoinDate": iso(group.members[user.user_name]),
                }
                for group, user in rows
            ]
        }
    }


@service.action("ListUsersForGroup", resource=_group)
def list_users_for_group(call: Call) -> dict[str, Any]:
    p = call.params
    group, page = call.state.ram.users_for_group(p.required("GroupName"), p.str("Marker"), p.int("MaxItems", 100))
    users = [
        {"UserName": u.user_name, "DisplayName": u.display_name, "JoinDate": iso(group.members[u.user_name])}
        for u in page.items
    ]
    return {**page_fields(page.is_truncated, page.marker), "Users": {"User": users}}
