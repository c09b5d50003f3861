"""Small pieces the HR sources share: request checks, source times, delivery ids, reading
scalar fields, and the marker for a person record that carries ids only.

**Ids-only records.** DingTalk's ``user_*_org`` pushes and BambooHR's event-based webhooks
name the employee but carry no profile (webhook-formats.md §0.1). A joiner or mover must
carry a person record, so those sources send what they know: ``person_id``, the id again as
``display_name``, and the attribute ``hr_record: ids-only`` (:data:`IDS_ONLY`). The
lifecycle function would have to fetch the real record from the HR system's API before
planning such an event; rampart does not do that yet, so the planner refuses an ids-only
joiner or mover (``rampart.planning``: planned as is, a mover without attributes would drop
every rule-granted profile). Leavers need only the ids and work. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from rampart.model import HR_RECORD_ATTRIBUTE, HR_RECORD_IDS_ONLY
from rampart.sources._payloads import json_type
from rampart.sources.base import InboundRequest, SourceError

RECORD_ATTRIBUTE: Final = HR_RECORD_ATTRIBUTE
IDS_ONLY: Final = HR_RECORD_IDS_ONLY
"""``person.attributes[RECORD_ATTRIBUTE]`` of a record built from ids only (see above)."""
REPLAY_WINDOW: Final = timedelta(minutes=5)
_MILLIS_FROM = 10**11
"""A Unix time at or above this is milliseconds (10**11 s would be the year 5138)."""
_MAX_DIGITS = 16


def require_post(request: InboundRequest, what: str) -> None:
    if request.method.upper() != "POST":
        raise SourceError(405, f"{what} deliveries are POSTed, not sent with {request.method[:10]!r}")


def unix_time(value: Any) -> datetime:
    """Unix seconds or milliseconds (told apart by magnitude), as a number or a string of
    digits, as aware UTC; ValueError otherwise."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS):
            raise ValueError("must be a Unix time in seconds or milliseconds")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**_MAX_DIGITS:
        raise ValueError("must be a Unix time in seconds or milliseconds")
    seconds = value / 1000 if value >= _MILLIS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError("is outside the years a Unix time can name") from None


def signed_time(value: str, *, what: str) -> datetime:
    """A signed request time (header or query value): 401 when missing or unreadable."""
    if not value.strip():
        raise SourceError(401, f"missing timestamp: {what} is required")
    try:
        return unix_time(value)
    except ValueError as exc:
        raise SourceError(401, f"bad timestamp: {what} {exc}") from None


def check_window(signed_at: datetime, now: datetime, window: timedelta, *, what: str) -> None:
    """Refuse (401) a signed time more than ``window`` before or after ``now``."""
    skew = abs(now - signed_at)
    if skew > window:
        raise SourceError(
            401,
            f"stale timestamp: {what} is {int(skew.total_seconds())} s away from now, "
            f"outside the {int(window.total_seconds())} s replay window",
            hint="a replayed or delayed delivery, or a clock that is off; send it again",
        )


def delivery_id_for(prefix: str, event_ids: Sequence[str]) -> str:
    """One event: its id. Several: ``<prefix>-batch-<digest of the ids>`` (stable, so a
    redelivered batch gets the same FC task id)."""
    if len(event_ids) == 1:
        return event_ids[0]
    digest = hashlib.sha256("\n".join(event_ids).encode("utf-8")).hexdigest()[:40]
    return f"{prefix}-batch-{digest}"


def scalar_text(value: Any, where: str) -> str:
    """A text field as the source renders it: a string (stripped) or a number; absent and
    null are ""; anything else is a 400 naming ``where``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    raise SourceError(400, f"{where} must be text, not {json_type(value)}")


def field_text(data: Mapping[str, Any], key: str, where: str) -> str:
    return scalar_text(data.get(key), f"{where}.{key}")


def ids_only_person(person_id: str) -> dict[str, Any]:
    """The person record a source sends when the payload names only the id (module docstring)."""
    return {"person_id": person_id, "display_name": person_id, "attributes": {RECORD_ATTRIBUTE: IDS_ONLY}}
