"""A catalog file into plain data: JSON, or YAML for people.

The functions read the JSON ``make build`` writes (``tools/build.py``): ``json`` is in the
standard library and its parser is C, so a cold start neither imports PyYAML nor runs its
pure-Python parser (the layer does not even carry PyYAML). People and the CLI write YAML; it is
parsed with libyaml's ``CSafeLoader`` where PyYAML was built with it (about ten times faster
than ``SafeLoader``, https://pyyaml.org/wiki/PyYAMLDocumentation "CLoader"), else ``SafeLoader``:
the same safe constructors either way. A key given twice is an error in both formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rampart.errors import CatalogError
from rampart.jsonutil import unique_keys

MAX_CATALOG_BYTES = 1024 * 1024
_MAX_TEXT = 300


def clip(text: str) -> str:
    """A message part on one line and at most ``_MAX_TEXT`` long: a problem may quote a huge
    value, and a path holds the keys as written (a key with a newline must not forge a line)."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def read(path: Path) -> Any:
    """The file's data, by its extension; :class:`CatalogError` says what is wrong."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise CatalogError(
            file, "", f"has an unknown format ({suffix or 'no extension'})", "name it .yaml, .yml or .json"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(
            file, "", f"cannot be read: {exc.strerror}", "set RAMPART_CATALOG to the catalog's path"
        ) from exc
    if len(raw) > MAX_CATALOG_BYTES:
        raise CatalogError(file, "", f"is {len(raw)} bytes, more than {MAX_CATALOG_BYTES}", "split it or trim it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(file, "", f"is not UTF-8 (byte {exc.start})", "save it as UTF-8") from exc
    return _json(text, file) if suffix == ".json" else _yaml(text, file)


def _json(text: str, file: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise CatalogError(file, f"line {exc.lineno}", f"is not valid JSON: {exc.msg}", "fix the JSON there") from exc
    except ValueError as exc:  # a key given twice, a number of more than 4,300 digits
        raise CatalogError(file, "", f"is not valid JSON: {clip(str(exc))}", "give each key once") from exc
    except RecursionError:
        raise CatalogError(file, "", "is not valid JSON: it nests too deeply", "flatten it") from None


def _yaml(text: str, file: str) -> Any:
    try:
        import yaml
    except ImportError:  # the FC layer carries no PyYAML: the functions read catalog.json
        raise CatalogError(file, "", "is YAML, and PyYAML is not installed here",
                           "point RAMPART_CATALOG at the catalog.json make build writes") from None
    try:
        return yaml.load(text, Loader=_unique_key_loader())  # noqa: S506 - a SafeLoader (or CSafeLoader) subclass
    except yaml.MarkedYAMLError as exc:
        where = f"line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        fix = "fix the YAML there (indentation, quoting, a key given twice)"
        raise CatalogError(file, where, f"is not valid YAML: {clip(str(exc.problem))}", fix) from exc
    except yaml.YAMLError as exc:
        raise CatalogError(file, "", f"is not valid YAML: {clip(str(exc))}", "fix the YAML") from exc
    except RecursionError:
        raise CatalogError(file, "", "is not valid YAML: it nests too deeply", "flatten it") from None
    except (ValueError, OverflowError) as exc:
        # a value PyYAML cannot construct: 2025-13-45 as a date, a 5,000-digit number
        raise CatalogError(file, "", f"is not valid YAML: {clip(str(exc))}", "quote the value") from exc


_LOADER: Any = None


def _unique_key_loader() -> Any:
    """``yaml.safe_load``'s loader (libyaml's where built), except that a key given twice is an
    error, not silently the last. Made on first use, so reading JSON never imports yaml."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = loader.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError:
                    continue  # an unhashable key (a list) is refused by construct_mapping below
                if key in seen:
                    shown = key if isinstance(key, str) else type(key).__name__
                    raise yaml.MarkedYAMLError(
                        "in a mapping", node.start_mark, f"key {shown!r:.80} is given twice", key_node.start_mark
                    )
                seen.add(key)
            mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
            return mapping

        loader: Any = type("UniqueKeyLoader", (base,), {})
        loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
        _LOADER = loader
    return _LOADER
