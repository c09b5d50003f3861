"""The chaos campaign's secret scans (README "Chaos campaign"):

- :func:`check_secrets`: no secret value collected during the run (escrowed keys and
  passwords, webhook secrets, the robot key, the root secret) appears in any text gathered;
- :func:`scan_issued`: nor does any secret localcloud ever issued (function roles' STS
  credentials, keys whose CreateAccessKey answer was lost), looked for by localcloud.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MIN_SECRET_LEN = 8
SCAN_CHUNK = 8 * 1024 * 1024
"""Characters per text sent to localcloud's scan in one request (its request limit is 64 MiB)."""
SCAN_OVERLAP = 4096
"""Chunks overlap by more than the longest secret (an STS token), so none is cut in two unseen."""


def scan_issued(admin: Any, texts: Mapping[str, str]) -> tuple[list[str], dict[str, int]]:
    """Every secret localcloud ever issued (RAM key secrets, console passwords, the function
    roles' STS secrets and tokens, including those nobody outside localcloud saw) looked for in
    ``texts`` by localcloud itself (``POST /_localcloud/secrets/scan``; the answer names kinds and
    owners, never a value). Returns (problems, issued counts by kind)."""
    problems: set[str] = set()
    counts: dict[str, int] = {}
    for where, text in texts.items():
        for start in range(0, max(len(text), 1), SCAN_CHUNK):
            chunk = text[start:start + SCAN_CHUNK + SCAN_OVERLAP]
            answer = admin.call("POST", "/secrets/scan", {"texts": {where: chunk}}, timeout=600)
            counts = answer["issued"]
            problems |= {f"a {f['kind']} of {f['owner']} ({f['length']} characters) appears in {f['text']}"
                         for f in answer["found"]}
    return sorted(problems), counts


def check_secrets(values: Iterable[str], texts: Mapping[str, str]) -> list[str]:
    problems: list[str] = []
    wanted = {v for v in values if len(v) >= MIN_SECRET_LEN}
    for where, text in texts.items():
        for value in wanted:
            if value in text:
                problems.append(f"a secret value ({len(value)} characters) appears in {where}")
                break
    return problems
