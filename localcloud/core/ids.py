"""Identifiers and secrets in the shapes Alibaba Cloud uses.

Randomness comes from ``secrets`` (these values are credentials inside localcloud);
request ids are UUID4 in upper case as POP services answer them.
"""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def numeric_id(digits: int = 16) -> str:
    first = secrets.choice("123456789")
    return first + "".join(secrets.choice(string.digits) for _ in range(digits - 1))


def access_key_id(prefix: str = "LTAI5t") -> str:
    """A long-term key id looks like ``LTAI5t`` + 18 alphanumerics (24 characters)."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(24 - len(prefix)))


def access_key_secret() -> str:
    """30 alphanumerics, as RAM issues them."""
    return "".join(secrets.choice(_ALNUM) for _ in range(30))


def sts_access_key_id() -> str:
    return "STS.N" + "".join(secrets.choice(_ALNUM) for _ in range(21))


def security_token() -> str:
    return "CAIS" + secrets.token_urlsafe(96)


def resource_group_id() -> str:
    return "rg-" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(15))
