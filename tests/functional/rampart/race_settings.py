"""The settings of the race tests (test_races.py; declarations only, the harness is
``fixtures/races.py``)."""

from __future__ import annotations

START_JITTER_S = 0.12
"""Up to about one event's run: a racer starts anywhere from before the other's first call to after its last."""
