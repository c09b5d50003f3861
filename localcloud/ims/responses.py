"""IMS's wire layer (ims20190815==3.5.0 shapes): parse, call the rules, serialise.

IMS actions are authorised in RAM's namespace on all resources: ``ram:TagResources``,
``ram:UntagResources``, ``ram:ListTagResources``, ``ram:GetDefaultDomain``,
``ram:SetDefaultDomain`` (authorization tables of
alibabacloud.com/help/en/ram/developer-reference/api-ims-2019-08-15-tagresources and
help.aliyun.com/zh/ram/developer-reference/api-ims-2019-08-15-setdefaultdomain). No rule
lives here: see ims/models.py.
"""

from __future__ import annotations

from typing import Any

from localcloud.ims.models import Ims, Selector, TagPair
from localcloud.pop.params import Params
from localcloud.pop.service import Call, Service
from localcloud.ram import errors

service = Service("ram", "2019-08-15", "ims.aliyuncs.com", errors.NoPermission)


def _selector(params: Params) -> Selector:
    return Selector(params.required("ResourceType"), params.list("ResourceId"), params.list("ResourcePrincipalName"))


def _pairs(params: Params) -> list[TagPair]:
    return [(t.get("Key", ""), t.get("Value")) for t in params.objects("Tag")]


@service.action("TagResources")
def tag_resources(call: Call) -> dict[str, Any]:
    Ims(call.state).tag_resources(_selector(call.params), _pairs(call.params))
    return {}


@service.action("UntagResources")
def untag_resources(call: Call) -> dict[str, Any]:
    p = call.params
    Ims(call.state).untag_resources(_selector(p), p.list("TagKey"), p.bool("All"))
    return {}


@service.action("ListTagResources")
def list_tag_resources(call: Call) -> dict[str, Any]:
    p = call.params
    page = Ims(call.state).list_tag_resources(
        _selector(p), _pairs(p), p.int("PageSize", 100, low=1, high=100), p.str("NextToken")
    )
    body: dict[str, Any] = {
        "IsTruncated": page.next_token is not None,
        "TagResources": {
            "TagResource": [
                {"ResourceId": row.user.user_id, "ResourceType": "user", "TagKey": row.key, "TagValue": row.value}
                for row in page.rows
            ]
        },
    }
    if page.next_token is not None:
        body["NextToken"] = page.next_token
    return body


@service.action("GetDefaultDomain")
def get_default_domain(call: Call) -> dict[str, Any]:
    return {"DefaultDomainName": Ims(call.state).get_default_domain()}


@service.action("SetDefaultDomain")
def set_default_domain(call: Call) -> dict[str, Any]:
    domain = Ims(call.state).set_default_domain(call.params.required("DefaultDomainName"))
    return {"DefaultDomainName": domain}
