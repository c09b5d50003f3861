"""Lifecycle events as files, webhook hand-offs and FC payloads: the event file format,
its marshmallow schemas, and the JSON both ways. Pure: no I/O.
"""

from __future__ import annotations

from rampart.events._file import (
    MAX_EVENTS_PER_FILE,
    EventErrors,
    dumps,
    event_to_dict,
    load_event,
    load_events,
    parse_event,
    parse_events,
)
from rampart.events._schema import ATTRIBUTE_NAME, EVENT_ID, MAX_ATTRIBUTES, format_time, parse_time

__all__ = [
    "ATTRIBUTE_NAME",
    "EVENT_ID",
    "MAX_ATTRIBUTES",
    "MAX_EVENTS_PER_FILE",
    "EventErrors",
    "dumps",
    "event_to_dict",
    "format_time",
    "load_event",
    "load_events",
    "parse_event",
    "parse_events",
    "parse_time",
]
