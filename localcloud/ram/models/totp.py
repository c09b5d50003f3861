"""Virtual MFA: RFC 4226 HOTP / RFC 6238 TOTP codes, seeds, and the QR code image RAM returns.

A virtual MFA device holds a Base32 seed; an authenticator app shows a 6-digit code that
changes every 30 seconds (RFC 6238 defaults: HMAC-SHA1, T0 = 0, X = 30 s). BindMFADevice
takes two consecutive codes. Time comes from the caller (localcloud's clock), never from the
machine, so tests can move it. Tests may import :func:`totp` to compute the codes an app would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import zlib
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
SEED_BYTES = 40
"""A 40-byte seed: 64 Base32 characters. UNCONFIRMED: the length of RAM's Base32StringSeed."""


def new_seed() -> str:
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode("ascii")


def _key(seed_base32: str) -> bytes:
    text = seed_base32.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(seed_base32: str, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 §5.3: dynamic truncation of HMAC-SHA1(seed, counter)."""
    mac = hmac.new(_key(seed_base32), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def totp(seed_base32: str, at: datetime, digits: int = DIGITS) -> str:
    """RFC 6238: the code an authenticator app shows at ``at``."""
    return hotp(seed_base32, time_step(at), digits)


def consecutive_codes_match(seed_base32: str, code1: str, code2: str, at: datetime, *, window: int = 2) -> bool:
    """Are ``code1`` then ``code2`` the codes of two consecutive steps ending near ``at``?

    The second code may be the current step's, or one step either side of it (clock skew); the
    first must be the step before the second. UNCONFIRMED: RAM's accepted window.
    """
    now = time_step(at)
    for second in range(now - window + 1, now + 2):
        if hmac.compare_digest(hotp(seed_base32, second - 1), code1) and hmac.compare_digest(
            hotp(seed_base32, second), code2
        ):
            return True
    return False


def otpauth_uri(label: str, seed_base32: str, issuer: str = "Alibaba Cloud") -> str:
    from urllib.parse import quote

    return f"otpauth://totp/{quote(label)}?secret={seed_base32}&issuer={quote(issuer)}"


def qr_code_png(uri: str, *, modules: int = 33, scale: int = 4) -> bytes:
    """A PNG image standing for the QR code of ``uri``.

    UNCONFIRMED / simplification: real RAM returns a scannable QR code of the otpauth URI;
    localcloud draws a deterministic module pattern derived from the URI (finder squares and
    hash-driven modules) that is a valid PNG but not a decodable QR code. Clients only pass
    it on as an image; the seed is also returned as Base32StringSeed.
    """
    digest = b""
    counter = 0
    while len(digest) * 8 < modules * modules:
        digest += hashlib.sha256(f"{counter}:{uri}".encode()).digest()
        counter += 1
    bits = [(digest[i // 8] >> (i % 8)) & 1 for i in range(modules * modules)]

    def dark(x: int, y: int) -> bool:
        for fx, fy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
            if fx <= x < fx + 7 and fy <= y < fy + 7:
                dx, dy = x - fx, y - fy
                ring = min(dx, dy, 6 - dx, 6 - dy)
                return ring != 1
        return bits[y * modules + x] == 1

    quiet = 4
    size = (modules + 2 * quiet) * scale
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type: none
        my = py // scale - quiet
        for px in range(size):
            mx = px // scale - quiet
            inside = 0 <= mx < modules and 0 <= my < modules
            rows.append(0 if inside and dark(mx, my) else 255)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(
        b"IEND", b""
    )
