"""KMS Secrets Manager's state and every rule it enforces (../shared/reference/alibaba-platform.md §B).

Secrets live in ``KmsBackend.secrets`` by name. A deleted secret stays, with its
``planned_delete_time``, until localcloud's clock passes that time: expiry is evaluated
lazily on every call, so ``cloud.clock_advance(31 * 86400)`` makes it vanish and frees its
name. This package never logs or formats a secret value; the value lives only in state.

Public: :class:`KmsBackend` and :mod:`.entities` (the records the responses serialise); private:
``_rules`` (names, types, limits, filters) and ``_staging`` (moving version stages).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from localcloud.kms import errors
from localcloud.kms.models import _rules as rules
from localcloud.kms.models import _staging as staging
from localcloud.kms.models.entities import (
    ACS_CURRENT,
    SYSTEM_STAGES,
    Secret,
    SecretType,
    SecretVersion,
)

if TYPE_CHECKING:
    from localcloud.state import CloudState

DEFAULT_RECOVERY_DAYS = 30
# "You can schedule the deletion of a secret within a 7 to 30-day window"
# (https://www.alibabacloud.com/help/en/kms/developer-reference/api-deletesecret, 2024).
MIN_RECOVERY_DAYS, MAX_RECOVERY_DAYS = 7, 30
# UNCONFIRMED: the secret quota comes with the KMS instance; 1,000 is a stand-in. Tests may
# lower ``KmsBackend.secret_quota`` to reach Rejected.LimitExceeded.
DEFAULT_SECRET_QUOTA = 1_000


class KmsBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.secrets: dict[str, Secret] = {}
        self.secret_quota = DEFAULT_SECRET_QUOTA

    # --- naming and lookup ---------------------------------------------------------------

    def arn(self, name: str) -> str:
        account = self._state.account
        return f"acs:kms:{account.region}:{account.account_id}:secret/{name}"

    def container_arn(self) -> str:
        """The "secret container" resource CreateSecret and ListSecrets are authorised on."""
        account = self._state.account
        return f"acs:kms:{account.region}:{account.account_id}:secret"

    def name_of(self, ref: str) -> str:
        """A ``SecretName`` parameter is a name or an ARN ``acs:kms:<region>:<account>:secret/<name>``."""
        if not ref.startswith("acs:kms:"):
            return ref
        parts = ref.split(":", 4)
        if len(parts) != 5 or not parts[4].startswith("secret/"):
            raise errors.InvalidParameter.named("SecretName", "the ARN is not a secret ARN.")
        account = self._state.account
        # UNCONFIRMED: an ARN of another region or account answers ResourceNotFound, as a
        # secret localcloud does not hold would.
        if parts[2] != account.region or parts[3] != account.account_id:
            raise errors.ForbiddenResourceNotFound(f"The secret {ref} is not found.")
        return parts[4][len("secret/") :]

    def _now(self) -> datetime:
        return self._state.clock.now()

    def _sweep(self, now: datetime) -> None:
        """Forget secrets whose recovery window has passed."""
        for name in [n for n, s in self.secrets.items() if s.planned_delete_time and s.planned_delete_time <= now]:
            del self.secrets[name]

    def _find(self, ref: str) -> Secret:
        name = self.name_of(ref)
        self._sweep(self._now())
        secret = self.secrets.get(name)
        if secret is None:
            raise errors.ForbiddenResourceNotFound(f"The secret {name} is not found.")
        return secret

    def _live(self, ref: str) -> Secret:
        """A secret that is not scheduled for deletion.

        UNCONFIRMED which operations a pending secret refuses: localcloud refuses reading
        the value and every change except DeleteSecret/RestoreSecret, with
        Rejected.ResourceInDeleteWindow; DescribeSecret, ListSecretVersionIds and
        ListSecrets still show it.
        """
        secret = self._find(ref)
        if secret.pending_deletion:
            raise errors.RejectedResourceInDeleteWindow(f"The secret {secret.name} is planned to be deleted.")
        return secret

    def _generic(self, secret: Secret, operation: str) -> None:
        if secret.secret_type is not SecretType.GENERIC:
            # "This operation supports only generic secrets." UNCONFIRMED: the error code.
            raise errors.InvalidParameter(f"{operation} supports only generic secrets; {secret.name} is "
                                          f"{secret.secret_type.value}.")

    # --- secrets -------------------------------------------------------------------------

    def create_secret(
        self,
        *,
        name: str,
        data: str,
        version_id: str,
        creator: str,
        data_type: str | None = None,
        secret_type: str | None = None,
        description: str | None = None,
        tags: str | None = None,
        encryption_key_id: str | None = None,
        dkms_instance_id: str | None = None,
        extended_config: str | None = None,
        enable_automatic_rotation: bool = False,
        rotation_interval: str | None = None,
        policy: str | None = None,
    ) -> Secret:
        kind = rules.secret_type(secret_type)
        config = rules.extended_config(extended_config, kind)
        name = rules.secret_name(name, kind, config)
        rules.secret_data(data)
        rules.version_id(version_id)
        dtype = rules.data_type(data_type, kind)
        parsed_tags = rules.tags(tags)
        rules.secret_policy(policy)
        # "EnableAutomaticRotation ... When SecretType is set to Generic, automatic rotation
        # is not supported" (CreateSecret docstring). UNCONFIRMED: ignored, not rejected.
        rotating = enable_automatic_rotation and kind is not SecretType.GENERIC
        interval = rules.rotation_interval(rotation_interval) if rotating else None
        # UNCONFIRMED: EncryptionKeyId may be omitted (2021 docs: KMS then uses a key of its
        # own); localcloud keeps whatever id it is given and models no keys.
        now = self._now()
        self._sweep(now)
        existing = self.secrets.get(name)
        if existing is not None:
            if existing.pending_deletion:
                raise errors.RejectedResourceInDeleteWindow(f"The secret {name} is planned to be deleted.")
            raise errors.RejectedResourceExist(f"The secret {name} already exists.")
        if len(self.secrets) >= self.secret_quota:
            raise errors.RejectedLimitExceeded(f"The secret quota ({self.secret_quota}) is exceeded.")
        secret = Secret(
            name=name,
            secret_type=kind,
            create_time=now,
            update_time=now,
            creator=creator,
            description=description or "",
            encryption_key_id=encryption_key_id or None,
            dkms_instance_id=dkms_instance_id or None,
            extended_config=config,
            policy=policy or None,
            automatic_rotation=rotating,
            rotation_interval=interval,
            tags=parsed_tags,
        )
        # "The initial version is marked with ACSCurrent." (CreateSecret)
        secret.versions[version_id] = SecretVersion(version_id, data, dtype, now, [ACS_CURRENT])
        self.secrets[name] = secret
        return secret

    def describe_secret(self, ref: str) -> Secret:
        return self._find(ref)

    def list_secrets(self, filters: str | None) -> list[Secret]:
        """Secrets in creation order, pending ones included (they carry PlannedDeleteTime).

        UNCONFIRMED: every filter value matches exactly (SecretType case-insensitively,
        since the ListSecrets docstring spells it ``RDS``); TagKey/TagValue match any tag.
        """
        conditions = rules.filters(filters)
        self._sweep(self._now())
        return [s for s in self.secrets.values() if all(_matches(s, key, values) for key, values in conditions)]

    def update_secret(self, ref: str, description: str | None, custom_data: dict[str, Any] | None) -> Secret:
        secret = self._live(ref)
        if description is not None:
            secret.description = description
        # "CustomData ... unavailable for generic secrets." UNCONFIRMED: ignored for them.
        if custom_data is not None and secret.extended_config is not None:
            secret.extended_config["CustomData"] = custom_data
        secret.update_time = self._now()
        return secret

    def delete_secret(self, ref: str, force: bool, recovery_window_in_days: str | None) -> tuple[Secret, datetime]:
        """Schedule deletion after the recovery window, or delete at once when forced."""
        secret = self._find(ref)
        now = self._now()
        if force:
            # UNCONFIRMED: a secret already pending deletion can still be force-deleted.
            del self.secrets[secret.name]
            return secret, now
        if secret.pending_deletion:
            # UNCONFIRMED: the code for deleting a secret that is already scheduled.
            raise errors.RejectedResourceInDeleteWindow(f"The secret {secret.name} is planned to be deleted.")
        days = DEFAULT_RECOVERY_DAYS
        if recovery_window_in_days not in (None, ""):
            try:
                days = int(str(recovery_window_in_days))
            except ValueError as exc:
                raise errors.InvalidParameter.named("RecoveryWindowInDays", "must be an integer.") from exc
            if not MIN_RECOVERY_DAYS <= days <= MAX_RECOVERY_DAYS:
                raise errors.InvalidParameter.named(
                    "RecoveryWindowInDays", f"must be between {MIN_RECOVERY_DAYS} and {MAX_RECOVERY_DAYS} days."
                )
        secret.planned_delete_time = now + timedelta(days=days)
        return secret, secret.planned_delete_time

    def restore_secret(self, ref: str) -> Secret:
        """Only within the recovery window; a force-deleted secret is simply gone."""
        secret = self._find(ref)
        if not secret.pending_deletion:
            raise errors.RejectedResourceInUse(f"The secret {secret.name} is not scheduled for deletion.")
        secret.planned_delete_time = None
        secret.update_time = self._now()
        return secret

    def tag_resource(self, ref: str, tags: str) -> Secret:
        secret = self._live(ref)
        merged = {**secret.tags, **rules.tags(tags)}
        if len(merged) > rules.MAX_TAGS:
            # UNCONFIRMED: the code when tagging would pass 20 tags (the CreateSecret limit).
            raise errors.InvalidParameter.named("Tags", f"a secret can have at most {rules.MAX_TAGS} tags.")
        secret.tags = merged
        return secret

    def untag_resource(self, ref: str, tag_keys: str) -> Secret:
        secret = self._live(ref)
        for key in rules.tag_keys(tag_keys):
            secret.tags.pop(key, None)
        return secret

    # --- versions and stages -------------------------------------------------------------

    def get_secret_value(
        self, ref: str, version_id: str | None, version_stage: str | None, *, dry_run: bool = False
    ) -> tuple[Secret, SecretVersion]:
        """By VersionId, else by VersionStage (default ACSCurrent); both must then agree."""
        secret = self._live(ref)
        if secret.secret_type is not SecretType.GENERIC:
            # "Specifying VersionId is not supported for ... [managed] secrets. If you set this
            # parameter, it is ignored"; "only ... ACSPrevious and ACSCurrent can be retrieved."
            version_id = None
            if version_stage not in (None, "", *SYSTEM_STAGES):
                raise errors.InvalidParameter.named("VersionStage", "must be ACSCurrent or ACSPrevious.")
        if version_id:
            version = secret.versions.get(version_id)
            # UNCONFIRMED: a VersionStage the chosen version does not carry answers ResourceNotFound.
            if version is None or (version_stage and version_stage not in version.stages):
                raise errors.ForbiddenResourceNotFound(f"The version {version_id} of {secret.name} is not found.")
        else:
            stage = version_stage or ACS_CURRENT
            found = secret.version_with(stage)
            if found is None:
                raise errors.ForbiddenResourceNotFound(f"No version of {secret.name} has the stage {stage}.")
            version = found
        if dry_run:
            raise errors.DryRunOperationError()
        return secret, version

    def put_secret_value(
        self, ref: str, version_id: str, data: str, data_type: str | None, version_stages: str | None
    ) -> tuple[Secret, SecretVersion]:
        """Store a new version; by default it takes ACSCurrent and the old current becomes ACSPrevious.

        An existing VersionId with the same value is an idempotent success; with another
        value the request is rejected (api-kms-2016-01-20-putsecretvalue).
        """
        secret = self._live(ref)
        self._generic(secret, "PutSecretValue")
        rules.version_id(version_id)
        rules.secret_data(data)
        dtype = rules.data_type(data_type, secret.secret_type)
        stages = rules.version_stages(version_stages)
        existing = secret.versions.get(version_id)
        if existing is not None:
            if existing.data == data:
                return secret, existing
            # UNCONFIRMED: the code ("KMS rejects the request and returns a failure message").
            raise errors.RejectedResourceExist(
                f"The version {version_id} of {secret.name} already exists with a different value."
            )
        stages = [ACS_CURRENT] if stages is None else stages
        staging.check_limit(secret, stages)
        now = self._now()
        version = SecretVersion(version_id, data, dtype, now, [])
        secret.versions[version_id] = version
        for stage in stages:
            staging.attach(secret, version, stage)
        staging.evict_oldest(secret, keep=version)
        secret.update_time = now
        return secret, version

    def update_secret_version_stage(
        self, ref: str, stage: str, move_to: str | None, remove_from: str | None
    ) -> Secret:
        """Add (MoveToVersion), remove (RemoveFromVersion) or move (both) a stage label.

        ACSCurrent and ACSPrevious can only be moved: MoveToVersion is required for them
        (kms20160120 UpdateSecretVersionStageRequest docstring). A label marks one version
        at a time, so adding it to one version takes it off the other.
        """
        secret = self._live(ref)
        self._generic(secret, "UpdateSecretVersionStage")
        if not move_to and not remove_from:
            raise errors.InvalidParameter("You must specify at least one of RemoveFromVersion and MoveToVersion.")
        if stage in SYSTEM_STAGES and not move_to:
            raise errors.InvalidParameter(f"{stage} cannot be removed, only moved: MoveToVersion is required.")
        target = self._version(secret, move_to) if move_to else None
        source = self._version(secret, remove_from) if remove_from else None
        if source is not None and stage not in source.stages:
            # UNCONFIRMED: the code when RemoveFromVersion does not carry the stage.
            raise errors.InvalidParameter(f"The version {source.version_id} does not have the stage {stage}.")
        if target is not None:
            staging.check_limit(secret, [stage])
            staging.attach(secret, target, stage)
        elif source is not None:
            source.stages.remove(stage)
        secret.update_time = self._now()
        return secret

    def list_secret_version_ids(self, ref: str, include_deprecated: bool) -> tuple[Secret, list[SecretVersion]]:
        """Versions oldest first; those without a stage label (deprecated) only when asked."""
        secret = self._find(ref)
        versions = [v for v in secret.versions.values() if include_deprecated or not v.deprecated]
        return secret, versions

    @staticmethod
    def _version(secret: Secret, version_id: str) -> SecretVersion:
        version = secret.versions.get(version_id)
        if version is None:
            # UNCONFIRMED: an unknown version answers ResourceNotFound.
            raise errors.ForbiddenResourceNotFound(f"The version {version_id} of {secret.name} is not found.")
        return version


def _matches(secret: Secret, key: str, values: list[str]) -> bool:
    if key == "SecretName":
        return secret.name in values
    if key == "Description":
        return secret.description in values
    if key == "TagKey":
        return any(k in values for k in secret.tags)
    if key == "TagValue":
        return any(v in values for v in secret.tags.values())
    if key == "DKMSInstanceId":
        return secret.dkms_instance_id in values
    if key == "SecretType":
        return secret.secret_type.value.lower() in {v.lower() for v in values}
    return secret.creator in values  # "Creator"

