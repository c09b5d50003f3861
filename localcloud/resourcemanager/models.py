"""ResourceManager's state and rules: resource groups and policy attachments.

An attachment binds a policy to a principal (``IMSUser`` ``user@<alias>.onaliyun.com``,
``IMSGroup``, ``ServiceRole``) at a scope: the account (``ResourceGroupId`` = account id)
or one resource group. A group-scoped attachment authorises only resources that belong
to that group; localcloud keeps a resource -> group map set through the admin routes.
Source: ../shared/reference/alibaba-platform.md §A.6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localcloud.state import CloudState


@dataclass
class ResourceGroup:
    id: str
    name: str
    display_name: str
    create_date: datetime
    status: str = "OK"


@dataclass
class PolicyAttachment:
    policy_name: str
    policy_type: str
    principal_name: str
    principal_type: str
    resource_group_id: str
    attach_date: datetime


@dataclass
class RmBackend:
    state: CloudState
    resource_groups: dict[str, ResourceGroup] = field(default_factory=dict)
    attachments: list[PolicyAttachment] = field(default_factory=list)
    resource_membership: dict[str, str] = field(default_factory=dict)
    """Resource ARN (or ARN pattern) -> resource group id."""

    def attachments_for(self, principal_type: str, principal_name: str) -> list[PolicyAttachment]:
        lowered = principal_name.lower()
        return [
            a
            for a in self.attachments
            if a.principal_type == principal_type and a.principal_name.lower() == lowered
        ]

    def resource_group_of(self, resource: str) -> str | None:
        from localcloud.iam.policy import wildcard_match

        exact = self.resource_membership.get(resource)
        if exact is not None:
            return exact
        for pattern, group_id in self.resource_membership.items():
            if wildcard_match(pattern, resource):
                return group_id
        return None
