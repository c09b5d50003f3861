"""Names and tags rampart gives to the resources it creates (pure; no I/O).

KMS secret names (KMS rule: at most 192 characters of letters, digits and ``_ / + = . @ -``;
Generic secrets must not start with ``acs/``; RAM user names are within that set):

- ``<prefix>/<user>/access-key/<AccessKeyId>``: ``{"AccessKeyId": ..., "AccessKeySecret": ...}``
- ``<prefix>/<user>/console-password``: the initial console password

Secret tags let ``ListSecrets`` find a user's secrets and tell an auditor whose they are.
"""

from __future__ import annotations

from rampart.model import SecretKind

TAG_MANAGED_BY = "rampart:managed-by"
TAG_USER = "rampart:user"
TAG_PERSON = "rampart:person"
TAG_MANAGER = "rampart:manager"
TAG_KIND = "rampart:kind"
TAG_ACCESS_KEY_ID = "rampart:access-key-id"
MAX_SECRET_NAME = 192


def secret_name(prefix: str, user_name: str, kind: SecretKind, access_key_id: str | None = None) -> str:
    if kind is SecretKind.ACCESS_KEY:
        if not access_key_id:
            raise ValueError("an access-key secret name needs the AccessKeyId")
        name = f"{prefix}/{user_name}/access-key/{access_key_id}"
    else:
        name = f"{prefix}/{user_name}/console-password"
    if len(name) > MAX_SECRET_NAME:
        raise ValueError(f"secret name longer than {MAX_SECRET_NAME} characters: {name[:40]}...")
    return name


def secret_tags(
    user_name: str, person_id: str, manager: str, kind: SecretKind, access_key_id: str | None
) -> dict[str, str]:
    tags = {
        TAG_MANAGED_BY: "rampart",
        TAG_USER: user_name,
        TAG_PERSON: person_id,
        TAG_KIND: kind.value,
    }
    if manager:
        tags[TAG_MANAGER] = manager
    if access_key_id:
        tags[TAG_ACCESS_KEY_ID] = access_key_id
    return tags
