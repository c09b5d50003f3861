"""``rampart.ports.Identities`` on RAM (2015-05-01), IMS (2019-08-15) and ResourceManager (2020-03-31).

- Users, keys, login profiles, MFA, groups and custom policies: RAM.
- User tags and the default domain: IMS (RAM 2015-05-01 tags only roles and policies,
  alibaba-platform.md §A.8).
- Grants at account and resource-group scope: :mod:`rampart.adapters.attachments` (RAM and
  ResourceManager; one ``Attachment`` per grant whichever API shows it).

Every call goes through ``rampart.adapters.retry.call`` and every list is read to its end. Reads answer
None / False / empty where the port says "not found" is an answer. The default domain and the
account id are read once per adapter (IMS GetDefaultDomain, STS GetCallerIdentity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from rampart.adapters._ram_calls import (
    MAX_TAGS_PER_CALL,
    RAM_PAGE_SIZE,
    _ims_models,
    _items,
    _ram_models,
    _rm_models,
    parse_time,
)
from rampart.adapters._ram_policies import RamPolicies
from rampart.adapters.retry import is_not_found
from rampart.errors import CloudError
from rampart.model import Attachment, ObservedKey, PasswordPolicy
from rampart.ports import NewAccessKey, UserFacts
from rampart.secret import Secret

__all__ = ["RamIdentities"]


class RamIdentities(RamPolicies):
    """``rampart.ports.Identities``: users, tags, login profiles, keys, MFA and groups here; custom
    policies in :class:`RamPolicies`; grants through :mod:`rampart.adapters.attachments`."""

    # --- reads ---------------------------------------------------------------------------

    def password_policy(self) -> PasswordPolicy:
        p = self._ram("GetPasswordPolicy", "get_password_policy").body.password_policy
        return PasswordPolicy(
            minimum_length=int(p.minimum_password_length or 8),
            require_lowercase=bool(p.require_lowercase_characters),
            require_uppercase=bool(p.require_uppercase_characters),
            require_numbers=bool(p.require_numbers),
            require_symbols=bool(p.require_symbols),
        )

    def get_user(self, user_name: str) -> UserFacts | None:
        try:
            user = self._ram("GetUser", "get_user", _ram_models().GetUserRequest(user_name=user_name)).body.user
        except CloudError as exc:
            if exc.code == "EntityNotExist.User":
                return None
            raise
        return UserFacts(str(user.user_name), str(user.user_id), str(user.display_name or ""),
                         str(user.comments or ""))

    def _tag_pages(self, **selector: Any) -> Iterator[Any]:
        m = _ims_models()
        token: str | None = None
        while True:
            request = m.ListTagResourcesRequest(resource_type="user", page_size=100, next_token=token, **selector)
            body = self._ims("ListTagResources", "list_tag_resources", request).body
            yield from _items(body.tag_resources, "tag_resource")
            token = body.next_token
            if not body.is_truncated or not token:
                return

    def user_tags(self, user_name: str) -> dict[str, str]:
        try:
            rows = list(self._tag_pages(resource_principal_name=[user_name]))
        except CloudError as exc:
            if exc.code == "EntityNotExist.User":
                return {}
            raise
        return {str(r.tag_key): str(r.tag_value or "") for r in rows}

    def users_tagged(self, key: str, value: str) -> list[str]:
        """IMS lists user *ids*; their names come from one paged RAM ListUsers."""
        tag = _ims_models().ListTagResourcesRequestTag(key=key, value=value)
        ids = {str(r.resource_id) for r in self._tag_pages(tag=[tag]) if r.tag_key == key and r.tag_value == value}
        if not ids:
            return []
        return sorted(str(u.user_name) for u in self._list_users() if str(u.user_id) in ids)

    def _list_users(self) -> Iterator[Any]:
        m = _ram_models()
        marker: str | None = None
        while True:
            body = self._ram("ListUsers", "list_users", m.ListUsersRequest(marker=marker, max_items=RAM_PAGE_SIZE)).body
            yield from _items(body.users, "user")
            marker = body.marker
            if not body.is_truncated or not marker:
                return

    def list_users(self) -> list[UserFacts]:
        return [UserFacts(str(u.user_name), str(u.user_id), str(u.display_name or "")) for u in self._list_users()]

    def key_last_used(self, user_name: str, access_key_id: str) -> datetime | None:
        """RAM answers no ``LastUsedDate`` (or an empty one) for a key never used."""
        request = _ram_models().GetAccessKeyLastUsedRequest(user_name=user_name, user_access_key_id=access_key_id)
        body = self._ram("GetAccessKeyLastUsed", "get_access_key_last_used", request).body
        text = body.access_key_last_used.last_used_date if body.access_key_last_used is not None else None
        return parse_time(text) if text else None

    def resource_group_exists(self, resource_group_id: str) -> bool:
        request = _rm_models().GetResourceGroupRequest(resource_group_id=resource_group_id)
        try:
            self._rm("GetResourceGroup", "get_resource_group", request)
        except CloudError as exc:
            if is_not_found(exc.code) or exc.code == "InvalidParameter.ResourceGroupId":
                return False
            raise
        return True

    def caller_arn(self) -> str:
        if self._caller is None:
            sts = self._clients.sts()
            body = self._call("sts", "GetCallerIdentity", sts.get_caller_identity).body
            self._caller = str(body.arn)
        return self._caller

    def access_keys(self, user_name: str) -> list[ObservedKey]:
        body = self._ram("ListAccessKeys", "list_access_keys", _ram_models().ListAccessKeysRequest(user_name=user_name)).body
        return [
            ObservedKey(str(k.access_key_id), k.status == "Active", parse_time(k.create_date))
            for k in _items(body.access_keys, "access_key")
        ]

    def has_login_profile(self, user_name: str) -> bool:
        try:
            self._ram("GetLoginProfile", "get_login_profile", _ram_models().GetLoginProfileRequest(user_name=user_name))
        except CloudError as exc:
            if exc.code == "EntityNotExist.User.LoginProfile":
                return False
            raise
        return True

    def mfa_serial(self, user_name: str) -> str | None:
        try:
            body = self._ram("GetUserMFAInfo", "get_user_mfainfo", _ram_models().GetUserMFAInfoRequest(user_name=user_name)).body
        except CloudError as exc:
            if exc.code == "EntityNotExist.User.MFADevice":
                return None
            raise
        return str(body.mfadevice.serial_number) if body.mfadevice is not None else None

    def attachments(self, user_name: str) -> set[Attachment]:
        return self._grants.observe(user_name)

    def groups(self, user_name: str) -> set[str]:
        body = self._ram("ListGroupsForUser", "list_groups_for_user", _ram_models().ListGroupsForUserRequest(user_name=user_name)).body
        return {str(g.group_name) for g in _items(body.groups, "group")}

    # --- writes --------------------------------------------------------------------------

    def create_user(self, user_name: str, display_name: str, comments: str) -> UserFacts:
        request = _ram_models().CreateUserRequest(
            user_name=user_name, display_name=display_name or None, comments=comments or None
        )
        user = self._ram("CreateUser", "create_user", request).body.user
        return UserFacts(str(user.user_name), str(user.user_id), str(user.display_name or ""), str(user.comments or ""))

    def update_user(self, user_name: str, display_name: str) -> None:
        request = _ram_models().UpdateUserRequest(user_name=user_name, new_display_name=display_name)
        self._ram("UpdateUser", "update_user", request)

    def tag_user(self, user_name: str, tags: Mapping[str, str]) -> None:
        m = _ims_models()
        pairs = sorted(tags.items())
        for start in range(0, len(pairs), MAX_TAGS_PER_CALL):
            chunk = [m.TagResourcesRequestTag(key=k, value=v) for k, v in pairs[start : start + MAX_TAGS_PER_CALL]]
            request = m.TagResourcesRequest(resource_type="user", resource_principal_name=[user_name], tag=chunk)
            self._ims("TagResources", "tag_resources", request)

    def untag_user(self, user_name: str, keys: Sequence[str]) -> None:
        m = _ims_models()
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), MAX_TAGS_PER_CALL):
            request = m.UntagResourcesRequest(
                resource_type="user", resource_principal_name=[user_name], tag_key=wanted[start : start + MAX_TAGS_PER_CALL]
            )
            self._ims("UntagResources", "untag_resources", request)

    def create_login_profile(
        self, user_name: str, password: Secret, *, reset_required: bool, mfa_required: bool
    ) -> None:
        request = _ram_models().CreateLoginProfileRequest(
            user_name=user_name, password=password.reveal(),
            password_reset_required=reset_required, mfabind_required=mfa_required,
        )
        self._ram("CreateLoginProfile", "create_login_profile", request)

    def update_login_profile(self, user_name: str, password: Secret, *, reset_required: bool) -> None:
        request = _ram_models().UpdateLoginProfileRequest(
            user_name=user_name, password=password.reveal(), password_reset_required=reset_required
        )
        self._ram("UpdateLoginProfile", "update_login_profile", request)

    def delete_login_profile(self, user_name: str) -> None:
        self._ram("DeleteLoginProfile", "delete_login_profile", _ram_models().DeleteLoginProfileRequest(user_name=user_name))

    def create_access_key(self, user_name: str, *, before_retry: Callable[[], object] | None = None) -> NewAccessKey:
        """The secret goes into a ``Secret`` at once; the SDK response is not kept.

        CreateAccessKey is not idempotent: when its answer is lost (applied, then the connection
        dropped) the retry would make a second key while the first, whose secret nobody ever
        saw, still exists: two keys at once, and RAM allows only two. So each retry first
        deletes the lost answer's key: ``before_retry`` when given (the applier's, which
        deletes every key not escrowed in KMS: no call on the happy path), else every key that
        was not there before the first attempt (listed first: one ListAccessKeys more)."""
        request = _ram_models().CreateAccessKeyRequest(user_name=user_name)
        client = self._clients.ram()
        attempts = 0
        if before_retry is None:
            before = {k.access_key_id for k in self.access_keys(user_name)}

            def delete_new_keys() -> None:
                for lost in [k.access_key_id for k in self.access_keys(user_name) if k.access_key_id not in before]:
                    self.delete_access_key(user_name, lost)

            before_retry = delete_new_keys

        def create() -> Any:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                before_retry()
            return client.create_access_key(request)

        body = self._call("ram", "CreateAccessKey", create).body
        key = body.access_key
        new = NewAccessKey(str(key.access_key_id), Secret(str(key.access_key_secret)), parse_time(key.create_date))
        key.access_key_secret = None
        return new

    def set_access_key_active(self, user_name: str, access_key_id: str, active: bool) -> None:
        request = _ram_models().UpdateAccessKeyRequest(
            user_name=user_name, user_access_key_id=access_key_id, status="Active" if active else "Inactive"
        )
        self._ram("UpdateAccessKey", "update_access_key", request)

    def delete_access_key(self, user_name: str, access_key_id: str) -> None:
        request = _ram_models().DeleteAccessKeyRequest(user_name=user_name, user_access_key_id=access_key_id)
        self._ram("DeleteAccessKey", "delete_access_key", request)

    def unbind_mfa(self, user_name: str) -> str | None:
        try:
            body = self._ram("UnbindMFADevice", "unbind_mfadevice", _ram_models().UnbindMFADeviceRequest(user_name=user_name)).body
        except CloudError as exc:
            if exc.code == "EntityNotExist.User.MFADevice":
                return None
            raise
        return str(body.mfadevice.serial_number) if body.mfadevice is not None else None

    def delete_mfa(self, serial_number: str) -> None:
        request = _ram_models().DeleteVirtualMFADeviceRequest(serial_number=serial_number)
        self._ram("DeleteVirtualMFADevice", "delete_virtual_mfadevice", request)

    def attach(self, user_name: str, attachment: Attachment) -> None:
        """Account scope through RAM AttachPolicyToUser, a resource group through ResourceManager."""
        self._grants.attach(user_name, attachment)

    def detach(self, user_name: str, attachment: Attachment) -> None:
        self._grants.detach(user_name, attachment)

    def add_to_group(self, user_name: str, group: str) -> None:
        self._ram("AddUserToGroup", "add_user_to_group", _ram_models().AddUserToGroupRequest(user_name=user_name, group_name=group))

    def remove_from_group(self, user_name: str, group: str) -> None:
        request = _ram_models().RemoveUserFromGroupRequest(user_name=user_name, group_name=group)
        self._ram("RemoveUserFromGroup", "remove_user_from_group", request)

    def delete_user(self, user_name: str) -> None:
        self._ram("DeleteUser", "delete_user", _ram_models().DeleteUserRequest(user_name=user_name))
        self._grants.forget(user_name)
