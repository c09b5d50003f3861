"""RAM user groups and membership.

Rules: 300 groups per account and 10 groups per user (alibaba-platform.md §A.4); names 1-64
letters, digits, ``. - _`` (ram20150501==1.3.0 models/_create_group_request.py); DeleteGroup
is refused with ``DeleteConflict.Group.User`` while the group has members, then with
``DeleteConflict.Group.Policy`` while policies are attached (the DeleteGroup page of
AlibabaCloudDocs/ram lists them in that order). A member inherits the group's policies
(see ``RamBackend.effective_user_policies``).
"""

from __future__ import annotations

from localcloud.core import ids
from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import RamBase
from localcloud.ram.models._paging import Page, paginate
from localcloud.ram.models.entities import Group, User


class GroupOps(RamBase):
    def create_group(self, group_name: str, comments: str | None) -> Group:
        rules.group_name(group_name)
        rules.comments(comments)
        if group_name in self.groups:
            raise errors.EntityAlreadyExistsGroup()
        if len(self.groups) >= rules.MAX_GROUPS:
            raise errors.LimitExceededGroup()
        now = self.now
        group = Group(
            group_id=ids.numeric_id(17),
            group_name=group_name,
            comments=comments or "",
            create_date=now,
            update_date=now,
            serial=self.next_serial(),
        )
        self.groups[group_name] = group
        return group

    def update_group(self, group_name: str, new_group_name: str | None, new_comments: str | None) -> Group:
        group = self.get_group(group_name)
        if new_group_name is not None:
            rules.group_name(new_group_name, new=True)
        rules.comments(new_comments, new=True)
        if new_group_name is not None and new_group_name != group_name:
            if new_group_name in self.groups:
                raise errors.EntityAlreadyExistsGroup(f"The group does already EXIST: {new_group_name}")
            self._rename_group(group, new_group_name)
        if new_comments is not None:
            group.comments = new_comments
        group.update_date = self.now
        return group

    def _rename_group(self, group: Group, new_name: str) -> None:
        old_name = group.group_name
        del self.groups[old_name]
        group.group_name = new_name
        self.groups[new_name] = group
        for member in group.members:
            user = self.users.get(member)
            if user is not None:
                user.groups = [new_name if g == old_name else g for g in user.groups]
        # ResourceManager names a group principal <GroupName>@group.<default domain> (§A.6).
        domain = self._state.account.default_domain
        old_principal = f"{old_name}@group.{domain}".lower()
        for attachment in self._state.rm.attachments:
            if attachment.principal_type == "IMSGroup" and attachment.principal_name.lower() == old_principal:
                attachment.principal_name = f"{new_name}@group.{domain}"

    def list_groups(self, marker: str | None, max_items: int) -> Page[Group]:
        return paginate(list(self.groups.values()), lambda g: g.serial, marker, max_items)

    def delete_group(self, group_name: str) -> None:
        group = self.get_group(group_name)
        if group.members:
            raise errors.DeleteConflictGroupUser()
        if group.policies:
            raise errors.DeleteConflictGroupPolicy()
        del self.groups[group_name]

    def add_user_to_group(self, group_name: str, user_name: str) -> None:
        user = self.get_user(user_name)
        group = self.get_group(group_name)
        if user_name in group.members:
            raise errors.EntityAlreadyExistsUserGroup()
        if len(user.groups) >= rules.MAX_GROUPS_PER_USER:
            raise errors.LimitExceededUserGroup()
        group.members[user_name] = self.now
        user.groups.append(group_name)

    def remove_user_from_group(self, group_name: str, user_name: str) -> None:
        user = self.get_user(user_name)
        group = self.get_group(group_name)
        if user_name not in group.members:
            raise errors.EntityNotExistUserGroup()
        del group.members[user_name]
        user.groups.remove(group_name)

    def groups_for_user(self, user_name: str) -> list[tuple[Group, User]]:
        """The user's groups in joining order, each with the user (for JoinDate)."""
        user = self.get_user(user_name)
        return [(self.groups[g], user) for g in user.groups if g in self.groups]

    def users_for_group(self, group_name: str, marker: str | None, max_items: int) -> tuple[Group, Page[User]]:
        group = self.get_group(group_name)
        members = [self.users[name] for name in group.members if name in self.users]
        return group, paginate(members, lambda u: u.serial, marker, max_items)
