"""Version stage labels and version retention of a generic secret.

A stage label marks one version at a time; moving ACSCurrent moves ACSPrevious to the
version ACSCurrent left ("By default, the new secret value is marked with ACSCurrent, and
the previous version that was marked with ACSCurrent is marked with ACSPrevious",
api-kms-2016-01-20-putsecretvalue). A secret keeps at most 10 versions and 8 stage labels.
"""

from __future__ import annotations

from localcloud.kms import errors
from localcloud.kms.models.entities import ACS_CURRENT, ACS_PREVIOUS, Secret, SecretVersion

# "Each generic secret can have a maximum of 10 versions. If the number of versions exceeds
# the limit, KMS deletes the earliest version." (api-kms-2016-01-20-putsecretvalue)
MAX_VERSIONS = 10
# "The total number of version stages for each generic secret cannot exceed 8."
# (api-kms-2016-01-20-updatesecretversionstage)
MAX_STAGES = 8


def attach(secret: Secret, version: SecretVersion, stage: str) -> None:
    """Put ``stage`` on ``version``, taking it off whichever version had it.

    The ACSPrevious follow-up is documented for PutSecretValue; UNCONFIRMED (but assumed,
    as AWS Secrets Manager documents it) for UpdateSecretVersionStage.
    """
    holder = secret.version_with(stage)
    if holder is version:
        return
    if holder is not None:
        holder.stages.remove(stage)
    version.stages.append(stage)
    if stage == ACS_CURRENT and holder is not None:
        attach(secret, holder, ACS_PREVIOUS)


def check_limit(secret: Secret, adding: list[str]) -> None:
    """Refuse a change that would give the secret more than 8 distinct stage labels."""
    labels = secret.stage_labels() | set(adding)
    if ACS_CURRENT in adding and secret.version_with(ACS_CURRENT) is not None:
        labels.add(ACS_PREVIOUS)
    if len(labels) > MAX_STAGES:
        # UNCONFIRMED: the code for the 8-stage limit.
        raise errors.RejectedLimitExceeded(f"A secret can have at most {MAX_STAGES} version stages.")


def evict_oldest(secret: Secret, keep: SecretVersion) -> None:
    """Keep at most 10 versions.

    UNCONFIRMED which version "the earliest" means: localcloud drops the oldest version
    without a stage label, else the oldest one that is neither ACSCurrent nor the new one.
    """
    while len(secret.versions) > MAX_VERSIONS:
        candidates = [v for v in secret.versions.values() if v is not keep and ACS_CURRENT not in v.stages]
        unlabelled = [v for v in candidates if v.deprecated]
        victim = (unlabelled or candidates)[0]
        del secret.versions[victim.version_id]
