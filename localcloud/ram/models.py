"""RAM's state and every rule RAM enforces.

Holds users, groups, policies (system and custom), roles and virtual MFA devices, and
enforces the names, limits and error codes of ../shared/reference/alibaba-platform.md §A.
Responses (``responses.py``) only parse parameters and serialise what this returns.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from localcloud.core import ids
from localcloud.iam.system_policies import SYSTEM_POLICIES
from localcloud.ram import errors
from localcloud.ram.entities import (
    AccessKey,
    Group,
    PasswordPolicy,
    Policy,
    PolicyKey,
    PolicyVersion,
    Role,
    User,
    VirtualMFADevice,
)

if TYPE_CHECKING:
    from localcloud.state import CloudState

SYSTEM_POLICY_DATE = datetime.fromisoformat("2015-04-28T20:12:00+00:00")


def _system_policies() -> dict[str, Policy]:
    out: dict[str, Policy] = {}
    for spec in SYSTEM_POLICIES.values():
        out[spec.name] = Policy(
            policy_name=spec.name,
            policy_type="System",
            description=spec.description,
            create_date=SYSTEM_POLICY_DATE,
            update_date=SYSTEM_POLICY_DATE,
            default_version="v1",
            versions={"v1": PolicyVersion("v1", spec.document, SYSTEM_POLICY_DATE)},
        )
    return out


class RamBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.system_policies: dict[str, Policy] = _system_policies()
        self.custom_policies: dict[str, Policy] = {}
        self.roles: dict[str, Role] = {}
        self.mfa_devices: dict[str, VirtualMFADevice] = {}
        self.password_policy = PasswordPolicy()
        self.key_index: dict[str, str] = {}
        """AccessKeyId -> user name, for authentication."""

    @property
    def now(self) -> datetime:
        return self._state.clock.now()

    # --- lookups the authenticator and authorizer use ----------------------------------

    def find_access_key(self, access_key_id: str) -> tuple[User, AccessKey] | None:
        user_name = self.key_index.get(access_key_id)
        if user_name is None:
            return None
        user = self.users.get(user_name)
        if user is None or access_key_id not in user.access_keys:
            return None
        return user, user.access_keys[access_key_id]

    def policy(self, key: PolicyKey) -> Policy | None:
        policy_type, name = key
        table = self.system_policies if policy_type == "System" else self.custom_policies
        return table.get(name)

    def effective_user_policies(self, user_name: str) -> list[PolicyKey]:
        """The user's own attachments plus those of every group it belongs to."""
        user = self.users.get(user_name)
        if user is None:
            return []
        keys = list(user.policies)
        for group_name in user.groups:
            group = self.groups.get(group_name)
            if group is not None:
                keys.extend(group.policies)
        return keys

    def role_policies(self, role_name: str) -> list[PolicyKey]:
        role = self.roles.get(role_name)
        return list(role.policies) if role is not None else []

    # --- users --------------------------------------------------------------------------

    def create_user(
        self, user_name: str, display_name: str | None, comments: str | None, email: str | None, mobile_phone: str | None
    ) -> User:
        validate_user_name(user_name)
        validate_display_name(display_name)
        validate_comments(comments)
        if user_name in self.users:
            raise errors.EntityAlreadyExistsUser()
        if len(self.users) >= MAX_USERS:
            raise errors.LimitExceededUser()
        now = self.now
        user = User(
            user_id=ids.numeric_id(16),
            user_name=user_name,
            display_name=display_name or "",
            comments=comments or "",
            email=email or "",
            mobile_phone=mobile_phone or "",
            create_date=now,
            update_date=now,
        )
        self.users[user_name] = user
        return user

    def get_user(self, user_name: str) -> User:
        user = self.users.get(user_name)
        if user is None:
            raise errors.EntityNotExistUser(f"The user does not exist: {user_name}")
        return user

    # --- access keys --------------------------------------------------------------------

    def create_access_key(self, user_name: str) -> AccessKey:
        user = self.get_user(user_name)
        if len(user.access_keys) >= MAX_ACCESS_KEYS_PER_USER:
            raise errors.LimitExceededUserAccessKey()
        key = AccessKey(ids.access_key_id(), ids.access_key_secret(), "Active", self.now)
        user.access_keys[key.access_key_id] = key
        self.key_index[key.access_key_id] = user_name
        return key


# --- limits and name rules (alibaba-platform.md §A.1, §A.4) -----------------------------

MAX_USERS = 5000
MAX_ACCESS_KEYS_PER_USER = 2
_USER_NAME = re.compile(r"^[A-Za-z0-9.\-_]+$")
_DISPLAY_NAME = re.compile(r"^[\w.@\-\u4e00-\u9fff ]+$")


def validate_user_name(name: str) -> None:
    if not 1 <= len(name) <= 64:
        raise errors.InvalidParameterUserNameLength()
    if not _USER_NAME.match(name):
        raise errors.InvalidParameterUserNameInvalidChars()


def validate_display_name(name: str | None) -> None:
    if name is None:
        return
    if not 1 <= len(name) <= 128:
        raise errors.InvalidParameterDisplayNameLength()
    if not _DISPLAY_NAME.match(name):
        raise errors.InvalidParameterDisplayNameInvalidChars()


def validate_comments(comments: str | None) -> None:
    if comments is not None and len(comments) > 128:
        raise errors.InvalidParameterCommentsLength()
