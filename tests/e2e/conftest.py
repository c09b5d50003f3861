"""The built artefacts the e2e tests run: ``tools/build.py`` with the layer, into ``build/e2e/``.

Built once per session; the layer is reused across sessions while ``deploy/layer.txt`` and the
Python are the same (``--reuse-layer``), the code directories and bytecode are made afresh.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.deploy_support import build_module

REPO = Path(__file__).resolve().parents[2]
BUILT = REPO / "build" / "e2e"
RUNTIME = "3.10"


@pytest.fixture(scope="session")
def full_build() -> Path:
    """``build/e2e/<function>/`` and ``build/e2e/layer/python/``, compiled by the runtime's Python."""
    done = subprocess.run([sys.executable, str(REPO / "tools" / "build.py"), "--out", str(BUILT), "--reuse-layer",
                           "--python-version", RUNTIME], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return BUILT


@pytest.fixture(scope="session")
def runtime_python(full_build: Path) -> str:
    """The interpreter the build compiled with (its first line of output names it)."""
    return str(build_module().find_python(RUNTIME))
