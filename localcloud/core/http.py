"""The HTTP request and response as localcloud's routers see them.

The server hands routers the raw request (raw path, raw query string, raw body bytes)
because every signature scheme is computed over the bytes the client sent, never over
a re-parsed form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlsplit


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    target: str
    """The request-target as received: origin-form (``/a?b``) or absolute-form (``http://h/a?b``)."""
    headers: dict[str, str]
    """Header names lower-cased; repeated headers joined with ``,``."""
    body: bytes
    client_ip: str

    @property
    def raw_path(self) -> str:
        if self.target.startswith(("http://", "https://")):
            return urlsplit(self.target).path or "/"
        return self.target.split("?", 1)[0] or "/"

    @property
    def raw_query(self) -> str:
        if self.target.startswith(("http://", "https://")):
            return urlsplit(self.target).query
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def query_pairs(self) -> list[tuple[str, str]]:
        """Decoded query pairs in wire order (``unquote_plus``, as the SDKs encode)."""
        return parse_pairs(self.raw_query)


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if not raw:
        return pairs
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


@dataclass(slots=True)
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> HttpResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        merged = {"Content-Type": "application/json;charset=utf-8"}
        merged.update(headers or {})
        return cls(status=status, body=body, headers=merged)
