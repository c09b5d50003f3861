"""The e2e tests' fixtures: ``tools/build.py`` as a module and as a command, the built artefacts
(``tools/build.py`` with the layer, into ``build/e2e/``) and the s.yaml checker.

Built once per session; the layer is reused across sessions while ``deploy/layer.txt`` and the
Python are the same (``--reuse-layer``), the code directories and bytecode are made afresh.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from localcloud import LocalCloud
from tests.e2e.s_yaml_checker import SYamlChecker
from tests.e2e.types import RunBuild

RUNTIME = "3.10"



@pytest.fixture(scope="session")
def build_tool(repo_root: Path) -> ModuleType:
    """``tools/build.py`` as a module (its layout constants are the truth about the build)."""
    if "rampart_build_tool" not in sys.modules:
        spec = importlib.util.spec_from_file_location("rampart_build_tool", repo_root / "tools" / "build.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["rampart_build_tool"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["rampart_build_tool"]


@pytest.fixture(scope="session")
def run_build(repo_root: Path) -> RunBuild:
    """``tools/build.py`` as a command: ``run_build("--no-deps", "--out", ...)``."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(repo_root / "tools" / "build.py"), *args], capture_output=True,
                              text=True, cwd=repo_root, check=False)

    return run


@pytest.fixture(scope="session")
def s_yaml_checker(repo_root: Path, build_tool: ModuleType) -> SYamlChecker:
    """s.yaml and the policies held to the code of this checkout."""
    return SYamlChecker(repo_root, build_tool)


@pytest.fixture(scope="session")
def full_build(repo_root: Path, run_build: RunBuild) -> Path:
    """``build/e2e/<function>/`` and ``build/e2e/layer/python/``, compiled by the runtime's Python."""
    built = repo_root / "build" / "e2e"
    done = run_build("--out", str(built), "--reuse-layer", "--python-version", RUNTIME)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return built


@pytest.fixture(scope="session")
def runtime_python(full_build: Path, build_tool: ModuleType) -> str:
    """The interpreter the build compiled with (its first line of output names it)."""
    return str(build_tool.find_python(RUNTIME))


@pytest.fixture
def make_roles(cloud: LocalCloud, repo_root: Path) -> Callable[[], tuple[str, str]]:
    """The two function roles made from deploy/policies in this test's localcloud (the same
    deployment step the functional tests use), returning the stand-in user's key."""
    from tests.functional.rampart.fixtures.functions import create_roles

    return lambda: create_roles(cloud, repo_root / "deploy" / "policies")
