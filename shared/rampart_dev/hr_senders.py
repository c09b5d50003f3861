"""The sender's side of each HR source: the exact request (headers, query, body) the HR
system would send for a payload, signed and encrypted with the given secrets.

For the sample events (``events/hr/build_samples.py``), the tests, the dev server and
``make demo``, which sign the samples afresh with the demo secrets of ``events/README.md``
(a signed timestamp is only good for 5 minutes). Nothing here is used by a receiver.
The "random" parts (Feishu's IV and nonce, DingTalk's nonce and random prefix) are
parameters, so a sample is reproducible byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rampart.secret import Secret
from rampart.sources.hr import bamboohr, feishu
from rampart.sources.hr.dingtalk import DingTalkCrypto
from rampart.sources.signing import signed_headers


@dataclass(frozen=True, slots=True)
class SignedRequest:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def _seconds(now: datetime) -> int:
    return int(now.timestamp())


def generic(secret: Secret, body: bytes, now: datetime) -> SignedRequest:
    headers = {"Content-Type": "application/json", **signed_headers(secret, _seconds(now), body)}
    return SignedRequest(body, headers)


def feishu_request(
    encrypt_key: Secret, plaintext: bytes, now: datetime, *, nonce: str, iv: bytes
) -> SignedRequest:
    """``{"encrypt": ...}`` with the ``X-Lark-*`` signature headers."""
    body = compact({"encrypt": feishu.encrypt(encrypt_key, plaintext, iv)})
    stamp = str(_seconds(now))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        feishu.TIMESTAMP_HEADER: stamp,
        feishu.NONCE_HEADER: nonce,
        feishu.SIGNATURE_HEADER: feishu.signature(stamp, nonce, encrypt_key, body),
    }
    return SignedRequest(body, headers)


def bamboohr_request(
    private_key: Secret, body: bytes, now: datetime, *, content_type: str = "application/json"
) -> SignedRequest:
    stamp = str(_seconds(now))
    headers = {
        "Content-Type": content_type,
        "User-Agent": "BambooHR-WebHooks/1.0 (+https://www.bamboohr.com)",
        bamboohr.TIMESTAMP_HEADER: stamp,
        bamboohr.SIGNATURE_HEADER: bamboohr.sign(private_key, body, stamp),
    }
    return SignedRequest(body, headers)


def dingtalk_request(
    crypto: DingTalkCrypto, plaintext: bytes, now: datetime, *, nonce: str, random16: bytes
) -> SignedRequest:
    """``{"encrypt": ...}`` with ``msg_signature``, ``timestamp`` (ms) and ``nonce`` in the query."""
    stamp = str(int(now.timestamp() * 1000))
    encrypted = crypto.encrypt(plaintext, random16)
    query = {"msg_signature": crypto.signature(stamp, nonce, encrypted), "timestamp": stamp, "nonce": nonce}
    body = compact({"encrypt": encrypted})
    return SignedRequest(body, {"Content-Type": "application/json"}, query)


def compact(payload: Any) -> bytes:
    """A payload as the compact UTF-8 JSON most senders put on the wire."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
