"""Policies, policy versions and attachments on the wire.

Shapes: ram20150501==1.3.0 models/_create_policy_response_body.py, _get_policy_response_body.py
(``Policy`` plus ``DefaultPolicyVersion`` with the document), _list_policies_response_body.py
(``AttachmentCount``, ``Tags.Tag[]``), _list_policy_versions_*, _list_policies_for_user_*,
_list_entities_for_policy_* (Users/Groups/Roles wrapped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call
from localcloud.ram.models.entities import Policy, PolicyVersion
from localcloud.ram.responses._common import every, on, page_fields, service, tags, tags_body

_policy = on("policy", "PolicyName")


def policy_body(policy: Policy) -> dict[str, Any]:
    return {
        "PolicyName": policy.policy_name,
        "PolicyType": policy.policy_type,
        "Description": policy.description,
        "DefaultVersion": policy.default_version,
        "CreateDate": iso(policy.create_date),
    }


def version_body(policy: Policy, version: PolicyVersion) -> dict[str, Any]:
    return {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.version_id == policy.default_version,
        "PolicyDocument": version.document,
        "CreateDate": iso(version.create_date),
    }


def attached_body(policy: Policy, attach_date: datetime) -> dict[str, Any]:
    return {
        "PolicyName": policy.policy_name,
        "PolicyType": policy.policy_type,
        "Description": policy.description,
        "DefaultVersion": policy.default_version,
        "AttachDate": iso(attach_date),
    }


# --- policies -----------------------------------------------------------------------------


@service.action("CreatePolicy", resource=_policy)
def create_policy(call: Call) -> dict[str, Any]:
    p = call.params
    policy = call.state.ram.create_policy(
        p.required("PolicyName"), p.required("PolicyDocument"), p.str("Description"), tags(p)
    )
    return {"Policy": policy_body(policy)}


@service.action("GetPolicy", resource=_policy)
def get_policy(call: Call) -> dict[str, Any]:
    ram = call.state.ram
    policy = ram.get_policy(call.params.required("PolicyType"), call.params.required("PolicyName"))
    default = policy.versions[policy.default_version]
    body = {
        **policy_body(policy),
        "UpdateDate": iso(policy.update_date),
        "PolicyDocument": default.document,
        "AttachmentCount": ram.attachment_count((policy.policy_type, policy.policy_name)),
    }
    return {"Policy": body, "DefaultPolicyVersion": version_body(policy, default)}


@service.action("ListPolicies", resource=every("policy"))
def list_policies(call: Call) -> dict[str, Any]:
    p = call.params
    ram = call.state.ram
    page = ram.list_policies(p.str("PolicyType"), tags(p), p.str("Marker"), p.int("MaxItems", 100))
    items = [
        {
            **policy_body(policy),
            "UpdateDate": iso(policy.update_date),
            "AttachmentCount": ram.attachment_count((policy.policy_type, policy.policy_name)),
            "Tags": tags_body(policy.tags),
        }
        for policy in page.items
    ]
    return {**page_fields(page.is_truncated, page.marker), "Policies": {"Policy": items}}


@service.action("UpdatePolicyDescription", resource=_policy)
def update_policy_description(call: Call) -> dict[str, Any]:
    policy = call.state.ram.update_policy_description(call.params.required("PolicyName"), call.params.str("NewDescription"))
    return {"Policy": {**policy_body(policy), "UpdateDate": iso(policy.update_date)}}


@service.action("DeletePolicy", resource=_policy)
def delete_policy(call: Call) -> dict[str, Any]:
    call.state.ram.delete_policy(call.params.required("PolicyName"), call.params.bool("CascadingDelete"))
    return {}


# --- versions -----------------------------------------------------------------------------


@service.action("CreatePolicyVersion", resource=_policy)
def create_policy_version(call: Call) -> dict[str, Any]:
    p = call.params
    ram = call.state.ram
    name = p.required("PolicyName")
    version = ram.create_policy_version(
        name, p.required("PolicyDocument"), p.bool("SetAsDefault"), p.str("RotateStrategy")
    )
    return {"PolicyVersion": version_body(ram.get_custom_policy(name), version)}


@service.action("GetPolicyVersion", resource=_policy)
def get_policy_version(call: Call) -> dict[str, Any]:
    p = call.params
    policy, version = call.state.ram.policy_version(
        p.required("PolicyType"), p.required("PolicyName"), p.required("VersionId")
    )
    return {"PolicyVersion": version_body(policy, version)}


@service.action("ListPolicyVersions", resource=_policy)
def list_policy_versions(call: Call) -> dict[str, Any]:
    p = call.params
    policy, versions = call.state.ram.list_policy_versions(p.required("PolicyType"), p.required("PolicyName"))
    return {"PolicyVersions": {"PolicyVersion": [version_body(policy, v) for v in versions]}}


@service.action("DeletePolicyVersion", resource=_policy)
def delete_policy_version(call: Call) -> dict[str, Any]:
    call.state.ram.delete_policy_version(call.params.required("PolicyName"), call.params.required("VersionId"))
    return {}


@service.action("SetDefaultPolicyVersion", resource=_policy)
def set_default_policy_version(call: Call) -> dict[str, Any]:
    call.state.ram.set_default_policy_version(call.params.required("PolicyName"), call.params.required("VersionId"))
    return {}


# --- attachments --------------------------------------------------------------------------


def _policy_args(call: Call) -> tuple[str, str]:
    return call.params.required("PolicyType"), call.params.required("PolicyName")


@service.action("AttachPolicyToUser", resource=on("user", "UserName"))
def attach_policy_to_user(call: Call) -> dict[str, Any]:
    call.state.ram.attach_policy_to_user(*_policy_args(call), call.params.required("UserName"))
    return {}


@service.action("DetachPolicyFromUser", resource=on("user", "UserName"))
def detach_policy_from_user(call: Call) -> dict[str, Any]:
    call.state.ram.detach_policy_from_user(*_policy_args(call), call.params.required("UserName"))
    return {}


@service.action("AttachPolicyToGroup", resource=on("group", "GroupName"))
def attach_policy_to_group(call: Call) -> dict[str, Any]:
    call.state.ram.attach_policy_to_group(*_policy_args(call), call.params.required("GroupName"))
    return {}


@service.action("DetachPolicyFromGroup", resource=on("group", "GroupName"))
def detach_policy_from_group(call: Call) -> dict[str, Any]:
    call.state.ram.detach_policy_from_group(*_policy_args(call), call.params.required("GroupName"))
    return {}


@service.action("AttachPolicyToRole", resource=on("role", "RoleName"))
def attach_policy_to_role(call: Call) -> dict[str, Any]:
    call.state.ram.attach_policy_to_role(*_policy_args(call), call.params.required("RoleName"))
    return {}


@service.action("DetachPolicyFromRole", resource=on("role", "RoleName"))
def detach_policy_from_role(call: Call) -> dict[str, Any]:
    call.state.ram.detach_policy_from_role(*_policy_args(call), call.params.required("RoleName"))
    return {}


@service.action("ListPoliciesForUser", resource=on("user", "UserName"))
def list_policies_for_user(call: Call) -> dict[str, Any]:
    rows = call.state.ram.policies_for_user(call.params.required("UserName"))
    return {"Policies": {"Policy": [attached_body(p, when) for p, when in rows]}}


@service.action("ListPoliciesForGroup", resource=on("group", "GroupName"))
def list_policies_for_group(call: Call) -> dict[str, Any]:
    rows = call.state.ram.policies_for_group(call.params.required("GroupName"))
    return {"Policies": {"Policy": [attached_body(p, when) for p, when in rows]}}


@service.action("ListPoliciesForRole", resource=on("role", "RoleName"))
def list_policies_for_role(call: Call) -> dict[str, Any]:
    rows = call.state.ram.policies_for_role(call.params.required("RoleName"))
    return {"Policies": {"Policy": [attached_body(p, when) for p, when in rows]}}


@service.action("ListEntitiesForPolicy", resource=_policy)
def list_entities_for_policy(call: Call) -> dict[str, Any]:
    ram = call.state.ram
    found = ram.list_entities_for_policy(*_policy_args(call))
    users = [
        {"UserId": u.user_id, "UserName": u.user_name, "DisplayName": u.display_name, "AttachDate": iso(when)}
        for u, when in found.users
    ]
    groups = [{"GroupName": g.group_name, "Comments": g.comments, "AttachDate": iso(when)} for g, when in found.groups]
    roles = [
        {
            "RoleId": r.role_id,
            "RoleName": r.role_name,
            "Arn": ram.role_arn(r),
            "Description": r.description,
            "AttachDate": iso(when),
        }
        for r, when in found.roles
    ]
    return {"Users": {"User": users}, "Groups": {"Group": groups}, "Roles": {"Role": roles}}
