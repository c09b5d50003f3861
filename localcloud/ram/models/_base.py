"""What every RAM domain module shares: the backend's tables and the lookups that raise 404s.

:class:`localcloud.ram.models.RamBackend` combines the domain mixins (users, keys, groups,
policies, attachments, roles, MFA); each mixin derives from :class:`RamBase` so that mypy sees
the tables it reads. Only the backend's ``__init__`` creates them. Nothing here takes a lock:
every request already runs under the state lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models.entities import Group, PasswordPolicy, Policy, PolicyKey, Role, User, VirtualMFADevice

if TYPE_CHECKING:
    from localcloud.ram.models._keys import KeyHistory
    from localcloud.state import CloudState


@dataclass
class PolicyEntities:
    """Who a policy is attached to, each with its attach date."""

    users: list[tuple[User, datetime]] = field(default_factory=list)
    groups: list[tuple[Group, datetime]] = field(default_factory=list)
    roles: list[tuple[Role, datetime]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.users) + len(self.groups) + len(self.roles)


class RamBase:
    _state: CloudState
    users: dict[str, User]
    groups: dict[str, Group]
    system_policies: dict[str, Policy]
    custom_policies: dict[str, Policy]
    roles: dict[str, Role]
    mfa_devices: dict[str, VirtualMFADevice]
    """SerialNumber -> device."""
    password_policy: PasswordPolicy
    key_index: dict[str, str]
    """AccessKeyId -> user name, for authentication."""
    _key_history: dict[str, KeyHistory]
    """User id -> its keys over time (localcloud.ram.models._keys; not RAM state, not in snapshots)."""
    last_serial: int

    @property
    def now(self) -> datetime:
        return self._state.clock.now()

    @property
    def account_id(self) -> str:
        return self._state.account.account_id

    def next_serial(self) -> int:
        self.last_serial += 1
        return self.last_serial

    # --- lookups that answer the documented "does not exist" ------------------------------

    def get_user(self, user_name: str) -> User:
        rules.user_name(user_name)
        user = self.users.get(user_name)
        if user is None:
            raise errors.EntityNotExistUser(f"The user does not exist: {user_name}")
        return user

    def get_group(self, group_name: str) -> Group:
        rules.group_name(group_name)
        group = self.groups.get(group_name)
        if group is None:
            raise errors.EntityNotExistGroup(f"The group does not exist: {group_name}")
        return group

    def get_role(self, role_name: str) -> Role:
        rules.role_name(role_name)
        role = self.roles.get(role_name)
        if role is None:
            raise errors.EntityNotExistRole(f"The role does not exist: {role_name}")
        return role

    def get_policy(self, policy_type: str, policy_name: str) -> Policy:
        rules.policy_type(policy_type)
        rules.policy_name(policy_name)
        table = self.system_policies if policy_type == "System" else self.custom_policies
        policy = table.get(policy_name)
        if policy is None:
            raise errors.EntityNotExistPolicy(f"The policy does not exist: {policy_type} {policy_name}")
        return policy

    def get_custom_policy(self, policy_name: str) -> Policy:
        """Operations without a PolicyType parameter (DeletePolicy, versions) act on custom policies."""
        return self.get_policy("Custom", policy_name)

    def policy(self, key: PolicyKey) -> Policy | None:
        """The policy for an attachment key, or None (the authorizer skips a vanished policy)."""
        policy_type, name = key
        table = self.system_policies if policy_type == "System" else self.custom_policies
        return table.get(name)

    def entities_for_policy(self, key: PolicyKey) -> PolicyEntities:
        """Every user, group and role the policy is attached to, in creation order."""
        found = PolicyEntities()
        for user in sorted(self.users.values(), key=lambda u: u.serial):
            if key in user.policies:
                found.users.append((user, user.policies[key]))
        for group in sorted(self.groups.values(), key=lambda g: g.serial):
            if key in group.policies:
                found.groups.append((group, group.policies[key]))
        for role in sorted(self.roles.values(), key=lambda r: r.serial):
            if key in role.policies:
                found.roles.append((role, role.policies[key]))
        return found
