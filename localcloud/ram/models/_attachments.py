"""Attaching policies to users, groups and roles, and listing attachments.

Limits (alibaba-platform.md §A.4; the GetAccountSummary example for groups and roles): a user
takes 20 system and 10 custom policies, a group or a role 20 system and 5 custom; past them
``LimitExceeded.{User,Group,Role}.Policy``. Attaching twice answers
``EntityAlreadyExists.<Entity>.Policy``, detaching what is not attached
``EntityNotExist.<Entity>.Policy``. The optional ``ResourceGroupId`` of the RAM attach
operations is accepted and ignored (its effect is UNCONFIRMED, §A.1); resource-group grants go
through ResourceManager AttachPolicy.
"""

from __future__ import annotations

from datetime import datetime

from localcloud.core.errors import CloudError
from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import PolicyEntities, RamBase
from localcloud.ram.models.entities import Policy, PolicyKey

Attachments = dict[PolicyKey, datetime]


def _limits(attached: Attachments, policy_type: str, system_limit: int, custom_limit: int) -> bool:
    """True when one more policy of ``policy_type`` would pass the limit."""
    count = sum(1 for t, _ in attached if t == policy_type)
    return count >= (system_limit if policy_type == "System" else custom_limit)


class AttachmentOps(RamBase):
    def _attach(
        self,
        attached: Attachments,
        policy: Policy,
        limits: tuple[int, int],
        exists: type[CloudError],
        exceeded: type[CloudError],
    ) -> None:
        key: PolicyKey = (policy.policy_type, policy.policy_name)
        if key in attached:
            raise exists()
        if _limits(attached, policy.policy_type, *limits):
            raise exceeded()
        attached[key] = self.now

    @staticmethod
    def _detach(attached: Attachments, policy: Policy, missing: type[CloudError]) -> None:
        key: PolicyKey = (policy.policy_type, policy.policy_name)
        if key not in attached:
            raise missing()
        del attached[key]

    # --- users ----------------------------------------------------------------------------

    def attach_policy_to_user(self, policy_type: str, policy_name: str, user_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        user = self.get_user(user_name)
        self._attach(
            user.policies, policy, (rules.MAX_SYSTEM_POLICIES_PER_USER, rules.MAX_CUSTOM_POLICIES_PER_USER),
            errors.EntityAlreadyExistsUserPolicy, errors.LimitExceededUserPolicy,
        )

    def detach_policy_from_user(self, policy_type: str, policy_name: str, user_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        self._detach(self.get_user(user_name).policies, policy, errors.EntityNotExistUserPolicy)

    def policies_for_user(self, user_name: str) -> list[tuple[Policy, datetime]]:
        return self._resolved(self.get_user(user_name).policies)

    # --- groups ---------------------------------------------------------------------------

    def attach_policy_to_group(self, policy_type: str, policy_name: str, group_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        group = self.get_group(group_name)
        self._attach(
            group.policies, policy, (rules.MAX_SYSTEM_POLICIES_PER_GROUP, rules.MAX_CUSTOM_POLICIES_PER_GROUP),
            errors.EntityAlreadyExistsGroupPolicy, errors.LimitExceededGroupPolicy,
        )

    def detach_policy_from_group(self, policy_type: str, policy_name: str, group_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        self._detach(self.get_group(group_name).policies, policy, errors.EntityNotExistGroupPolicy)

    def policies_for_group(self, group_name: str) -> list[tuple[Policy, datetime]]:
        return self._resolved(self.get_group(group_name).policies)

    # --- roles ----------------------------------------------------------------------------

    def attach_policy_to_role(self, policy_type: str, policy_name: str, role_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        role = self.get_role(role_name)
        self._attach(
            role.policies, policy, (rules.MAX_SYSTEM_POLICIES_PER_ROLE, rules.MAX_CUSTOM_POLICIES_PER_ROLE),
            errors.EntityAlreadyExistsRolePolicy, errors.LimitExceededRolePolicy,
        )

    def detach_policy_from_role(self, policy_type: str, policy_name: str, role_name: str) -> None:
        policy = self.get_policy(policy_type, policy_name)
        self._detach(self.get_role(role_name).policies, policy, errors.EntityNotExistRolePolicy)

    def policies_for_role(self, role_name: str) -> list[tuple[Policy, datetime]]:
        return self._resolved(self.get_role(role_name).policies)

    # --- listing --------------------------------------------------------------------------

    def _resolved(self, attached: Attachments) -> list[tuple[Policy, datetime]]:
        """Attached policies in attach order, skipping any that no longer exist."""
        out: list[tuple[Policy, datetime]] = []
        for key, when in attached.items():
            policy = self.policy(key)
            if policy is not None:
                out.append((policy, when))
        return out

    def list_entities_for_policy(self, policy_type: str, policy_name: str) -> PolicyEntities:
        policy = self.get_policy(policy_type, policy_name)
        return self.entities_for_policy((policy.policy_type, policy.policy_name))
