"""RAM user passwords: compliance with the password policy, salted PBKDF2 hashes, reuse checks.

A password never leaves this module in clear and is never stored: a login profile keeps only
``pbkdf2_sha256$<iterations>$<salt>$<hash>`` strings (hashlib, 16-byte random salt). The
rules are those of SetPasswordPolicy (ram20150501==1.3.0 models/_set_password_policy_request.py,
alibaba-platform.md §A.2). Pure: no state, no clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from localcloud.ram.models.entities import PasswordPolicy

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 20_000
"""Enough to make the hashes salted and slow; low enough that reuse checks under the state lock stay quick."""


def violations(password: str, policy: PasswordPolicy) -> list[str]:
    """What the password lacks under ``policy``; empty when it complies."""
    found: list[str] = []
    if len(password) < policy.minimum_password_length:
        found.append(f"at least {policy.minimum_password_length} characters")
    if policy.require_lowercase_characters and not any(c.islower() for c in password):
        found.append("a lowercase letter")
    if policy.require_uppercase_characters and not any(c.isupper() for c in password):
        found.append("an uppercase letter")
    if policy.require_numbers and not any(c.isdigit() for c in password):
        found.append("a digit")
    if policy.require_symbols and all(c.isalnum() for c in password):
        found.append("a symbol")
    return found


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def matches(password: str, stored: str) -> bool:
    """Does ``password`` hash to ``stored``? Constant-time comparison."""
    try:
        algorithm, iterations, salt, _ = stored.split("$")
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    candidate = hash_password(password, salt=base64.b64decode(salt), iterations=int(iterations))
    return hmac.compare_digest(candidate, stored)
