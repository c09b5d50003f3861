"""Reading untrusted JSON bodies and turning them into validated events, for the ticket
sources and the message envelopes.

Every refusal is a :class:`SourceError` whose message names the field (in the sender's own
terms: ``issue.fields.customfield_10051``, ``[2].data.body``) and never repeats the body.
Events are built as the documented event dict and run through ``rampart.events.parse_event``,
so every source's output passes exactly the checks a CLI event file does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from rampart.durations import parse_duration
from rampart.events import EventErrors, parse_event
from rampart.jsonutil import unique_keys
from rampart.model import LifecycleEvent
from rampart.sources.base import MAX_BODY_BYTES, SourceError

_MAX_MESSAGE = 600
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_MAX_ID = 128
_SHORT_DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_size(body: bytes, limit: int = MAX_BODY_BYTES) -> None:
    if len(body) > limit:
        raise SourceError(413, f"body is {len(body)} bytes, more than the {limit} accepted")


def decode_json(data: bytes | str, *, what: str = "body") -> Any:
    """Strict JSON: UTF-8, no duplicate keys, no NaN/Infinity; 400 naming ``what``."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, object_pairs_hook=unique_keys, parse_constant=_no_constant)
        if _SURROGATE_ESCAPE.search(text):
            # a \ud800-style escape may leave a lone surrogate, which no UTF-8 output can carry
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise SourceError(400, f"{what} holds an unpaired UTF-16 surrogate escape") from None
    except UnicodeDecodeError as exc:
        raise SourceError(400, f"{what} is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SourceError(400, f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise SourceError(400, f"{what} nests too deeply") from None
    except ValueError as exc:
        raise SourceError(400, f"{what} is ambiguous JSON: {exc}") from None


def decode_json_object(data: bytes | str, *, what: str = "body") -> dict[str, Any]:
    value = decode_json(data, what=what)
    if not isinstance(value, dict):
        raise SourceError(400, f"{what} must be a JSON object, not {json_type(value)}")
    return value


def decode_base64(text: str, *, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SourceError(400, f"{what} is not valid base64") from None


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def stable_id(prefix: str, raw: str) -> str:
    """A valid event id (and FC task id) derived from a source's own id: ``prefix-raw`` when
    the id is plain, else ``prefix-<sha256>``; the same input always gives the same id."""
    if _PLAIN_ID.fullmatch(raw) and len(prefix) + 1 + len(raw) <= _MAX_ID:
        return f"{prefix}-{raw}"
    return f"{prefix}-{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}"


def grant_duration(text: str) -> timedelta:
    """``4h``, ``30m``, ``2d``, ``1w`` or ISO 8601 (``PT4H``, ``P1DT12H``); ValueError otherwise."""
    match = _SHORT_DURATION.match(text)
    if match is not None:
        amount = timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    else:
        try:
            amount = parse_duration(text)
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a duration; write e.g. 4h, 2d or PT4H") from None
    if amount <= timedelta(0):
        raise ValueError("a grant duration must be longer than zero")
    return amount


def epoch_millis(value: Any) -> datetime:
    """A Unix time in milliseconds (a number, or digits in a string) as aware UTC."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**15:
        raise ValueError("must be Unix milliseconds")
    try:
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError("is outside the years a Unix time can name") from None


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def build_event(
    data: Mapping[str, Any],
    *,
    where: str,
    field_names: Mapping[str, str] | None = None,
    known_profiles: Collection[str] | None = None,
) -> LifecycleEvent:
    """Validate a normalised event dict; problems become one 400 naming each field, with the
    event's keys renamed to the sender's (``field_names``: event key -> source field)."""
    names = field_names or {}
    try:
        event = parse_event(data)
    except EventErrors as exc:
        parts = []
        for path, problem, _fix in exc.problems:
            head = path.split(".", 1)[0].split("[", 1)[0]
            shown = names.get(path) or names.get(head) or path or "(top)"
            parts.append(f"{shown}: {problem}")
        raise SourceError(400, _clip(f"{where}: " + "; ".join(parts))) from None
    if known_profiles is not None and event.profile is not None and event.profile not in known_profiles:
        shown = names.get("profile", "profile")
        raise SourceError(
            422,
            f"{where}: {shown} names profile {event.profile!r}, which the catalog does not define",
            hint="use a profile of the catalog",
        )
    return event
