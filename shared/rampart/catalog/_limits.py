"""Limits on a catalog's loaded data, checked before any schema reads it.

A catalog file is at most 1 MiB (``rampart.catalog.MAX_CATALOG_BYTES``), but YAML can make a
small file into a huge value: an alias repeats a node without copying it, so nine levels of
ten aliases ("billion laughs") name 10**9 strings in a few hundred bytes, and an anchor can
even contain its own alias (a list that holds itself). PyYAML's safe loader builds such data
cheaply, as shared references; what then walks it (the schemas, ``repr`` in an error
message, ``json.dumps`` of a policy document) expands it and never finishes, or recurses
until Python gives up. Hexadecimal YAML integers escape Python's 4,300-digit limit on
parsing decimals, and then ``repr`` of one raises ``ValueError``.

:func:`first_problem` walks the data once, visiting each shared node once (memoised by
identity), and reports the first of: a value that contains itself, nesting deeper than
:data:`MAX_DEPTH`, an expanded size over :data:`MAX_EXPANDED` (each value counts 1, a string
or key also its length), an integer wider than :data:`MAX_INT_BITS` bits. A catalog written
by hand is nowhere near any of them; aliases that repeat a policy list a few times are fine.

Pure; must never expand the data it checks (no ``repr``, no copy) or raise anything but its
answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

MAX_EXPANDED: Final = 4 * 1024 * 1024
"""Values plus characters once every alias is expanded: four times the largest file."""
MAX_DEPTH: Final = 48
"""Nesting (a policy condition sits about 10 deep)."""
MAX_INT_BITS: Final = 256
"""Wider integers are no catalog value (the largest allowed setting is 100000)."""

Problem = tuple[str, str, str]
_ALIAS_FIX = "write the values out, or use fewer YAML aliases (&anchor / *alias)"


class _Found(Exception):
    def __init__(self, path: tuple[Any, ...], problem: str, fix: str) -> None:
        super().__init__(problem)
        self.path, self.problem, self.fix = path, problem, fix


def _path(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = part if isinstance(part, str) else type(part).__name__
            text = text if len(text) <= 64 else text[:61] + "..."
            out += f".{text}" if out else text
    return out


class _Walk:
    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def size(self, node: Any, path: tuple[Any, ...]) -> int:
        if len(path) > MAX_DEPTH:
            raise _Found(path, f"nests more than {MAX_DEPTH} levels deep", "flatten it")
        if isinstance(node, (str, bytes)):
            return 1 + len(node)
        if isinstance(node, int) and not isinstance(node, bool):
            if node.bit_length() > MAX_INT_BITS:
                raise _Found(path, f"is a number of {node.bit_length()} bits, too large for any setting", "remove it")
            return 1
        if isinstance(node, Mapping):
            children: list[tuple[Any, Any]] = []
            for key, value in node.items():
                children += [(key, key), (key, value)]
        elif isinstance(node, (list, tuple)):
            children = list(enumerate(node))
        elif isinstance(node, (set, frozenset)):
            children = [("(set)", item) for item in node]
        else:
            return 1
        ident = id(node)
        if ident in self.sizes:
            return self.sizes[ident]
        if ident in self.open:
            raise _Found(path, "contains itself (a YAML alias inside its own anchor)", "remove the alias")
        self.open.add(ident)
        total = 1
        for step, child in children:
            total += self.size(child, (*path, step))
            if total > MAX_EXPANDED:
                problem = f"expands to more than {MAX_EXPANDED} values and characters"
                raise _Found(path, problem, _ALIAS_FIX)
        self.open.discard(ident)
        self.sizes[ident] = total
        return total


def first_problem(data: Any) -> Problem | None:
    """(path, problem, fix) for the first limit ``data`` breaks, or None."""
    try:
        _Walk().size(data, ())
    except _Found as found:
        return _path(found.path), found.problem, found.fix
    return None
