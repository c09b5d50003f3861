"""ResourceManager's state and rules: resource groups and policy attachments.

An attachment binds a policy to a principal (``IMSUser`` ``user@<alias>.onaliyun.com``,
``IMSGroup``, ``ServiceRole``) at a scope: the account (``ResourceGroupId`` = account id)
or one resource group. A group-scoped attachment authorises only resources that belong
to that group; localcloud keeps a resource -> group map set through the admin routes.
The authorizer (policy/authorizer.py) reads ``attachments_for`` and ``resource_group_of``.
Source: ../shared/reference/alibaba-platform.md §A.6. Responses never enforce a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Generic, TypeVar

from localcloud.core import ids
from localcloud.core.errors import CloudError
from localcloud.resourcemanager import errors

if TYPE_CHECKING:
    from localcloud.state import CloudState


class ResourceGroupStatus(str, Enum):
    CREATING = "Creating"
    OK = "OK"
    PENDING_DELETE = "PendingDelete"


class PrincipalType(str, Enum):
    IMS_USER = "IMSUser"
    IMS_GROUP = "IMSGroup"
    SERVICE_ROLE = "ServiceRole"


@dataclass
class ResourceGroup:
    id: str
    name: str
    display_name: str
    create_date: datetime
    status: str = ResourceGroupStatus.OK.value
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class PolicyAttachment:
    policy_name: str
    policy_type: str
    principal_name: str
    """Canonical form ``<name>@<domain>`` with the account's current alias."""
    principal_type: str
    resource_group_id: str
    attach_date: datetime


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    """How many records match the filters, across all pages (``TotalCount``)."""


# --- limits and formats ------------------------------------------------------------------

MAX_RESOURCE_GROUPS = 30
"""CreateResourceGroup: "A maximum of 30 resource groups can be created within an Alibaba Cloud
account." (alibabacloud.com/help/en/resource-management/api-createresourcegroup)."""

# Name: "2 to 50 characters ... letters, digits, and hyphens (-). It must start with a letter."
# DisplayName: 1 to 50 characters (resourcemanager20200331==2.6.2 _create_resource_group_request.py).
_GROUP_NAME_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_GROUP_ID = re.compile(r"^rg-[A-Za-z0-9]+$")
# PolicyName: 1 to 128 characters, letters, digits and hyphens (_attach_policy_request.py).
_POLICY_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_FORBIDDEN_TAG_PREFIXES = ("aliyun", "acs:")
_URL_MARKERS = ("http://", "https://")


def principal_domain(principal_type: PrincipalType, alias: str) -> str:
    """The suffix of a principal's name (AttachPolicy's PrincipalName doc, §A.6)."""
    if principal_type is PrincipalType.IMS_USER:
        return f"{alias}.onaliyun.com"
    if principal_type is PrincipalType.IMS_GROUP:
        return f"group.{alias}.onaliyun.com"
    return f"role.{alias}.onaliyunservice.com"


def parse_principal_type(value: str) -> PrincipalType:
    try:
        return PrincipalType(value)
    except ValueError:
        raise errors.InvalidParameterPrincipalType() from None


def validate_policy_type(value: str) -> None:
    if value not in ("System", "Custom"):
        raise errors.InvalidParameterPolicyType()


def validate_policy_name(value: str) -> None:
    if not 1 <= len(value) <= 128:
        raise errors.InvalidParameterPolicyNameLength()
    if not _POLICY_NAME.match(value):
        raise errors.InvalidParameterPolicyNameInvalidChars()


def validate_group_name(name: str) -> None:
    if not 2 <= len(name) <= 50:
        raise errors.InvalidParameterNameLength()
    if not _GROUP_NAME_CHARS.match(name):
        raise errors.InvalidParameterNameInvalidChars()


def validate_display_name(display_name: str) -> None:
    if not 1 <= len(display_name) <= 50:
        raise errors.InvalidParameterDisplayNameLength()


def validate_group_tags(tags: dict[str, str]) -> None:
    """Tag rules from CreateResourceGroupRequestTag's docstring: key and value up to 128
    characters, neither starting with ``aliyun`` or ``acs:``, neither containing a URL scheme."""
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or key.startswith(_FORBIDDEN_TAG_PREFIXES) or any(m in key for m in _URL_MARKERS):
            raise errors.InvalidParameterTagKey(f"The tag key {key!r} is invalid.")
        if len(value) > 128 or value.startswith(_FORBIDDEN_TAG_PREFIXES) or any(m in value for m in _URL_MARKERS):
            raise errors.InvalidParameterTagValue(f"The value of tag {key!r} is invalid.")


@dataclass
class RmBackend:
    state: CloudState
    resource_groups: dict[str, ResourceGroup] = field(default_factory=dict)
    attachments: list[PolicyAttachment] = field(default_factory=list)
    resource_membership: dict[str, str] = field(default_factory=dict)
    """Resource ARN (or ARN pattern) -> resource group id."""

    # --- lookups the authorizer uses --------------------------------------------------

    def attachments_for(self, principal_type: str, principal_name: str) -> list[PolicyAttachment]:
        lowered = principal_name.lower()
        return [
            a
            for a in self.attachments
            if a.principal_type == principal_type and a.principal_name.lower() == lowered
        ]

    def resource_group_of(self, resource: str) -> str | None:
        from localcloud.core.wildcards import wildcard_match

        exact = self.resource_membership.get(resource)
        if exact is not None:
            return exact
        for pattern, group_id in self.resource_membership.items():
            if wildcard_match(pattern, resource):
                return group_id
        return None

    # --- resource groups ----------------------------------------------------------------

    def create_resource_group(self, name: str, display_name: str, tags: dict[str, str]) -> ResourceGroup:
        validate_group_name(name)
        validate_display_name(display_name)
        validate_group_tags(tags)
        if any(g.name == name for g in self.resource_groups.values()):
            raise errors.EntityAlreadyExistsResourceGroup(f"The resource group {name!r} already exists.")
        if len(self.resource_groups) >= MAX_RESOURCE_GROUPS:
            raise errors.LimitExceededResourceGroup()
        group = ResourceGroup(ids.resource_group_id(), name, display_name, self.state.clock.now(), tags=dict(tags))
        self.resource_groups[group.id] = group
        return group

    def get_resource_group(self, group_id: str) -> ResourceGroup:
        if not _GROUP_ID.match(group_id):
            raise errors.InvalidParameterResourceGroupId()
        group = self.resource_groups.get(group_id)
        if group is None:
            raise errors.EntityNotExistsResourceGroup()
        return group

    def list_resource_groups(
        self,
        *,
        name: str | None,
        display_name: str | None,
        group_ids: list[str],
        status: str | None,
        tags: dict[str, str | None],
        page_number: int,
        page_size: int,
    ) -> Page[ResourceGroup]:
        """Name and DisplayName match fuzzily (substring), as ListResourceGroupsRequest documents."""
        found = [
            g
            for g in self.resource_groups.values()
            if (not name or name in g.name)
            and (not display_name or display_name in g.display_name)
            and (not group_ids or g.id in group_ids)
            and (not status or g.status == status)
            and all(k in g.tags and (v is None or g.tags[k] == v) for k, v in tags.items())
        ]
        start = (page_number - 1) * page_size
        return Page(found[start : start + page_size], len(found))

    def update_resource_group(self, group_id: str, new_display_name: str) -> ResourceGroup:
        group = self.get_resource_group(group_id)
        validate_display_name(new_display_name)
        group.display_name = new_display_name
        return group

    def delete_resource_group(self, group_id: str) -> ResourceGroup:
        """Deletion is asynchronous in the cloud (the answer says ``PendingDelete``); localcloud
        forgets the group at once. A group that still holds resources cannot be deleted."""
        group = self.get_resource_group(group_id)
        if group_id in self.resource_membership.values():
            raise errors.DeleteConflictResourceGroupResource()
        if any(a.resource_group_id == group_id for a in self.attachments):
            raise errors.DeleteConflictResourceGroupPolicyAttachment()
        del self.resource_groups[group_id]
        group.status = ResourceGroupStatus.PENDING_DELETE.value
        return group

    # --- policy attachments -----------------------------------------------------------

    def _scope(self, resource_group_id: str) -> str:
        """The account id (account scope) or an existing resource group id."""
        if resource_group_id == self.state.account.account_id or resource_group_id in self.resource_groups:
            return resource_group_id
        raise errors.EntityNotExistsResourceGroup()

    def _principal(self, principal_type: PrincipalType, principal_name: str, *, must_exist: bool) -> str:
        """Check ``<name>@<domain>`` against the account's current alias; return the canonical name.

        A wrong domain names a principal of no account localcloud knows, so it answers like
        a missing principal (UNCONFIRMED: the cloud may answer an InvalidParameter code).
        """
        expected = principal_domain(principal_type, self.state.account.alias)
        name, sep, domain = principal_name.rpartition("@")
        missing: type[CloudError] = {
            PrincipalType.IMS_USER: errors.EntityNotExistUser,
            PrincipalType.IMS_GROUP: errors.EntityNotExistGroup,
            PrincipalType.SERVICE_ROLE: errors.EntityNotExistRole,
        }[principal_type]
        if not sep or not name or domain.lower() != expected.lower():
            raise missing(f"The principal {principal_name!r} does not exist; expected <name>@{expected}.")
        if must_exist:
            ram = self.state.ram
            tables: dict[PrincipalType, Mapping[str, object]] = {
                PrincipalType.IMS_USER: ram.users,
                PrincipalType.IMS_GROUP: ram.groups,
                PrincipalType.SERVICE_ROLE: ram.roles,
            }
            if name not in tables[principal_type]:
                raise missing(f"The principal {principal_name!r} does not exist.")
        return f"{name}@{expected}"

    def _find(self, policy_type: str, policy_name: str, principal_type: str, principal_name: str, scope: str) -> int:
        lowered = principal_name.lower()
        for index, a in enumerate(self.attachments):
            if (
                a.policy_type == policy_type
                and a.policy_name == policy_name
                and a.principal_type == principal_type
                and a.principal_name.lower() == lowered
                and a.resource_group_id == scope
            ):
                return index
        return -1

    def attach_policy(
        self, policy_type: str, policy_name: str, principal_type: str, principal_name: str, resource_group_id: str
    ) -> PolicyAttachment:
        validate_policy_type(policy_type)
        validate_policy_name(policy_name)
        kind = parse_principal_type(principal_type)
        scope = self._scope(resource_group_id)
        if self.state.ram.policy((policy_type, policy_name)) is None:
            raise errors.EntityNotExistPolicy(f"The policy {policy_type}:{policy_name} does not exist.")
        canonical = self._principal(kind, principal_name, must_exist=True)
        if self._find(policy_type, policy_name, kind.value, canonical, scope) >= 0:
            raise {
                PrincipalType.IMS_USER: errors.EntityAlreadyExistsUserPolicy,
                PrincipalType.IMS_GROUP: errors.EntityAlreadyExistsGroupPolicy,
                PrincipalType.SERVICE_ROLE: errors.EntityAlreadyExistsRolePolicy,
            }[kind]()
        attachment = PolicyAttachment(policy_name, policy_type, canonical, kind.value, scope, self.state.clock.now())
        self.attachments.append(attachment)
        return attachment

    def detach_policy(
        self, policy_type: str, policy_name: str, principal_type: str, principal_name: str, resource_group_id: str
    ) -> None:
        """The principal need not exist any more: a grant left behind must stay removable."""
        validate_policy_type(policy_type)
        validate_policy_name(policy_name)
        kind = parse_principal_type(principal_type)
        scope = self._scope(resource_group_id)
        canonical = self._principal(kind, principal_name, must_exist=False)
        index = self._find(policy_type, policy_name, kind.value, canonical, scope)
        if index < 0:
            raise errors.EntityNotExistPolicy(
                f"The policy {policy_type}:{policy_name} is not attached to {principal_name} in scope {scope}."
            )
        del self.attachments[index]

    def list_policy_attachments(
        self,
        *,
        policy_name: str | None,
        policy_type: str | None,
        principal_name: str | None,
        principal_type: str | None,
        resource_group_id: str | None,
        page_number: int,
        page_size: int,
    ) -> Page[PolicyAttachment]:
        """Filters are exact (PrincipalName case-insensitively); records come in attach order
        (UNCONFIRMED: the cloud's order is not documented)."""
        wanted_principal = principal_name.lower() if principal_name else None
        found = [
            a
            for a in self.attachments
            if (not policy_name or a.policy_name == policy_name)
            and (not policy_type or a.policy_type == policy_type)
            and (not wanted_principal or a.principal_name.lower() == wanted_principal)
            and (not principal_type or a.principal_type == principal_type)
            and (not resource_group_id or a.resource_group_id == resource_group_id)
        ]
        start = (page_number - 1) * page_size
        return Page(found[start : start + page_size], len(found))

    def rename_alias(self, old_alias: str, new_alias: str) -> None:
        """IMS SetDefaultDomain changed the alias: principals keep their grants under the new
        domain (UNCONFIRMED: the cloud keys grants by principal id, so they follow the rename)."""
        for a in self.attachments:
            kind = PrincipalType(a.principal_type)
            name = a.principal_name.rpartition("@")[0]
            if a.principal_name.lower() == f"{name}@{principal_domain(kind, old_alias)}".lower():
                a.principal_name = f"{name}@{principal_domain(kind, new_alias)}"
