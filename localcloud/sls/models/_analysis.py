"""How an SLS index sees log values: delimiters, case sensitivity, which fields it covers.

A :class:`Schema` says which fields a query may name and how each value is split into
tokens. :data:`FULL` covers every field as text with the console's default delimiters; a
logstore's index configuration (CreateIndex) compiles to a narrower one (:mod:`._indexes`).
Index semantics (https://www.alibabacloud.com/help/en/doc-detail/90732.html, "Create
indexes"): a text value is split on the index's delimiters and compared case-insensitively
unless ``caseSensitive``; a field index takes precedence over the full-text index for its
field; without a full-text index a key-less term searches only the text fields;
``__topic__`` and ``__source__`` are always indexed as text with no delimiter
(https://www.alibabacloud.com/help/en/sls/reserved-fields); ``__tag__:*`` fields need their
own field index.

Pure functions over plain data: no state, no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

# The default token list of an SLS index (console default): , '";=()[]{}?@&<>/: \n\t\r
DELIMITERS = frozenset(",'\";=()[]{}?@&<>/: \n\t\r")


@dataclass(frozen=True, slots=True)
class Analyzer:
    """How values are split into tokens: an index's delimiters and case sensitivity."""

    delimiters: frozenset[str] = DELIMITERS
    case_sensitive: bool = False


DEFAULT_ANALYZER = Analyzer()
EXACT = Analyzer(frozenset())
"""``__topic__`` and ``__source__`` under an index: "text with no delimiter", exact match only
(https://www.alibabacloud.com/help/en/sls/reserved-fields); case-insensitive (UNCONFIRMED)."""
RESERVED = ("__topic__", "__source__")


@dataclass(frozen=True, slots=True)
class FieldIndex:
    kind: str
    """``text``, ``json`` (searched as text), ``long`` or ``double`` (numeric)."""
    analyzer: Analyzer = DEFAULT_ANALYZER

    @property
    def numeric(self) -> bool:
        return self.kind in ("long", "double")


FULL_FIELD = FieldIndex("text")


@dataclass(frozen=True, slots=True)
class Schema:
    """What an index makes searchable. ``keys=None`` (:data:`FULL`): every field, as text."""

    keys: Mapping[str, FieldIndex] | None = None
    line: Analyzer | None = DEFAULT_ANALYZER
    """The full-text index; None when the index has none."""
    line_include: frozenset[str] | None = None
    line_exclude: frozenset[str] = frozenset()

    def field(self, key: str) -> FieldIndex | None:
        if self.keys is None:
            return FULL_FIELD
        if key in RESERVED:
            return FieldIndex("text", EXACT)
        return self.keys.get(key)

    def fulltext(self, contents: Sequence[tuple[str, str]]) -> list[tuple[str, Analyzer]]:
        """The values a key-less term searches, each with its analyzer: a field with a field
        index is searched with that field's settings ("the field index takes precedence"), the
        others through the full-text index; without one, only text fields are searched
        (https://www.alibabacloud.com/help/en/doc-detail/90732.html)."""
        out: list[tuple[str, Analyzer]] = []
        for key, value in contents:
            own = self.keys.get(key) if self.keys is not None else None
            if own is not None:
                if not own.numeric:
                    out.append((value, own.analyzer))
            elif self.line is not None and key not in self.line_exclude and (
                    self.line_include is None or key in self.line_include):
                out.append((value, self.line))
        return out


FULL = Schema()


def tokenize(value: str, delimiters: frozenset[str] = DELIMITERS, *, lower: bool = True) -> list[str]:
    """Split a value into tokens (lower-cased unless ``lower=False``) on the index delimiters."""
    out: list[str] = []
    current: list[str] = []
    for char in value:
        if char in delimiters:
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        out.append("".join(current))
    return [token.lower() for token in out] if lower else out


@lru_cache(maxsize=8192)
def value_tokens(value: str, analyzer: Analyzer = DEFAULT_ANALYZER) -> tuple[str, ...]:
    return tuple(tokenize(value, analyzer.delimiters, lower=not analyzer.case_sensitive))


@lru_cache(maxsize=4096)
def term_pattern(text: str, quoted: bool, analyzer: Analyzer) -> tuple[tuple[str, ...], bool]:
    """A term's tokens under ``analyzer`` and whether they hold wildcards."""
    lower = not analyzer.case_sensitive
    if quoted:
        return tuple(tokenize(text, analyzer.delimiters, lower=lower)), False
    tokens = tuple(tokenize(text, analyzer.delimiters - {"*", "?"}, lower=lower))
    return tokens, any("*" in t or "?" in t for t in tokens)
