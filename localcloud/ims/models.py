"""IMS's rules: RAM user tags and the account's default domain.

IMS keeps no state of its own: user tags live in ``User.tags`` (RAM's records) and the
default domain is ``<account alias>.onaliyun.com`` (``state.account.alias``). :class:`Ims`
is a thin rule layer built per request over the shared state. Sources:
ims20190815==3.5.0 models (_tag_resources_request.py, _untag_resources_request.py,
_list_tag_resources_request.py, _set_default_domain_request.py) and
../shared/reference/alibaba-platform.md §A.8. Error codes are UNCONFIRMED (ims/errors.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localcloud.core.errors import MissingParameter
from localcloud.ims import errors
from localcloud.ram.errors import EntityNotExistUser
from localcloud.ram.models.entities import User

if TYPE_CHECKING:
    from localcloud.state import CloudState

MAX_RESOURCES = 50
"""ResourceId.N / ResourcePrincipalName.N: "Valid values of N: 1 to 50"."""
MAX_TAGS_PER_REQUEST = 20
"""Tag.N and TagKey.N: "Valid values of N: 1 to 20"."""
MAX_TAGS_PER_USER = 20
"""RAM limits page: tags per user, 20 (alibaba-platform.md §A.4)."""
RESOURCE_TYPE_USER = "user"
_FORBIDDEN_KEY_PREFIXES = ("aliyun", "acs:")
_URL_MARKERS = ("http://", "https://")
DOMAIN_SUFFIX = ".onaliyun.com"
_DOMAIN_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")


TagPair = tuple[str, str | None]
"""(Tag.N.Key, Tag.N.Value); the value is None when the request left it out."""


@dataclass(frozen=True, slots=True)
class Selector:
    """Which resources a request names: ResourceType plus ResourceId.N or ResourcePrincipalName.N."""

    resource_type: str
    ids: list[str]
    names: list[str]


@dataclass(frozen=True, slots=True)
class TagRow:
    user: User
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class TagPage:
    rows: list[TagRow]
    next_token: str | None
    """Set only when the listing is truncated."""


def validate_tag(key: str, value: str) -> None:
    """Key: 1-128 characters, not starting with ``aliyun`` or ``acs:``, no ``http://`` or
    ``https://``. Value: 0-128 characters, no URL scheme (TagResourcesRequestTag docstring)."""
    if not 1 <= len(key) <= 128 or key.startswith(_FORBIDDEN_KEY_PREFIXES) or any(m in key for m in _URL_MARKERS):
        raise errors.InvalidParameterTagKey(f"The tag key {key!r} is invalid.")
    if len(value) > 128 or any(m in value for m in _URL_MARKERS):
        raise errors.InvalidParameterTagValue(f"The value of tag {key!r} is invalid.")


def validate_default_domain(domain: str) -> str:
    """Returns the alias. SetDefaultDomainRequest: ``<AccountAlias>.onaliyun.com``, at most 64
    characters, letters, digits, ``.``, ``_`` and ``-``; no leading or trailing hyphen and no
    two hyphens in a row."""
    alias = domain[: -len(DOMAIN_SUFFIX)] if domain.endswith(DOMAIN_SUFFIX) else ""
    if (
        not alias
        or len(domain) > 64
        or not _DOMAIN_CHARS.match(alias)
        or alias.startswith("-")
        or alias.endswith("-")
        or "--" in alias
    ):
        raise errors.InvalidParameterDefaultDomainName(
            f"The default domain name {domain!r} is invalid: it must be <alias>{DOMAIN_SUFFIX}, at most 64 "
            "characters of letters, digits, '.', '_' and '-', without a leading, trailing or doubled hyphen."
        )
    return alias


class Ims:
    def __init__(self, state: CloudState) -> None:
        self._state = state

    # --- resolving ResourceId.N / ResourcePrincipalName.N -------------------------------

    def _user_name(self, principal_name: str) -> str:
        """ResourcePrincipalName is "the name of the RAM user" (TagResourcesRequest docstring);
        the logon form ``<name>@<default domain>`` is accepted too (UNCONFIRMED which one IMS wants)."""
        name, sep, domain = principal_name.rpartition("@")
        if not sep:
            return principal_name
        if domain.lower() != self._state.account.default_domain.lower():
            raise EntityNotExistUser(f"The user does not exist: {principal_name}")
        return name

    def _users(self, selector: Selector, *, listing: bool = False) -> list[User] | None:
        """The users a request names, in request order and without repeats; None when it
        names none, which only a listing may do. A listing skips unknown users (UNCONFIRMED)."""
        if selector.resource_type != RESOURCE_TYPE_USER:
            raise errors.InvalidParameterResourceType()
        ids, names = selector.ids, selector.names
        if ids and names:
            raise errors.InvalidParameterResource()
        if not ids and not names:
            if not listing:
                raise errors.MissingParameterResourceId()
            return None
        if len(ids) > MAX_RESOURCES or len(names) > MAX_RESOURCES:
            raise errors.NumberExceedResourceIds()
        found: dict[str, User] = {}
        for wanted in ids or names:
            try:
                user = self._user_by_id(wanted) if ids else self._state.ram.get_user(self._user_name(wanted))
            except EntityNotExistUser:
                if listing:
                    continue
                raise
            found.setdefault(user.user_id, user)
        return list(found.values())

    def _user_by_id(self, user_id: str) -> User:
        user = next((u for u in self._state.ram.users.values() if u.user_id == user_id), None)
        if user is None:
            raise EntityNotExistUser(f"The user does not exist: {user_id}")
        return user

    # --- tags ---------------------------------------------------------------------------

    def tag_resources(self, selector: Selector, pairs: list[TagPair]) -> None:
        """All-or-nothing: every user is checked before any is changed. An existing key's
        value is overwritten."""
        users = self._users(selector) or []
        if not pairs:
            raise MissingParameter.named("Tag")
        if len(pairs) > MAX_TAGS_PER_REQUEST:
            raise errors.NumberExceedTags()
        tags: dict[str, str] = {}
        for key, value in pairs:
            validate_tag(key, value or "")
            if key in tags:
                raise errors.DuplicateTagKey(f"The tag key {key!r} is given more than once.")
            tags[key] = value or ""
        for user in users:
            if len(user.tags.keys() | tags.keys()) > MAX_TAGS_PER_USER:
                raise errors.LimitExceededUserTag(
                    f"The user {user.user_name} would have more than {MAX_TAGS_PER_USER} tags."
                )
        for user in users:
            user.tags.update(tags)

    def untag_resources(self, selector: Selector, keys: list[str], remove_all: bool) -> None:
        """TagKey.N removes those keys (absent keys are ignored); ``All=true`` removes every tag
        and "takes effect only when TagKey.N is not set" (UntagResourcesRequest docstring)."""
        users = self._users(selector) or []
        if len(keys) > MAX_TAGS_PER_REQUEST:
            raise errors.NumberExceedTagKeys()
        if not keys and not remove_all:
            # UNCONFIRMED: neither TagKey.N nor All=true; answered like a missing TagKey.
            raise MissingParameter.named("TagKey")
        for user in users:
            if keys:
                for key in keys:
                    user.tags.pop(key, None)
            else:
                user.tags.clear()

    def list_tag_resources(
        self, selector: Selector, filters: list[TagPair], page_size: int, next_token: str | None
    ) -> TagPage:
        """Rows ``(user, key, value)`` in user-creation then tag order. With Tag.N filters, only
        users carrying every filter tag are listed, and only their matching tags (UNCONFIRMED).
        Unknown users in the selector list nothing (UNCONFIRMED)."""
        users = self._users(selector, listing=True)
        if len(filters) > MAX_TAGS_PER_REQUEST:
            raise errors.NumberExceedTags()
        candidates = list(self._state.ram.users.values()) if users is None else users
        rows: list[TagRow] = []
        for user in candidates:
            if not all(k in user.tags and (v is None or user.tags[k] == v) for k, v in filters):
                continue
            wanted = {k for k, _ in filters}
            rows.extend(TagRow(user, k, v) for k, v in user.tags.items() if not wanted or k in wanted)
        start = self._offset(next_token, len(rows))
        end = start + page_size
        return TagPage(rows[start:end], _token(end) if end < len(rows) else None)

    @staticmethod
    def _offset(token: str | None, total: int) -> int:
        if not token:
            return 0
        prefix, _, number = token.partition(":")
        if prefix != "lc-tags" or not number.isdigit() or int(number) > total:
            raise errors.InvalidParameterNextToken()
        return int(number)

    # --- default domain ---------------------------------------------------------------

    def get_default_domain(self) -> str:
        return self._state.account.default_domain

    def set_default_domain(self, domain: str) -> str:
        """Changes the account alias. ResourceManager grants follow their principals to the
        new domain (see RmBackend.rename_alias)."""
        alias = validate_default_domain(domain)
        account = self._state.account
        old = account.alias
        account.alias = alias
        self._state.rm.rename_alias(old, alias)
        return account.default_domain


def _token(offset: int) -> str:
    """NextToken is opaque to clients; localcloud's is the offset of the next row."""
    return f"lc-tags:{offset}"
