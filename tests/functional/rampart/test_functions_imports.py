"""Loading a function's module imports no SDK (nor ``cryptography``): cold start pays for them
only when an invocation needs them; the receivers do not even load the catalog's YAML parser
(issue #5's benchmark measures the rest)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("alibabacloud", "aliyun", "Tea", "darabonba", "cryptography")


@pytest.mark.parametrize("function", ["hr_webhook", "ticket_webhook", "lifecycle", "sweeper"])
def test_loading_a_function_imports_no_sdk(function: str, repo_root: Path) -> None:
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('index', {str(repo_root / 'functions' / function / 'index.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(repo_root / "shared")}, cwd=repo_root)
    loaded = json.loads(done.stdout)
    assert [m for m in loaded if m.startswith(HEAVY)] == []
    if function.endswith("_webhook"):
        assert "yaml" not in loaded
