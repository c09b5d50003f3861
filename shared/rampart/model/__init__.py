"""rampart's domain types: the catalog, people and events, observed and desired state, steps.

Everything here is frozen data with no I/O. The planner (``rampart.planning``) is a pure
function of these types; adapters (``rampart.adapters``) turn cloud answers into them.
Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from rampart.model._audit import (
    AuditRecord,
    AuditResult,
    PasswordPolicy,
)
from rampart.model._catalog import (
    ACCOUNT,
    AccessMode,
    Catalog,
    CatalogOptions,
    CustomPolicySpec,
    PolicyChange,
    PolicyRef,
    PolicyType,
    Profile,
    RiskTier,
    Rule,
    Scope,
)
from rampart.model._events import (
    HR_RECORD_ATTRIBUTE,
    HR_RECORD_IDS_ONLY,
    Approval,
    EventKind,
    LifecycleEvent,
    Person,
)
from rampart.model._ledger import Lease, PersonRecord, Removal
from rampart.model._plan import (
    Plan,
    Step,
    StepKind,
)
from rampart.model._state import (
    Attachment,
    DesiredUser,
    GrantSource,
    LifecycleState,
    Marker,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    Revocation,
    SecretKind,
    TicketGrant,
    TimeboundPolicy,
)

__all__ = [
    "ACCOUNT",
    "HR_RECORD_ATTRIBUTE",
    "HR_RECORD_IDS_ONLY",
    "AccessMode",
    "Approval",
    "Attachment",
    "AuditRecord",
    "AuditResult",
    "Catalog",
    "CatalogOptions",
    "CustomPolicySpec",
    "DesiredUser",
    "EventKind",
    "GrantSource",
    "Lease",
    "LifecycleEvent",
    "LifecycleState",
    "Marker",
    "ObservedKey",
    "ObservedSecret",
    "ObservedUser",
    "PasswordPolicy",
    "Person",
    "PersonRecord",
    "Plan",
    "PolicyChange",
    "PolicyRef",
    "PolicyType",
    "Profile",
    "Removal",
    "Revocation",
    "RiskTier",
    "Rule",
    "Scope",
    "SecretKind",
    "Step",
    "StepKind",
    "TicketGrant",
    "TimeboundPolicy",
]
