"""Roles on the wire (ram20150501==1.3.0 models/_create_role_*, _get_role_*, _update_role_*, _list_roles_*)."""

from __future__ import annotations

from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call
from localcloud.ram.models.entities import Role
from localcloud.ram.responses._common import every, on, opt_bool, opt_int, page_fields, service, tags, tags_body

_role = on("role", "RoleName")


def role_body(call: Call, role: Role, *, document: bool = True, update_date: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "RoleId": role.role_id,
        "RoleName": role.role_name,
        "Arn": call.state.ram.role_arn(role),
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
        "AllowConsoleLogin": role.allow_console_login,
        "CreateDate": iso(role.create_date),
    }
    if document:
        body["AssumeRolePolicyDocument"] = role.assume_role_policy_document
    if update_date:
        body["UpdateDate"] = iso(role.update_date)
    return body


@service.action("CreateRole", resource=_role)
def create_role(call: Call) -> dict[str, Any]:
    p = call.params
    role = call.state.ram.create_role(
        p.required("RoleName"),
        p.required("AssumeRolePolicyDocument"),
        p.str("Description"),
        opt_int(p, "MaxSessionDuration"),
        opt_bool(p, "AllowConsoleLogin"),
        tags(p),
    )
    return {"Role": role_body(call, role, update_date=False)}


@service.action("GetRole", resource=_role)
def get_role(call: Call) -> dict[str, Any]:
    ram = call.state.ram
    role = ram.get_role(call.params.required("RoleName"))
    return {
        "Role": {
            **role_body(call, role),
            "IsServiceLinkedRole": False,
            "RolePrincipalName": ram.role_principal_name(role),
        }
    }


@service.action("UpdateRole", resource=_role)
def update_role(call: Call) -> dict[str, Any]:
    p = call.params
    role = call.state.ram.update_role(
        p.required("RoleName"),
        p.str("NewAssumeRolePolicyDocument"),
        p.str("NewDescription"),
        opt_int(p, "NewMaxSessionDuration"),
        opt_bool(p, "NewAllowConsoleLogin"),
    )
    return {"Role": role_body(call, role)}


@service.action("ListRoles", resource=every("role"))
def list_roles(call: Call) -> dict[str, Any]:
    p = call.params
    page = call.state.ram.list_roles(tags(p), p.str("Marker"), p.int("MaxItems", 100))
    roles = [{**role_body(call, r, document=False), "Tags": tags_body(r.tags)} for r in page.items]
    return {**page_fields(page.is_truncated, page.marker), "Roles": {"Role": roles}}


@service.action("DeleteRole", resource=_role)
def delete_role(call: Call) -> dict[str, Any]:
    call.state.ram.delete_role(call.params.required("RoleName"))
    return {}
