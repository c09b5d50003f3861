"""Building a DesiredUser from a person's profiles and grants. Pure; used by ``rampart.planning``.

Effective profiles are the rule profiles plus the live ticket grants, minus every profile
another one supersedes (``rampart.catalog.resolve_supersedes``: arms-full replaces
arms-readonly, so the two are never attached together). A profile granted permanently (by a
rule, or a ticket without an end) attaches its policies at its scope; one granted only until
a time attaches time-bound copies instead (``rampart.planning.timebound``), which RAM ends on time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rampart.catalog import resolve_supersedes
from rampart.errors import PolicyRefused
from rampart.model import (
    AccessMode,
    Attachment,
    Catalog,
    DesiredUser,
    LifecycleState,
    Marker,
    ObservedUser,
    PolicyRef,
    PolicyType,
    Revocation,
    Scope,
    TicketGrant,
    TimeboundPolicy,
)
from rampart.naming import MAX_TAGS, MAX_VALUE, TagLimitError, is_rampart_tag, marker_tags
from rampart.planning.timebound import iso_z, timebound_document, timebound_policy_name

MAX_GROUPS = 10
MAX_SYSTEM_ATTACHED = 20
MAX_CUSTOM_ATTACHED = 10
"""RAM per-user limits (alibaba-platform.md §A.4): groups, system and custom policies attached."""


@dataclass(frozen=True, slots=True)
class Desired:
    """What a user should look like after an event, and what desire noticed on the way
    (superseded profiles, expired grants, rehires) for the plan output and the audit."""

    user: DesiredUser
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Grants:
    attachments: frozenset[Attachment]
    timebound: tuple[TimeboundPolicy, ...]
    groups: frozenset[str]
    notes: tuple[str, ...]


def managed_attachments(catalog: Catalog) -> frozenset[Attachment]:
    return frozenset(Attachment(ref, p.scope) for p in catalog.profiles.values() for ref in p.policies)


def managed_groups(catalog: Catalog) -> frozenset[str]:
    return frozenset(group for p in catalog.profiles.values() for group in p.groups)


def live_grants(grants: Iterable[TicketGrant], now: datetime) -> tuple[tuple[TicketGrant, ...], list[str]]:
    """Grants still running at ``now`` (by profile), and a note for each one that ended."""
    live: list[TicketGrant] = []
    notes: list[str] = []
    for grant in sorted(grants, key=lambda g: g.profile):
        if grant.until is not None and grant.until <= now:
            notes.append(f"ticket grant of {grant.profile} ({grant.ticket_id}) ended at {iso_z(grant.until)}: removed")
        else:
            live.append(grant)
    return tuple(live), notes


def effective_grants(
    catalog: Catalog, user_name: str, rule_profiles: Iterable[str], grants: Iterable[TicketGrant]
) -> Grants:
    """Attachments, time-bound policies and groups for the rule profiles and (live) grants."""
    notes: list[str] = []
    rules = set(rule_profiles)
    tickets = {g.profile: g for g in grants}
    for name in sorted((rules | set(tickets)) - set(catalog.profiles)):
        notes.append(f"profile {name} is no longer in the catalog {catalog.source}: nothing attached for it")
    rules &= set(catalog.profiles)
    tickets = {name: g for name, g in tickets.items() if name in catalog.profiles}
    wanted = rules | set(tickets)
    effective = resolve_supersedes(catalog, wanted)
    documents = {spec.name: spec.document for p in catalog.profiles.values() for spec in p.custom_policies}
    attachments: set[Attachment] = set()
    timebound: list[TimeboundPolicy] = []
    groups: set[str] = set()
    ends: dict[str, datetime] = {}
    for name in sorted(effective):
        profile = catalog.profiles[name]
        grant = tickets.get(name)
        groups.update(profile.groups)
        if name in rules or grant is None or grant.until is None:
            attachments.update(Attachment(ref, profile.scope) for ref in profile.policies)
            continue
        ends[name] = grant.until
        if profile.groups:
            notes.append(f"{name} is time-bound, but its groups ({', '.join(profile.groups)}) are left only when a run after {iso_z(grant.until)} removes them")
        for ref in profile.policies:
            tb = _timebound(user_name, name, ref, grant.until, profile.scope, documents)
            timebound.append(tb)
            attachments.add(Attachment(PolicyRef(PolicyType.CUSTOM, tb.name), profile.scope))
    for dropped in sorted(wanted - effective):
        by = sorted(n for n in effective if dropped in _replaced_by(catalog, n))
        note = f"{dropped} is superseded by {', '.join(by)}: not attached"
        ending = [ends[n] for n in by if n in ends]
        if ending:
            note += f" (until {iso_z(max(ending))}; the first run after that restores {dropped})"
        notes.append(note)
    return Grants(frozenset(attachments), tuple(sorted(timebound, key=lambda tb: tb.name)), frozenset(groups), tuple(notes))


def _replaced_by(catalog: Catalog, name: str) -> set[str]:
    """Every profile ``name`` supersedes, directly or through another."""
    out: set[str] = set()
    todo = [name]
    while todo:
        found = catalog.profiles.get(todo.pop())
        for other in found.supersedes if found is not None else ():
            if other not in out:
                out.add(other)
                todo.append(other)
    return out


def _timebound(
    user_name: str, profile: str, ref: PolicyRef, until: datetime, scope: Scope, documents: Mapping[str, str]
) -> TimeboundPolicy:
    document = ""
    if ref.policy_type is PolicyType.CUSTOM and ref.name in documents:
        document = timebound_document(documents[ref.name], until, source=str(ref))
    return TimeboundPolicy(
        name=timebound_policy_name(user_name, profile, ref, until),
        profile=profile,
        source_policy=ref,
        until=until,
        scope=scope,
        document=document,
    )


def catalog_tags(catalog: Catalog, observed: ObservedUser | None, attributes: Mapping[str, str] | None) -> dict[str, str]:
    """The catalog's tags (``tag_attributes``): from the person record when the event has one,
    else kept as they are on the user."""
    keys = catalog.options.tag_attributes
    if attributes is None:
        return {k: observed.tags[k] for k in keys if observed is not None and k in observed.tags}
    folded = {key.casefold(): value for key, value in attributes.items()}
    out: dict[str, str] = {}
    for key in keys:
        value = (attributes.get(key) or folded.get(key.casefold()) or "").strip()
        if value:
            out[key] = value[:MAX_VALUE]
    return out


def check_tag_limit(user_name: str, tags: Mapping[str, str], observed: ObservedUser | None, catalog: Catalog) -> None:
    """IMS allows 20 tags per user (§A.4, §A.8): rampart's, the catalog's and any set outside."""
    keys = set(catalog.options.tag_attributes)
    foreign = [k for k in (observed.tags if observed is not None else {}) if not is_rampart_tag(k) and k not in keys]
    if len(tags) + len(foreign) > MAX_TAGS:
        raise TagLimitError(
            f"user {user_name} would carry {len(tags) + len(foreign)} tags, over IMS's limit of {MAX_TAGS} "
            f"({len(tags)} from rampart and the catalog, {len(foreign)} set outside rampart)",
            hint="hold fewer ticket grants at once, copy fewer tag_attributes, or remove tags set by hand",
        )


def check_limits(user_name: str, attachments: frozenset[Attachment], groups: frozenset[str]) -> None:
    system = sum(1 for a in attachments if a.scope.is_account and a.policy.policy_type is PolicyType.SYSTEM)
    custom = sum(1 for a in attachments if a.scope.is_account and a.policy.policy_type is PolicyType.CUSTOM)
    if system > MAX_SYSTEM_ATTACHED or custom > MAX_CUSTOM_ATTACHED:
        raise PolicyRefused(
            f"user {user_name} would hold {system} system and {custom} custom policies at account scope, "
            f"over RAM's per-user limits ({MAX_SYSTEM_ATTACHED} and {MAX_CUSTOM_ATTACHED})",
            hint="grant fewer profiles at once, or move policies into a group",
        )
    if len(groups) > MAX_GROUPS:
        raise PolicyRefused(
            f"user {user_name} would join {len(groups)} groups, over RAM's limit of {MAX_GROUPS}",
            hint="grant fewer profiles with groups",
        )


@dataclass(frozen=True, slots=True)
class Shape:
    """Everything a DesiredUser is built from."""

    user_name: str
    display_name: str
    person_id: str
    access: AccessMode
    state: LifecycleState
    rule_profiles: frozenset[str]
    grants: tuple[TicketGrant, ...]
    event_time: datetime
    grace_until: datetime | None = None
    attributes: Mapping[str, str] | None = None
    """The person's HR attributes (joiner, mover); None keeps the catalog tags on the user."""
    manager: str = ""
    revocations: tuple[Revocation, ...] = ()


def decisions(shape: Shape, live: tuple[TicketGrant, ...]) -> tuple[Revocation, ...]:
    """The revocations the marker keeps: one per profile (the latest), plus the end of every
    grant that just ended (so a late, older grant of it stays stale), minus those the
    person-level event time already covers and those of a profile granted again since."""
    latest: dict[str, datetime] = {}
    ended = [Revocation(g.profile, g.granted_at) for g in shape.grants if g not in live and g.granted_at is not None]
    for revocation in (*shape.revocations, *ended):
        if revocation.profile not in latest or revocation.at > latest[revocation.profile]:
            latest[revocation.profile] = revocation.at
    granted = {g.profile for g in live}
    return tuple(Revocation(p, at) for p, at in sorted(latest.items()) if at > shape.event_time and p not in granted)


def build(catalog: Catalog, observed: ObservedUser | None, shape: Shape, now: datetime, notes: Iterable[str] = ()) -> Desired:
    """An ACTIVE or DISABLED user: a disabled one holds no grants but keeps its marker (its
    profiles and ticket grants come back on a rehire)."""
    out = list(notes)
    grants, ended = live_grants(shape.grants, now)
    out += ended
    attachments: frozenset[Attachment] = frozenset()
    timebound: tuple[TimeboundPolicy, ...] = ()
    groups: frozenset[str] = frozenset()
    if shape.state is LifecycleState.ACTIVE:
        effective = effective_grants(catalog, shape.user_name, shape.rule_profiles, grants)
        attachments, timebound, groups = effective.attachments, effective.timebound, effective.groups
        out += effective.notes
    marker = Marker(
        person_id=shape.person_id,
        state=shape.state,
        event_time=shape.event_time,
        rule_profiles=shape.rule_profiles,
        ticket_grants=grants,
        grace_until=shape.grace_until,
        access=shape.access,
        revocations=decisions(shape, grants),
    )
    tags = {**marker_tags(marker), **catalog_tags(catalog, observed, shape.attributes)}
    check_tag_limit(shape.user_name, tags, observed, catalog)
    check_limits(shape.user_name, attachments, groups)
    user = DesiredUser(
        user_name=shape.user_name,
        display_name=shape.display_name,
        person_id=shape.person_id,
        access=shape.access,
        state=shape.state,
        attachments=attachments,
        timebound=timebound,
        groups=groups,
        tags=tags,
        marker=marker,
        managed_attachments=managed_attachments(catalog),
        managed_groups=managed_groups(catalog),
        manager=shape.manager,
    )
    return Desired(user, tuple(out))


def teardown(
    catalog: Catalog, observed: ObservedUser, marker: Marker | None, *, person_id: str, access: AccessMode,
    event_time: datetime, now: datetime, notes: Iterable[str] = (),
) -> Desired:
    """The user must not exist. Its marker is first set to "disabled, grace over" so that a
    teardown cut short is finished by the next sweep instead of being undone by it."""
    grace = now if marker is None or marker.grace_until is None else min(marker.grace_until, now)
    ending = Marker(
        person_id=person_id,
        state=LifecycleState.DISABLED,
        event_time=event_time,
        rule_profiles=marker.rule_profiles if marker is not None else frozenset(),
        ticket_grants=marker.ticket_grants if marker is not None else (),
        grace_until=grace,
        access=access,
        revocations=marker.revocations if marker is not None else (),
    )
    user = DesiredUser(
        user_name=observed.user_name,
        display_name=observed.display_name,
        person_id=person_id,
        access=access,
        state=None,
        tags=marker_tags(ending),
        marker=ending,
        managed_attachments=managed_attachments(catalog),
        managed_groups=managed_groups(catalog),
    )
    return Desired(user, tuple(notes))
