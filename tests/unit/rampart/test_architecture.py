"""The layers of ``rampart`` (docs/architecture.md), read from the import statements.

Each package may import only the packages below it in the table; the SDKs are imported only
by ``rampart.adapters`` and only inside functions (cold start is measured); nothing deployable
imports localcloud, the development tools (``rampart_dev``), the tests or the tools.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import repo_path

PACKAGE = repo_path("shared", "rampart")

FOUNDATION = frozenset({"errors", "clock", "secret", "jsonutil", "durations", "validation", "redact", "config", "logs"})
"""Modules at the top of ``rampart``: no rampart package below them but each other."""

ALLOWED: dict[str, frozenset[str]] = {
    "model": frozenset(),
    "naming": frozenset({"model"}),
    "ports": frozenset({"model"}),
    "catalog": frozenset({"model"}),
    "events": frozenset({"model", "naming"}),
    "planning": frozenset({"model", "naming", "catalog", "events"}),
    "audit": frozenset({"model", "ports"}),
    "adapters": frozenset({"model", "naming", "ports", "audit"}),
    "engine": frozenset({"model", "naming", "ports", "catalog", "events", "planning", "audit", "adapters"}),
    "sources": frozenset({"model", "events", "planning"}),
    "notify": frozenset({"model", "naming", "ports", "audit", "engine", "sources"}),
    "operations": frozenset({"model", "naming", "ports", "catalog", "events", "planning", "audit", "adapters",
                             "engine"}),
    "fc": frozenset({"model", "naming", "ports", "catalog", "events", "planning", "audit", "adapters", "engine",
                     "sources", "notify", "operations"}),
    "cli": frozenset({"model", "naming", "ports", "catalog", "events", "planning", "audit", "adapters", "engine",
                      "sources", "notify", "operations"}),
}
"""Package -> the rampart packages it may import (FOUNDATION modules are always allowed)."""

ENGINE_ADAPTERS = frozenset({"rampart.adapters.retry"})
"""The one adapters module the engine may use: how a cloud error is classified and retried (no SDK)."""

SDK_PREFIXES = ("alibabacloud", "aliyun", "Tea", "darabonba", "tablestore")
NEVER = ("localcloud", "rampart_dev", "tests", "tools")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(p for p in parts if p != "__init__"), path


def _unit(module: str) -> str:
    """``rampart.engine._apply`` -> ``engine``; ``rampart.errors`` -> ``errors``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "rampart"


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, imported at module level) for every absolute import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == "rampart" else [node.module]
            for name in names:
                yield name, id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top_level


MODULES = list(_modules())


def test_the_package_is_found() -> None:
    units = {_unit(m) for m, _ in MODULES}
    assert set(ALLOWED) <= units, set(ALLOWED) - units


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_each_module_imports_only_its_own_layer_and_below(module: str, path: Path) -> None:
    unit = _unit(module)
    if unit not in ALLOWED:
        return  # a foundation module, __main__ or the package itself: checked below
    wrong = []
    for name, _ in _imports(path):
        if not name.startswith("rampart."):
            continue
        target = _unit(name)
        if target == unit or target in FOUNDATION or target in ALLOWED[unit]:
            if unit == "engine" and target == "adapters" and not name.startswith(tuple(ENGINE_ADAPTERS)):
                wrong.append(name)
            continue
        wrong.append(name)
    assert not wrong, f"{module} imports {wrong}: not allowed for {unit} (docs/architecture.md)"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_foundation_modules_import_no_package(module: str, path: Path) -> None:
    if _unit(module) not in FOUNDATION:
        return
    packages = [n for n, _ in _imports(path) if n.startswith("rampart.") and _unit(n) not in FOUNDATION]
    assert not packages, f"{module} imports {packages}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_nothing_deployable_imports_dev_test_or_emulator_code(module: str, path: Path) -> None:
    bad = [n for n, _ in _imports(path) if n.split(".")[0] in NEVER]
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_only_the_adapters_import_an_sdk_and_only_when_used(module: str, path: Path) -> None:
    sdk = [(n, top) for n, top in _imports(path) if n.startswith(SDK_PREFIXES)]
    if _unit(module) != "adapters":
        assert not sdk, f"{module} imports an SDK: {sdk}"
    else:
        eager = [n for n, top in sdk if top]
        assert not eager, f"{module} imports {eager} at module level (import it where the client is built)"


def test_a_layer_violation_is_reported(tmp_path: Path) -> None:
    """The checker itself: a planning module importing the engine, a deployable module
    importing the dev tools, and an eager SDK import are each refused."""
    planted = tmp_path / "planted.py"
    planted.write_text("from rampart.engine import Engine\nimport rampart_dev.devstack\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="not allowed for planning"):
        test_each_module_imports_only_its_own_layer_and_below("rampart.planning._planted", planted)
    with pytest.raises(AssertionError, match="rampart_dev"):
        test_nothing_deployable_imports_dev_test_or_emulator_code("rampart.planning._planted", planted)
    planted.write_text("from alibabacloud_ram20150501 import models\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="at module level"):
        test_only_the_adapters_import_an_sdk_and_only_when_used("rampart.adapters._planted", planted)
    with pytest.raises(AssertionError, match="imports an SDK"):
        test_only_the_adapters_import_an_sdk_and_only_when_used("rampart.engine._planted", planted)
