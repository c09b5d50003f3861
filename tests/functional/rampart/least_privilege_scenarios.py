"""The declarations of tests/functional/rampart/test_least_privilege.py (no harness here): the
user and group its scenarios act on, what one act produced (:class:`Outcome`) and the shape of a
scenario (:class:`Scenario`, parametrised by name; the harness that runs it is ``Stage``, the
``stage`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.functional.rampart.types import Stage

PERMISSION_CODES = ("Forbidden.NoPermission", "NoPermission", "Unauthorized", "AccessDenied")
"""localcloud's no-permission errors (localcloud/README.md "Authorization"; SLS, FC)."""
GROUP = "rampart-lp-operators"
"""A RAM group a catalog profile joins (the example catalog has none)."""
USER = "lp.alice"


@dataclass
class Outcome:
    """What one act produced: the answer (report, summary or HTTP answer) and the logs."""

    ok: bool
    answer: str
    logs: str

    def denied(self, permission: str) -> bool:
        """A permission error naming ``permission`` in the answer or the logs (one message:
        the code, then the action)."""
        codes = "|".join(re.escape(c) for c in PERMISSION_CODES)
        pattern = re.compile(rf"({codes})\b[^\n]*?{re.escape(permission)}\b")
        return any(pattern.search(text) for text in (self.answer, self.logs))

    def __str__(self) -> str:
        return f"ok={self.ok}\nanswer: {self.answer[:3000]}\nlogs: {self.logs[-3000:]}"


@dataclass(frozen=True)
class Scenario:
    """``prepare`` (full policies) then ``act``; ``succeeded`` checks the baseline's result;
    ``survived``, if any, what must still hold when the step failed for want of an action (a
    notification that could not be sent leaves the joiner done)."""

    name: str
    act: Callable[[Stage], Outcome]
    succeeded: Callable[[Stage, Outcome], None]
    prepare: Callable[[Stage], None] = lambda stage: None
    survived: Callable[[Stage, Outcome], None] | None = None
