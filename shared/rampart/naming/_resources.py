"""Names and tags rampart gives to the resources it creates (pure; no I/O).

KMS secret names (KMS rule: at most 192 characters of letters, digits and ``_ / + = . @ -``;
Generic secrets must not start with ``acs/``; RAM user names are within that set):

- ``<prefix>/<user>/access-key``: the user's one AccessKey secret, a *stable* name, so an
  application reads the same secret before and after a rotation. Each version holds
  ``{"AccessKeyId": ..., "AccessKeySecret": ...}`` and its **VersionId is the AccessKeyId**
  (KMS VersionId: at most 64 characters, unique within the secret; an AccessKeyId is 24), so
  every version names its key and observation learns the escrowed key from
  ListSecretVersionIds without reading a value. ``ACSCurrent`` is the live key;
  ``ACSPrevious`` the key a rotation is taking out of service (PutSecretValue moves the
  stages: the new version becomes ACSCurrent, the old ACSCurrent becomes ACSPrevious,
  alibaba-platform.md §B.3). A key is escrowed iff it is the ACSCurrent version.
- ``<prefix>/<user>/console-password``: the initial console password.

Secret tags let ``ListSecrets`` find a user's secrets and tell an auditor whose they are. They
carry no AccessKeyId: the secret outlives its keys, and a tag would go stale on rotation (the
version ids say which key is which).
"""

from __future__ import annotations

import json

from rampart.model import SecretKind
from rampart.secret import Secret

TAG_MANAGED_BY = "rampart:managed-by"
TAG_USER = "rampart:user"
TAG_PERSON = "rampart:person"
TAG_MANAGER = "rampart:manager"
TAG_KIND = "rampart:kind"
TAG_ACCESS_KEY_ID = "rampart:access-key-id"
"""Written by rampart before the one-secret-per-user scheme; no longer written or read."""
MAX_SECRET_NAME = 192
MAX_VERSION_ID = 64
ACCESS_KEY_SUFFIX = "/access-key"
PASSWORD_SUFFIX = "/console-password"  # noqa: S105 - a name suffix, not a password


CREATION_COMMENT = "managed by rampart for person "
"""RAM Comments (at most 128 characters) rampart gives a user with CreateUser, then the person id."""


def creation_comment(person_id: str) -> str:
    """The Comments of a user rampart creates for ``person_id``: written in the same call that
    creates the user, so a user whose marker (IMS tags, the next step) was never written, because
    the instance died in between, is still known as this person's (:func:`created_for`)."""
    return f"{CREATION_COMMENT}{person_id}"[:128]


def created_for(comments: str) -> str:
    """The person id in a creation comment ("" when ``comments`` is not one, or was cut short)."""
    if not comments.startswith(CREATION_COMMENT) or len(comments) >= 128:
        return ""
    return comments[len(CREATION_COMMENT):]


def secret_name(prefix: str, user_name: str, kind: SecretKind, access_key_id: str | None = None) -> str:
    """The secret's name. ``access_key_id`` is ignored (kept for callers of the older scheme
    that named one secret per key): a key is a *version* of the user's one AccessKey secret."""
    del access_key_id
    suffix = ACCESS_KEY_SUFFIX if kind is SecretKind.ACCESS_KEY else PASSWORD_SUFFIX
    name = f"{prefix}/{user_name}{suffix}"
    if len(name) > MAX_SECRET_NAME:
        raise ValueError(f"secret name longer than {MAX_SECRET_NAME} characters: {name[:40]}...")
    return name


def key_version_id(access_key_id: str) -> str:
    """The VersionId of the version holding this key: the AccessKeyId itself."""
    if not access_key_id or len(access_key_id) > MAX_VERSION_ID:
        raise ValueError(f"an AccessKeyId cannot be a KMS VersionId (1-{MAX_VERSION_ID} characters): {access_key_id!r}")
    return access_key_id


def secret_tags(
    user_name: str, person_id: str, manager: str, kind: SecretKind, access_key_id: str | None = None
) -> dict[str, str]:
    """The tags of a new secret. ``access_key_id`` is ignored (see the module docstring)."""
    del access_key_id
    tags = {
        TAG_MANAGED_BY: "rampart",
        TAG_USER: user_name,
        TAG_PERSON: person_id,
        TAG_KIND: kind.value,
    }
    if manager:
        tags[TAG_MANAGER] = manager
    return tags


def access_key_secret_value(access_key_id: str, secret: Secret) -> Secret:
    """The value stored for an AccessKey: exactly ``{"AccessKeyId", "AccessKeySecret"}``."""
    return Secret(json.dumps({"AccessKeyId": access_key_id, "AccessKeySecret": secret.reveal()}))
