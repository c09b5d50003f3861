"""Feishu / Lark contact events (event schema 2.0) -> joiner, mover and leaver events.

What Feishu sends (../shared/reference/webhook-formats.md §1; the official SDK
``larksuite/oapi-sdk-python``: ``lark_oapi/event/dispatcher_handler.py``, ``core/utils/decryptor.py``):

- ``contact.user.created_v3`` -> **joiner**; ``contact.user.updated_v3`` -> **mover** with the
  full current record (``event.object``), or a **leaver** when ``object.status.is_resigned``
  is true (optionally also ``is_frozen``: ``leave_on_frozen``), or a **joiner** again when
  ``old_object.status.is_resigned`` was true and is no longer (a reinstated user);
  ``contact.user.deleted_v3`` ("员工离职") -> **leaver**. Every other event type, and schema
  1.0 events, are authentic but not lifecycle events: answered 200 as ignored so Feishu does
  not retry them. ``old_object`` holds only the changed fields (the current doc page
  says so: "只包含有变更的字段数据", only the changed fields), so it is never read as a record.
- **Encrypt Key** (required by rampart): the body is ``{"encrypt": base64(iv(16) ||
  AES-256-CBC(key = SHA-256(encrypt_key), PKCS#7))}``.
- **Signature**: ``X-Lark-Signature`` = hex SHA-256 (plain, not an HMAC) of
  ``utf8(X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt_key) || raw body``,
  checked on the raw (still encrypted) body before anything is parsed. The timestamp is Unix
  seconds; Feishu documents no window, rampart refuses more than ``window`` (5 min) either
  way [UNCONFIRMED window]. The official SDK requires the headers on every event, so rampart
  does too (``require_signature``); an unencrypted body is accepted only with a valid signature.
- **Verification Token**: ``header.token`` (schema 2.0) or ``token`` (``url_verification``,
  schema 1.0), compared in constant time: a mismatch is a 401.
- **URL verification**: ``{"type": "url_verification", "challenge": ..., "token": ...}`` is
  answered at once with ``{"challenge": ...}`` (Feishu wants it within 1 s) after the token
  check, as the SDK does, even without signature headers (the SDK does not check them for
  the challenge [UNCONFIRMED whether Feishu sends them]); if they are sent they are checked.
- ``header.event_id`` is the delivery id (stable over Feishu's retries for ~7.1 h);
  ``header.create_time`` (ms) is the event time.

Person record: ``person_id`` = ``object[person_id_key]`` (``user_id`` by default; it needs the
``contact:user.employee_id:readonly`` field scope, otherwise set ``open_id``: an absent id is
a 400, never a silent switch to another id); ``display_name`` = ``name`` (else ``en_name``,
``nickname``, the id); ``email`` = ``enterprise_email`` else ``email``; ``manager`` =
``leader_user_id`` (an open_id); attributes ``department`` (the primary department:
``orders[].is_primary_dept``, else the first of ``department_ids``; its name when
``departments`` maps the open_department_id, which catalog rules need) and ``department_id``,
``title`` (``job_title``), ``employment_type`` (``employee_type`` 1-5: regular, intern,
outsourced, labor, consultant; a custom type's number as is), ``city``, ``country``,
``work_station``, ``employee_number`` (``employee_no``), ``job_level_id``, ``job_family_id``.
Fields are only present when the app holds their field scope, so each one is optional.

Never logs or returns the encrypt key, the token, a signature or the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from rampart.events import format_time
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources._payloads import (
    build_event,
    check_size,
    decode_base64,
    decode_json_object,
    epoch_millis,
    json_type,
    stable_id,
)
from rampart.sources.base import Inbound, InboundRequest, Reply, SourceError
from rampart.sources.crypto import AES_BLOCK, aes_cbc_decrypt, aes_cbc_encrypt, pkcs7_pad, pkcs7_unpad
from rampart.sources.hr._common import REPLAY_WINDOW, check_window, field_text, require_post, scalar_text, signed_time

SIGNATURE_HEADER: Final = "X-Lark-Signature"
TIMESTAMP_HEADER: Final = "X-Lark-Request-Timestamp"
NONCE_HEADER: Final = "X-Lark-Request-Nonce"
USER_CREATED: Final = "contact.user.created_v3"
USER_UPDATED: Final = "contact.user.updated_v3"
USER_DELETED: Final = "contact.user.deleted_v3"
URL_VERIFICATION: Final = "url_verification"
EMPLOYEE_TYPES: Final = {1: "regular", 2: "intern", 3: "outsourced", 4: "labor", 5: "consultant"}
"""``employee_type`` 1-5 (正式员工, 实习生, 外包, 劳务, 顾问); other values are custom types."""
PERSON_ID_KEYS: Final = ("user_id", "open_id", "union_id")
_MAX_CHALLENGE = 512
# attribute -> key of event.object (text fields)
_TEXT_ATTRIBUTES: Final = (
    ("title", "job_title"),
    ("city", "city"),
    ("country", "country"),
    ("work_station", "work_station"),
    ("employee_number", "employee_no"),
    ("job_level_id", "job_level_id"),
    ("job_family_id", "job_family_id"),
)


# --- the scheme (also used by senders: tests, samples, the demo) ---------------------------


def signature(timestamp: str, nonce: str, encrypt_key: Secret, body: bytes) -> str:
    """``X-Lark-Signature``: hex SHA-256 of ``utf8(timestamp + nonce + encrypt_key) || body``."""
    return hashlib.sha256((timestamp + nonce + encrypt_key.reveal()).encode("utf-8") + body).hexdigest()


def _key(encrypt_key: Secret) -> bytes:
    return hashlib.sha256(encrypt_key.reveal().encode("utf-8")).digest()


def encrypt(encrypt_key: Secret, plaintext: bytes, iv: bytes) -> str:
    """The ``encrypt`` value Feishu sends for ``plaintext`` (``iv``: 16 random bytes)."""
    return base64.b64encode(iv + aes_cbc_encrypt(_key(encrypt_key), iv, pkcs7_pad(plaintext, AES_BLOCK))).decode()


def decrypt(encrypt_key: Secret, value: str) -> bytes:
    """The plaintext of an ``encrypt`` value: 400 when it is not base64, 401 when it does not
    decrypt with this key (a forged body or another app's key)."""
    raw = decode_base64("".join(value.split()), what="encrypt")
    if len(raw) < 2 * AES_BLOCK or len(raw) % AES_BLOCK:
        raise SourceError(401, "encrypt cannot be decrypted: not an IV followed by whole AES blocks")
    try:
        return pkcs7_unpad(aes_cbc_decrypt(_key(encrypt_key), raw[:AES_BLOCK], raw[AES_BLOCK:]), AES_BLOCK)
    except ValueError:
        raise SourceError(401, "encrypt cannot be decrypted with the configured Encrypt Key") from None


# --- the source ------------------------------------------------------------------------------


class FeishuSource:
    """``hr:feishu``: Feishu/Lark contact v3 user events (see the module docstring)."""

    def __init__(
        self,
        encrypt_key: Secret,
        verification_token: Secret,
        *,
        person_id_key: str = "user_id",
        departments: Mapping[str, str] | None = None,
        require_signature: bool = True,
        leave_on_frozen: bool = False,
        window: timedelta = REPLAY_WINDOW,
        name: str = "hr:feishu",
    ) -> None:
        if person_id_key not in PERSON_ID_KEYS:
            raise ValueError(f"person_id_key must be one of {', '.join(PERSON_ID_KEYS)}")
        self._encrypt_key = encrypt_key
        self._token = verification_token
        self.person_id_key = person_id_key
        self.departments = dict(departments or {})
        self.require_signature = require_signature
        self.leave_on_frozen = leave_on_frozen
        self._window = window
        self.name = name

    def __repr__(self) -> str:
        return f"FeishuSource({self.name!r}, person_id_key={self.person_id_key!r})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        require_post(request, "Feishu event")
        signed = any(request.header(h).strip() for h in (SIGNATURE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER))
        if signed:
            self._verify(request, now)
        outer = decode_json_object(request.body)
        if "encrypt" in outer:
            value = outer["encrypt"]
            if not isinstance(value, str):
                raise SourceError(400, f"encrypt must be a string, not {json_type(value)}")
            body = decode_json_object(decrypt(self._encrypt_key, value), what="decrypted body")
        elif signed:
            body = outer
        else:
            raise SourceError(401, "missing signature: an unencrypted body needs the X-Lark-Signature headers")
        self._check_token(body)
        if body.get("type") == URL_VERIFICATION and "schema" not in body:
            return self._challenge(body)
        if not signed and self.require_signature:
            raise SourceError(401, f"missing signature: the {SIGNATURE_HEADER} header is required")
        if "schema" not in body:
            return Inbound(ignored="a Feishu schema 1.0 event; rampart reads contact v3 (schema 2.0) events")
        return self._event(body)

    # --- authentication ------------------------------------------------------------------

    def _verify(self, request: InboundRequest, now: datetime) -> None:
        given = request.header(SIGNATURE_HEADER).strip().lower()
        stamp = request.header(TIMESTAMP_HEADER)
        nonce = request.header(NONCE_HEADER)
        if not given:
            raise SourceError(401, f"missing signature: the {SIGNATURE_HEADER} header is required")
        signed_at = signed_time(stamp, what=TIMESTAMP_HEADER)
        # signed exactly as received, as the official SDK does
        expected = signature(stamp, nonce, self._encrypt_key, request.body)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
            raise SourceError(401, f"bad signature: {SIGNATURE_HEADER} does not match the body")
        check_window(signed_at, now, self._window, what=TIMESTAMP_HEADER)

    def _check_token(self, body: Mapping[str, Any]) -> None:
        header = body.get("header")
        token = header.get("token") if "schema" in body and isinstance(header, dict) else body.get("token")
        where = "header.token" if "schema" in body else "token"
        if not isinstance(token, str) or not token:
            raise SourceError(401, f"missing token: {where} (the Verification Token) is required")
        if not hmac.compare_digest(token.encode("utf-8"), self._token.reveal().encode("utf-8")):
            raise SourceError(401, f"bad token: {where} is not the configured Verification Token")

    def _challenge(self, body: Mapping[str, Any]) -> Inbound:
        challenge = body.get("challenge")
        if not isinstance(challenge, str) or not challenge or len(challenge) > _MAX_CHALLENGE:
            raise SourceError(400, f"challenge must be a string of 1-{_MAX_CHALLENGE} characters")
        reply = Reply(200, json.dumps({"challenge": challenge}, ensure_ascii=False, separators=(",", ":")))
        return Inbound(reply=reply, ignored="url_verification challenge")

    # --- the event -------------------------------------------------------------------------

    def _event(self, body: Mapping[str, Any]) -> Inbound:
        header = body.get("header")
        if not isinstance(header, dict):
            raise SourceError(400, f"header must be an object, not {json_type(header)}")
        raw_id = header.get("event_id")
        if not isinstance(raw_id, str) or not raw_id.strip():
            raise SourceError(400, "header.event_id is missing: the id of the Feishu event")
        event_id = stable_id("hr-feishu", raw_id.strip()[:200])
        event_type = header.get("event_type")
        if not isinstance(event_type, str):
            raise SourceError(400, f"header.event_type must be a string, not {json_type(event_type)}")
        if event_type not in (USER_CREATED, USER_UPDATED, USER_DELETED):
            return Inbound(delivery_id=event_id, ignored=f"Feishu event {event_type[:80]!r} is not a user lifecycle event")
        try:
            occurred_at = epoch_millis(header.get("create_time"))
        except ValueError:
            raise SourceError(400, "header.create_time must be the event time in Unix milliseconds") from None
        payload = body.get("event")
        if not isinstance(payload, dict):
            raise SourceError(400, f"event must be an object, not {json_type(payload)}")
        current = payload.get("object")
        if not isinstance(current, dict):
            raise SourceError(400, f"event.object must be an object, not {json_type(current)}")
        old = payload.get("old_object", {})
        if not isinstance(old, dict):
            raise SourceError(400, f"event.old_object must be an object, not {json_type(old)}")

        kind = self._kind(event_type, current, old)
        data: dict[str, Any] = {
            "event_id": event_id,
            "kind": kind.value,
            "occurred_at": format_time(occurred_at),
            "source": self.name,
        }
        if kind is EventKind.LEAVER:
            data["person_id"] = self._person_id(current, old)
        else:
            data["person"] = self._person(current)
        event = build_event(data, where=f"Feishu event {raw_id.strip()[:40]!r}", field_names=self._names())
        return Inbound(events=(event,), delivery_id=event_id)

    def _kind(self, event_type: str, current: Mapping[str, Any], old: Mapping[str, Any]) -> EventKind:
        status = _status(current, "event.object.status")
        if event_type == USER_CREATED:
            return EventKind.JOINER
        if event_type == USER_DELETED:
            return EventKind.LEAVER
        if status.get("is_resigned") is True or (self.leave_on_frozen and status.get("is_frozen") is True):
            return EventKind.LEAVER
        if _status(old, "event.old_object.status").get("is_resigned") is True:
            return EventKind.JOINER
        return EventKind.MOVER

    def _person_id(self, current: Mapping[str, Any], old: Mapping[str, Any]) -> str:
        key = self.person_id_key
        found = field_text(current, key, "event.object") or field_text(old, key, "event.old_object")
        if not found:
            raise SourceError(
                400,
                f"event.object.{key} is missing: the person id",
                hint="grant the app the field scope for this id, or configure another person_id_key",
            )
        return found

    def _person(self, user: Mapping[str, Any]) -> dict[str, Any]:
        where = "event.object"
        person_id = self._person_id(user, {})
        name = next((t for k in ("name", "en_name", "nickname") if (t := field_text(user, k, where))), person_id)
        person: dict[str, Any] = {"person_id": person_id, "display_name": name}
        email = field_text(user, "enterprise_email", where) or field_text(user, "email", where)
        if email:
            person["email"] = email
        manager = field_text(user, "leader_user_id", where)
        if manager:
            person["manager"] = manager
        attributes = {attr: text for attr, key in _TEXT_ATTRIBUTES if (text := field_text(user, key, where))}
        department = _primary_department(user)
        if department:
            attributes["department_id"] = department
            attributes["department"] = self.departments.get(department, department)
        employee_type = scalar_text(user.get("employee_type"), f"{where}.employee_type")
        if employee_type:
            number = int(employee_type) if employee_type.isdigit() and len(employee_type) < 6 else None
            attributes["employment_type"] = EMPLOYEE_TYPES.get(number, employee_type) if number else employee_type
        if attributes:
            person["attributes"] = attributes
        return person

    def _names(self) -> dict[str, str]:
        """Event fields -> the Feishu fields they came from, for error messages."""
        where = "event.object"
        names = {
            "event_id": "header.event_id",
            "occurred_at": "header.create_time",
            "person_id": f"{where}.{self.person_id_key}",
            "person.person_id": f"{where}.{self.person_id_key}",
            "person.display_name": f"{where}.name",
            "person.email": f"{where}.enterprise_email or {where}.email",
            "person.manager": f"{where}.leader_user_id",
            "person.attributes.department": f"{where}.department_ids",
            "person.attributes.department_id": f"{where}.department_ids",
            "person.attributes.employment_type": f"{where}.employee_type",
        }
        names.update({f"person.attributes.{attr}": f"{where}.{key}" for attr, key in _TEXT_ATTRIBUTES})
        return names


def _status(user: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    status = user.get("status", {})
    if status is None:
        return {}
    if not isinstance(status, dict):
        raise SourceError(400, f"{where} must be an object, not {json_type(status)}")
    return status


def _primary_department(user: Mapping[str, Any]) -> str:
    ids = user.get("department_ids")
    if ids is None:
        return ""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise SourceError(400, "event.object.department_ids must be an array of strings")
    orders = user.get("orders")
    if isinstance(orders, list):
        for order in orders:
            if isinstance(order, dict) and order.get("is_primary_dept") is True:
                primary = order.get("department_id")
                if isinstance(primary, str) and primary.strip():
                    return primary.strip()
    return next((i.strip() for i in ids if i.strip()), "")
