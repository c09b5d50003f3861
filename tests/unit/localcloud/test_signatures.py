"""ACS3 and RPC V1 signature checks against the captures in wire-protocol.md §1.2 and §1.6."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localcloud.auth.signatures import verify_acs3, verify_pop, verify_rpc_v1
from localcloud.core import errors
from localcloud.core.http import HttpRequest

AK = "LTAI5tFakeAccessKeyId01"
SK = "FakeSecretKey0123456789abcdefXYZ"
WHEN = datetime(2026, 11, 28, 3, 42, 30, tzinfo=timezone.utc)

# Verbatim capture of RAM CreateUser (wire-protocol.md §1.2), signature verified there.
CREATE_USER_HEADERS = {
    "accept-encoding": "identity",
    "host": "127.0.0.1:46423",
    "x-acs-version": "2015-05-01",
    "x-acs-action": "CreateUser",
    "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
    "x-acs-date": "2026-11-28T03:42:30Z",
    "x-acs-signature-nonce": "44cd5e57927c3cff8e8a9ff24ee85457",
    "accept": "application/json",
    "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "x-acs-credentials-provider": "static_ak",
    "authorization": "ACS3-HMAC-SHA256 Credential=LTAI5tFakeAccessKeyId01,SignedHeaders=accept;host;user-agent;"
    "x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,"
    "Signature=87769234819bd61783fe3b9374c85b5a819da9fc625fe4de199e38289efa87b6",
}


def _request(target: str = "/?DisplayName=Alice+Smith%2A&UserName=alice", **overrides: str) -> HttpRequest:
    headers = dict(CREATE_USER_HEADERS)
    headers.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return HttpRequest("POST", target, headers, b"", "127.0.0.1")


def _lookup(key: str) -> str:
    if key != AK:
        raise errors.InvalidAccessKeyIdNotFound()
    return SK


def test_captured_sdk_request_verifies() -> None:
    signed = verify_acs3(_request(), _lookup, WHEN)
    assert signed.access_key_id == AK
    assert signed.nonce == "44cd5e57927c3cff8e8a9ff24ee85457"


def test_asyncio_transport_literal_star_in_query_verifies_too() -> None:
    verify_acs3(_request("/?DisplayName=Alice+Smith*&UserName=alice"), _lookup, WHEN)


def test_tampered_query_is_refused() -> None:
    with pytest.raises(errors.SignatureDoesNotMatch):
        verify_acs3(_request("/?DisplayName=Mallory&UserName=alice"), _lookup, WHEN)


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(errors.SignatureDoesNotMatch):
        verify_acs3(_request(), lambda key: "not-the-secret", WHEN)


def test_unknown_key_raises_the_lookup_error() -> None:
    with pytest.raises(errors.InvalidAccessKeyIdNotFound):
        verify_acs3(_request(), lambda key: _lookup("someone-else"), WHEN)


def test_request_more_than_15_minutes_off_is_refused() -> None:
    later = datetime(2026, 11, 28, 3, 58, 0, tzinfo=timezone.utc)
    with pytest.raises(errors.InvalidTimeStampExpired):
        verify_acs3(_request(), _lookup, later)


def test_missing_authorization_is_incomplete_signature() -> None:
    request = _request()
    del request.headers["authorization"]
    with pytest.raises(errors.IncompleteSignature):
        verify_pop(request, _lookup, WHEN)


def test_body_hash_mismatch_is_refused() -> None:
    request = HttpRequest("POST", "/?UserName=alice", dict(CREATE_USER_HEADERS), b"x", "127.0.0.1")
    with pytest.raises(errors.ContentLengthDoesNotMatch):
        verify_acs3(request, _lookup, WHEN)


def test_unsupported_algorithm_is_refused() -> None:
    with pytest.raises(errors.InvalidSignatureMethod):
        verify_acs3(_request(authorization="ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=b"), _lookup, WHEN)


# Verbatim V1 capture (wire-protocol.md §1.6), secret as in §1.2.
V1_TARGET = (
    "/?Action=GetUser&Format=json&Version=2015-05-01&Timestamp=2026-11-28T03%3A30%3A04Z"
    "&SignatureNonce=92cee22a940dd75a8f60321020a8c7bc&UserName=alice&SignatureMethod=HMAC-SHA1"
    "&SignatureVersion=1.0&AccessKeyId=LTAI5tFakeAccessKeyId01&Signature=%2Bjiia6P7mJhPD40HHbEbVigVZuU%3D"
)


def test_captured_v1_request_verifies() -> None:
    request = HttpRequest("POST", V1_TARGET, {"host": "127.0.0.1:36233"}, b"", "127.0.0.1")
    signed = verify_rpc_v1(request, _lookup, datetime(2026, 11, 28, 3, 30, 4, tzinfo=timezone.utc))
    assert signed.scheme == "V1"


def test_tampered_v1_request_is_refused() -> None:
    request = HttpRequest("POST", V1_TARGET.replace("alice", "bob"), {"host": "h"}, b"", "127.0.0.1")
    with pytest.raises(errors.SignatureDoesNotMatch):
        verify_rpc_v1(request, _lookup, datetime(2026, 11, 28, 3, 30, 4, tzinfo=timezone.utc))
