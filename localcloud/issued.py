"""Every secret value localcloud handed out or was given, for one question tests ask: does any
text (a log, an HTTP answer, an audit record, an exception) contain one of them?

Recorded: each RAM AccessKey secret (CreateAccessKey, kept after the key is deleted), each
console password set (CreateLoginProfile, UpdateLoginProfile; RAM keeps only a hash, this keeps
the value), each STS AccessKey secret and security token (AssumeRole, and the credentials
Function Compute hands a function's role). A test holds only the values it saw; localcloud saw
them all, including those of a key whose CreateAccessKey answer was lost, and of the function
roles, which never leave localcloud's FC.

``POST /_localcloud/secrets/scan`` (:mod:`localcloud.admin`) answers where a value was found,
by kind and owner, never the value. Values shorter than :data:`MIN_SCAN_LENGTH` are recorded
but not looked for (a short test password would match by chance). Not cloud state: not in
snapshots, not in the state file, emptied by ``/reset``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_SCAN_LENGTH = 12


@dataclass(frozen=True)
class Issued:
    kind: str
    """``ram-access-key-secret``, ``ram-console-password``, ``sts-access-key-secret`` or ``sts-security-token``."""
    owner: str
    """Whom it was issued to, e.g. ``user alice`` or ``role rampart-worker``."""


class IssuedSecrets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Issued] = {}

    def add(self, kind: str, value: str, owner: str) -> None:
        if value:
            with self._lock:
                self._values.setdefault(value, Issued(kind, owner))

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(Counter(i.kind for i in self._values.values()).items()))

    def scan(self, texts: Mapping[str, str]) -> list[dict[str, Any]]:
        """One finding per (text, value) found: the text's name, the value's kind, owner and length."""
        with self._lock:
            wanted = [(v, i) for v, i in self._values.items() if len(v) >= MIN_SCAN_LENGTH]
        return [
            {"text": where, "kind": issued.kind, "owner": issued.owner, "length": len(value)}
            for where, text in texts.items()
            for value, issued in wanted
            if value in text
        ]
