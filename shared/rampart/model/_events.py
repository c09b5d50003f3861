"""People and lifecycle events, as the sources and event files deliver them.

Frozen data, no I/O (see ``rampart.model``).
"""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from rampart.model._catalog import AccessMode

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
