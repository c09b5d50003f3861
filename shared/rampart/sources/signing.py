"""HMAC-SHA256 request signing shared by rampart's own webhook contracts and Jira.

Two schemes live here, both ``sha256=<lowercase hex>`` in a header:

* **rampart's timestamped contract** (the generic HR and generic ticket sources): headers
  ``X-Rampart-Timestamp: <unix seconds>`` and
  ``X-Rampart-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``; a
  timestamp more than :data:`REPLAY_WINDOW` (5 minutes) away from ``now`` is refused, so a
  captured request cannot be replayed later (within the window the delivery id dedupes).
* **a bare body HMAC** (Jira Cloud's ``X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw
  body)>``, the same algorithm as GitHub's ``X-Hub-Signature-256``; webhook-formats.md §5.1).

Every check runs on the raw body bytes, compares with :func:`hmac.compare_digest`, and
refuses with ``SourceError(401)``. Accepting several secrets lets an operator rotate a
webhook secret without a gap. This module must never log, return or put into a message a
secret or an expected signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from rampart.secret import Secret
from rampart.sources.base import InboundRequest, SourceError

TIMESTAMP_HEADER = "X-Rampart-Timestamp"
SIGNATURE_HEADER = "X-Rampart-Signature"
PREFIX = "sha256="
REPLAY_WINDOW = timedelta(minutes=5)
"""How far the signed timestamp may be from ``now`` (either way) and still be accepted."""

_MAX_TIMESTAMP_DIGITS = 12


def _secrets(secret: Secret | Sequence[Secret]) -> tuple[Secret, ...]:
    found = (secret,) if isinstance(secret, Secret) else tuple(secret)
    if not found:
        raise ValueError("at least one signing secret is needed")
    return found


def hmac_hex(secret: Secret, message: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of ``message`` keyed with the secret's UTF-8 bytes."""
    return hmac.new(secret.reveal().encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_message(timestamp: str, body: bytes) -> bytes:
    """What rampart's timestamped contract signs: ``"<timestamp>." + raw body``."""
    return timestamp.encode("ascii") + b"." + body


def sign_body(secret: Secret, body: bytes) -> str:
    """``sha256=<hex>`` over the raw body (Jira's ``X-Hub-Signature``)."""
    return PREFIX + hmac_hex(secret, body)


def sign(secret: Secret, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` for rampart's timestamped contract (for senders, tests and the demo)."""
    return PREFIX + hmac_hex(secret, signed_message(timestamp, body))


def signed_headers(secret: Secret, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers a sender of rampart's contract adds."""
    stamp = str(timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}


def verify_signature(secret: Secret | Sequence[Secret], message: bytes, header_value: str, *, header_name: str) -> None:
    """Refuse (401) unless ``header_value`` is ``sha256=<hex>`` matching one of the secrets."""
    value = header_value.strip()
    if not value:
        raise SourceError(401, f"missing signature: the {header_name} header is required")
    if not value.lower().startswith(PREFIX):
        raise SourceError(401, f"bad signature: {header_name} must be 'sha256=<hex>'")
    given = value[len(PREFIX) :].strip().lower().encode("ascii", "replace")
    matched = False
    for candidate in _secrets(secret):
        # compare every candidate (no early exit) so timing does not reveal which one matched
        matched |= hmac.compare_digest(hmac_hex(candidate, message).encode("ascii"), given)
    if not matched:
        raise SourceError(401, f"bad signature: {header_name} does not match the body")


def parse_timestamp(value: str, *, header_name: str = TIMESTAMP_HEADER) -> datetime:
    """Unix seconds (digits only) -> aware UTC datetime; anything else is a 401."""
    text = value.strip()
    if not text:
        raise SourceError(401, f"missing timestamp: the {header_name} header is required")
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_TIMESTAMP_DIGITS:
        raise SourceError(401, f"bad timestamp: {header_name} must be Unix seconds")
    try:
        return datetime.fromtimestamp(int(text), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise SourceError(401, f"bad timestamp: {header_name} is not a time a clock can show") from None


def check_window(signed_at: datetime, now: datetime, *, window: timedelta = REPLAY_WINDOW) -> None:
    """Refuse (401) a signed time more than ``window`` before or after ``now``."""
    skew = abs(now - signed_at)
    if skew > window:
        raise SourceError(
            401,
            f"stale timestamp: signed {int(skew.total_seconds())} s away from now, "
            f"outside the {int(window.total_seconds())} s replay window",
            hint="send the current Unix time in X-Rampart-Timestamp and sign again",
        )


def verify_timestamped(
    secret: Secret | Sequence[Secret],
    body: bytes,
    timestamp: str,
    signature: str,
    now: datetime,
    *,
    window: timedelta = REPLAY_WINDOW,
) -> datetime:
    """Check rampart's timestamped contract; returns the signed time.

    The signature is checked before the window so an attacker learns nothing about the
    clock from a forged request; both failures are 401.
    """
    stamp = timestamp.strip()
    if not signature.strip():
        raise SourceError(401, f"missing signature: the {SIGNATURE_HEADER} header is required")
    signed_at = parse_timestamp(stamp)
    verify_signature(secret, signed_message(stamp, body), signature, header_name=SIGNATURE_HEADER)
    check_window(signed_at, now, window=window)
    return signed_at


def verify_request(
    request: InboundRequest,
    secret: Secret | Sequence[Secret],
    now: datetime,
    *,
    window: timedelta = REPLAY_WINDOW,
) -> datetime:
    """:func:`verify_timestamped` on an :class:`InboundRequest`'s headers and raw body."""
    return verify_timestamped(
        secret,
        request.body,
        request.header(TIMESTAMP_HEADER),
        request.header(SIGNATURE_HEADER),
        now,
        window=window,
    )
