"""ISO 8601 durations for the catalog (``P30D``, ``PT4H``, ``P1DT12H``) and their inverse.

Years and months are refused: their length depends on the calendar, and a grant or grace
period must mean the same number of seconds whenever it is read.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """Weeks, days, hours, minutes and seconds; raises ``ValueError`` naming the format."""
    value = text.strip().upper()
    match = _DURATION.fullmatch(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        date_part = value.split("T")[0]
        if value.startswith("P") and ("Y" in date_part or "M" in date_part):
            raise ValueError(f"{text!r} uses years or months, whose length varies; write days instead (e.g. P30D)")
        raise ValueError(f"{text!r} is not an ISO 8601 duration; write e.g. P30D, PT4H or P1DT12H")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    try:
        return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:  # more than timedelta's 999,999,999 days
        raise ValueError(f"{text[:40]!r} is longer than any calendar can count; write e.g. P30D") from None


def format_duration(value: timedelta) -> str:
    """``P30D``, ``PT4H``, ``P1DT12H``, ``PT0S``: whole seconds, no weeks, never negative."""
    if value < timedelta(0):
        raise ValueError("a negative duration has no ISO 8601 form here")
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    date = f"{days}D" if days else ""
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    if not date and not time:
        return "PT0S"
    return f"P{date}" + (f"T{time}" if time else "")
