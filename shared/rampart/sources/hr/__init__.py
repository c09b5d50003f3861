"""HR systems: each verifies its webhook on the raw body and normalises it to lifecycle
events (generic contract, Feishu, DingTalk, BambooHR).
"""

from __future__ import annotations

from rampart.sources.hr._common import IDS_ONLY, RECORD_ATTRIBUTE, REPLAY_WINDOW
from rampart.sources.hr._form import parse_form

__all__ = [
    "IDS_ONLY",
    "RECORD_ATTRIBUTE",
    "REPLAY_WINDOW",
    "parse_form",
]
