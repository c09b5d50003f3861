"""A plan: the ordered steps between observed and desired state.

Frozen data, no I/O (see ``rampart.model``).
"""


from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Step:
    kind: StepKind
    user_name: str
    detail: Mapping[str, str] = field(default_factory=dict)
    """What the step acts on: ``policy``, ``scope``, ``access_key_id``, ``secret_name``, ``group``,
    ``tags`` (JSON), ``document`` ... (the full table per StepKind: ``rampart.planning``'s docstring;
    keys and parsers: ``rampart.planning.step_detail``). Never a secret value."""
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "user": self.user_name, "detail": dict(self.detail), "reason": self.reason}


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
