"""The identity behind a verified request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class PrincipalKind(Enum):
    ROOT = "Account"
    USER = "RAMUser"
    ROLE_SESSION = "AssumedRoleUser"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    account_id: str
    access_key_id: str
    user_name: str | None = None
    user_id: str | None = None
    role_name: str | None = None
    role_id: str | None = None
    session_name: str | None = None
    session_policy: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        if self.kind is PrincipalKind.ROOT:
            return f"acs:ram::{self.account_id}:root"
        if self.kind is PrincipalKind.USER:
            return f"acs:ram::{self.account_id}:user/{self.user_name}"
        return f"acs:ram::{self.account_id}:assumed-role/{self.role_name}/{self.session_name}"

    @property
    def is_root(self) -> bool:
        return self.kind is PrincipalKind.ROOT
