"""The plain data KMS Secrets Manager keeps: secrets, their versions and stage labels.

Model: https://www.alibabacloud.com/help/doc-detail/152002.htm (secret object model:
metadata, versions, version stages). These are plain dataclasses so the state pickles;
a version's ``data`` is the secret value itself and is kept out of ``repr`` so it never
reaches a log or a traceback by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

ACS_CURRENT = "ACSCurrent"
ACS_PREVIOUS = "ACSPrevious"
SYSTEM_STAGES = (ACS_CURRENT, ACS_PREVIOUS)


class SecretType(Enum):
    """Valid ``SecretType`` values (kms20160120 models/_create_secret_request.py)."""

    GENERIC = "Generic"
    RDS = "Rds"
    REDIS = "Redis"
    RAM_CREDENTIALS = "RAMCredentials"
    ECS = "ECS"
    POLARDB = "PolarDB"


class DataType(Enum):
    """Valid ``SecretDataType`` values; ``text`` is the default."""

    TEXT = "text"
    BINARY = "binary"


@dataclass
class SecretVersion:
    version_id: str
    data: str = field(repr=False)
    data_type: DataType
    create_time: datetime
    stages: list[str] = field(default_factory=list)

    @property
    def deprecated(self) -> bool:
        """A version without any stage label is deprecated (ListSecretVersionIds IncludeDeprecated)."""
        return not self.stages


@dataclass
class Secret:
    name: str
    secret_type: SecretType
    create_time: datetime
    update_time: datetime
    creator: str
    """Account or RAM user id of the caller that created it (the ``Creator`` list filter)."""
    description: str = ""
    encryption_key_id: str | None = None
    dkms_instance_id: str | None = None
    extended_config: dict[str, Any] | None = None
    policy: str | None = None
    automatic_rotation: bool = False
    rotation_interval: int | None = None
    """Seconds between automatic rotations (managed secret types only)."""
    tags: dict[str, str] = field(default_factory=dict)
    versions: dict[str, SecretVersion] = field(default_factory=dict)
    """Insertion-ordered, so the oldest version comes first."""
    planned_delete_time: datetime | None = None

    @property
    def pending_deletion(self) -> bool:
        return self.planned_delete_time is not None

    def version_with(self, stage: str) -> SecretVersion | None:
        for version in self.versions.values():
            if stage in version.stages:
                return version
        return None

    def stage_labels(self) -> set[str]:
        return {stage for version in self.versions.values() for stage in version.stages}
