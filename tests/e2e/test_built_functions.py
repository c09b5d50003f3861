"""What ``make build`` ships, run as FC runs it: no built module imports localcloud, the dev
package, the tests, the tools or a benchmark; and each built function, in FC's Python with only
its code directory and the layer (what requirements.txt installs, as deploy/layer.txt pins it)
on the path, imports and handles a sample event from ``events/`` against localcloud."""

from __future__ import annotations

import ast
import base64
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rampart import config
from rampart_dev.bench import cold_child, cold_stack
from rampart_dev.bench.cold import outcome

from localcloud import LocalCloud
from tests.e2e.deployment import FUNCTION_NAMES

DEV_ONLY = ("localcloud", "rampart_dev", "tests", "tools")


def imported(path: Path) -> set[str]:
    """Every module a file names in an import statement (absolute ones; relative ones stay in rampart)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("directory", sorted(FUNCTION_NAMES))
def test_no_built_module_imports_dev_code_or_a_benchmark(full_build: Path, directory: str) -> None:
    code = full_build / directory
    files = sorted(code.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        assert "bench" not in path.name, path
        bad = sorted(n for n in imported(path) if n.split(".")[0] in DEV_ONLY or "bench" in n)
        assert bad == [], f"{path.relative_to(code)} imports {bad}"


def test_the_dev_import_check_can_fail(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("import json\nfrom rampart_dev.bench import cold\nimport localcloud.app\nfrom . import x\n",
                       encoding="utf-8")
    assert {n for n in imported(planted) if n.split(".")[0] in DEV_ONLY} == {"rampart_dev.bench", "localcloud.app"}


EXPECTED = {"hr_webhook": "202 accepted", "ticket_webhook": "202 accepted", "lifecycle": "1/1 applied"}


@pytest.mark.parametrize("directory", sorted(FUNCTION_NAMES))
def test_each_built_function_handles_a_sample_event_with_the_layer_alone(
    full_build: Path, runtime_python: str, cloud: LocalCloud, directory: str
) -> None:
    admin = cold_stack.FunctionsAdmin(cloud.endpoint)
    stack = cold_stack.deploy(cloud.info(), admin)
    try:
        event = cold_stack.FIRST_EVENTS[directory](stack, datetime.now(timezone.utc), f"built-{directory}")
        code, site = full_build / directory, full_build / "layer" / "python"
        job = {"index": str(code / "index.py"), "eager": [], "event": base64.b64encode(event).decode("ascii"),
               "request_id": f"1-built-{directory}"}
        env = {**stack.env, "PYTHONPATH": f"{code}{os.pathsep}{site}", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", config.ENV_CATALOG: str(code / "catalog.json")}
        done = subprocess.run([runtime_python, "-S", "-B", "-c", Path(cold_child.__file__).read_text("utf-8")],
                              input=json.dumps(job), capture_output=True, text=True, env=env, cwd=code, timeout=300,
                              check=False)
    finally:
        cold_stack.teardown(admin)
    assert done.returncode == 0, done.stderr[-3000:]
    for value in stack.secret_values:
        assert value not in done.stdout + done.stderr
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    ok, said = outcome(directory, data)
    assert ok, said
    if directory in EXPECTED:
        assert said == EXPECTED[directory]
    assert data["origin"] == str(code / "rampart" / "__init__.py")
    assert not {m for m in data["modules"] if m in DEV_ONLY or m == "yaml"}
