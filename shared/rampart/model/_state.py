"""The state of a RAM user: rampart's marker, what the cloud says (observed), and what it should be (desired).

Frozen data, no I/O (see ``rampart.model``).
"""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from rampart.model._catalog import ACCOUNT, AccessMode, PolicyRef, Scope

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
