"""The catalog's types: access profiles, policies, scopes, rules and options.

Frozen data, no I/O (see ``rampart.model``).
"""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

# --- catalog -----------------------------------------------------------------------------


class AccessMode(Enum):
    """One access mode per RAM user, as the RAM guide advises."""

    CONSOLE = "console"
    PROGRAMMATIC = "programmatic"


class PolicyType(Enum):
    SYSTEM = "System"
    CUSTOM = "Custom"

    def __lt__(self, other: object) -> bool:
        """By value, so that PolicyRef and Attachment (``order=True``) can be sorted."""
        if not isinstance(other, PolicyType):
            return NotImplemented
        return self.value < other.value


class RiskTier(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True, order=True)
class PolicyRef:
    policy_type: PolicyType
    name: str

    def __str__(self) -> str:
        return f"{self.policy_type.value}:{self.name}"


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    """Where an attachment applies: the whole account, or one resource group."""

    resource_group_id: str | None = None

    @property
    def is_account(self) -> bool:
        return self.resource_group_id is None

    def __str__(self) -> str:
        return "account" if self.resource_group_id is None else f"resource-group:{self.resource_group_id}"


ACCOUNT = Scope()


class PolicyChange(Enum):
    """What ``Identities.ensure_policy`` did to a catalog custom policy (``rampart init``)."""

    CREATED = "created"
    UPDATED = "updated"
    """The document differed: a new default version was created."""
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class CustomPolicySpec:
    """A custom policy the catalog defines; ``rampart init`` creates it in the account."""

    name: str
    document: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    policies: tuple[PolicyRef, ...]
    """Every policy the profile attaches, system and custom (custom ones named in
    ``custom_policies`` or already existing in the account)."""
    custom_policies: tuple[CustomPolicySpec, ...] = ()
    groups: tuple[str, ...] = ()
    scope: Scope = ACCOUNT
    max_duration: timedelta | None = None
    """Longest time-bound grant allowed; None means grants may be permanent."""
    approval_required: bool = False
    approvers: tuple[str, ...] = ()
    """Who may approve a ticket for this profile (empty: any approver other than the requester)."""
    risk: RiskTier = RiskTier.LOW
    allow_high_risk: bool = False
    """Only a profile that says so may carry a high-risk policy, and then only time-bound."""
    supersedes: tuple[str, ...] = ()
    """Profiles this one replaces: they are never attached together (arms-full > arms-readonly)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """HR attributes -> profiles. ``when`` maps an attribute to accepted values (any of them);
    all attributes named must match. An empty ``when`` matches everyone."""

    name: str
    when: Mapping[str, tuple[str, ...]]
    profiles: tuple[str, ...]
    access: AccessMode | None = None


@dataclass(frozen=True, slots=True)
class CatalogOptions:
    split_access_modes: bool = False
    """A person asking for both console and programmatic access gets two users
    (``name`` and ``name-api``) instead of a refusal."""
    default_access: AccessMode = AccessMode.CONSOLE
    grace_period: timedelta = timedelta(0)
    key_rotation_age: timedelta = timedelta(days=90)
    secret_prefix: str = "rampart"
    secret_recovery_window_days: int = 7
    breaker_max_removals: int = 20
    breaker_window: timedelta = timedelta(hours=1)
    manage_manual_grants: bool = False
    """False: policies rampart did not grant are reported as drift and left alone."""
    tag_attributes: tuple[str, ...] = ()
    """Person attributes copied to user tags (department, cost_center ...)."""
    password_reset_required: bool = True
    mfa_bind_required: bool = True


@dataclass(frozen=True, slots=True)
class Catalog:
    profiles: Mapping[str, Profile]
    rules: tuple[Rule, ...]
    options: CatalogOptions = field(default_factory=CatalogOptions)
    source: str = "<memory>"
