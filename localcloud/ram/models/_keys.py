"""RAM users' AccessKey pairs: at most two per user; the secret is shown only at creation.

Rules: alibaba-platform.md §A.1 (CreateAccessKey, UpdateAccessKey, DeleteAccessKey,
ListAccessKeys) and §A.4 (2 pairs per user). ``key_index`` maps every live AccessKeyId to its
user so authentication finds it in O(1); an ``Inactive`` key is refused by authentication
(localcloud.auth.credentials) with ``InvalidAccessKeyId.Inactive``, a deleted one with
``InvalidAccessKeyId.NotFound``.

Not RAM's, localcloud's own record for tests (``GET /_localcloud/ram/access-key-history``,
:mod:`localcloud.ram.routes`): every key each user ever had (ids and times, never a secret) and
the most keys the user held at once, so that "no user ever held two keys" is checked exactly
rather than by sampling ListAccessKeys. Kept per user id (a user deleted and created again
under the same name is a new user), outside the state snapshot (``_key_history``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from localcloud.core import ids
from localcloud.core.errors import InvalidParameter
from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import RamBase
from localcloud.ram.models.entities import AccessKey, User

KEY_STATUSES = ("Active", "Inactive")


@dataclass
class KeyHistory:
    """One user's AccessKeys over its life (localcloud's record, not a RAM resource)."""

    user_id: str
    user_name: str
    created: dict[str, datetime] = field(default_factory=dict)
    """AccessKeyId -> when it was created."""
    deleted: dict[str, datetime] = field(default_factory=dict)
    """AccessKeyId -> when it was deleted."""
    peak: int = 0
    """The most keys the user held at once."""
    peak_at: datetime | None = None
    peak_keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "UserId": self.user_id, "UserName": self.user_name, "Peak": self.peak,
            "PeakAt": self.peak_at.isoformat() if self.peak_at else None, "PeakKeys": list(self.peak_keys),
            "Keys": [{"AccessKeyId": k, "Created": c.isoformat(),
                      "Deleted": self.deleted[k].isoformat() if k in self.deleted else None}
                     for k, c in self.created.items()],
        }


class KeyOps(RamBase):
    def key_history(self) -> list[KeyHistory]:
        """Every user's key record, oldest user first (see the module docstring)."""
        return list(self._histories().values())

    def _histories(self) -> dict[str, KeyHistory]:
        history: dict[str, KeyHistory] | None = getattr(self, "_key_history", None)
        if history is None:  # a state file saved before the record existed
            history = self._key_history = {}
        return history

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
        self._state.issued.add("ram-access-key-secret", key.secret, f"user {user.user_name}")
        record = self._histories().setdefault(user.user_id, KeyHistory(user.user_id, user.user_name))
        record.created[key.access_key_id] = key.create_date
        if len(user.access_keys) > record.peak:
            record.peak, record.peak_at, record.peak_keys = len(user.access_keys), self.now, tuple(user.access_keys)
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
        user = self.users[user_name]
        del user.access_keys[access_key_id]
        self.key_index.pop(access_key_id, None)
        record = self._histories().get(user.user_id)
        if record is not None:
            record.deleted[access_key_id] = self.now
