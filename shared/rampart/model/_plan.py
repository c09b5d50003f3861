"""A plan: the ordered steps between observed and desired state.

Frozen data, no I/O (see ``rampart.model``). A step's detail is typed by its kind
(:data:`DETAIL_TYPES`, checked when the step is built); the plan hash is a digest of the
steps' JSON rendering, so equal plans hash equal.
"""


from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

from rampart.model._state import SecretKind
from rampart.model._step_details import (
    AccessKeyRef,
    DisplayName,
    Escrow,
    GroupRef,
    MfaDevice,
    NewPolicy,
    NewUser,
    NoDetail,
    PolicyAttachment,
    PolicyName,
    SecretDeletion,
    SecretRef,
    StepDetail,
    StepDetailError,
    Tags,
    Untag,
)

D = TypeVar("D", bound=StepDetail)

# --- plan --------------------------------------------------------------------------------


class StepKind(Enum):
    CREATE_USER = "create-user"
    UPDATE_USER = "update-user"
    TAG_USER = "tag-user"
    UNTAG_USER = "untag-user"
    CREATE_LOGIN_PROFILE = "create-login-profile"
    DELETE_LOGIN_PROFILE = "delete-login-profile"
    CREATE_ACCESS_KEY = "create-access-key"
    DEACTIVATE_ACCESS_KEY = "deactivate-access-key"
    ACTIVATE_ACCESS_KEY = "activate-access-key"
    DELETE_ACCESS_KEY = "delete-access-key"
    SCHEDULE_SECRET_DELETION = "schedule-secret-deletion"
    RESTORE_SECRET = "restore-secret"
    UNBIND_MFA = "unbind-mfa"
    DELETE_MFA = "delete-mfa"
    CREATE_POLICY = "create-policy"
    DELETE_POLICY = "delete-policy"
    ATTACH_POLICY = "attach-policy"
    DETACH_POLICY = "detach-policy"
    ADD_TO_GROUP = "add-to-group"
    REMOVE_FROM_GROUP = "remove-from-group"
    DELETE_USER = "delete-user"


DETAIL_TYPES: Mapping[StepKind, type[StepDetail]] = {
    StepKind.CREATE_USER: NewUser,
    StepKind.UPDATE_USER: DisplayName,
    StepKind.TAG_USER: Tags,
    StepKind.UNTAG_USER: Untag,
    StepKind.CREATE_LOGIN_PROFILE: Escrow,
    StepKind.DELETE_LOGIN_PROFILE: NoDetail,
    StepKind.CREATE_ACCESS_KEY: Escrow,
    StepKind.DEACTIVATE_ACCESS_KEY: AccessKeyRef,
    StepKind.ACTIVATE_ACCESS_KEY: AccessKeyRef,
    StepKind.DELETE_ACCESS_KEY: AccessKeyRef,
    StepKind.SCHEDULE_SECRET_DELETION: SecretDeletion,
    StepKind.RESTORE_SECRET: SecretRef,
    StepKind.UNBIND_MFA: MfaDevice,
    StepKind.DELETE_MFA: MfaDevice,
    StepKind.CREATE_POLICY: NewPolicy,
    StepKind.DELETE_POLICY: PolicyName,
    StepKind.ATTACH_POLICY: PolicyAttachment,
    StepKind.DETACH_POLICY: PolicyAttachment,
    StepKind.ADD_TO_GROUP: GroupRef,
    StepKind.REMOVE_FROM_GROUP: GroupRef,
    StepKind.DELETE_USER: NoDetail,
}
"""The detail type each kind of step carries."""

_ESCROWS = {StepKind.CREATE_LOGIN_PROFILE: SecretKind.PASSWORD, StepKind.CREATE_ACCESS_KEY: SecretKind.ACCESS_KEY}


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    user_name: str
    detail: StepDetail = field(default_factory=NoDetail)
    """What the step acts on, of the type ``DETAIL_TYPES[kind]``. Never a secret value."""
    reason: str = ""

    def __post_init__(self) -> None:
        expected = DETAIL_TYPES[self.kind]
        if type(self.detail) is not expected:
            raise StepDetailError(f"a {self.kind.value} step carries {expected.__name__}, not {self.detail!r}")
        secret = _ESCROWS.get(self.kind)
        if isinstance(self.detail, Escrow) and self.detail.kind is not secret:
            raise StepDetailError(f"a {self.kind.value} step escrows a {secret.value if secret else '?'} secret, "
                                  f"not a {self.detail.kind.value} one")

    def detail_as(self, cls: type[D]) -> D:
        """The detail as ``cls`` (the type its kind carries; anything else is a planner bug)."""
        if not isinstance(self.detail, cls):
            raise StepDetailError(f"a {self.kind.value} step carries {type(self.detail).__name__}, not {cls.__name__}")
        return self.detail

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "user": self.user_name, "detail": self.detail.as_dict(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Plan:
    event_id: str
    user_name: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    """Things the planner noticed but will not change (drift, stale event, refusals)."""

    @property
    def hash(self) -> str:
        """A stable digest of the steps, recorded in every audit record of the run."""
        payload = json.dumps([s.as_dict() for s in self.steps], sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]

    @property
    def is_noop(self) -> bool:
        return not self.steps
