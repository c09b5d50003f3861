"""Loads a handler from FC's handler string, ``path/to/module.function``, under a code root.

FC imports ``<code dir>/<module>.py`` with the code directory on ``sys.path`` and calls the
named function (alibaba-platform.md §D.2: handler ``main.handler`` loads ``main.py``). Here the
code root defaults to the repository root, so ``functions/lifecycle/index.handler`` loads
``functions/lifecycle/index.py`` and puts ``functions/lifecycle`` on ``sys.path`` (sibling
imports work as on FC). A handler string whose module is not a file under the root is tried as
a dotted import (``tests.localcloud.fcfuncs.basic.handler``). Every registration loads the file
afresh: a new module object is a new FC instance. This module never runs the handler.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
