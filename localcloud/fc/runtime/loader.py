"""Loads a handler from FC's handler string, ``path/to/module.function``, under a code root.

FC imports ``<code dir>/<module>.py`` with the code directory on ``sys.path`` and calls the
named function (alibaba-platform.md §D.2: handler ``main.handler`` loads ``main.py``). Here the
code root defaults to the repository root, so ``functions/lifecycle/index.handler`` loads
``functions/lifecycle/index.py`` and puts ``functions/lifecycle`` on ``sys.path`` (sibling
imports work as on FC). A handler string whose module is not a file under the root is tried as
a dotted import (``tests.functional.localcloud.fcfuncs.basic.handler``). Every registration loads the file
afresh: a new module object is a new FC instance. This module never runs the handler.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud.fc.functions import FunctionConfigError, Isolation

Handler = Callable[[bytes, Any], Any]

_counter = itertools.count(1)
_path_lock = threading.Lock()


class HandlerLoadError(ValueError):
    """The handler string names no loadable callable; the message says what was looked for."""


@dataclass(frozen=True, slots=True)
class LoadedHandler:
    function: Handler
    code_path: str
    """The directory FC would call the code path (``FC_FUNC_CODE_PATH``)."""


def load(handler: str, code_root: Path) -> LoadedHandler:
    module_part, dot, attribute = handler.rpartition(".")
    if not dot or not module_part or not attribute:
        raise HandlerLoadError(f"handler {handler!r} must look like 'path/to/module.function'")
    source = (code_root / f"{module_part}.py").resolve()
    if source.is_file():
        module = _load_file(source)
        code_path = str(source.parent)
    elif "/" in module_part or "\\" in module_part:
        raise HandlerLoadError(f"handler {handler!r}: no file {source} (code root {code_root})")
    else:
        try:
            module = importlib.import_module(module_part)
        except ImportError as exc:
            raise HandlerLoadError(
                f"handler {handler!r}: no file {source} under the code root {code_root}, "
                f"and no importable module {module_part!r} ({exc})"
            ) from exc
        code_path = str(Path(module.__file__ or str(code_root)).resolve().parent)
    function = getattr(module, attribute, None)
    if not callable(function):
        raise HandlerLoadError(f"handler {handler!r}: module {module_part!r} has no function {attribute!r}")
    return LoadedHandler(function, code_path)


def locate(handler: str, code_root: Path) -> str:
    """The code path (``FC_FUNC_CODE_PATH``) of a handler, found *without importing* its module.

    For ``isolation="process"``: the module is imported by each instance, never by localcloud;
    whether it imports and has the function is then an invocation error, as on FC."""
    module_part, dot, attribute = handler.rpartition(".")
    if not dot or not module_part or not attribute:
        raise HandlerLoadError(f"handler {handler!r} must look like 'path/to/module.function'")
    source = (code_root / f"{module_part}.py").resolve()
    if source.is_file():
        return str(source.parent)
    if "/" in module_part or "\\" in module_part:
        raise HandlerLoadError(f"handler {handler!r}: no file {source} (code root {code_root})")
    try:
        found = importlib.util.find_spec(module_part)
    except (ImportError, ValueError) as exc:
        found = None
        reason = f" ({exc})"
    else:
        reason = ""
    if found is None or not found.origin:
        raise HandlerLoadError(
            f"handler {handler!r}: no file {source} under the code root {code_root}, "
            f"and no importable module {module_part!r}{reason}"
        )
    return str(Path(found.origin).resolve().parent)


def _load_file(source: Path) -> Any:
    directory = str(source.parent)
    with _path_lock:
        if directory not in sys.path:
            sys.path.insert(0, directory)
    # A unique module name: two functions may both have an ``index.py``; dataclasses and
    # pickling need the module in sys.modules under the name it was loaded as.
    name = f"_localcloud_fc_{next(_counter)}_{source.stem}"
    spec = importlib.util.spec_from_file_location(name, source)
    if spec is None or spec.loader is None:
        raise HandlerLoadError(f"cannot load {source} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise HandlerLoadError(f"importing {source} failed: {type(exc).__name__}: {exc}") from exc
    return module


def describe(function: Callable[..., Any]) -> str:
    """The handler string recorded for a function registered as a Python callable."""
    module = getattr(function, "__module__", None) or "<callable>"
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", "handler")
    return f"{module}.{name}"


def resolve(
    handler: str | Callable[[bytes, Any], Any], handler_text: str, isolation: Isolation, root: Path
) -> tuple[LoadedHandler | None, str]:
    """The loaded handler (inline) or None (process: never imported here), and its code path."""
    if isolation is Isolation.PROCESS:
        if not isinstance(handler, str) and ("<" in handler_text or handler_text.startswith("__main__.")):
            raise FunctionConfigError(
                f"isolation 'process' imports the handler in a new process: {handler_text!r} is not importable "
                "by name; give a handler string or a module-level function of an importable module"
            )
        return None, locate(handler_text, root)
    if isinstance(handler, str):
        loaded = load(handler, root)
    else:
        source = inspect.getsourcefile(handler) if inspect.isfunction(handler) else None
        loaded = LoadedHandler(handler, str(Path(source).parent) if source else str(Path.cwd()))
    return loaded, loaded.code_path
