"""Tablestore request authentication and response signing (tablestore.md §1.3-§1.5; sdk:tablestore/auth.py).

Request, V2 (default): ``x-ots-signature = base64(HMAC-SHA1(secret, "/" + Api + "\\nPOST\\n\\n" +
sorted "name:value" of every x-ots-* header except the signature, "\\n"-joined, + "\\n"))``.
V4 (the SDK's ``region=``): the signing key is ``base64(HMAC-SHA256 chain over "aliyun_v4" + secret,
sign date, region, "ots", "aliyun_v4_request")`` used as text, and ``x-ots-signaturev4 =
base64(HMAC-SHA256(key, string_to_sign + "ots"))``; ``x-ots-signdate``/``x-ots-signregion`` are signed.
Header names arrive lower-cased here, so an ``X-OTS-...`` extra header, which the SDK leaves
unsigned, is treated as signed (a known divergence; the SDK itself never sends one).

The date must be within 15 minutes of the machine's real time (the SDK signs with it; the
legacy API documented 15 minutes, §1.4), and ``x-ots-contentmd5`` must match the body. Failures
are 403 OTSAuthFailed with the documented messages; missing headers are OTSParameterInvalid
"Missing header: <h>.". Replays are accepted: the SDK resends identical bytes on retry (§1.4).

Response (§1.5): every ``x-ots-*`` header, sorted as ``name:value``, "\\n"-joined, then ``"\\n/" + Api``,
HMAC-SHA1 with the V2 secret or the V4 signing-key text, as ``Authorization: OTS <akid>:<sig>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from localcloud.auth import credentials
from localcloud.auth.principal import Principal
from localcloud.auth.signatures import SignedRequest
from localcloud.core import errors as pop_errors
from localcloud.core.http import HttpRequest
from localcloud.tablestore import errors

if TYPE_CHECKING:
    from localcloud.state import CloudState

PREFIX = "x-ots-"
MAX_SKEW = timedelta(minutes=15)
REQUIRED = ("x-ots-date", "x-ots-apiversion", "x-ots-accesskeyid", "x-ots-instancename", "x-ots-contentmd5")
SIGNATURE_V2 = "x-ots-signature"
SIGNATURE_V4 = "x-ots-signaturev4"


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal
    response_key: str
    """What signs the response: the secret (V2) or the V4 signing-key text. Never leaves this process."""

    def __repr__(self) -> str:  # the key is a secret: keep it out of tracebacks and logs
        return f"Caller({self.principal.arn})"


def _hmac(key: bytes, text: str, digest: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), digest).digest()


def canonical_headers(headers: Mapping[str, str], skip: tuple[str, ...] = ()) -> str:
    return "\n".join(sorted(f"{k.lower()}:{v.strip()}" for k, v in headers.items() if k.startswith(PREFIX) and k not in skip))


def string_to_sign(api: str, headers: Mapping[str, str]) -> str:
    return f"/{api}\nPOST\n\n" + canonical_headers(headers, (SIGNATURE_V2, SIGNATURE_V4)) + "\n"


def v2_signature(secret: str, api: str, headers: Mapping[str, str]) -> str:
    return base64.b64encode(_hmac(secret.encode("utf-8"), string_to_sign(api, headers), "sha1")).decode("ascii")


def v4_signing_key(secret: str, sign_date: str, region: str) -> str:
    key = _hmac(("aliyun_v4" + secret).encode("utf-8"), sign_date, "sha256")
    for part in (region, "ots", "aliyun_v4_request"):
        key = _hmac(key, part, "sha256")
    return base64.b64encode(key).decode("ascii")


def v4_signature(signing_key: str, api: str, headers: Mapping[str, str]) -> str:
    text = string_to_sign(api, headers) + "ots"
    return base64.b64encode(_hmac(signing_key.encode("utf-8"), text, "sha256")).decode("ascii")


def response_signature(key: str, api: str, headers: Mapping[str, str]) -> str:
    text = canonical_headers(headers) + "\n/" + api
    return base64.b64encode(_hmac(key.encode("utf-8"), text, "sha1")).decode("ascii")


def _check_date(text: str, now: datetime) -> None:
    try:
        stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise errors.OTSParameterInvalid(f"Invalid date format: {text}.") from exc
    if abs(now - stamp) > MAX_SKEW:
        raise errors.OTSAuthFailed(f"Mismatch between system time and x-ots-date: {text}.")


def _secret(state: CloudState, key_id: str) -> str:
    try:
        return credentials.secret_for(state, key_id)
    except pop_errors.CloudError as exc:  # unknown, deleted or Inactive keys alike
        raise errors.OTSAuthFailed("The AccessKeyID does not exist.") from exc


def authenticate(state: CloudState, request: HttpRequest, api: str, now: datetime) -> Caller:
    """Verify the signature and resolve the caller; ``now`` is real UTC time."""
    headers = request.headers
    for name in REQUIRED:
        if not headers.get(name):
            raise errors.missing_header(name)
    v4 = headers.get(SIGNATURE_V4)
    if not v4 and not headers.get(SIGNATURE_V2):
        raise errors.missing_header(SIGNATURE_V2)
    _check_date(headers["x-ots-date"], now)
    key_id = headers["x-ots-accesskeyid"]
    secret = _secret(state, key_id)
    if v4:
        sign_date, region = headers.get("x-ots-signdate", ""), headers.get("x-ots-signregion", "")
        if not sign_date or not region:
            raise errors.missing_header("x-ots-signdate" if not sign_date else "x-ots-signregion")
        key = v4_signing_key(secret, sign_date, region)
        expected, given = v4_signature(key, api, headers), v4
    else:
        key = secret
        expected, given = v2_signature(secret, api, headers), headers[SIGNATURE_V2]
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise errors.OTSAuthFailed("Signature mismatch.")
    md5 = base64.b64encode(hashlib.md5(request.body).digest()).decode("ascii")  # noqa: S324 - the protocol's checksum
    if md5 != headers["x-ots-contentmd5"]:
        raise errors.OTSAuthFailed("Mismatch between MD5 value of request body and x-ots-contentmd5 in header.")
    token = headers.get("x-ots-ststoken") or None
    try:
        principal = credentials.principal_for(state, SignedRequest(key_id, token, "OTS", None), "ots")
    except pop_errors.InvalidSecurityTokenExpired as exc:
        raise errors.OTSAuthFailed("The security token has expired.") from exc
    except pop_errors.CloudError as exc:
        raise errors.OTSAuthFailed("The security token is invalid.") from exc
    return Caller(principal, key)
