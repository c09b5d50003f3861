"""What a step acts on: one frozen detail type per kind of step data. Never a secret value.

The planner builds them, the applier and the simulator read their attributes, and
:meth:`StepDetail.as_dict` renders them for ``rampart plan --json``, the audit trail and the
plan hash: identifiers, names and flags as strings (``true``/``false``), times as ISO 8601
UTC with ``Z``, tags as a JSON object and tag keys as a JSON list. Which type each
``StepKind`` carries: ``rampart.model.DETAIL_TYPES``.

Each type checks its own fields when built, so a detail that reaches the applier is well
formed; a wrong one is :class:`StepDetailError`, a bug between planner and applier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from rampart.errors import RampartError
from rampart.model._catalog import ACCOUNT, PolicyRef, PolicyType, Scope
from rampart.model._state import Attachment, SecretKind


class StepDetailError(RampartError):
    """A step detail that is malformed or does not fit its step kind: a bug in the planner."""


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _named(owner: object, **names: object) -> None:
    """Every named field is a non-empty string (ids, names: what RAM and KMS address)."""
    for key, value in names.items():
        if not isinstance(value, str) or not value:
            raise StepDetailError(f"{type(owner).__name__}.{key} must be a non-empty string, not {value!r}")


def _strings(owner: object, **values: object) -> None:
    """Every named field is a string (possibly empty: a person without a manager)."""
    for key, value in values.items():
        if not isinstance(value, str):
            raise StepDetailError(f"{type(owner).__name__}.{key} must be a string, not {value!r}")


def _policy(owner: object, key: str, policy: object) -> None:
    if not isinstance(policy, PolicyRef) or not isinstance(policy.policy_type, PolicyType) or not policy.name:
        raise StepDetailError(f"{type(owner).__name__}.{key} must be a PolicyRef like System:AliyunECSReadOnlyAccess, "
                              f"not {policy!r}")


def _scope(owner: object, scope: object) -> None:
    if not isinstance(scope, Scope) or scope.resource_group_id == "":
        raise StepDetailError(f"{type(owner).__name__}.scope must be the account or a resource group, not {scope!r}")


@dataclass(frozen=True, slots=True)
class StepDetail:
    """The base of every detail: its rendering and the name of what it acts on."""

    def as_dict(self) -> dict[str, Any]:
        """The detail as JSON (fields in order; an unset optional field is left out)."""
        return {f.name: _text(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def subject(self) -> str:
        """What the step acts on, by name (a policy, key id, group, secret, MFA serial), or ""."""
        return ""


@dataclass(frozen=True, slots=True)
class NoDetail(StepDetail):
    """DELETE_LOGIN_PROFILE, DELETE_USER: the user is all the step needs."""


@dataclass(frozen=True, slots=True)
class NewUser(StepDetail):
    """CREATE_USER."""

    display_name: str
    person_id: str
    manager: str
    comments: str

    def __post_init__(self) -> None:
        _strings(self, display_name=self.display_name, person_id=self.person_id, manager=self.manager,
                 comments=self.comments)


@dataclass(frozen=True, slots=True)
class DisplayName(StepDetail):
    """UPDATE_USER."""

    display_name: str

    def __post_init__(self) -> None:
        _named(self, display_name=self.display_name)


@dataclass(frozen=True, slots=True)
class Tags(StepDetail):
    """TAG_USER: the tags to set, as sorted (key, value) pairs (:meth:`of` builds it from a mapping)."""

    tags: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        pairs = all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and p[0] and isinstance(p[1], str)
                    for p in self.tags)
        if not pairs or len({p[0] for p in self.tags}) != len(self.tags):
            raise StepDetailError(f"Tags.tags must be distinct (key, value) string pairs, not {self.tags!r}")
        object.__setattr__(self, "tags", tuple(sorted(self.tags)))

    @classmethod
    def of(cls, tags: Mapping[str, str]) -> Tags:
        return cls(tuple(tags.items()))

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self.tags)

    def as_dict(self) -> dict[str, Any]:
        return {"tags": self.mapping}


@dataclass(frozen=True, slots=True)
class Untag(StepDetail):
    """UNTAG_USER: the tag keys to remove, sorted."""

    keys: tuple[str, ...]

    def __post_init__(self) -> None:
        if not all(isinstance(k, str) and k for k in self.keys) or len(set(self.keys)) != len(self.keys):
            raise StepDetailError(f"Untag.keys must be distinct non-empty strings, not {self.keys!r}")
        object.__setattr__(self, "keys", tuple(sorted(self.keys)))

    @classmethod
    def of(cls, keys: Iterable[str]) -> Untag:
        return cls(tuple(keys))

    def as_dict(self) -> dict[str, Any]:
        return {"untag": list(self.keys)}


@dataclass(frozen=True, slots=True)
class Escrow(StepDetail):
    """CREATE_LOGIN_PROFILE (``kind`` PASSWORD) and CREATE_ACCESS_KEY (``kind`` ACCESS_KEY): the
    secret the applier generates or receives goes into KMS as ``secret_name``, tagged with the
    person and manager. The flags are CreateLoginProfile's PasswordResetRequired and
    MFABindRequired (None: the applier's defaults; an AccessKey has neither)."""

    kind: SecretKind
    person_id: str
    manager: str
    secret_name: str
    reset_required: bool | None = None
    mfa_required: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, SecretKind):
            raise StepDetailError(f"Escrow.kind must be a SecretKind, not {self.kind!r}")
        _strings(self, person_id=self.person_id, manager=self.manager)
        _named(self, secret_name=self.secret_name)
        for key, flag in (("reset_required", self.reset_required), ("mfa_required", self.mfa_required)):
            if flag is not None and (not isinstance(flag, bool) or self.kind is not SecretKind.PASSWORD):
                raise StepDetailError(f"Escrow.{key} is a login profile's flag (True/False), not {flag!r} "
                                      f"for a {self.kind.value} secret")

    @property
    def subject(self) -> str:
        return self.secret_name


@dataclass(frozen=True, slots=True)
class AccessKeyRef(StepDetail):
    """DEACTIVATE_ACCESS_KEY, ACTIVATE_ACCESS_KEY, DELETE_ACCESS_KEY."""

    access_key_id: str

    def __post_init__(self) -> None:
        _named(self, access_key_id=self.access_key_id)

    @property
    def subject(self) -> str:
        return self.access_key_id


@dataclass(frozen=True, slots=True)
class SecretRef(StepDetail):
    """RESTORE_SECRET: a KMS secret's *name* (never its value)."""

    secret_name: str

    def __post_init__(self) -> None:
        _named(self, secret_name=self.secret_name)

    @property
    def subject(self) -> str:
        return self.secret_name


@dataclass(frozen=True, slots=True)
class SecretDeletion(StepDetail):
    """SCHEDULE_SECRET_DELETION: the secret and KMS's recovery window (DeleteSecret
    RecoveryWindowInDays, 7..30: alibaba-platform.md §B.4)."""

    secret_name: str
    recovery_days: int

    def __post_init__(self) -> None:
        _named(self, secret_name=self.secret_name)
        if isinstance(self.recovery_days, bool) or not isinstance(self.recovery_days, int) or self.recovery_days < 1:
            raise StepDetailError(f"SecretDeletion.recovery_days must be a positive number of days, not {self.recovery_days!r}")

    @property
    def subject(self) -> str:
        return self.secret_name


@dataclass(frozen=True, slots=True)
class MfaDevice(StepDetail):
    """UNBIND_MFA, DELETE_MFA: the virtual MFA device's serial number."""

    serial: str

    def __post_init__(self) -> None:
        _named(self, serial=self.serial)

    @property
    def subject(self) -> str:
        return self.serial


@dataclass(frozen=True, slots=True)
class NewPolicy(StepDetail):
    """CREATE_POLICY: a time-bound custom policy. ``document`` when the planner knows it (catalog
    custom policies); otherwise the applier copies the source's default version and bounds it
    (``rampart.planning.create_policy_document``)."""

    policy_name: str
    source_policy: PolicyRef
    profile: str
    until: datetime
    scope: Scope
    description: str
    document: str | None = None

    def __post_init__(self) -> None:
        _named(self, policy_name=self.policy_name, profile=self.profile)
        _strings(self, description=self.description)
        _policy(self, "source_policy", self.source_policy)
        _scope(self, self.scope)
        if not isinstance(self.until, datetime) or self.until.tzinfo is None:
            raise StepDetailError(f"NewPolicy.until must be a timezone-aware time, not {self.until!r}")
        if self.document is not None:
            _named(self, document=self.document)

    @property
    def subject(self) -> str:
        return self.policy_name


@dataclass(frozen=True, slots=True)
class PolicyName(StepDetail):
    """DELETE_POLICY: a time-bound custom policy, by name."""

    policy_name: str

    def __post_init__(self) -> None:
        _named(self, policy_name=self.policy_name)

    @property
    def subject(self) -> str:
        return self.policy_name


@dataclass(frozen=True, slots=True)
class PolicyAttachment(StepDetail):
    """ATTACH_POLICY, DETACH_POLICY: a policy and where it applies."""

    policy: PolicyRef
    scope: Scope = ACCOUNT

    def __post_init__(self) -> None:
        _policy(self, "policy", self.policy)
        _scope(self, self.scope)

    @classmethod
    def of(cls, attachment: Attachment) -> PolicyAttachment:
        return cls(attachment.policy, attachment.scope)

    @property
    def attachment(self) -> Attachment:
        return Attachment(self.policy, self.scope)

    @property
    def subject(self) -> str:
        return str(self.policy)


@dataclass(frozen=True, slots=True)
class GroupRef(StepDetail):
    """ADD_TO_GROUP, REMOVE_FROM_GROUP."""

    group: str

    def __post_init__(self) -> None:
        _named(self, group=self.group)

    @property
    def subject(self) -> str:
        return self.group
