"""``rampart.ports.Secrets`` on KMS Secrets Manager (2016-01-20): the only place a secret is written.

Naming and tags (``rampart.naming``, re-exported here):

- ``<prefix>/<user>/access-key``: the user's one AccessKey secret, a stable name. Each
  version holds exactly ``{"AccessKeyId": "...", "AccessKeySecret": "..."}``
  (:func:`access_key_secret_value`) and its VersionId is that AccessKeyId; ``ACSCurrent`` is
  the live key, ``ACSPrevious`` the key being rotated out;
- ``<prefix>/<user>/console-password`` holds the initial console password;
- tags ``rampart:user``, ``rampart:person``, ``rampart:manager``, ``rampart:kind``
  (``access-key`` | ``password``), ``rampart:managed-by=rampart``.

KMS names are at most 192 characters of letters, digits and ``_ / + = . @ -`` and Generic
secrets must not start with ``acs/`` (alibaba-platform.md §B.2); RAM user names (letters,
digits, ``. - _``) stay inside that set.

``put`` is idempotent: CreateSecret, or, when the name exists (``Rejected.ResourceExist``,
also what a retry meets after a dropped answer), PutSecretValue with a new version, which
KMS makes ACSCurrent (the old ACSCurrent becomes ACSPrevious, §B.3); a version id already
there is our own earlier write (KMS answers success for the same value, and
``Rejected.ResourceExist`` is taken as success too); a secret pending deletion
(``Rejected.ResourceInDeleteWindow``) is restored first. The existing secret's tags are left
as they are. The value is revealed only into the SDK request; no response, error or log line
carries it (``rampart.adapters.retry`` scrubs error texts).

``for_user`` never reads a value: ListSecrets (by tag) and, per AccessKey secret, one
ListSecretVersionIds for the VersionIds carrying ACSCurrent and ACSPrevious.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rampart import naming
from rampart.adapters.clients import Clients
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call
from rampart.errors import CloudError
from rampart.model import ObservedSecret, SecretKind
from rampart.naming import ACCESS_KEY_SUFFIX, PASSWORD_SUFFIX, TAG_KIND, TAG_USER, secret_name, secret_tags
from rampart.ports import NewAccessKey
from rampart.secret import Secret

__all__ = ["KmsSecrets", "access_key_secret_value", "new_version_id", "secret_name", "secret_tags"]

TEXT = "text"
GENERIC = "Generic"
"""SecretDataType and SecretType of every rampart secret (§B.2)."""
PAGE_SIZE = 100
"""ListSecrets PageSize: 1-100 (§B.3)."""
EXISTS = "Rejected.ResourceExist"
IN_DELETE_WINDOW = "Rejected.ResourceInDeleteWindow"
NOT_FOUND = "Forbidden.ResourceNotFound"
NOT_DELETED = "Rejected.ResourceInUse"
"""RestoreSecret on a secret that is not scheduled (UNCONFIRMED code, localcloud/kms/errors.py)."""
CURRENT = "ACSCurrent"
PREVIOUS = "ACSPrevious"
"""The version stages KMS moves on PutSecretValue (§B.3)."""


def access_key_secret_value(key: NewAccessKey) -> Secret:
    """The JSON stored for an AccessKey (:func:`rampart.naming.access_key_secret_value`)."""
    return naming.access_key_secret_value(key.access_key_id, key.secret)


def new_version_id() -> str:
    """KMS VersionId: at most 64 characters, unique within the secret (§B.2)."""
    return f"v-{uuid.uuid4().hex}"


def _kms_models() -> Any:
    from alibabacloud_kms20160120 import models

    return models


def _stage_list(stages: Any) -> list[str]:
    """VersionStages as the SDK gives it: an object with ``version_stage`` (a list), or, as it
    travels on the wire, a JSON string (alibaba-platform.md, pitfall 8)."""
    if stages is None:
        return []
    if isinstance(stages, str):
        try:
            parsed = json.loads(stages)
        except ValueError:
            return [stages]
        stages = parsed.get("VersionStage", []) if isinstance(parsed, dict) else parsed
        return [str(s) for s in stages] if isinstance(stages, list) else [str(stages)]
    listed = getattr(stages, "version_stage", None) or []
    return [str(s) for s in listed] if isinstance(listed, list) else [str(listed)]


def _kind_of(name: str, tags: Mapping[str, str]) -> SecretKind | None:
    try:
        return SecretKind(tags[TAG_KIND])
    except (KeyError, ValueError):
        pass
    if name.endswith(ACCESS_KEY_SUFFIX) or f"{ACCESS_KEY_SUFFIX}/" in name:  # the latter: one secret per key (older scheme)
        return SecretKind.ACCESS_KEY
    if name.endswith(PASSWORD_SUFFIX):
        return SecretKind.PASSWORD
    return None


class KmsSecrets:
    def __init__(
        self,
        clients: Clients,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        encryption_key_id: str | None = None,
        kms_instance_id: str | None = None,
        version_ids: Callable[[], str] = new_version_id,
    ) -> None:
        """``encryption_key_id`` / ``kms_instance_id``: the key and KMS instance the real service
        needs for secrets (§B.1); localcloud models neither."""
        self._clients = clients
        self._policy = policy
        self._key_id = encryption_key_id
        self._instance_id = kms_instance_id
        self._version_ids = version_ids

    def __repr__(self) -> str:
        return f"KmsSecrets({self._clients!r})"

    def _kms(self, action: str, method: str, request: Any) -> Any:
        bound = getattr(self._clients.kms(), method)
        return call("kms", action, lambda: bound(request), policy=self._policy)

    # --- the port ------------------------------------------------------------------------

    def put(self, name: str, value: Secret, tags: Mapping[str, str], *, version_id: str | None = None) -> str:
        version = version_id or self._version_ids()
        request = _kms_models().CreateSecretRequest(
            secret_name=name,
            secret_data=value.reveal(),
            secret_data_type=TEXT,
            secret_type=GENERIC,
            version_id=version,
            tags=json.dumps([{"TagKey": k, "TagValue": v} for k, v in sorted(tags.items())]),
            encryption_key_id=self._key_id,
            dkmsinstance_id=self._instance_id,
        )
        try:
            self._kms("CreateSecret", "create_secret", request)
            return version
        except CloudError as exc:
            if exc.code == IN_DELETE_WINDOW:
                self.restore(name)
            elif exc.code != EXISTS:
                raise
        return self._put_value(name, value, version)

    def _put_value(self, name: str, value: Secret, version: str) -> str:
        """PutSecretValue: the new version takes ACSCurrent, the old ACSCurrent ACSPrevious."""
        request = _kms_models().PutSecretValueRequest(
            secret_name=name, secret_data=value.reveal(), secret_data_type=TEXT, version_id=version
        )
        try:
            self._kms("PutSecretValue", "put_secret_value", request)
        except CloudError as exc:
            if exc.code == EXISTS:
                return version  # this version already there: our own write whose answer was lost
            if exc.code != IN_DELETE_WINDOW:
                raise
            self.restore(name)
            self._kms("PutSecretValue", "put_secret_value", request)
        return version

    def read(self, name: str) -> Secret:
        request = _kms_models().GetSecretValueRequest(secret_name=name)
        body = self._kms("GetSecretValue", "get_secret_value", request).body
        value = Secret(str(body.secret_data))
        body.secret_data = None
        return value

    def for_user(self, user_name: str) -> list[ObservedSecret]:
        """ListSecrets filtered on the ``rampart:user`` tag, then checked exactly here (KMS
        matches TagKey and TagValue against any tag, not as one pair); for each AccessKey
        secret one ListSecretVersionIds: its ACSCurrent and ACSPrevious VersionIds are the
        escrowed key and the one being rotated out."""
        found: list[ObservedSecret] = []
        for item in self._list(user_name):
            tags = {str(t.tag_key): str(t.tag_value or "") for t in list(getattr(item.tags, "tag", None) or [])}
            if tags.get(TAG_USER) != user_name:
                continue
            name = str(item.secret_name)
            kind = _kind_of(name, tags)
            if kind is None:
                continue
            pending = bool(item.planned_delete_time)
            if kind is SecretKind.ACCESS_KEY:
                stages = self.version_stages(name)
                found.append(ObservedSecret(name, kind, stages.get(CURRENT), pending, stages.get(PREVIOUS)))
            else:
                found.append(ObservedSecret(name, kind, None, pending))
        return sorted(found, key=lambda s: s.name)

    def version_stages(self, name: str) -> dict[str, str]:
        """Stage -> VersionId of the secret's labelled versions (ListSecretVersionIds without
        the deprecated, unlabelled ones; no value is read). A secret that vanished meanwhile
        (its recovery window ended) has none."""
        request = _kms_models().ListSecretVersionIdsRequest(secret_name=name, page_size=PAGE_SIZE)
        try:
            body = self._kms("ListSecretVersionIds", "list_secret_version_ids", request).body
        except CloudError as exc:
            if exc.code in (NOT_FOUND, IN_DELETE_WINDOW):
                return {}
            raise
        stages: dict[str, str] = {}
        versions = list(getattr(body.version_ids, "version_id", None) or []) if body.version_ids is not None else []
        for version in versions:
            for stage in _stage_list(version.version_stages):
                stages[stage] = str(version.version_id)
        return stages

    def _list(self, user_name: str) -> Iterator[Any]:
        m = _kms_models()
        filters = json.dumps([{"Key": "TagKey", "Values": [TAG_USER]}, {"Key": "TagValue", "Values": [user_name]}])
        page, seen = 1, 0
        while True:
            request = m.ListSecretsRequest(fetch_tags="true", filters=filters, page_number=page, page_size=PAGE_SIZE)
            body = self._kms("ListSecrets", "list_secrets", request).body
            rows = list(getattr(body.secret_list, "secret", None) or []) if body.secret_list is not None else []
            yield from rows
            seen += len(rows)
            if not rows or seen >= int(body.total_count or 0):
                return
            page += 1

    def schedule_deletion(self, name: str, recovery_days: int) -> None:
        """DeleteSecret with a recovery window; a secret already scheduled stays as it is."""
        request = _kms_models().DeleteSecretRequest(secret_name=name, recovery_window_in_days=str(recovery_days))
        try:
            self._kms("DeleteSecret", "delete_secret", request)
        except CloudError as exc:
            if exc.code != IN_DELETE_WINDOW:
                raise

    def restore(self, name: str) -> None:
        """RestoreSecret; a secret that is not scheduled for deletion is already restored."""
        try:
            self._kms("RestoreSecret", "restore_secret", _kms_models().RestoreSecretRequest(secret_name=name))
        except CloudError as exc:
            if exc.code != NOT_DELETED:
                raise
