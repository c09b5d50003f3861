"""The types of this directory's fixtures (tests/e2e/conftest.py), for annotations."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import TypeAlias

RunBuild: TypeAlias = Callable[..., "subprocess.CompletedProcess[str]"]
"""``run_build``: ``tools/build.py`` run with these arguments from the repository root (output captured)."""
