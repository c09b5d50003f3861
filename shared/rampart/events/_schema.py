"""The event file's marshmallow schemas and field types (the format is documented in
``rampart.events``). Each field's error names the fix; the schema refuses keys that do not
belong to the event's kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from marshmallow import ValidationError, fields, post_load, validates_schema

from rampart.errors import EventError
from rampart.model import AccessMode, Approval, EventKind, LifecycleEvent, Person
from rampart.naming import MAX_DISPLAY_NAME, validate_user_name
from rampart.validation import Choice, StrictBool, StrictSchema, Text, msg

MAX_ATTRIBUTES = 64
MAX_ATTRIBUTE_VALUE = 256

EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
EVENT_ID_RULE = "letters, digits, _ . : - (1-128)"
SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")
PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
PERSON_ID_RULE = "letters, digits, _ . : @ - (1-64, starting with a letter or digit)"
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
PROFILE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:#/-]{0,127}$")

# Which optional keys each kind takes (person_id/user_name/person per kind are checked apart).
_ONLY_FOR = {
    "profile": (EventKind.GRANT, EventKind.REVOKE),
    "until": (EventKind.GRANT,),
    "approval": (EventKind.GRANT, EventKind.REVOKE),
    "immediate": (EventKind.LEAVER,),
    "person": (EventKind.JOINER, EventKind.MOVER, EventKind.LEAVER),
}


# --- fields ------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with an offset (``Z`` too), as UTC; ValueError says what to write."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and 10 <= len(value) <= 40:
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    else:
        raise ValueError(f"{value!r} is not an ISO 8601 time")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone, so it could be any of 26 hours")
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+01:00 or 9999-12-31T23:59-01:00: no UTC year 0 or 10000
        raise ValueError(f"{value!r} is outside the years 1 to 9999 in UTC") from None


def format_time(value: datetime) -> str:
    """UTC, ``Z``, microseconds only when present: the inverse of :func:`parse_time`."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


EVENT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.(?:\d{3}|\d{6}))?)?(?:[Zz]|[+-]\d{2}:\d{2})?",
                        re.ASCII)
"""An event time as text: RFC 3339 (seconds and fraction optional). ``datetime.fromisoformat``
alone accepts any character between date and time (a NUL too) and, from Python 3.11 on, week
dates and basic forms that 3.10 refuses: FC runs both, so an event must not depend on which."""


class AwareTime(fields.Field[datetime]):
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> datetime:
        if isinstance(value, str) and not EVENT_TIME.fullmatch(value):
            problem = f"{value[:40]!r} is not an ISO 8601 time"
            raise ValidationError(msg(problem, "write e.g. 2025-03-01T09:00:00+08:00 or 2025-03-01T01:00:00Z"))
        try:
            return parse_time(value)
        except ValueError as exc:
            raise ValidationError(
                msg(str(exc), "write e.g. 2025-03-01T09:00:00+08:00 or 2025-03-01T01:00:00Z")
            ) from exc


class DisplayText(fields.Field[str]):
    """Any printable text: the HR name as given; ``identity.display_name_for`` makes it RAM-safe."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_DISPLAY_NAME:
            raise ValidationError(msg(f"must be text of 1-{MAX_DISPLAY_NAME} characters", "give the person's name"))
        if not value.isprintable():
            raise ValidationError(msg("holds control characters (newlines, tabs ...)", "send the name on one line"))
        return value


class UserName(fields.Field[str]):
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(msg(f"must be a string, not {value!r}", "quote the value"))
        try:
            return validate_user_name(value)
        except EventError as exc:
            raise ValidationError(msg(exc.message, exc.hint)) from exc


class Attributes(fields.Field[dict[str, str]]):
    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise ValidationError(msg("must be an object of attribute to text", 'write {"department": "Engineering"}'))
        if len(value) > MAX_ATTRIBUTES:
            raise ValidationError(
                msg(f"has {len(value)} attributes; at most {MAX_ATTRIBUTES}", "send only those the rules use")
            )
        errors: dict[str, list[str]] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not ATTRIBUTE_NAME.fullmatch(key):
                errors[str(key)[:80]] = [
                    msg("is not an attribute name", "use a letter, then letters, digits, _ . - (1-64)")
                ]
            elif not isinstance(item, str):
                errors[key] = [
                    msg(f"must be text, not {type(item).__name__}", "send every attribute value as a string")
                ]
            elif len(item) > MAX_ATTRIBUTE_VALUE:
                errors[key] = [msg(f"is {len(item)} characters; at most {MAX_ATTRIBUTE_VALUE}", "shorten it")]
        if errors:
            raise ValidationError(errors)
        return dict(value)


class AccessList(fields.Field[tuple[AccessMode, ...]]):
    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> tuple[AccessMode, ...]:
        names = [mode.value for mode in AccessMode]
        if not isinstance(value, list) or not all(isinstance(v, str) and v in names for v in value):
            raise ValidationError(msg(f"{value!r} is not a list of {' / '.join(names)}", 'write e.g. ["console"]'))
        if len(set(value)) != len(value):
            raise ValidationError(msg("names a mode twice", "list each mode once"))
        return tuple(AccessMode(v) for v in value)


# --- schemas -----------------------------------------------------------------------------


class PersonSchema(StrictSchema):
    person_id = Text(64, PERSON_ID, PERSON_ID_RULE, required=True)
    display_name = DisplayText(required=True)
    email = Text(254, EMAIL, fix="write an address like name@example.com, or leave it out")
    user_name = UserName()
    attributes = Attributes()
    manager = Text(128)
    access = AccessList()

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Person:
        return Person(**data)


class ApprovalSchema(StrictSchema):
    ticket_id = Text(128, TICKET, "letters, digits, _ . : # / - (1-128)", required=True)
    status = Text(32, required=True)
    requester = Text(128, required=True)
    approver = Text(128, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> Approval:
        return Approval(**data)


class EventSchema(StrictSchema):
    event_id = Text(128, EVENT_ID, EVENT_ID_RULE, required=True)
    kind = Choice(EventKind, required=True)
    occurred_at = AwareTime(required=True)
    source = Text(64, SOURCE, "letters, digits, _ . : / - (1-64), e.g. hr:feishu, ticket:jira, cli", required=True)
    person = fields.Nested(PersonSchema)
    person_id = Text(64, PERSON_ID, PERSON_ID_RULE)
    user_name = UserName()
    profile = Text(63, PROFILE, "lowercase letters, digits and - (a catalog profile name)")
    until = AwareTime()
    approval = fields.Nested(ApprovalSchema)
    immediate = StrictBool()
    actor = Text(128)
    correlation_id = Text(128, EVENT_ID, EVENT_ID_RULE)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _by_kind(self, data: Mapping[str, Any], original: Any, **kwargs: Any) -> None:
        # Runs even when fields failed, so that every problem is reported at once; a field
        # that failed is absent from ``data`` and is not judged again here.
        kind: EventKind | None = data.get("kind")
        if kind is None or not isinstance(original, Mapping):
            return
        errors: dict[str, list[str]] = {}
        for key, kinds in _ONLY_FOR.items():
            if key in data and kind not in kinds:
                allowed = ", ".join(k.value for k in kinds)
                errors[key] = [msg(f"does not apply to a {kind.value} event (only {allowed})", "remove it")]
        person = data.get("person") if isinstance(data.get("person"), Person) else None
        if kind in (EventKind.JOINER, EventKind.MOVER):
            if "person" not in original:
                errors["person"] = [msg(f"is required for a {kind.value} event", "send the person's HR record")]
            if "user_name" in data:
                errors["user_name"] = [
                    msg(f"goes inside person for a {kind.value} event", "move it to person.user_name")
                ]
        elif not any(key in original for key in ("person", "person_id", "user_name")):
            errors["person_id"] = [msg(f"a {kind.value} event needs person_id or user_name", "add one of them")]
        if person is not None and data.get("person_id") not in (None, person.person_id):
            errors["person_id"] = [msg(f"differs from person.person_id {person.person_id!r}", "send one person id")]
        if kind in (EventKind.GRANT, EventKind.REVOKE) and "profile" not in data:
            errors["profile"] = [msg(f"is required for a {kind.value} event", "name the catalog profile")]
        if "until" in data and "occurred_at" in data and data["until"] <= data["occurred_at"]:
            errors["until"] = [msg("is not after occurred_at", "give an expiry in the future")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> LifecycleEvent:
        person: Person | None = data.get("person")
        return LifecycleEvent(
            event_id=data["event_id"],
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            source=data["source"],
            person_id=person.person_id if person is not None else data.get("person_id", ""),
            person=person,
            user_name=data.get("user_name"),
            profile=data.get("profile"),
            until=data.get("until"),
            approval=data.get("approval"),
            immediate=data.get("immediate", False),
            actor=data.get("actor", ""),
            correlation_id=data.get("correlation_id", data["event_id"]),
        )
