"""rampart's generic ticket contract: for ServiceNow outbound REST and any tool that can POST
signed JSON when an access request is approved (or withdrawn).

ServiceNow has no fixed payload and no built-in body signing (webhook-formats.md §5.2), so
rampart publishes this contract for a Business Rule / Flow action to fill.

Request::

    POST <ticket_webhook URL>
    Content-Type: application/json
    X-Rampart-Timestamp: 1740819600
    X-Rampart-Signature: sha256=<lowercase hex HMAC-SHA256(secret, "1740819600." + raw body)>

    {
      "ticket_id": "RITM0010042",             # required: the ticket (letters, digits, _ . : # / -)
      "action": "grant",                      # required: grant | revoke
      "user": "alice.wong",                   # the RAM user name, and/or
      "person_id": "E1001",                   #   the HR person id (at least one of them)
      "profile": "arms-full",                 # required: a catalog profile
      "duration": "4h",                       # grant only, optional: 30m, 4h, 2d, 1w or ISO 8601 (PT4H)
      "until": "2025-03-01T13:00:00+08:00",   #   ... or an absolute expiry (not both); neither: permanent
      "status": "approved",                   # required: the approval state; only "approved" grants
      "requester": "alice.wong",              # optional: who asked
      "approver": "bob.li",                   # required for a grant: who approved (not the requester)
      "occurred_at": "2025-03-01T09:00:00+08:00",   # required: when it was approved (ISO 8601 + offset)
      "event_id": "5f3c9a1e..."               # optional: the sender's unique id for this delivery
    }

Rules:

- The signature is checked on the raw body before anything is parsed; the timestamp is Unix
  seconds and must be within 5 minutes of the receiver's clock (``rampart.sources.signing``,
  the same scheme as the generic HR contract). Failures answer 401.
- Unknown keys are refused (a misspelt ``duraton`` must not silently give a permanent grant);
  a wrong type or a missing key answers 400 naming it. ``duration`` becomes
  ``until = occurred_at + duration``.
- The event id is ``<source>-<event_id>`` when ``event_id`` is sent, otherwise a digest of
  (ticket_id, action, user, person_id, profile, occurred_at): a resend of the same approval is
  the same event, and FC's async task id turns the duplicate away.
- The catalog's grant rules (approval required, the approver list, no self-approval, no
  approver who is the grantee, high risk only time-bound, the profile's maximum duration)
  are checked by the receiver before the hand-off (``rampart.sources.ticket``, the engine's
  own functions): a refusal is 422 and nothing is enqueued. The engine checks again when it
  applies the grant.

Helper for senders (and the demo): ``rampart.sources.signing.signed_headers(secret, now, body)``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from rampart.events import format_time, parse_time
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources._payloads import (
    build_event,
    check_size,
    decode_json_object,
    grant_duration,
    json_type,
    stable_id,
)
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.signing import REPLAY_WINDOW, verify_request

REQUIRED = ("ticket_id", "action", "profile", "status", "occurred_at")
OPTIONAL = ("user", "person_id", "duration", "until", "requester", "approver", "event_id")
ACTIONS = {"grant": EventKind.GRANT, "revoke": EventKind.REVOKE}


class GenericTicketSource:
    """``ticket:generic`` (or the name given, e.g. ``ticket:servicenow``)."""

    def __init__(
        self,
        secret: Secret | Sequence[Secret],
        *,
        known_profiles: Collection[str] | None = None,
        window: timedelta = REPLAY_WINDOW,
        name: str = "ticket:generic",
    ) -> None:
        self._secret = secret
        self._known_profiles = known_profiles
        self._window = window
        self.name = name
        self._prefix = name.replace(":", "-")

    def __repr__(self) -> str:
        return f"GenericTicketSource({self.name!r})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        if request.method.upper() != "POST":
            raise SourceError(405, f"the ticket contract is POSTed, not sent with {request.method[:10]}")
        verify_request(request, self._secret, now, window=self._window)
        body = decode_json_object(request.body)
        values = _read(body)
        kind = ACTIONS[values["action"]]
        event_id = self._event_id(values)
        data: dict[str, Any] = {
            "event_id": event_id,
            "kind": kind.value,
            "occurred_at": values["occurred_at"],
            "source": self.name,
            "profile": values["profile"],
        }
        if "user" in values:
            data["user_name"] = values["user"]
        if "person_id" in values:
            data["person_id"] = values["person_id"]
        if kind is EventKind.GRANT:
            if "approver" not in values:
                raise SourceError(400, "approver is missing: a grant needs who approved it")
            until = _until(values)
            if until is not None:
                data["until"] = until
        elif "until" in values or "duration" in values:
            raise SourceError(400, "until/duration apply to a grant only: remove them from a revoke")
        data["approval"] = {
            "ticket_id": values["ticket_id"],
            "status": values["status"],
            "requester": values.get("requester", ""),
            "approver": values.get("approver", ""),
        }
        names = {"user_name": "user", "approval.ticket_id": "ticket_id", "approval.status": "status"}
        names.update({"approval.requester": "requester", "approval.approver": "approver", "until": "until/duration"})
        event = build_event(
            data, where=f"ticket {values['ticket_id'][:40]}", field_names=names, known_profiles=self._known_profiles
        )
        return Inbound(events=(event,), delivery_id=event_id)

    def _event_id(self, values: Mapping[str, str]) -> str:
        if "event_id" in values:
            return stable_id(self._prefix, values["event_id"])
        key = [values.get(k, "") for k in ("ticket_id", "action", "user", "person_id", "profile", "occurred_at")]
        digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
        return f"{self._prefix}-{digest[:40]}"


def _read(body: Mapping[str, Any]) -> dict[str, str]:
    """Every field as a stripped string; 400 naming each unknown, missing or mistyped key."""
    problems = [f"{str(key)[:40]}: is not part of the contract" for key in body if key not in (*REQUIRED, *OPTIONAL)]
    values: dict[str, str] = {}
    for key in (*REQUIRED, *OPTIONAL):
        if key not in body:
            if key in REQUIRED:
                problems.append(f"{key}: is missing")
            continue
        value = body[key]
        if not isinstance(value, str):
            problems.append(f"{key}: must be a string, not {json_type(value)}")
        elif not value.strip():
            problems.append(f"{key}: is empty")
        else:
            values[key] = value.strip()
    if "action" in values and values["action"] not in ACTIONS:
        problems.append("action: must be grant or revoke")
    if not problems and "user" not in values and "person_id" not in values:
        problems.append("user/person_id: name who the ticket is for (one of them)")
    if "until" in values and "duration" in values:
        problems.append("until/duration: give one of them, not both")
    if problems:
        raise SourceError(
            400, "ticket: " + "; ".join(problems[:8]), hint="see the contract in rampart/sources/ticket/generic.py"
        )
    return values


def _until(values: Mapping[str, str]) -> str | None:
    if "until" in values:
        return values["until"]
    if "duration" not in values:
        return None
    try:
        amount = grant_duration(values["duration"])
    except ValueError as exc:
        raise SourceError(400, f"duration: {exc}") from None
    try:
        start = parse_time(values["occurred_at"])
    except ValueError:
        raise SourceError(400, "occurred_at: is not an ISO 8601 time with an offset") from None
    try:
        return format_time(start + amount)
    except OverflowError:
        raise SourceError(400, "duration: the grant would end after the year 9999", hint="give e.g. PT4H or 2d") from None
