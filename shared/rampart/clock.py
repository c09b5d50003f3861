"""The one real clock: timezone-aware UTC now.

Everything in rampart takes its clock as a parameter (``Callable[[], datetime]``) so tests can
use localcloud's movable clock; the entry points (the ``rampart`` CLI, the functions) pass
:func:`utcnow`. Nothing else calls ``datetime.now``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
