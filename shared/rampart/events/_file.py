"""The lifecycle event file: what ``rampart plan EVENT_FILE`` / ``rampart apply EVENT_FILE``
read, what the webhook functions normalise HR and ticket payloads into, and the payload of
the FC async hand-off (:func:`event_to_dict` is the exact inverse of :func:`parse_event`).

A file holds one JSON object, or a JSON list of them (:func:`load_events`)::

    {
      "event_id": "hr-feishu-8f2c41",          # required; 1-128 of A-Z a-z 0-9 _ . : -
                                               #   (also the FC async task id: deduplicates)
      "kind": "joiner",                        # joiner | mover | leaver | grant | revoke
      "occurred_at": "2025-03-01T09:00:00+08:00",   # ISO 8601 WITH an offset (or Z); naive refused
      "source": "hr:feishu",                   # who said so: hr:<system>, ticket:<tool>, cli ...
      "actor": "hr-sync",                      # optional: the operator or integration
      "correlation_id": "req-1234",            # optional; default: the event_id
      "person": {                              # joiner and mover (and optionally leaver)
        "person_id": "E1001",                  # HR id, 1-64 of letters, digits, _ . : @ -
        "display_name": "Alice Wong",          # 1-128, any printable text (made RAM-safe later)
        "email": "alice.wong@example.com",     # optional
        "user_name": "alice.wong",             # optional logon name (else derived)
        "attributes": {"department": "Engineering", "title": "SRE"},   # <= 64, values <= 256
        "manager": "E0001",                    # optional
        "access": ["console"]                  # optional: console and/or programmatic
      },
      "person_id": "E1001",                    # leaver, grant, revoke: person_id and/or user_name
      "user_name": "alice.wong",
      "profile": "arms-full",                  # grant and revoke
      "until": "2025-03-01T13:00:00+08:00",    # grant: time-bound, after occurred_at
      "approval": {"ticket_id": "OPS-42", "status": "approved",
                   "requester": "alice.wong", "approver": "bob.li"},   # grant and revoke
      "immediate": true                        # leaver: skip the grace period
    }

A key that does not belong to the event's kind is refused (a ``profile`` on a joiner is a
mistake, not something to ignore). Times are kept as UTC. Every problem is reported as an
:class:`EventErrors` naming the field path (``person.attributes.department``) and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from rampart.errors import EventError
from rampart.events._schema import EventSchema, format_time, parse_time
from rampart.jsonutil import unique_keys
from rampart.model import LifecycleEvent, Person
from rampart.validation import issues

MAX_EVENT_FILE_BYTES = 4 * 1024 * 1024
MAX_EVENTS_PER_FILE = 1000
_FORMAT_FIX = "see the event format in rampart/events/_file.py"

__all__ = [
    "EventErrors",
    "dumps",
    "event_to_dict",
    "format_time",
    "load_event",
    "load_events",
    "parse_event",
    "parse_events",
    "parse_time",
    "person_to_dict",
]


class EventErrors(EventError):
    """Every problem of an event (or a file of events): ``problems`` holds (path, problem, fix)."""

    def __init__(self, problems: Sequence[tuple[str, str, str]], where: str = "event") -> None:
        self.problems = tuple(problems)
        self.path, self.problem, self.fix = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(f"{where}: {self.path or '(top)'}: {self.problem}", hint=self.fix)
        else:
            listed = "; ".join(f"{p or '(top)'}: {pr}" + (f" ({fx})" if fx else "") for p, pr, fx in self.problems)
            super().__init__(f"{where}: {len(self.problems)} problems: {listed}")


# --- parse and serialise -----------------------------------------------------------------


def _problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str, str]]:
    return list(issues(exc.messages, prefix, _FORMAT_FIX))


def parse_event(data: Mapping[str, Any]) -> LifecycleEvent:
    """Validate one event object; :class:`EventErrors` lists every problem with its path."""
    if not isinstance(data, Mapping):
        raise EventErrors([("", f"must be a JSON object, not {type(data).__name__}", _FORMAT_FIX)])
    try:
        event: LifecycleEvent = EventSchema().load(data)
    except ValidationError as exc:
        event_id = data.get("event_id")
        raise EventErrors(_problems(exc), f"event {event_id}" if isinstance(event_id, str) else "event") from None
    return event


def _join(prefix: str, path: str) -> str:
    if not prefix or not path or path.startswith("["):
        return prefix + path
    return f"{prefix}.{path}"


def parse_events(data: Any) -> list[LifecycleEvent]:
    """One event object or a list of them; every problem of every event is reported."""
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_EVENTS_PER_FILE:
        raise EventErrors(
            [("", f"holds {len(items)} events; at most {MAX_EVENTS_PER_FILE}", "split the file")], "events"
        )
    out: list[LifecycleEvent] = []
    problems: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        prefix = f"[{index}]" if isinstance(data, list) else ""
        try:
            event = parse_event(item)
        except EventErrors as exc:
            problems += [(_join(prefix, path), problem, fix) for path, problem, fix in exc.problems]
            continue
        if event.event_id in seen:
            problems.append(
                (
                    f"{prefix}.event_id",
                    f"{event.event_id} is also event [{seen[event.event_id]}]",
                    "send each event once",
                )
            )
        seen.setdefault(event.event_id, index)
        out.append(event)
    if problems:
        raise EventErrors(problems, "events")
    return out


def _read(path: str | Path) -> Any:
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise EventError(f"event file {file} cannot be read: {exc.strerror}", hint="check the path") from exc
    if len(raw) > MAX_EVENT_FILE_BYTES:
        raise EventError(f"event file {file} is {len(raw)} bytes, more than {MAX_EVENT_FILE_BYTES}", hint="split it")

    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=unique_keys)
    except UnicodeDecodeError as exc:
        raise EventError(f"event file {file} is not UTF-8 (byte {exc.start})", hint="save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise EventError(
            f"event file {file}: line {exc.lineno}: not valid JSON: {exc.msg}", hint="fix the JSON there"
        ) from exc
    except ValueError as exc:
        raise EventError(f"event file {file}: {exc}", hint="give each key once") from exc


def load_event(path: str | Path) -> LifecycleEvent:
    """The one event in a JSON file (a list is refused: use :func:`load_events`)."""
    data = _read(path)
    if isinstance(data, list):
        raise EventError(f"event file {path} holds a list of {len(data)} events", hint="use load_events, or one object")
    return parse_events(data)[0]


def load_events(path: str | Path) -> list[LifecycleEvent]:
    """The events in a JSON file: one object or a list of them."""
    return parse_events(_read(path))


def event_to_dict(event: LifecycleEvent) -> dict[str, Any]:
    """The event as JSON-ready data; ``parse_event(event_to_dict(e)) == e`` exactly.
    Defaults (empty, None, False) are left out."""
    out: dict[str, Any] = {
        "event_id": event.event_id,
        "kind": event.kind.value,
        "occurred_at": format_time(event.occurred_at),
        "source": event.source,
    }
    if event.person is not None:
        out["person"] = person_to_dict(event.person)
    if event.person_id:
        out["person_id"] = event.person_id
    optional: dict[str, Any] = {
        "user_name": event.user_name,
        "profile": event.profile,
        "until": None if event.until is None else format_time(event.until),
        "approval": None
        if event.approval is None
        else {
            "ticket_id": event.approval.ticket_id,
            "status": event.approval.status,
            "requester": event.approval.requester,
            "approver": event.approval.approver,
        },
        "immediate": event.immediate or None,
        "actor": event.actor or None,
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    out["correlation_id"] = event.correlation_id or event.event_id
    return out


def person_to_dict(person: Person) -> dict[str, Any]:
    out: dict[str, Any] = {"person_id": person.person_id, "display_name": person.display_name}
    if person.email:
        out["email"] = person.email
    if person.user_name is not None:
        out["user_name"] = person.user_name
    if person.attributes:
        out["attributes"] = dict(person.attributes)
    if person.manager:
        out["manager"] = person.manager
    if person.access:
        out["access"] = [mode.value for mode in person.access]
    return out


def dumps(event: LifecycleEvent) -> str:
    """Compact JSON of :func:`event_to_dict` (the FC async payload)."""
    return json.dumps(event_to_dict(event), separators=(",", ":"), ensure_ascii=False)
