"""Jira Cloud / Jira Service Management: an issue transitioned to an approved status becomes
a grant (or a revocation) for the person or RAM user the issue names.

What Jira sends (../shared/reference/webhook-formats.md §5.1):

- ``POST`` with the JSON body; ``webhookEvent`` is ``jira:issue_updated`` (the event is not
  in a header). A transition shows in ``changelog.items[]`` as ``field == "status"`` with
  ``to`` (status id) and ``toString`` (status name). Approved statuses are per-project
  configuration: :class:`JiraSource` takes the names (compared case-insensitively) and/or
  the ids. Anything else (another event, another transition) is answered 200 as ignored,
  so Jira does not retry it.
- ``X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`` when the webhook has a
  secret; it is required here (a missing header is a 401). Nothing else is signed and Jira
  documents no replay window: the body's signed ``timestamp`` (ms) is held to
  ``max_age`` (default 1 h, beyond Jira's ~30 min retry period) and a redelivery within it
  is deduplicated by ``X-Atlassian-Webhook-Identifier`` (stable across retries), which
  becomes the event id and the FC async task id.

Which issue fields say who, what and how long is the customer's choice, so it is
configuration (:class:`JiraMapping`): a field is a key of ``issue.fields`` (``reporter``,
``customfield_10050``), optionally followed by a dotted path into its value
(``customfield_10010.requestType.name``). Values are read as Jira renders them: text as is,
a select option by ``value``, a JSM request type by ``requestType.name``, a user by its
identity (``identity_keys``, first present: ``emailAddress`` then ``accountId``), a list by
its first element.

- person / user: ``person_field`` (HR person id) and/or ``user_field`` (RAM user name).
- profile: ``profile_field``.
- duration: ``duration_field`` (``4h``, ``2d``, ``PT4H``) -> ``until = occurred_at + duration``;
  empty -> ``default_duration`` (None: a permanent grant, which the catalog may refuse).
- approver: ``approver_field``, or by default the webhook's ``user`` (who made the
  transition); requester: ``requester_field`` (default ``reporter``). Requester and
  approver are rendered with the same identity key when both users have it, so the engine's
  self-approval check compares like with like. The approval status is ``approved``.
- grant or revoke: ``action_field``'s value in ``revoke_values`` (case-insensitive) makes a
  revocation; otherwise a grant.

Never logs or returns the secret, the signature or the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rampart.events import format_time
from rampart.model import EventKind, LifecycleEvent
from rampart.secret import Secret
from rampart.sources._payloads import (
    build_event,
    check_size,
    decode_json_object,
    epoch_millis,
    grant_duration,
    json_type,
    stable_id,
)
from rampart.sources.base import Inbound, InboundRequest, SourceError
from rampart.sources.signing import verify_signature

SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
ISSUE_UPDATED = ("jira:issue_updated", "issue_updated")
FUTURE_SKEW = timedelta(minutes=5)
_OPTION_KEYS = ("value", "name", "key", "id")


@dataclass(frozen=True, slots=True)
class JiraMapping:
    """Which issue fields carry what (keys of ``issue.fields``, optionally ``.path``)."""

    profile_field: str
    person_field: str | None = None
    user_field: str | None = None
    duration_field: str | None = None
    approver_field: str | None = None
    requester_field: str = "reporter"
    action_field: str | None = None
    revoke_values: tuple[str, ...] = ("revoke", "revoke access", "remove access")
    identity_keys: tuple[str, ...] = ("emailAddress", "accountId")
    default_duration: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.person_field and not self.user_field:
            raise ValueError("JiraMapping needs person_field or user_field (who gets the access)")
        if not self.identity_keys:
            raise ValueError("JiraMapping needs at least one identity key")


class JiraSource:
    """``ticket:jira``: verifies ``X-Hub-Signature`` and turns an approval transition into
    a grant/revoke event (see the module docstring)."""

    def __init__(
        self,
        secret: Secret | Sequence[Secret],
        mapping: JiraMapping,
        *,
        approved_statuses: Sequence[str] = ("Approved",),
        approved_status_ids: Sequence[str] = (),
        known_profiles: Collection[str] | None = None,
        max_age: timedelta | None = timedelta(hours=1),
        name: str = "ticket:jira",
    ) -> None:
        if not approved_statuses and not approved_status_ids:
            raise ValueError("JiraSource needs at least one approved status name or id")
        self._secret = secret
        self.mapping = mapping
        self._statuses = frozenset(s.strip().casefold() for s in approved_statuses)
        self._status_ids = frozenset(s.strip() for s in approved_status_ids)
        self._known_profiles = known_profiles
        self._max_age = max_age
        self.name = name

    def __repr__(self) -> str:
        return f"JiraSource({self.name!r}, statuses={sorted(self._statuses)})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        if request.method.upper() != "POST":
            raise SourceError(405, f"Jira webhooks are POSTed, not sent with {request.method[:10]}")
        verify_signature(self._secret, request.body, request.header(SIGNATURE_HEADER), header_name=SIGNATURE_HEADER)
        body = decode_json_object(request.body)
        identifier = request.header(DELIVERY_HEADER).strip()[:200]
        if not identifier:
            # Not documented as optional, but Jira DC/Server may omit it: the body's digest
            # is the same on every retry, so deduplication still holds.
            identifier = "body-" + hashlib.sha256(request.body).hexdigest()[:40]
        event_id = stable_id("ticket-jira", identifier)

        webhook_event = body.get("webhookEvent")
        if not isinstance(webhook_event, str):
            raise SourceError(400, f"webhookEvent must be a string, not {json_type(webhook_event)}")
        if webhook_event not in ISSUE_UPDATED:
            return Inbound(delivery_id=event_id, ignored=f"Jira event {webhook_event[:60]!r} is not an issue update")
        occurred_at = self._occurred_at(body, now)
        if not self._approved_transition(body):
            return Inbound(delivery_id=event_id, ignored="no transition to an approved status")
        issue = body.get("issue")
        if not isinstance(issue, dict):
            raise SourceError(400, f"issue must be an object, not {json_type(issue)}")
        key = issue.get("key")
        if not isinstance(key, str) or not key.strip():
            raise SourceError(400, "issue.key is missing: the issue key is the ticket id")
        fields = issue.get("fields")
        if not isinstance(fields, dict):
            raise SourceError(400, f"issue.fields must be an object, not {json_type(fields)}")
        event = self._event(body, fields, key.strip(), event_id, occurred_at)
        return Inbound(events=(event,), delivery_id=event_id)

    # --- reading the body ------------------------------------------------------------

    def _occurred_at(self, body: Mapping[str, Any], now: datetime) -> datetime:
        if "timestamp" not in body:
            raise SourceError(400, "timestamp is missing: Jira's event time (Unix milliseconds)")
        try:
            occurred_at = epoch_millis(body["timestamp"])
        except ValueError:
            raise SourceError(400, "timestamp must be Unix milliseconds") from None
        if occurred_at - now > FUTURE_SKEW:
            raise SourceError(401, "stale timestamp: the event time is in the future")
        if self._max_age is not None and now - occurred_at > self._max_age:
            raise SourceError(
                401,
                f"stale timestamp: the event is older than {int(self._max_age.total_seconds())} s",
                hint="a replayed or very late delivery; redo the transition to send it again",
            )
        return occurred_at

    def _approved_transition(self, body: Mapping[str, Any]) -> bool:
        changelog = body.get("changelog")
        if changelog is None:
            return False
        if not isinstance(changelog, dict):
            raise SourceError(400, f"changelog must be an object, not {json_type(changelog)}")
        items = changelog.get("items", [])
        if not isinstance(items, list):
            raise SourceError(400, f"changelog.items must be an array, not {json_type(items)}")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise SourceError(400, f"changelog.items[{index}] must be an object, not {json_type(item)}")
            field = item.get("fieldId", item.get("field"))
            if not isinstance(field, str) or field.casefold() != "status":
                continue
            name, status_id = item.get("toString"), item.get("to")
            if (
                isinstance(status_id, (str, int))
                and not isinstance(status_id, bool)
                and str(status_id) in self._status_ids
            ):
                return True
            if isinstance(name, str) and name.strip().casefold() in self._statuses:
                return True
        return False

    def _field(self, fields: Mapping[str, Any], spec: str) -> Any:
        head, *path = spec.split(".")
        value = fields.get(head)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def _text(self, value: Any, where: str, keys: Sequence[str]) -> str:
        if isinstance(value, list):
            return self._text(value[0], where, keys) if value else ""
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, bool):
            raise SourceError(400, f"{where} must be text, not a boolean")
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, dict):
            if "accountId" in value or "emailAddress" in value:
                return self._user(value, keys)
            if isinstance(value.get("requestType"), dict):  # JSM "Customer Request Type"
                return self._text(value["requestType"], where, keys)
            for option in _OPTION_KEYS:
                if isinstance(value.get(option), (str, int)) and not isinstance(value.get(option), bool):
                    return str(value[option]).strip()
        raise SourceError(400, f"{where} holds {json_type(value)} that has no text value")

    @staticmethod
    def _user(user: Mapping[str, Any], keys: Sequence[str]) -> str:
        for key in keys:
            value = user.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""

    def _read(self, fields: Mapping[str, Any], spec: str | None, keys: Sequence[str] | None = None) -> str:
        if not spec:
            return ""
        return self._text(self._field(fields, spec), f"issue.fields.{spec}", keys or self.mapping.identity_keys)

    def _people(self, body: Mapping[str, Any], fields: Mapping[str, Any]) -> tuple[str, str, str]:
        """(requester, approver, actor), requester and approver in one identity key if possible."""
        m = self.mapping
        requester_obj = self._field(fields, m.requester_field)
        approver_obj = self._field(fields, m.approver_field) if m.approver_field else body.get("user")
        actor_obj = body.get("user")
        keys: Sequence[str] = m.identity_keys
        if isinstance(requester_obj, dict) and isinstance(approver_obj, dict):
            shared = [k for k in m.identity_keys if requester_obj.get(k) and approver_obj.get(k)]
            keys = shared[:1] + [k for k in m.identity_keys if k not in shared[:1]]
        requester = self._text(requester_obj, f"issue.fields.{m.requester_field}", keys)
        approver_where = f"issue.fields.{m.approver_field}" if m.approver_field else "user"
        approver = self._text(approver_obj, approver_where, keys)
        actor = self._text(actor_obj, "user", m.identity_keys) if isinstance(actor_obj, dict) else ""
        return requester, approver, actor

    def _event(
        self,
        body: Mapping[str, Any],
        fields: Mapping[str, Any],
        key: str,
        event_id: str,
        occurred_at: datetime,
    ) -> LifecycleEvent:
        m = self.mapping
        person_id = self._read(fields, m.person_field)
        user_name = self._read(fields, m.user_field)
        if not person_id and not user_name:
            named = " or ".join(f"issue.fields.{f}" for f in (m.person_field, m.user_field) if f)
            raise SourceError(400, f"{named} is empty: the issue must name who gets the access")
        profile = self._read(fields, m.profile_field)
        if not profile:
            raise SourceError(400, f"issue.fields.{m.profile_field} is empty: the issue must name the profile")
        action = self._read(fields, m.action_field).casefold()
        revoke = bool(action) and action in {v.strip().casefold() for v in m.revoke_values}
        requester, approver, actor = self._people(body, fields)

        data: dict[str, Any] = {
            "event_id": event_id,
            "kind": (EventKind.REVOKE if revoke else EventKind.GRANT).value,
            "occurred_at": format_time(occurred_at),
            "source": self.name,
            "profile": profile,
            "approval": {"ticket_id": key, "status": "approved", "requester": requester, "approver": approver},
        }
        if person_id:
            data["person_id"] = person_id
        if user_name:
            data["user_name"] = user_name
        if actor:
            data["actor"] = actor
        if not revoke:
            duration_text = self._read(fields, m.duration_field)
            duration = m.default_duration
            if duration_text:
                try:
                    duration = grant_duration(duration_text)
                except ValueError as exc:
                    raise SourceError(400, f"issue.fields.{m.duration_field}: {exc}") from None
            if duration is not None:
                try:
                    data["until"] = format_time(occurred_at + duration)
                except OverflowError:
                    raise SourceError(400, f"issue.fields.{m.duration_field}: the grant would end after the year 9999",
                                      hint="give a duration such as 4h or 2d") from None
        names = {
            "person_id": f"issue.fields.{m.person_field}",
            "user_name": f"issue.fields.{m.user_field}",
            "profile": f"issue.fields.{m.profile_field}",
            "until": f"issue.fields.{m.duration_field}",
            "approval.ticket_id": "issue.key",
            "approval.requester": f"issue.fields.{m.requester_field}",
            "approval.approver": f"issue.fields.{m.approver_field}" if m.approver_field else "user",
            "actor": "user",
        }
        return build_event(data, where=f"Jira issue {key[:40]}", field_names=names, known_profiles=self._known_profiles)
