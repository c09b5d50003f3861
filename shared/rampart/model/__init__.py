"""rampart's domain types: the catalog, people and events, observed and desired state, steps.

Everything here is frozen data with no I/O. The planner (``rampart.planning``) is a pure
function of these types; adapters (``rampart.adapters``) turn cloud answers into them.
Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

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


# --- people and events -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    display_name: str
    email: str = ""
    user_name: str | None = None
    """An explicit logon name; otherwise derived from the email or display name."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """HR attributes (department, title, location, employment_type, cost_center ...)."""
    manager: str = ""
    access: tuple[AccessMode, ...] = ()
    """Requested access modes; empty means the catalog's rule or default."""


HR_RECORD_ATTRIBUTE = "hr_record"
HR_RECORD_IDS_ONLY = "ids-only"
"""``Person.attributes[HR_RECORD_ATTRIBUTE]`` of a record an HR source built from ids only
(DingTalk ``user_*_org``, BambooHR's event webhooks: ``rampart.sources.hr``). Such a
joiner or mover is refused by the planner: planned as is, it would drop every rule-granted
profile of a mover and create a joiner named after an id."""


class EventKind(Enum):
    JOINER = "joiner"
    MOVER = "mover"
    LEAVER = "leaver"
    GRANT = "grant"
    REVOKE = "revoke"


@dataclass(frozen=True, slots=True)
class Approval:
    ticket_id: str
    status: str
    requester: str
    approver: str


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
    """A normalised event from any source (HR webhook, ticket, message queue, CLI)."""

    event_id: str
    kind: EventKind
    occurred_at: datetime
    source: str
    person_id: str
    person: Person | None = None
    """Joiner and mover: the person's current record."""
    user_name: str | None = None
    """Grant/revoke/leaver by user name instead of person id."""
    profile: str | None = None
    until: datetime | None = None
    approval: Approval | None = None
    immediate: bool = False
    """Leaver: skip the grace period."""
    actor: str = ""
    correlation_id: str = ""


# --- state kept on the user (IMS tags) --------------------------------------------------


class LifecycleState(Enum):
    ACTIVE = "active"
    DISABLED = "disabled"
    """Offboarding with a grace period: login and keys off, grants off, user kept."""


@dataclass(frozen=True, slots=True)
class TicketGrant:
    profile: str
    ticket_id: str
    until: datetime | None
    granted_at: datetime | None = field(default=None, compare=False)
    """Occurrence time of the grant event (None: recorded before rampart kept it). Grants and
    revokes are ordered per profile by it (``rampart.planning``): two tickets for different
    profiles commute, whatever order they arrive in."""


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revoke event's mark on the marker: a grant of ``profile`` older than ``at`` is stale."""

    profile: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Marker:
    """What rampart records on a user it manages (``rampart.naming`` maps it to IMS tags)."""

    person_id: str
    state: LifecycleState
    event_time: datetime
    """Occurrence time of the last joiner, mover or leaver applied; older events are stale.
    Grants and revokes do not move it: they are ordered per profile (``TicketGrant.granted_at``,
    ``revocations``), so tickets for different profiles commute."""
    rule_profiles: frozenset[str] = frozenset()
    ticket_grants: tuple[TicketGrant, ...] = ()
    grace_until: datetime | None = None
    access: AccessMode | None = None
    revocations: tuple[Revocation, ...] = ()
    """Revokes newer than ``event_time`` (older ones are covered by it and dropped)."""


# --- observed state ----------------------------------------------------------------------


class SecretKind(Enum):
    ACCESS_KEY = "access-key"
    PASSWORD = "password"


@dataclass(frozen=True, slots=True)
class ObservedKey:
    access_key_id: str
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ObservedSecret:
    name: str
    kind: SecretKind
    access_key_id: str | None
    """For an AccessKey secret: the key it escrows, i.e. the VersionId of its ``ACSCurrent``
    version (``rampart.naming``: each version is named after the AccessKeyId it holds)."""
    pending_deletion: bool
    previous_access_key_id: str | None = None
    """For an AccessKey secret: the VersionId of its ``ACSPrevious`` version, the key a
    rotation is taking out of service (None when there is no previous version)."""


@dataclass(frozen=True, slots=True, order=True)
class Attachment:
    policy: PolicyRef
    scope: Scope = ACCOUNT


@dataclass(frozen=True, slots=True)
class ObservedUser:
    user_name: str
    user_id: str
    display_name: str
    tags: Mapping[str, str]
    marker: Marker | None
    """None: the user exists but rampart does not manage it."""
    keys: tuple[ObservedKey, ...] = ()
    has_login_profile: bool = False
    mfa_serial: str | None = None
    attachments: frozenset[Attachment] = frozenset()
    groups: frozenset[str] = frozenset()
    secrets: tuple[ObservedSecret, ...] = ()
    timebound_policies: tuple[str, ...] = ()
    """Names of rampart's time-bound custom policies for this user (attached or not)."""
    created_for: str = ""
    """When there is no marker: the person rampart created this user for, from the comment it
    writes with CreateUser (``rampart.naming.creation_comment``): an instance died between
    CreateUser and the marker. "" otherwise."""


# --- desired state -----------------------------------------------------------------------


class GrantSource(Enum):
    RULE = "rule"
    TICKET = "ticket"


@dataclass(frozen=True, slots=True, order=True)
class TimeboundPolicy:
    """A custom policy that grants a profile's policy until ``until`` (DateLessThan acs:CurrentTime)."""

    name: str
    profile: str
    source_policy: PolicyRef
    until: datetime
    scope: Scope = ACCOUNT
    document: str = ""
    """The finished time-bound document when known when the state is desired (a catalog custom
    policy); empty for a system policy, whose default version the applier copies
    (``rampart.planning.timebound.timebound_document``)."""


@dataclass(frozen=True, slots=True)
class DesiredUser:
    user_name: str
    display_name: str
    person_id: str
    access: AccessMode
    state: LifecycleState | None
    """None: the user must not exist (leaver without grace, or grace over)."""
    attachments: frozenset[Attachment] = frozenset()
    timebound: tuple[TimeboundPolicy, ...] = ()
    groups: frozenset[str] = frozenset()
    tags: Mapping[str, str] = field(default_factory=dict)
    marker: Marker | None = None
    managed_attachments: frozenset[Attachment] = frozenset()
    """Every (policy, scope) some catalog profile grants: rampart may detach these. Any other
    attachment is a manual grant, left alone unless ``manage_manual_grants``."""
    managed_groups: frozenset[str] = frozenset()
    """Every group some catalog profile joins (the same rule for groups)."""
    manager: str = ""
    """The person's manager, for the tags of the escrowed secrets."""


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


# --- account facts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """RAM's password policy (GetPasswordPolicy); generated passwords must satisfy it."""

    minimum_length: int = 8
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True


# --- audit -------------------------------------------------------------------------------


class AuditResult(Enum):
    OK = "ok"
    """The step changed the cloud as planned."""
    CONVERGED = "converged"
    """The cloud already was as the step wanted (EntityAlreadyExists / EntityNotExist)."""
    FAILED = "failed"
    SKIPPED = "skipped"
    NOOP = "noop"
    STALE = "stale"
    HELD = "held"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit record: one per applied step and one per event outcome. Fixed schema;
    ``detail`` is free text and is redacted before it is written."""

    time: datetime
    correlation_id: str
    event_id: str
    source: str
    action: str
    """A StepKind value, or ``event`` for the outcome record, or a CLI verb."""
    target: str
    """The RAM user name (or person id when no user is known)."""
    result: AuditResult
    person_id: str = ""
    actor: str = ""
    approver: str = ""
    policy: str = ""
    scope: str = ""
    error_code: str = ""
    request_ids: tuple[str, ...] = ()
    duration_ms: int = 0
    plan_hash: str = ""
    detail: str = ""

    def contents(self) -> list[tuple[str, str]]:
        """The record as SLS log contents (every value a string, fixed key order)."""
        return [
            ("time", self.time.isoformat()),
            ("correlation_id", self.correlation_id),
            ("event_id", self.event_id),
            ("source", self.source),
            ("action", self.action),
            ("target", self.target),
            ("result", self.result.value),
            ("person_id", self.person_id),
            ("actor", self.actor),
            ("approver", self.approver),
            ("policy", self.policy),
            ("scope", self.scope),
            ("error_code", self.error_code),
            ("request_ids", ",".join(self.request_ids)),
            ("duration_ms", str(self.duration_ms)),
            ("plan_hash", self.plan_hash),
            ("detail", self.detail),
        ]
