"""ResourceManager's wire layer (resourcemanager20200331==2.6.2 shapes): parse, call, serialise.

Lists are wrapped (``ResourceGroups.ResourceGroup[]``, ``PolicyAttachments.PolicyAttachment[]``)
and paged with PageNumber (>= 1, default 1) and PageSize (1-100, default 10), per the SDK's
request models. Permissions:
- resource-group operations are checked as ``ram:<Action>`` on
  ``acs:ram:*:<account>:resourcegroup/<id>``, as their API pages' authorization tables say
  (e.g. help.aliyun.com/zh/resource-management/developer-reference/
  api-resourcemanager-2020-03-31-deleteresourcegroup-rg; the RAM policy examples use
  ``ram:*ResourceGroup*``: alibabacloud.com/help/en/resource-management/use-cases/
  example-of-the-ram-policy-for-resource-groups);
- AttachPolicy/DetachPolicy/ListPolicyAttachments publish no authorization table; they are
  checked as ``resourcemanager:<Action>`` on ``acs:resourcemanager:*:<account>:resourcegroup/<id>``
  (UNCONFIRMED).
"""

from __future__ import annotations

from typing import Any

from localcloud.core.clock import iso
from localcloud.core.errors import CloudError
from localcloud.pop.service import Call, Service
from localcloud.resourcemanager import errors
from localcloud.resourcemanager.models import PolicyAttachment, ResourceGroup

service = Service("resourcemanager", "2020-03-31", "resourcemanager.aliyuncs.com", errors.NoPermission)


def _group_arn(call: Call) -> str:
    group_id = call.params.str("ResourceGroupId") or "*"
    return f"acs:ram:*:{call.state.account.account_id}:resourcegroup/{group_id}"


def _scope_arn(call: Call) -> str:
    scope = call.params.str("ResourceGroupId")
    if not scope:
        return "*"
    return f"acs:resourcemanager:*:{call.state.account.account_id}:resourcegroup/{scope}"


def _group_body(call: Call, group: ResourceGroup, *, status: str | None = None, regions: bool = True,
                tags: bool = False) -> dict[str, Any]:
    shown = status or group.status
    body: dict[str, Any] = {
        "AccountId": call.state.account.account_id,
        "CreateDate": iso(group.create_date),
        "DisplayName": group.display_name,
        "Id": group.id,
        "Name": group.name,
        "Status": shown,
    }
    if regions:
        body["RegionStatuses"] = {"RegionStatus": [{"RegionId": call.state.account.region, "Status": shown}]}
    if tags:
        body["Tags"] = {"Tag": [{"TagKey": k, "TagValue": v} for k, v in group.tags.items()]}
    return body


def _required(call: Call, name: str, missing: type[CloudError]) -> str:
    """CreateResourceGroup answers ``MissingParameter.<Name>`` (its error table), not the
    gateway's ``Missing<Name>``."""
    value = call.params.str(name)
    if not value:
        raise missing()
    return value


def _tags(call: Call) -> dict[str, str]:
    return {t.get("Key", ""): t.get("Value", "") for t in call.params.objects("Tag")}


def _page(call: Call) -> tuple[int, int]:
    return call.params.int("PageNumber", 1, low=1), call.params.int("PageSize", 10, low=1, high=100)


@service.action("CreateResourceGroup", permission="ram:CreateResourceGroup",
                resource=lambda call: f"acs:ram:*:{call.state.account.account_id}:resourcegroup/*")
def create_resource_group(call: Call) -> dict[str, Any]:
    name = _required(call, "Name", errors.MissingParameterName)
    display_name = _required(call, "DisplayName", errors.MissingParameterDisplayName)
    group = call.state.rm.create_resource_group(name, display_name, _tags(call))
    # The API answers while the group is still being created (the SDK sample shows "Creating");
    # localcloud's group is usable at once and GetResourceGroup reports "OK".
    return {"ResourceGroup": _group_body(call, group, status="Creating")}


@service.action("GetResourceGroup", permission="ram:GetResourceGroup", resource=_group_arn)
def get_resource_group(call: Call) -> dict[str, Any]:
    group = call.state.rm.get_resource_group(call.params.required("ResourceGroupId"))
    return {"ResourceGroup": _group_body(call, group, tags=call.params.bool("IncludeTags"))}


@service.action("ListResourceGroups", permission="ram:ListResourceGroups", resource=_group_arn)
def list_resource_groups(call: Call) -> dict[str, Any]:
    p = call.params
    page_number, page_size = _page(call)
    # "If you set both ResourceGroupId and ResourceGroupIds, ResourceGroupIds takes precedence."
    single = p.str("ResourceGroupId")
    group_ids = p.list("ResourceGroupIds") or ([single] if single else [])
    tag_filter = {t.get("Key", ""): t.get("Value") for t in p.objects("Tag")}
    page = call.state.rm.list_resource_groups(
        name=p.str("Name"), display_name=p.str("DisplayName"), group_ids=group_ids, status=p.str("Status"),
        tags=tag_filter, page_number=page_number, page_size=page_size,
    )
    # "If you specify tag-based filter conditions, tag information is always returned."
    with_tags = p.bool("IncludeTags") or bool(tag_filter)
    return {
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": page.total,
        "ResourceGroups": {
            "ResourceGroup": [_group_body(call, g, regions=False, tags=with_tags) for g in page.items]
        },
    }


@service.action("UpdateResourceGroup", permission="ram:UpdateResourceGroup", resource=_group_arn)
def update_resource_group(call: Call) -> dict[str, Any]:
    group = call.state.rm.update_resource_group(
        call.params.required("ResourceGroupId"), call.params.required("NewDisplayName")
    )
    body = _group_body(call, group, regions=False)
    del body["Status"]  # UpdateResourceGroupResponseBodyResourceGroup has no Status
    return {"ResourceGroup": body}


@service.action("DeleteResourceGroup", permission="ram:DeleteResourceGroup", resource=_group_arn)
def delete_resource_group(call: Call) -> dict[str, Any]:
    group = call.state.rm.delete_resource_group(call.params.required("ResourceGroupId"))
    return {"ResourceGroup": _group_body(call, group)}


def _attachment_args(call: Call) -> tuple[str, str, str, str, str]:
    p = call.params
    return (
        p.required("PolicyType"),
        p.required("PolicyName"),
        p.required("PrincipalType"),
        p.required("PrincipalName"),
        p.required("ResourceGroupId"),
    )


@service.action("AttachPolicy", resource=_scope_arn)
def attach_policy(call: Call) -> dict[str, Any]:
    call.state.rm.attach_policy(*_attachment_args(call))
    return {}


@service.action("DetachPolicy", resource=_scope_arn)
def detach_policy(call: Call) -> dict[str, Any]:
    call.state.rm.detach_policy(*_attachment_args(call))
    return {}


def _attachment_body(call: Call, attachment: PolicyAttachment) -> dict[str, Any]:
    policy = call.state.ram.policy((attachment.policy_type, attachment.policy_name))
    return {
        "AttachDate": iso(attachment.attach_date),
        # Language (en, zh-CN, ja) picks the system policy's description language; localcloud
        # keeps one (English) description per policy.
        "Description": policy.description if policy is not None else "",
        "PolicyName": attachment.policy_name,
        "PolicyType": attachment.policy_type,
        "PrincipalName": attachment.principal_name,
        "PrincipalType": attachment.principal_type,
        "ResourceGroupId": attachment.resource_group_id,
    }


@service.action("ListPolicyAttachments", resource=_scope_arn)
def list_policy_attachments(call: Call) -> dict[str, Any]:
    p = call.params
    page_number, page_size = _page(call)
    page = call.state.rm.list_policy_attachments(
        policy_name=p.str("PolicyName"), policy_type=p.str("PolicyType"), principal_name=p.str("PrincipalName"),
        principal_type=p.str("PrincipalType"), resource_group_id=p.str("ResourceGroupId"),
        page_number=page_number, page_size=page_size,
    )
    return {
        "PageNumber": page_number,
        "PageSize": page_size,
        "TotalCount": page.total,
        "PolicyAttachments": {"PolicyAttachment": [_attachment_body(call, a) for a in page.items]},
    }
