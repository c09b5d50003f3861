"""BambooHR webhooks -> joiner, mover and leaver events.

What BambooHR sends (../shared/reference/webhook-formats.md §4.1; https://documentation.bamboohr.com/docs/webhooks-2,
/docs/event-based-webhooks, /docs/field-based-webhooks):

- **Signature**: ``X-BambooHR-Signature`` = lowercase hex HMAC-SHA256 keyed with the
  webhook's private key over the raw body **followed by** ``X-BambooHR-Timestamp`` (no
  separator), checked on the raw bytes before anything is parsed. The timestamp's format is
  [UNCONFIRMED] (Unix seconds in implementations, ISO 8601 in a third-party AsyncAPI): it is
  signed as the opaque string it is, and read leniently (Unix seconds or milliseconds, or ISO
  8601 with an offset such as ``+0000``) for the replay window of ``window`` (5 minutes, as
  Nango applies; BambooHR documents none).
- **Event-based** (JSON ``{"type", "timestamp", "data": {"companyId", "employeeId",
  "changedFields"}}``, or the same as a form post ``data[changedFields][0]=...``): ids only.
  ``employee.created`` -> joiner; ``employee.updated`` (``employee.update`` when subscribed by
  API) -> **leaver** when ``changedFields`` names a status or termination field
  (``leaver_fields``: a leaver arrives as a status change, there is no termination event),
  else mover; ``employee.deleted`` -> leaver. Joiner and mover carry an ids-only person
  record (``hr_record: ids-only``, see :mod:`rampart.sources.hr`): the lifecycle
  function must fetch the employee from BambooHR's API first. Without the new values a
  status change cannot be told from a rehire [UNCONFIRMED]: it is read as a leaver.
- **Field-based** (``{"employees": [{"action", "changedFields", "fields", "id",
  "timestamp"}]}``, several employees per delivery): the values of the fields the customer
  chose, under the aliases the customer gave them. ``fields`` are matched to a person record
  through :class:`BambooFields` (names compared without case, spaces or punctuation, so
  ``Work Email`` matches ``workEmail``). ``Created`` -> joiner, ``Deleted`` -> leaver,
  ``Updated`` -> leaver when the status is one of ``inactive_values`` (``Inactive``,
  ``Terminated``) or a termination date on or before the event is set; ``Status`` changed
  to ``Active`` -> joiner (a rehire); anything else -> mover. Configure the webhook to post
  every field the catalog rules read: a mover's record replaces the person's attributes.
- No delivery id is sent: the id is a digest of the event's own content (type, company,
  employee, its timestamp, changed fields), so a retry of the same body is deduplicated.
  Event time: the employee's (or the body's) ``timestamp``, else the signed timestamp.

Never logs or returns the private key, a signature or the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from rampart.events import format_time
from rampart.model import EventKind, LifecycleEvent
from rampart.secret import Secret
from rampart.sources._payloads import build_event, check_size, decode_json_object, json_type
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.hr._common import (
    REPLAY_WINDOW,
    check_window,
    delivery_id_for,
    ids_only_person,
    require_post,
    scalar_text,
    unix_time,
)
from rampart.sources.hr._form import parse_form

SIGNATURE_HEADER: Final = "X-BambooHR-Signature"
TIMESTAMP_HEADER: Final = "X-BambooHR-Timestamp"
CREATED: Final = ("employee.created",)
UPDATED: Final = ("employee.updated", "employee.update")
DELETED: Final = ("employee.deleted",)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_MAX_EMPLOYEES = 1000


def fold(name: str) -> str:
    """A field name without case, spaces or punctuation: ``Work Email`` == ``workEmail``."""
    return "".join(c for c in name.casefold() if c.isalnum())


@dataclass(frozen=True, slots=True)
class BambooFields:
    """Which ``fields`` names (folded, see :func:`fold`) fill which part of the person record;
    the first present wins. Defaults: BambooHR's API field names and their usual labels."""

    first_name: tuple[str, ...] = ("preferredname", "firstname")
    last_name: tuple[str, ...] = ("lastname",)
    full_name: tuple[str, ...] = ("displayname", "fullname", "name")
    email: tuple[str, ...] = ("workemail", "email")
    manager: tuple[str, ...] = ("supervisoreid", "supervisorid", "supervisoremail", "supervisor")
    status: tuple[str, ...] = ("status", "employeestatus")
    employment_status: tuple[str, ...] = ("employmenthistorystatus", "employmentstatus")
    termination_date: tuple[str, ...] = ("terminationdate",)
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("department", ("department",)),
        ("division", ("division",)),
        ("title", ("jobtitle", "title")),
        ("location", ("location",)),
        ("employment_type", ("employmenthistorystatus", "employmentstatus")),
        ("employee_number", ("employeenumber",)),
        ("cost_center", ("costcenter",)),
    )


DEFAULT_LEAVER_FIELDS: Final = (
    "status",
    "employeestatus",
    "employmentstatus",
    "employmenthistorystatus",
    "terminationdate",
)


class BambooHRSource:
    """``hr:bamboohr``: event-based and field-based BambooHR webhooks (see the module docstring)."""

    def __init__(
        self,
        private_key: Secret | Sequence[Secret],
        *,
        company_id: str | None = None,
        fields: BambooFields | None = None,
        leaver_fields: Sequence[str] = DEFAULT_LEAVER_FIELDS,
        inactive_values: Sequence[str] = ("inactive", "terminated"),
        window: timedelta = REPLAY_WINDOW,
        name: str = "hr:bamboohr",
    ) -> None:
        keys = (private_key,) if isinstance(private_key, Secret) else tuple(private_key)
        if not keys:
            raise ValueError("BambooHRSource needs at least one private key")
        self._keys = keys
        self.company_id = company_id
        self.fields = fields or BambooFields()
        self.leaver_fields = frozenset(fold(f) for f in leaver_fields)
        self.inactive_values = frozenset(v.strip().casefold() for v in inactive_values)
        self._window = window
        self.name = name

    def __repr__(self) -> str:
        return f"BambooHRSource({self.name!r})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        require_post(request, "BambooHR webhook")
        signed_at = self._verify(request, now)
        body = self._body(request)
        if "employees" in body:
            events = self._field_based(body, signed_at)
        elif "type" in body:
            found = self._event_based(body, signed_at)
            if isinstance(found, str):
                return Inbound(ignored=found)
            events = [found]
        else:
            raise SourceError(400, "body has neither type (event-based webhook) nor employees (field-based webhook)")
        ids = [event.event_id for event in events]
        return Inbound(events=tuple(events), delivery_id=delivery_id_for("hr-bamboohr", ids))

    # --- authentication ------------------------------------------------------------------

    def _verify(self, request: InboundRequest, now: datetime) -> datetime:
        given = request.header(SIGNATURE_HEADER).strip().lower()
        stamp = request.header(TIMESTAMP_HEADER)  # signed as received
        if not given:
            raise SourceError(401, f"missing signature: the {SIGNATURE_HEADER} header is required")
        if not stamp.strip():
            raise SourceError(401, f"missing timestamp: the {TIMESTAMP_HEADER} header is required")
        matched = False
        for key in self._keys:
            expected = sign(key, request.body, stamp).encode("ascii")
            matched |= hmac.compare_digest(expected, given.encode("ascii", "replace"))
        if not matched:
            raise SourceError(401, f"bad signature: {SIGNATURE_HEADER} does not match the body and timestamp")
        try:
            signed_at = read_time(stamp)
        except ValueError:
            raise SourceError(401, f"bad timestamp: {TIMESTAMP_HEADER} is neither a Unix time nor ISO 8601") from None
        check_window(signed_at, now, self._window, what=TIMESTAMP_HEADER)
        return signed_at

    def _body(self, request: InboundRequest) -> dict[str, Any]:
        content_type = request.header("content-type").split(";", 1)[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            return parse_form(request.body)
        return decode_json_object(request.body)

    # --- event-based -------------------------------------------------------------------

    def _event_based(self, body: Mapping[str, Any], signed_at: datetime) -> LifecycleEvent | str:
        kind_name = body.get("type")
        if not isinstance(kind_name, str):
            raise SourceError(400, f"type must be a string, not {json_type(kind_name)}")
        if kind_name not in CREATED + UPDATED + DELETED:
            return f"BambooHR event {kind_name[:60]!r} is not an employee lifecycle event"
        data = body.get("data")
        if not isinstance(data, dict):
            raise SourceError(400, f"data must be an object, not {json_type(data)}")
        self._check_company(data.get("companyId"), "data.companyId")
        employee = scalar_text(data.get("employeeId"), "data.employeeId")
        if not employee:
            raise SourceError(400, "data.employeeId is missing: the employee the event is about")
        changed = _changed(data.get("changedFields"), "data.changedFields")
        occurred_at, stamp_text = self._time(body.get("timestamp"), "timestamp", signed_at)
        if kind_name in CREATED:
            kind = EventKind.JOINER
        elif kind_name in DELETED or self.leaver_fields & {fold(f) for f in changed}:
            kind = EventKind.LEAVER
        else:
            kind = EventKind.MOVER
        company = scalar_text(data.get("companyId"), "data.companyId")
        identity = json.dumps([kind_name, company, employee, stamp_text, sorted(changed)], ensure_ascii=False)
        names = {"person_id": "data.employeeId", "person": "data.employeeId", "occurred_at": "timestamp"}
        person = None if kind is EventKind.LEAVER else ids_only_person(employee)
        return self._build(kind, employee, person, occurred_at, identity, names)

    # --- field-based -------------------------------------------------------------------

    def _field_based(self, body: Mapping[str, Any], signed_at: datetime) -> list[LifecycleEvent]:
        employees = body["employees"]
        if not isinstance(employees, list) or not employees:
            raise SourceError(400, "employees must be a non-empty array")
        if len(employees) > _MAX_EMPLOYEES:
            raise SourceError(400, f"employees holds {len(employees)} entries; at most {_MAX_EMPLOYEES}")
        events = [self._employee(item, f"employees[{i}]", signed_at) for i, item in enumerate(employees)]
        seen: set[str] = set()
        unique = []
        for event in events:  # the same change listed twice is one event
            if event.event_id not in seen:
                seen.add(event.event_id)
                unique.append(event)
        return unique

    def _employee(self, item: Any, where: str, signed_at: datetime) -> LifecycleEvent:
        if not isinstance(item, dict):
            raise SourceError(400, f"{where} must be an object, not {json_type(item)}")
        employee = scalar_text(item.get("id"), f"{where}.id")
        if not employee:
            raise SourceError(400, f"{where}.id is missing: the employee the entry is about")
        action = scalar_text(item.get("action"), f"{where}.action").casefold()
        if action not in ("created", "updated", "deleted"):
            raise SourceError(400, f"{where}.action must be Created, Updated or Deleted")
        changed = _changed(item.get("changedFields"), f"{where}.changedFields")
        raw_fields = item.get("fields", {})
        if raw_fields is None:
            raw_fields = {}
        if not isinstance(raw_fields, dict):
            raise SourceError(400, f"{where}.fields must be an object, not {json_type(raw_fields)}")
        values: dict[str, tuple[str, str]] = {}  # folded name -> (name as sent, value)
        for key, value in raw_fields.items():
            values.setdefault(fold(key), (key, scalar_text(value, f"{where}.fields.{key[:60]}")))
        occurred_at, stamp_text = self._time(item.get("timestamp"), f"{where}.timestamp", signed_at)
        kind = self._field_kind(action, {fold(f) for f in changed}, values, occurred_at)
        identity = json.dumps([action, employee, stamp_text, sorted(changed)], ensure_ascii=False)
        person = None if kind is EventKind.LEAVER else self._person(employee, values)
        names = self._names(where, values)
        return self._build(kind, employee, person, occurred_at, identity, names)

    def _field_kind(
        self, action: str, changed: set[str], values: Mapping[str, tuple[str, str]], occurred_at: datetime
    ) -> EventKind:
        if action == "created":
            return EventKind.JOINER
        if action == "deleted":
            return EventKind.LEAVER
        f = self.fields
        status = _value(values, f.status)
        statuses = [v for v in (status, _value(values, f.employment_status)) if v]
        if any(v.casefold() in self.inactive_values for v in statuses):
            return EventKind.LEAVER
        ended = _value(values, f.termination_date)
        if ended and _DATE.match(ended[:10]) and ended[:10] <= occurred_at.date().isoformat():
            return EventKind.LEAVER
        if status.casefold() == "active" and changed & set(f.status):
            return EventKind.JOINER  # the status changed back to Active: a rehire
        if not statuses and not ended and changed & self.leaver_fields:
            return EventKind.LEAVER  # a status change without its value (as event-based)
        return EventKind.MOVER

    def _person(self, employee: str, values: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
        f = self.fields
        first, last = _value(values, f.first_name), _value(values, f.last_name)
        name = " ".join(p for p in (first, last) if p) or _value(values, f.full_name)
        person: dict[str, Any] = {"person_id": employee, "display_name": name or employee}
        if email := _value(values, f.email):
            person["email"] = email
        if manager := _value(values, f.manager):
            person["manager"] = manager
        attributes = {attr: text for attr, keys in f.attributes if (text := _value(values, keys))}
        if attributes:
            person["attributes"] = attributes
        return person if len(person) > 2 or name else ids_only_person(employee)

    def _names(self, where: str, values: Mapping[str, tuple[str, str]]) -> dict[str, str]:
        f = self.fields

        def sent(keys: Sequence[str]) -> str:
            return next((f"{where}.fields.{values[k][0]}" for k in keys if k in values), f"{where}.fields")

        names = {
            "person_id": f"{where}.id",
            "person.person_id": f"{where}.id",
            "person.display_name": sent(f.first_name + f.last_name + f.full_name),
            "person.email": sent(f.email),
            "person.manager": sent(f.manager),
            "occurred_at": f"{where}.timestamp",
        }
        names.update({f"person.attributes.{attr}": sent(keys) for attr, keys in f.attributes})
        return names

    # --- shared ------------------------------------------------------------------------

    def _check_company(self, value: Any, where: str) -> None:
        if self.company_id is None:
            return
        company = scalar_text(value, where)
        if company != self.company_id:
            raise SourceError(422, f"{where} names another BambooHR company than the one configured")

    def _time(self, value: Any, where: str, signed_at: datetime) -> tuple[datetime, str]:
        text = scalar_text(value, where)
        if not text:
            return signed_at, format_time(signed_at)
        try:
            return read_time(text), text
        except ValueError:
            raise SourceError(400, f"{where} must be an ISO 8601 time with an offset or a Unix time") from None

    def _build(
        self,
        kind: EventKind,
        employee: str,
        person: dict[str, Any] | None,
        occurred_at: datetime,
        identity: str,
        names: Mapping[str, str],
    ) -> LifecycleEvent:
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        data: dict[str, Any] = {
            "event_id": f"hr-bamboohr-{digest}",
            "kind": kind.value,
            "occurred_at": format_time(occurred_at),
            "source": self.name,
        }
        if person is None:
            data["person_id"] = employee
        else:
            data["person"] = person
        return build_event(data, where=f"BambooHR employee {employee[:40]!r}", field_names=names)


def sign(private_key: Secret, body: bytes, timestamp: str) -> str:
    """``X-BambooHR-Signature``: hex HMAC-SHA256(private key, raw body || timestamp)."""
    message = body + timestamp.encode("utf-8", "surrogatepass")
    return hmac.new(private_key.reveal().encode("utf-8"), message, hashlib.sha256).hexdigest()


def read_time(text: str) -> datetime:
    """Unix seconds/milliseconds or ISO 8601 with an offset (``+0000`` too); ValueError otherwise."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return unix_time(text)
    if not _ISO.match(text):
        raise ValueError("not a time")
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    elif text[-3] != ":":  # +0000 -> +00:00 (Python 3.10's fromisoformat needs the colon)
        text = text[:-2] + ":" + text[-2:]
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1)).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ValueError("not a time") from None


def _value(values: Mapping[str, tuple[str, str]], keys: Sequence[str]) -> str:
    return next((values[k][1] for k in keys if k in values and values[k][1]), "")


def _changed(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):  # a form post's data[changedFields][0]=... not made a list
        value = list(value.values())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceError(400, f"{where} must be an array of field names")
    return value
