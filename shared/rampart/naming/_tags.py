"""rampart's marker on a RAM user, kept as IMS user tags (no database).

Tag keys (at most 20 tags per user, key and value at most 128 characters):

- ``rampart:managed-by`` = ``rampart``: the user is rampart's; nothing else is touched unless forced
- ``rampart:person`` = the HR person id
- ``rampart:state`` = ``active`` | ``disabled`` (grace period)
- ``rampart:event-time`` = occurrence time of the last applied event (ISO, UTC)
- ``rampart:grace-until`` = when a disabled user is deleted (ISO, UTC)
- ``rampart:access`` = ``console`` | ``programmatic``
- ``rampart:profiles`` = the rule-derived profiles, comma-separated
- ``rampart:grant:<profile>`` = ``<ticket id>|<until ISO or ->|<grant event time ISO>``: one per
  ticket grant (the third part is absent on tags written before rampart kept it)
- ``rampart:revoked:<profile>`` = the revoke's event time (ISO, UTC): a grant of that profile
  older than it is stale; dropped once ``rampart:event-time`` passes it, or a newer grant comes

Catalog tags (department, cost center ...) sit beside these under their own keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

from rampart.errors import RampartError
from rampart.model import AccessMode, LifecycleState, Marker, Revocation, TicketGrant

PREFIX = "rampart:"
MANAGED_BY = "rampart:managed-by"
PERSON = "rampart:person"
STATE = "rampart:state"
EVENT_TIME = "rampart:event-time"
GRACE_UNTIL = "rampart:grace-until"
ACCESS = "rampart:access"
PROFILES = "rampart:profiles"
GRANT_PREFIX = "rampart:grant:"
REVOKED_PREFIX = "rampart:revoked:"
MANAGED_VALUE = "rampart"
MAX_TAGS = 20
MAX_VALUE = 128


class TagLimitError(RampartError):
    """The marker does not fit RAM's tag limits (20 tags, 128-character values)."""


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str) -> datetime:
    value = text[:-1] + "+00:00" if text.endswith("Z") else text
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def marker_tags(marker: Marker) -> dict[str, str]:
    tags = {
        MANAGED_BY: MANAGED_VALUE,
        PERSON: marker.person_id,
        STATE: marker.state.value,
        EVENT_TIME: _iso(marker.event_time),
        PROFILES: ",".join(sorted(marker.rule_profiles)),
    }
    if marker.access is not None:
        tags[ACCESS] = marker.access.value
    if marker.grace_until is not None:
        tags[GRACE_UNTIL] = _iso(marker.grace_until)
    for grant in marker.ticket_grants:
        until = _iso(grant.until) if grant.until is not None else "-"
        at = f"|{_iso(grant.granted_at)}" if grant.granted_at is not None else ""
        tags[GRANT_PREFIX + grant.profile] = f"{grant.ticket_id}|{until}{at}"
    for revocation in marker.revocations:
        tags[REVOKED_PREFIX + revocation.profile] = _iso(revocation.at)
    for key, value in tags.items():
        if len(key) > MAX_VALUE or len(value) > MAX_VALUE:
            raise TagLimitError(f"tag {key} is longer than {MAX_VALUE} characters", hint="use fewer or shorter profile names")
    return tags


def marker_from_tags(tags: Mapping[str, str]) -> Marker | None:
    """The marker, or None when the user is not managed by rampart (or the tags are damaged)."""
    if tags.get(MANAGED_BY) != MANAGED_VALUE or not tags.get(PERSON):
        return None
    try:
        state = LifecycleState(tags.get(STATE, "active"))
        event_time = _parse_time(tags[EVENT_TIME]) if EVENT_TIME in tags else datetime.min.replace(tzinfo=timezone.utc)
        grace = _parse_time(tags[GRACE_UNTIL]) if tags.get(GRACE_UNTIL) else None
        access = AccessMode(tags[ACCESS]) if tags.get(ACCESS) else None
        grants: list[TicketGrant] = []
        revocations: list[Revocation] = []
        for key, value in sorted(tags.items()):
            if key.startswith(GRANT_PREFIX):
                ticket, _, rest = value.partition("|")
                until, _, at = rest.partition("|")
                grants.append(TicketGrant(key[len(GRANT_PREFIX):], ticket, None if until in ("", "-") else _parse_time(until),
                                          _parse_time(at) if at else None))
            elif key.startswith(REVOKED_PREFIX):
                revocations.append(Revocation(key[len(REVOKED_PREFIX):], _parse_time(value)))
    except (ValueError, KeyError):
        return None
    profiles = frozenset(p for p in tags.get(PROFILES, "").split(",") if p)
    return Marker(
        person_id=tags[PERSON],
        state=state,
        event_time=event_time,
        rule_profiles=profiles,
        ticket_grants=tuple(grants),
        grace_until=grace,
        access=access,
        revocations=tuple(revocations),
    )


def is_rampart_tag(key: str) -> bool:
    return key.startswith(PREFIX)
