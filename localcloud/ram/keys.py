"""RAM users' AccessKey pairs: at most two per user; the secret is shown only at creation.

Rules: alibaba-platform.md §A.1 (CreateAccessKey, UpdateAccessKey, DeleteAccessKey,
ListAccessKeys) and §A.4 (2 pairs per user). ``key_index`` maps every live AccessKeyId to its
user so authentication finds it in O(1); an ``Inactive`` key is refused by authentication
(localcloud.auth.credentials) with ``InvalidAccessKeyId.Inactive``, a deleted one with
``InvalidAccessKeyId.NotFound``.
"""

from __future__ import annotations

from localcloud.core import ids
from localcloud.core.errors import InvalidParameter
from localcloud.ram import errors, rules
from localcloud.ram.base import RamBase
from localcloud.ram.entities import AccessKey, User

KEY_STATUSES = ("Active", "Inactive")


class KeyOps(RamBase):
    def find_access_key(self, access_key_id: str) -> tuple[User, AccessKey] | None:
        """The user and key behind an AccessKeyId (for authentication), or None."""
        user_name = self.key_index.get(access_key_id)
        if user_name is None:
            return None
        user = self.users.get(user_name)
        if user is None or access_key_id not in user.access_keys:
            return None
        return user, user.access_keys[access_key_id]

    def create_access_key(self, user_name: str) -> AccessKey:
        user = self.get_user(user_name)
        if len(user.access_keys) >= rules.MAX_ACCESS_KEYS_PER_USER:
            raise errors.LimitExceededUserAccessKey()
        key = AccessKey(ids.access_key_id(), ids.access_key_secret(), "Active", self.now)
        user.access_keys[key.access_key_id] = key
        self.key_index[key.access_key_id] = user.user_name
        return key

    def list_access_keys(self, user_name: str) -> list[AccessKey]:
        return list(self.get_user(user_name).access_keys.values())

    def access_key_of(self, user_name: str, access_key_id: str) -> AccessKey:
        user = self.get_user(user_name)
        key = user.access_keys.get(access_key_id)
        if key is None:
            raise errors.EntityNotExistUserAccessKey(f"The user access key does not exist: {access_key_id}")
        return key

    def update_access_key(self, user_name: str, access_key_id: str, status: str) -> AccessKey:
        if status not in KEY_STATUSES:
            # UNCONFIRMED: the code for a Status other than Active|Inactive; the common InvalidParameter.
            raise InvalidParameter(f'The parameter "Status" must be Active or Inactive, not {status!r}.')
        key = self.access_key_of(user_name, access_key_id)
        key.status = status
        return key

    def delete_access_key(self, user_name: str, access_key_id: str) -> None:
        self.access_key_of(user_name, access_key_id)
        del self.users[user_name].access_keys[access_key_id]
        self.key_index.pop(access_key_id, None)
