"""Signature checks for the POP (RPC and ROA) APIs: ACS3-HMAC-SHA256 and RPC V1.

Recipes: ../shared/reference/wire-protocol.md §1.4 (ACS3, verified against captures of
the official SDKs, sync and asyncio) and §1.6 (RPC V1). The canonical request is rebuilt
from the decoded query and the per-segment re-encoded path, never from the raw query
string, because aiohttp and requests encode ``*`` differently.

This module never logs or returns a secret: it only answers "valid" or raises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

from localcloud.core import errors
from localcloud.core.http import HttpRequest, parse_pairs

ACS3 = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a verified request claims: its AccessKeyId and (for STS keys) its token."""

    access_key_id: str
    security_token: str | None
    scheme: str
    nonce: str | None


def _pe(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(raw_path: str) -> str:
    return "/".join(_pe(unquote(segment)) for segment in raw_path.split("/"))


def canonical_query(raw_query: str) -> str:
    pairs = sorted(parse_pairs(raw_query), key=lambda kv: kv[0])
    return "&".join(f"{key}={_pe(value)}" for key, value in pairs)


def acs3_string_to_sign(request: HttpRequest, signed_headers: list[str], body_hash: str) -> str:
    header_lines = "".join(f"{name}:{request.header(name).strip()}\n" for name in signed_headers)
    canonical = "\n".join(
        [
            request.method.upper(),
            canonical_uri(request.raw_path),
            canonical_query(request.raw_query),
            header_lines,
            ";".join(signed_headers),
            body_hash,
        ]
    )
    return ACS3 + "\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def acs3_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _parse_acs3(authorization: str) -> tuple[str, list[str], str]:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ACS3:
        raise errors.InvalidSignatureMethod(f"Signature algorithm {algorithm!r} is not supported.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key] = value
    credential = fields.get("Credential", "")
    signed = fields.get("SignedHeaders", "")
    signature = fields.get("Signature", "")
    if not credential or not signed or not signature:
        raise errors.IncompleteSignature()
    return credential, [h.strip().lower() for h in signed.split(";") if h.strip()], signature


def _check_fresh(stamp: str, now: datetime) -> None:
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise errors.InvalidTimeStampFormat() from exc
    if abs(now - when) > MAX_SKEW:
        raise errors.InvalidTimeStampExpired(
            f"Specified time stamp or date value is expired: {stamp} is more than 15 minutes from the server time."
        )


SecretLookup = Callable[[str], str]
"""Returns the secret for an AccessKeyId, or raises the matching authentication error."""


def verify_acs3(request: HttpRequest, lookup: SecretLookup, now: datetime) -> SignedRequest:
    authorization = request.header("authorization")
    if not authorization:
        raise errors.IncompleteSignature("The Authorization header is missing: every request must be signed.")
    credential, signed_headers, signature = _parse_acs3(authorization)
    for required in ("host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce"):
        if required not in signed_headers and request.header(required):
            raise errors.IncompleteSignature(f"The header {required!r} must be signed.")
    body_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.header("x-acs-content-sha256")
    if declared and declared.lower() != body_hash:
        raise errors.ContentLengthDoesNotMatch()
    stamp = request.header("x-acs-date")
    if not stamp:
        raise errors.MissingParameter.named("x-acs-date")
    _check_fresh(stamp, now)
    secret = lookup(credential)
    expected = acs3_signature(secret, acs3_string_to_sign(request, signed_headers, declared or body_hash))
    if not hmac.compare_digest(expected, signature.lower()):
        raise errors.SignatureDoesNotMatch()
    token = request.header("x-acs-security-token") or None
    return SignedRequest(credential, token, "ACS3", request.header("x-acs-signature-nonce") or None)


def rpc_v1_params(request: HttpRequest) -> dict[str, str]:
    params = dict(parse_pairs(request.raw_query))
    if request.header("content-type").startswith("application/x-www-form-urlencoded"):
        params.update(parse_pairs(request.body.decode("utf-8", errors="replace")))
    return params


def verify_rpc_v1(request: HttpRequest, lookup: SecretLookup, now: datetime) -> SignedRequest:
    params = rpc_v1_params(request)
    signature = params.pop("Signature", "")
    key_id = params.get("AccessKeyId", "")
    if not signature or not key_id:
        raise errors.IncompleteSignature()
    method = params.get("SignatureMethod", "HMAC-SHA1")
    if method != "HMAC-SHA1":
        raise errors.InvalidSignatureMethod()
    stamp = params.get("Timestamp", "")
    if not stamp:
        raise errors.MissingParameter.named("Timestamp")
    _check_fresh(stamp, now)
    secret = lookup(key_id)
    canonical = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{request.method.upper()}&%2F&{_pe(canonical)}"
    digest = hmac.new((secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode("ascii"), signature):
        raise errors.SignatureDoesNotMatch()
    return SignedRequest(key_id, params.get("SecurityToken") or None, "V1", params.get("SignatureNonce") or None)


def verify_pop(request: HttpRequest, lookup: SecretLookup, now: datetime) -> SignedRequest:
    """Verify whichever POP scheme the request uses (ACS3 header, else V1 query)."""
    if request.header("authorization"):
        return verify_acs3(request, lookup, now)
    if "Signature=" in request.raw_query or b"Signature=" in request.body:
        return verify_rpc_v1(request, lookup, now)
    raise errors.IncompleteSignature("The request is not signed: no Authorization header and no Signature parameter.")
