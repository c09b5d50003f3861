"""SLS request authentication: the LOG v1 (HMAC-SHA1) and SLS4-HMAC-SHA256 (v4) signatures.

Recipes: wire-protocol.md §3.3, verified against aliyun-log-python-sdk 0.9.52
(``aliyun/log/auth.py``) and "Request signatures" / "Common request headers" of
AlibabaCloudDocs/sls. The v1 points an emulator gets wrong:
- ``x-log-date`` is not signed; when present it *replaces* Date as the signed date
  (the SDK copies Date into it after signing);
- the canonical resource is the decoded path plus ``?k=v&...`` sorted by key, values not
  URL-encoded;
- ``x-log-*`` and ``x-acs-*`` headers are signed, except ``x-log-meta-*`` (and x-log-date).
The date must be within 15 minutes of *real* time (the SDK signs with the machine's clock).

Unknown or dead keys and STS-token problems are answered in SLS's vocabulary
(``Unauthorized`` 401 with the common table's messages), not POP's. Secrets never leave
this module: it answers "valid" or raises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from localcloud.auth import credentials
from localcloud.auth.principal import Principal
from localcloud.auth.signatures import SignedRequest
from localcloud.core import errors as pop_errors
from localcloud.core.http import HttpRequest
from localcloud.sls import errors

if TYPE_CHECKING:
    from localcloud.state import CloudState

V1 = "LOG"
V4 = "SLS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def is_sls_authorization(value: str) -> bool:
    return value.startswith(V1 + " ") or value.startswith(V4)


def _signed_header(name: str) -> bool:
    return name.startswith("x-acs-") or (name.startswith("x-log-") and not name.startswith("x-log-meta-"))


def _decoded_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return request.query_pairs()


def v1_string_to_sign(request: HttpRequest) -> str:
    """StringToSign of the LOG v1 scheme, rebuilt from what the client sent."""
    date = request.header("x-log-date") or request.header("date")
    headers = "".join(
        f"{name}:{request.headers[name]}\n"
        for name in sorted(request.headers)
        if _signed_header(name) and name != "x-log-date"
    )
    resource = unquote(request.raw_path)
    pairs = sorted(_decoded_pairs(request))
    if pairs:
        resource += "?" + "&".join(f"{key}={value}" for key, value in pairs)
    return "\n".join(
        [request.method.upper(), request.header("content-md5"), request.header("content-type"), date, headers + resource]
    )


def v1_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def v4_canonical_request(request: HttpRequest, signed: list[str], content_sha256: str) -> str:
    header_lines = "".join(f"{name}:{request.headers[name].strip()}\n" for name in signed)
    pairs = sorted(_decoded_pairs(request))
    query = "&".join(key + ("=" + quote(value, safe="~") if value else "") for key, value in pairs)
    return "\n".join(
        [request.method.upper(), unquote(request.raw_path), query, header_lines, ";".join(signed), content_sha256]
    )


def v4_signature(secret: str, date: str, region: str, string_to_sign: str) -> str:
    def step(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()

    key = step(step(step(step(("aliyun_v4" + secret).encode("utf-8"), date), region), "sls"), "aliyun_v4_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_fresh(stamp: datetime, text: str, now: datetime) -> None:
    if abs(now - stamp) > MAX_SKEW:
        raise errors.RequestTimeExpired(
            f"Request time {text} has been expired while server time is {now.strftime('%a, %d %b %Y %H:%M:%S GMT')}."
        )


def _rfc1123(text: str) -> datetime:
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as exc:
        raise errors.InvalidRequestTime(f"Request time {text} not follow RFC822 spec.") from exc
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=timezone.utc)


def _secret(state: CloudState, key_id: str) -> str:
    try:
        return credentials.secret_for(state, key_id)
    except pop_errors.InvalidAccessKeyIdInactive as exc:
        raise errors.Unauthorized(f"AccessKeyId is disabled: {key_id}") from exc
    except pop_errors.CloudError as exc:
        raise errors.Unauthorized(f"AccessKeyId not found: {key_id}") from exc


def _verify_v1(state: CloudState, request: HttpRequest, authorization: str, now: datetime) -> str:
    method = request.header("x-log-signaturemethod")
    if not method:
        raise errors.MissingSignatureMethod()
    if method.lower() != "hmac-sha1":
        raise errors.InvalidSignatureMethod(f"signature method {method} is unsupported.")
    key_id, sep, signature = authorization[len(V1) + 1:].strip().rpartition(":")
    if not sep or not key_id or not signature:
        raise errors.MissAccessKeyId()
    date = request.header("x-log-date") or request.header("date")
    if not date:
        raise errors.MissingDate()
    _check_fresh(_rfc1123(date), date, now)
    secret = _secret(state, key_id)
    if not hmac.compare_digest(v1_signature(secret, v1_string_to_sign(request)), signature):
        raise errors.SignatureNotMatch(f"Signature {signature} not matched.")
    declared = request.header("content-md5")
    if request.body and declared and declared.upper() != hashlib.md5(request.body).hexdigest().upper():  # noqa: S324
        # UNCONFIRMED: no SLS page names the code for a body that does not match its
        # Content-MD5; PostBodyInvalid is SLS's code for a body it cannot accept.
        raise errors.PostBodyInvalid("The Content-MD5 header does not match the request body.")
    return key_id


def _parse_v4(authorization: str) -> tuple[str, str, str, str]:
    fields: dict[str, str] = {}
    for part in authorization[len(V4):].strip().split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value
    credential = fields.get("Credential", "").split("/")
    signature = fields.get("Signature", "")
    if len(credential) != 5 or not credential[0] or not signature or credential[3:] != ["sls", "aliyun_v4_request"]:
        raise errors.MissAccessKeyId("The Authorization header is not a valid SLS4-HMAC-SHA256 credential.")
    return credential[0], credential[1], credential[2], signature


def _verify_v4(state: CloudState, request: HttpRequest, authorization: str, now: datetime) -> str:
    key_id, day, region, signature = _parse_v4(authorization)
    stamp_text = request.header("x-log-date")
    if not stamp_text:
        raise errors.MissingDate("x-log-date does not exist in http header.")
    try:
        stamp = datetime.strptime(stamp_text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise errors.InvalidRequestTime(f"Request time {stamp_text} is not in the form YYYYMMDDTHHMMSSZ.") from exc
    _check_fresh(stamp, stamp_text, now)
    content_sha256 = request.header("x-log-content-sha256") or EMPTY_SHA256
    signed = sorted(n for n in request.headers if n in ("content-type", "host") or _signed_header(n))
    # The credential scope's region is not compared with localcloud's region (UNCONFIRMED
    # what the real service answers for a mismatch).
    scope = f"{day}/{region}/sls/aliyun_v4_request"
    canonical = v4_canonical_request(request, signed, content_sha256)
    string_to_sign = f"{V4}\n{stamp_text}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
    secret = _secret(state, key_id)
    if not hmac.compare_digest(v4_signature(secret, day, region, string_to_sign), signature.lower()):
        raise errors.SignatureNotMatch(f"Signature {signature} not matched.")
    if request.body and content_sha256 != hashlib.sha256(request.body).hexdigest():
        raise errors.SignatureNotMatch("The x-log-content-sha256 header does not match the request body.")
    return key_id


def authenticate(state: CloudState, request: HttpRequest, now: datetime) -> Principal:
    """Verify the signature and resolve the caller; ``now`` is real UTC time."""
    if not request.header("x-log-apiversion"):  # its value is not checked (UNCONFIRMED which are refused)
        raise errors.MissingAPIVersion()
    authorization = request.header("authorization").strip()
    if authorization.startswith(V4):
        key_id = _verify_v4(state, request, authorization, now)
    elif authorization.startswith(V1 + " "):
        key_id = _verify_v1(state, request, authorization, now)
    else:  # no or foreign Authorization: the common table's code for a missing AccessKeyId (UNCONFIRMED)
        raise errors.MissAccessKeyId()
    token = request.header("x-acs-security-token") or None
    try:
        return credentials.principal_for(state, SignedRequest(key_id, token, "SLS", None), "log")
    except pop_errors.InvalidSecurityTokenExpired as exc:
        raise errors.Unauthorized("The security token you provided has expired.") from exc
    except (pop_errors.MissingSecurityToken, pop_errors.InvalidSecurityTokenMismatch,
            pop_errors.InvalidSecurityTokenMalformed) as exc:
        raise errors.Unauthorized("The security token you provided is invalid.") from exc
    except pop_errors.CloudError as exc:
        raise errors.Unauthorized(f"AccessKeyId not found: {key_id}") from exc
