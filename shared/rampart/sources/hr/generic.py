"""rampart's own HR webhook contract (``hr:generic``): for HR systems with no adapter of
their own (Workday Studio/EIB integrations, an HR database job, a script).

The contract
============

**Request.** ``POST`` with ``Content-Type: application/json`` and two headers:

- ``X-Rampart-Timestamp: <Unix seconds>``, the time of sending;
- ``X-Rampart-Signature: sha256=<hex>``, the lowercase hex HMAC-SHA256 keyed with the shared
  secret (UTF-8) over the bytes ``"<timestamp>." + raw body``, e.g. in Python
  ``hmac.new(secret, f"{ts}.".encode() + body, "sha256").hexdigest()``.

A timestamp more than 5 minutes before or after the receiver's clock is refused (a captured
request cannot be replayed later; within the window the delivery id deduplicates it).
Several secrets may be configured at once, so the secret can be rotated without a gap.

**Body.** One rampart event object, or a JSON array of them (at most 1000, body at most
256 KiB), exactly in the event format of :mod:`rampart.events`, limited to the HR kinds::

    {"event_id": "wd-20250301-0001", "kind": "joiner",
     "occurred_at": "2025-03-01T09:00:00+08:00",
     "person": {"person_id": "E1001", "display_name": "Alice Wong",
                "email": "alice.wong@example.com",
                "attributes": {"department": "Engineering", "title": "SRE"}}}

- ``kind`` is ``joiner``, ``mover`` or ``leaver``; grants and revocations come from a
  ticketing tool (the ticket webhook), so ``grant``/``revoke`` are refused here;
- ``event_id`` is the sender's own id for the change, kept as is: it deduplicates, so send a
  new id for a new change and the same id when retrying;
- ``source`` is optional (default ``hr:generic``); if given it must start with ``hr:``
  (``hr:workday``);
- joiner and mover carry the person's full current record (``person``); a leaver names
  ``person_id`` (or ``user_name``) and may set ``immediate: true`` to skip the grace period.

**Answer.** ``202`` with ``{"status": "accepted", "delivery_id", "events"}``; ``200`` with
``"duplicate"`` for a delivery id already accepted. ``401`` bad or missing signature or a
timestamp outside the window; ``400`` malformed body, with every problem named by its path
(``[1].person.email: ...``); ``413`` body over 256 KiB. The delivery id is the event's
``event_id``, or for an array of several events ``hr-generic-batch-<digest of the ids>``.

This module never logs or returns the secret, a signature or the body.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rampart.events import MAX_EVENTS_PER_FILE, EventErrors, parse_event
from rampart.model import EventKind, LifecycleEvent
from rampart.secret import Secret
from rampart.sources._payloads import check_size, decode_json, json_type
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.hr._common import delivery_id_for, require_post
from rampart.sources.signing import REPLAY_WINDOW, verify_request

HR_KINDS = (EventKind.JOINER, EventKind.MOVER, EventKind.LEAVER)
_HR_KIND_VALUES = tuple(kind.value for kind in HR_KINDS)
_MAX_MESSAGE = 600


class GenericHRSource:
    """``hr:generic``: rampart's signed JSON contract (see the module docstring)."""

    def __init__(
        self,
        secret: Secret | Sequence[Secret],
        *,
        window: timedelta = REPLAY_WINDOW,
        name: str = "hr:generic",
    ) -> None:
        if isinstance(secret, Sequence) and not secret:
            raise ValueError("GenericHRSource needs at least one signing secret")
        self._secret = secret
        self._window = window
        self.name = name

    def __repr__(self) -> str:
        return f"GenericHRSource({self.name!r})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        require_post(request, "rampart HR webhook")
        try:
            verify_request(request, self._secret, now, window=self._window)
        except (ValueError, OverflowError, OSError):
            # a timestamp of digits that names no representable time
            raise SourceError(401, "bad timestamp: X-Rampart-Timestamp must be Unix seconds") from None
        data = decode_json(request.body)
        if isinstance(data, list):
            if not data:
                raise SourceError(400, "body is an empty array: send one event or a list of events")
            if len(data) > MAX_EVENTS_PER_FILE:
                raise SourceError(400, f"body holds {len(data)} events; at most {MAX_EVENTS_PER_FILE}")
            events = [self._event(item, f"[{index}]") for index, item in enumerate(data)]
        elif isinstance(data, dict):
            events = [self._event(data, "")]
        else:
            raise SourceError(400, f"body must be an event object or an array of them, not {json_type(data)}")
        seen: dict[str, int] = {}
        for index, event in enumerate(events):
            if event.event_id in seen:
                raise SourceError(
                    400, f"[{index}].event_id: {event.event_id} is also event [{seen[event.event_id]}]"
                )
            seen[event.event_id] = index
        ids = [event.event_id for event in events]
        return Inbound(events=tuple(events), delivery_id=delivery_id_for("hr-generic", ids))

    def _event(self, item: Any, path: str) -> LifecycleEvent:
        if not isinstance(item, dict):
            raise SourceError(400, f"{path or 'body'} must be an event object, not {json_type(item)}")
        kind = item.get("kind")
        if isinstance(kind, str) and kind in (EventKind.GRANT.value, EventKind.REVOKE.value):
            raise SourceError(
                400,
                f"{_join(path, 'kind')}: {kind} is not an HR event (only {', '.join(_HR_KIND_VALUES)})",
                hint="send grants and revocations through the ticket webhook",
            )
        data: dict[str, Any] = dict(item)
        source = data.setdefault("source", self.name)
        if isinstance(source, str) and not source.startswith("hr:"):
            raise SourceError(400, f"{_join(path, 'source')}: {source[:64]!r} must start with 'hr:' (e.g. hr:workday)")
        try:
            return parse_event(data)
        except EventErrors as exc:
            event_id = item.get("event_id")
            label = f"event {event_id[:64]!r}" if isinstance(event_id, str) and event_id else "event"
            parts = "; ".join(f"{_join(path, field) or '(top)'}: {problem}" for field, problem, _fix in exc.problems)
            text = f"{label}: {parts}"
            raise SourceError(400, text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "...") from None


def _join(path: str, key: str) -> str:
    if not path or not key:
        return path + key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"
