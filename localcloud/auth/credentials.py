"""Resolves an AccessKeyId to its secret and principal, refusing unknown or dead keys.

Three kinds of key: the root account's, a RAM user's (RAM CreateAccessKey), and an STS
temporary key (which must come with its security token, and dies at its expiration by
localcloud's clock). Errors are the POP gateway's (localcloud.core.errors).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from localcloud.auth.principal import Principal, PrincipalKind
from localcloud.auth.signatures import SignedRequest
from localcloud.core import errors

if TYPE_CHECKING:
    from localcloud.state import CloudState


def secret_for(state: CloudState, access_key_id: str) -> str:
    """The signing secret, or the documented error for an unknown or inactive key."""
    account = state.account
    if access_key_id == account.root_access_key_id:
        return account.root_access_key_secret
    found = state.ram.find_access_key(access_key_id)
    if found is not None:
        _, key = found
        if key.status != "Active":
            raise errors.InvalidAccessKeyIdInactive()
        return key.secret
    session = state.sts.find(access_key_id)
    if session is not None:
        return session.secret
    raise errors.InvalidAccessKeyIdNotFound()


def principal_for(state: CloudState, signed: SignedRequest, service: str) -> Principal:
    """The principal behind a verified signature; checks STS token and expiry."""
    account = state.account
    key_id = signed.access_key_id
    if key_id == account.root_access_key_id:
        return Principal(PrincipalKind.ROOT, account.account_id, key_id)
    found = state.ram.find_access_key(key_id)
    if found is not None:
        user, key = found
        key.last_used = state.clock.now()
        key.last_used_service = service
        return Principal(
            PrincipalKind.USER, account.account_id, key_id, user_name=user.user_name, user_id=user.user_id
        )
    session = state.sts.find(key_id)
    if session is None:
        raise errors.InvalidAccessKeyIdNotFound()
    if not signed.security_token:
        raise errors.MissingSecurityToken()
    if not hmac.compare_digest(signed.security_token, session.security_token):
        raise errors.InvalidSecurityTokenMismatch()
    if state.clock.now() >= session.expiration:
        raise errors.InvalidSecurityTokenExpired()
    return state.sts.principal_of(session)
