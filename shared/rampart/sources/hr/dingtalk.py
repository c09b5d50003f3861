"""DingTalk contact events over HTTP push -> joiner, mover and leaver events.

What DingTalk sends (../shared/reference/webhook-formats.md §2; the official sample
``open-dingtalk/DingTalk-Callback-Crypto``: ``DingCallbackCrypto.java``, ``DingCallbackCrypto3.py``):

- ``POST <url>?msg_signature=<sig>&timestamp=<ts>&nonce=<nonce>`` (also ``signature`` and
  ``timeStamp``: both spellings are read) with the body ``{"encrypt": "<base64>"}``.
- **Signature** = hex SHA-1 of the lexicographically sorted ``[token, timestamp, nonce,
  encrypt]`` concatenated. It covers the ``encrypt`` value, not the body, so the body is read
  as far as ``encrypt`` first; nothing else of it is used before the check passes.
- **AES** (WeCom's scheme): ``key = base64decode(EncodingAESKey + "=")`` (43 characters ->
  32 bytes, AES-256-CBC), ``iv = key[:16]``; plaintext = ``random(16) || len(msg) (4 bytes,
  big-endian) || msg || owner key``, PKCS#7-padded to a **32-byte** block. The owner key
  must be the configured one: the **AppKey** for an internal app's event subscription, the
  **CorpId** for the legacy ``register_call_back``, the **SuiteKey** for an ISV suite.
- **Replay window**: none documented [UNCONFIRMED]; the signed timestamp (milliseconds in
  current pushes, seconds in the legacy docs: told apart by magnitude) must be within
  ``window`` (5 minutes) of now.
- **Events**: ``user_add_org`` -> a joiner per user id, ``user_modify_org`` -> a mover per
  user id, ``user_leave_org`` -> a leaver per user id; ``check_url`` (the handshake) and every
  other type carry no lifecycle event. Both documented key casings are read (``UserId`` /
  ``userId``, ``TimeStamp`` / ``timeStamp``, ``EventTime``); ``OptStaffId`` is the actor.
- **Answer**: every accepted delivery, the handshake included, must be answered 200 with the
  encrypted string ``success``: ``{"msg_signature", "timeStamp", "nonce", "encrypt"}``
  (key names as the official sample writes them), signed and encrypted as above, else
  DingTalk keeps pushing. :meth:`DingTalkSource.parse` returns it as ``Inbound.reply``; the
  reply's timestamp is ``now`` in milliseconds, as the official Java sample sends
  (the Python sample sends seconds; the verbatim doc example shows seconds) [UNCONFIRMED
  which DingTalk prefers: it accepts the sample's].
- **Ids only**: the push names users, not their records. A joiner or mover carries an
  ids-only person record (``hr_record: ids-only``, :mod:`rampart.sources.hr`); the
  lifecycle function must fetch the user from DingTalk's API (``topapi/v2/user/get``) before
  planning it: out of scope here.
- **Event ids**: ``eventId`` (current pushes) else ``BizId``, else the legacy triple
  (``EventType``, ``TimeStamp``, the user ids); one event per user id, ``<base>-<user id>``.

Never logs or returns the token, the AES key, a signature or the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
import string
import struct
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from rampart.events import format_time
from rampart.model import EventKind, LifecycleEvent
from rampart.secret import Secret
from rampart.sources._payloads import build_event, check_size, decode_base64, decode_json_object, json_type, stable_id
from rampart.sources.base import Inbound, InboundRequest, Reply, SourceError
from rampart.sources.crypto import aes_cbc_decrypt, aes_cbc_encrypt, pkcs7_pad, pkcs7_unpad
from rampart.sources.hr._common import (
    REPLAY_WINDOW,
    check_window,
    delivery_id_for,
    ids_only_person,
    require_post,
    scalar_text,
    signed_time,
    unix_time,
)

PAD_BLOCK: Final = 32
"""DingTalk pads to 32 bytes, not AES's 16 (``PKCS7Padding.BLOCK_SIZE`` in the official sample)."""
CHECK_URL: Final = "check_url"
KINDS: Final = {
    "user_add_org": EventKind.JOINER,
    "user_modify_org": EventKind.MOVER,
    "user_leave_org": EventKind.LEAVER,
}
SUCCESS: Final = "success"
_NONCE_CHARS = string.ascii_letters + string.digits
_MAX_USERS = 1000


class DingTalkCrypto:
    """The signature and AES framing of DingTalk's HTTP push (both directions)."""

    def __init__(self, token: Secret, aes_key: Secret, owner_key: str) -> None:
        encoded = aes_key.reveal()
        try:
            key = base64.b64decode(encoded + "=", validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(encoded) != 43 or len(key) != 32:
            raise ValueError("the DingTalk EncodingAESKey is 43 base64 characters (32 bytes)")
        if not owner_key:
            raise ValueError("the owner key (AppKey, CorpId or SuiteKey) is required")
        self._token = token
        self._key = key
        self.owner_key = owner_key

    def __repr__(self) -> str:
        return f"DingTalkCrypto(owner_key={self.owner_key!r})"

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        joined = "".join(sorted([self._token.reveal(), timestamp, nonce, encrypted]))
        return hashlib.sha1(joined.encode("utf-8")).hexdigest()  # noqa: S324 - DingTalk's scheme

    def encrypt(self, message: bytes, random16: bytes) -> str:
        if len(random16) != 16:
            raise ValueError("the random prefix is 16 bytes")
        plain = random16 + struct.pack(">I", len(message)) + message + self.owner_key.encode("utf-8")
        return base64.b64encode(aes_cbc_encrypt(self._key, self._key[:16], pkcs7_pad(plain, PAD_BLOCK))).decode()

    def decrypt(self, encrypted: str) -> bytes:
        """The message: 400 when ``encrypt`` is not base64, 401 when it does not decrypt to a
        frame for the configured owner key."""
        raw = decode_base64("".join(encrypted.split()), what="encrypt")  # MIME-style line breaks too
        try:
            plain = pkcs7_unpad(aes_cbc_decrypt(self._key, self._key[:16], raw), PAD_BLOCK)
        except ValueError:
            raise SourceError(401, "encrypt cannot be decrypted with the configured AES key") from None
        if len(plain) < 20:
            raise SourceError(401, "encrypt cannot be decrypted: the frame is too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if length > len(plain) - 20:
            raise SourceError(401, "encrypt cannot be decrypted: the length prefix is wrong")
        owner = plain[20 + length :]
        if not hmac.compare_digest(owner, self.owner_key.encode("utf-8")):
            raise SourceError(401, "encrypt is for another app: its owner key is not the configured one")
        return plain[20 : 20 + length]

    def envelope(self, message: str, timestamp: str, nonce: str, random16: bytes) -> dict[str, str]:
        """``{"msg_signature", "timeStamp", "nonce", "encrypt"}`` for ``message``."""
        encrypted = self.encrypt(message.encode("utf-8"), random16)
        return {
            "msg_signature": self.signature(timestamp, nonce, encrypted),
            "timeStamp": timestamp,
            "nonce": nonce,
            "encrypt": encrypted,
        }


class DingTalkSource:
    """``hr:dingtalk``: DingTalk contact events over HTTP push (see the module docstring)."""

    def __init__(
        self,
        token: Secret,
        aes_key: Secret,
        owner_key: str,
        *,
        window: timedelta = REPLAY_WINDOW,
        rng: random.Random | None = None,
        name: str = "hr:dingtalk",
    ) -> None:
        self.crypto = DingTalkCrypto(token, aes_key, owner_key)
        self._window = window
        self._rng = rng or random.SystemRandom()
        self.name = name

    def __repr__(self) -> str:
        return f"DingTalkSource({self.name!r}, owner_key={self.crypto.owner_key!r})"

    def parse(self, request: InboundRequest, now: datetime) -> Inbound:
        check_size(request.body)
        require_post(request, "DingTalk event")
        given = (request.query.get("msg_signature") or request.query.get("signature") or "").strip().lower()
        stamp = request.query.get("timeStamp") or request.query.get("timestamp") or ""  # signed as received
        nonce = request.query.get("nonce") or ""
        if not given:
            raise SourceError(401, "missing signature: the msg_signature (or signature) query parameter is required")
        signed_at = signed_time(stamp, what="the timestamp query parameter")
        outer = decode_json_object(request.body)
        encrypted = outer.get("encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise SourceError(400, f"encrypt must be a non-empty string, not {json_type(encrypted)}")
        expected = self.crypto.signature(stamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
            raise SourceError(401, "bad signature: msg_signature does not match the token, timestamp, nonce and encrypt")
        check_window(signed_at, now, self._window, what="the timestamp query parameter")
        body = decode_json_object(self.crypto.decrypt(encrypted), what="decrypted body")

        reply = self.success_reply(now)
        event_type = body.get("EventType", body.get("eventType"))
        if not isinstance(event_type, str) or not event_type:
            raise SourceError(400, f"EventType must be a non-empty string, not {json_type(event_type)}")
        if event_type == CHECK_URL:
            return Inbound(reply=reply, ignored="check_url handshake")
        kind = KINDS.get(event_type)
        if kind is None:
            return Inbound(reply=reply, ignored=f"DingTalk event {event_type[:60]!r} is not a user lifecycle event")
        events = self._events(body, event_type, kind, signed_at)
        ids = [event.event_id for event in events]
        return Inbound(events=tuple(events), delivery_id=delivery_id_for("hr-dingtalk", ids), reply=reply)

    def success_reply(self, now: datetime) -> Reply:
        """The encrypted ``success`` DingTalk requires (nonce and random prefix from ``rng``)."""
        nonce = "".join(self._rng.choice(_NONCE_CHARS) for _ in range(16))
        random16 = "".join(self._rng.choice(_NONCE_CHARS) for _ in range(16)).encode("ascii")
        timestamp = str(int(now.timestamp() * 1000))
        envelope = self.crypto.envelope(SUCCESS, timestamp, nonce, random16)
        return Reply(200, json.dumps(envelope, separators=(",", ":")))

    def _events(
        self, body: Mapping[str, Any], event_type: str, kind: EventKind, signed_at: datetime
    ) -> list[LifecycleEvent]:
        users_key = "UserId" if "UserId" in body else "userId"
        users = body.get(users_key)
        if not isinstance(users, list) or not users or not all(isinstance(u, str) and u.strip() for u in users):
            raise SourceError(400, f"{users_key} must be a non-empty array of user ids")
        if len(users) > _MAX_USERS:
            raise SourceError(400, f"{users_key} holds {len(users)} user ids; at most {_MAX_USERS}")
        occurred_at, time_key = self._time(body, signed_at)
        actor = scalar_text(body.get("OptStaffId"), "OptStaffId")
        base = self._base_id(body, event_type, users)
        events: list[LifecycleEvent] = []
        seen: set[str] = set()
        for index, raw in enumerate(users):
            user = raw.strip()
            if user in seen:
                continue
            seen.add(user)
            data: dict[str, Any] = {
                "event_id": stable_id("hr-dingtalk", f"{base}-{user}"),
                "kind": kind.value,
                "occurred_at": format_time(occurred_at),
                "source": self.name,
            }
            if kind is EventKind.LEAVER:
                data["person_id"] = user
            else:
                data["person"] = ids_only_person(user)
            if actor:
                data["actor"] = actor[:128]
            where = f"{users_key}[{index}]"
            names = {"person_id": where, "person": where, "occurred_at": time_key, "actor": "OptStaffId"}
            events.append(build_event(data, where=f"DingTalk {event_type}", field_names=names))
        return events

    def _time(self, body: Mapping[str, Any], signed_at: datetime) -> tuple[datetime, str]:
        for key in ("EventTime", "eventTime", "TimeStamp", "timeStamp"):
            if body.get(key) is not None:
                try:
                    return unix_time(body[key]), key
                except ValueError as exc:
                    raise SourceError(400, f"{key} {exc}") from None
        return signed_at, "timestamp"

    @staticmethod
    def _base_id(body: Mapping[str, Any], event_type: str, users: list[str]) -> str:
        for key in ("eventId", "EventId", "BizId", "bizId"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:200]
        stamp = body.get("TimeStamp", body.get("timeStamp", ""))
        joined = ",".join(sorted(u.strip() for u in users))
        return hashlib.sha256(f"{event_type}|{stamp}|{joined}".encode()).hexdigest()[:32]
