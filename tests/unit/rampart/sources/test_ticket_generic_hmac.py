"""rampart.sources.signing, the signing scheme of the generic ticket (and HR) contract:
``sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>`` within a 5-minute window."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from rampart.secret import Secret
from rampart.sources.base import InboundRequest, SourceError
from rampart.sources.signing import (
    REPLAY_WINDOW,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    check_window,
    parse_timestamp,
    sign,
    signed_headers,
    verify_request,
    verify_signature,
    verify_timestamped,
)

SECRET = Secret("demo-ticket-webhook-secret")
BODY = b'{"ticket_id":"RITM0010042","action":"grant"}'
STAMP = "1740819901"
AT = datetime(2025, 3, 1, 9, 5, 1, tzinfo=timezone.utc)


def test_string_to_sign_is_timestamp_dot_body() -> None:
    # self-computed: checks the byte order only
    expected = hmac.new(b"demo-ticket-webhook-secret", b"1740819901." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, STAMP, BODY) == f"sha256={expected}"


def test_signed_headers_round_trip() -> None:
    headers = signed_headers(SECRET, int(AT.timestamp()), BODY)
    assert headers[TIMESTAMP_HEADER] == STAMP
    assert verify_timestamped(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], AT) == AT


def test_verify_request_reads_lower_cased_headers() -> None:
    headers = {k.lower(): v for k, v in signed_headers(SECRET, int(AT.timestamp()), BODY).items()}
    assert verify_request(InboundRequest("POST", "/", headers, {}, BODY), SECRET, AT) == AT


def test_hex_case_and_prefix_case_do_not_matter() -> None:
    signature = sign(SECRET, STAMP, BODY)
    verify_timestamped(SECRET, BODY, STAMP, "SHA256=" + signature[7:].upper(), AT)


def test_any_of_several_secrets_verifies() -> None:
    signature = sign(SECRET, STAMP, BODY)
    verify_timestamped([Secret("other"), SECRET], BODY, STAMP, signature, AT)


def test_no_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        verify_signature([], BODY, "sha256=00", header_name="X")


@pytest.mark.parametrize("skew", [-300, 300])
def test_window_edges_are_inside(skew: int) -> None:
    check_window(AT, AT + timedelta(seconds=skew))


@pytest.mark.parametrize("skew", [-301, 301])
def test_beyond_the_window_is_401(skew: int) -> None:
    with pytest.raises(SourceError) as caught:
        check_window(AT, AT + timedelta(seconds=skew))
    assert caught.value.status == 401


def test_window_is_five_minutes() -> None:
    assert timedelta(minutes=5) == REPLAY_WINDOW


def test_forged_signature_is_checked_before_the_clock() -> None:
    with pytest.raises(SourceError) as caught:
        verify_timestamped(SECRET, BODY, STAMP, "sha256=" + "0" * 64, AT + timedelta(days=9))
    assert "bad signature" in caught.value.message


@pytest.mark.parametrize("value", ["", " ", "12a", "1e9", "+1740819901", "9" * 12, "9" * 13])
def test_bad_timestamps_are_401(value: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_timestamp(value)
    assert caught.value.status == 401


def test_non_ascii_signature_is_401_not_a_crash() -> None:
    with pytest.raises(SourceError) as caught:
        verify_timestamped(SECRET, BODY, STAMP, "sha256=ä" * 3, AT)
    assert caught.value.status == 401
