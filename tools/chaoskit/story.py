"""The chaos campaign's people and their stories, and what RAM must show at the end. Pure.

Per person (seeded): a joiner, a ticket grant, a mover and, for most, a leaver, each an
:class:`Event` with its own ``occurred_at`` (the HR or ticketing system's time, minutes apart in
story order), sent over one of the channels real sources use:

- HR: rampart's generic contract (``/hr/generic``), Feishu (``/hr/feishu``: created, updated,
  resigned), or an EventBridge CloudEvent invoking ``rampart-lifecycle`` asynchronously (``mq``);
- tickets: Jira (``/ticket/jira``, the person by HR id) or the generic contract
  (``/ticket/generic``, the RAM user by name).

The order is chosen so the expected final state does not depend on the order of arrival
(rampart's stale-event rule decides every other case the same way whatever arrives first):

- a person who leaves: joiner -> grant -> mover -> leaver. The final state is the leaver's,
  whatever else lands after it: gone (``immediate``) or disabled for the grace period (login
  profile gone, keys inactive, no grant attached);
- a person who stays: joiner -> mover -> grant, the grant after the mover (a grant older than
  the person's last joiner or mover is stale by design, ``rampart.planning``). The final state
  is the mover's rules plus the ticket grant.

Grants are picked so that they never overlap a rule's profile: ``arms-readonly-rg`` for good
(Jira, no duration) for Engineering, ``arms-full`` for four hours (Jira) for Applications, and
``break-glass-admin`` for two hours (generic ticket, approved by the security on-call) for
anyone. Profiles and their policies are the example catalog's (shared/rampart/catalogs).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum


class Channel(str, Enum):
    HR_GENERIC = "/hr/generic"
    FEISHU = "/hr/feishu"
    MQ = "mq"
    JIRA = "/ticket/jira"
    TICKET = "/ticket/generic"


class Final(str, Enum):
    ACTIVE = "active"
    DISABLED = "disabled"
    GONE = "gone"


RULE_POLICIES: dict[str, frozenset[str]] = {
    "arms-readonly": frozenset({"System:AliyunARMSReadOnlyAccess@account"}),
    "arms-full": frozenset({"System:AliyunARMSFullAccess@account"}),
    "arms-readonly-rg": frozenset({"System:AliyunARMSReadOnlyAccess@rg", "Custom:rampart-arms-readtraceapp@rg"}),
}
"""A profile granted for good -> its attachments (``Type:Name@account|rg``), as in the catalog."""
TIMEBOUND = {"arms-full": "4h", "break-glass-admin": "PT2H"}
"""Time-bound grants: each becomes one custom ``rampart-tb-`` policy attached at account scope."""
STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Person:
    index: int
    person_id: str
    user: str
    email: str
    hr: Channel
    """The joiner's channel (generic HR, Feishu or MQ)."""
    department: str
    title: str
    programmatic: bool


@dataclass(frozen=True)
class Event:
    """One event of a story, before it is signed: ``channel`` says how it is sent."""

    person: Person
    kind: str
    """joiner, mover, grant or leaver."""
    channel: Channel
    occurred_at: datetime
    event_id: str
    department: str = ""
    title: str = ""
    profile: str = ""
    duration: str = ""
    immediate: bool = False


@dataclass
class Expected:
    """What the official SDKs must show for one person at the end."""

    person: Person
    final: Final
    attachments: frozenset[str] = frozenset()
    """Permanent attachments (``Type:Name@scope``)."""
    timebound: int = 0
    """How many time-bound custom policies must be attached."""
    events: list[Event] = field(default_factory=list)


def profiles_for(department: str, title: str) -> set[str]:
    """The example catalog's rules (engineering-reads-arms, sre-runs-arms with supersedes,
    app-team-reads-its-group)."""
    if department == "Applications":
        return {"arms-readonly-rg"}
    if department == "Engineering":
        return {"arms-full"} if title == "SRE" else {"arms-readonly"}
    return set()


def make_people(count: int, rng: random.Random, start: datetime) -> tuple[list[Event], list[Expected]]:
    """``count`` stories: every event (in story order per person) and each person's expectation."""
    events: list[Event] = []
    expected: list[Expected] = []
    for index in range(count):
        story = _story(index, rng, start + timedelta(seconds=index))
        events += story.events
        expected.append(story)
    return events, expected


def _story(index: int, rng: random.Random, t0: datetime) -> Expected:
    pid = f"CH{index:05d}"
    roll = rng.random()
    hr = Channel.HR_GENERIC if roll < 0.55 else Channel.FEISHU if roll < 0.8 else Channel.MQ
    if hr is Channel.FEISHU:  # Feishu's demo app maps one department; regular employees are console users
        department, programmatic = "Engineering", False
    else:
        department = rng.choice(["Engineering", "Applications"])
        programmatic = rng.random() < 0.4
    title = rng.choice(["SRE", "Software Engineer"]) if department == "Engineering" else "Developer"
    user = f"chaos.p{index:05d}"
    person = Person(index, pid, user, f"{user}@example.com", hr, department, title, programmatic)
    # the mover: Engineering swaps titles; the generic contract may also move between departments
    if department == "Engineering" and (hr is Channel.FEISHU or rng.random() < 0.6):
        moved_dept, moved_title = department, "Software Engineer" if title == "SRE" else "SRE"
    else:
        moved_dept = "Applications" if department == "Engineering" else "Engineering"
        moved_title = rng.choice(["SRE", "Software Engineer"]) if moved_dept == "Engineering" else "Developer"
    leaves = rng.random() < 0.7
    mover_channel = Channel.FEISHU if hr is Channel.FEISHU else Channel.HR_GENERIC
    joiner = Event(person, "joiner", hr, t0, f"chaos-{pid}-join", department, title)
    mover_at, grant_at = (t0 + 2 * STEP, t0 + STEP) if leaves else (t0 + STEP, t0 + 2 * STEP)
    mover = Event(person, "mover", mover_channel, mover_at, f"chaos-{pid}-move", moved_dept, moved_title)
    grant = _grant(person, rng, grant_at, moved_dept)
    story = [joiner, grant, mover]
    if leaves:
        immediate = hr is not Channel.FEISHU and rng.random() < 0.5
        leave_channel = hr if hr is not Channel.FEISHU or not immediate else Channel.HR_GENERIC
        story.append(Event(person, "leaver", leave_channel, t0 + 3 * STEP, f"chaos-{pid}-leave", immediate=immediate))
        return Expected(person, Final.GONE if immediate else Final.DISABLED, events=story)
    attachments = set().union(*(RULE_POLICIES[p] for p in profiles_for(moved_dept, moved_title)))
    timebound = 0
    if grant.duration:
        timebound = 1
    else:
        attachments |= RULE_POLICIES[grant.profile]
    return Expected(person, Final.ACTIVE, frozenset(attachments), timebound, story)


def _grant(person: Person, rng: random.Random, at: datetime, department: str) -> Event:
    """A ticket grant that overlaps no rule profile of ``department`` (the final one)."""
    pid = person.person_id
    if rng.random() < 0.4:
        return Event(person, "grant", Channel.TICKET, at, f"chaos-{pid}-bg", profile="break-glass-admin",
                     duration=TIMEBOUND["break-glass-admin"])
    if department == "Engineering":
        return Event(person, "grant", Channel.JIRA, at, f"chaos-{pid}-rg", profile="arms-readonly-rg")
    return Event(person, "grant", Channel.JIRA, at, f"chaos-{pid}-full", profile="arms-full",
                 duration=TIMEBOUND["arms-full"])
