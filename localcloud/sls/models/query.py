"""The subset of SLS's query language that audit searches need: search, then ``select count(*)``.

Search syntax (https://www.alibabacloud.com/help/en/sls/user-guide/search-syntax):
- ``*`` alone matches every log;
- a full-text term (``error``) matches a log when one of its content values contains the term
  as a token; ``key: value`` / ``key:value`` does the same on one field (keys are exact and
  case-sensitive; ``__topic__``, ``__source__`` and ``__tag__:<k>`` are fields too);
  ``key: *`` matches logs that have the field;
- values are split into tokens on SLS's default delimiters and compared case-insensitively,
  as with a default index (a logstore's own index settings apply through a :class:`Schema`); a term that itself spans several tokens (``alice@example.com``,
  or a ``"quoted phrase"``) must match consecutive tokens;
- ``*`` and ``?`` inside a term are wildcards (``err*``), the only ones (``[...]`` is literal);
  a term may not start with one;
- ``key > 10``, ``>=``, ``<``, ``<=``, ``=`` compare numerically (a non-numeric value never matches);
- ``and``, ``or``, ``not`` (any case) with parentheses; ``not`` binds tightest, then ``and``
  (also implied between adjacent terms, and ``a not b`` means ``a and not b``), then ``or``.

Analytics: ``<search> | select count(*) [as name]`` (or ``count(1)``) gives one row with the
count as a string. Any other SQL raises :class:`QueryError` with ``sql=True``.

Which fields are searchable, and how their values are tokenized, is a :class:`Schema`:
:data:`FULL` (the default of :func:`matches`) searches every field as text with the default
delimiters; a logstore's index gives a narrower one (:mod:`._indexes`), which
:func:`check` holds a query against before it runs.

Pure functions over plain data: no state, no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from localcloud.core.wildcards import wildcard_match
from localcloud.sls.models._analysis import (
    DEFAULT_ANALYZER,
    DELIMITERS,
    FULL,
    Analyzer,
    FieldIndex,
    Schema,
    term_pattern,
    tokenize,
    value_tokens,
)

__all__ = [
    "DELIMITERS", "FULL", "Analyzer", "And", "Compare", "CountSql", "FieldIndex", "MatchAll", "Node", "Not", "Or",
    "Query", "QueryError", "Schema", "Term", "check", "matches", "parse", "tokenize",
]

_PATTERN_DELIMITERS = DELIMITERS - {"?"}  # in a query, ? is a wildcard
_SQL_COUNT = re.compile(
    r"^\s*select\s+count\s*\(\s*(?:\*|1)\s*\)\s*(?:as\s+(?:\"([^\"]+)\"|([A-Za-z_][A-Za-z0-9_]*)))?\s*;?\s*$",
    re.IGNORECASE,
)


class QueryError(ValueError):
    """The query cannot be parsed (``sql=False``) or uses SQL localcloud does not run (``sql=True``)."""

    def __init__(self, message: str, *, sql: bool = False) -> None:
        super().__init__(message)
        self.sql = sql


# --- AST -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchAll:
    pass


@dataclass(frozen=True, slots=True)
class Term:
    key: str | None
    """None: full text over every content value."""
    tokens: tuple[str, ...]
    """Lower-cased tokens (default delimiters) that must appear consecutively; empty means
    "the field exists"."""
    wildcard: bool
    text: str = ""
    """The term as written, re-tokenized for a field whose index has other settings."""
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Compare:
    key: str
    op: str
    number: float


@dataclass(frozen=True, slots=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = MatchAll | Term | Compare | And | Or | Not


@dataclass(frozen=True, slots=True)
class CountSql:
    column: str


@dataclass(frozen=True, slots=True)
class Query:
    search: Node
    sql: CountSql | None
    where_text: str
    agg_text: str


# --- lexer ------------------------------------------------------------------------------

_LEX = re.compile(
    r"""\s*(?:
        (?P<lparen>\() | (?P<rparen>\)) |
        (?P<quoted>"(?:[^"\\]|\\.)*") |
        (?P<op>>=|<=|>|<|=|:) |
        (?P<word>[^\s()"<>=:]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # lparen rparen quoted op word and or not
    text: str


def _lex(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _LEX.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"unexpected character {text[position:position + 1]!r} at {position}")
        position = match.end()
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word" and value.lower() in ("and", "or", "not"):
            kind = value.lower()
        tokens.append(_Tok(kind, value))
    return tokens


# --- parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        at = self.index + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> _Tok:
        token = self.peek()
        if token is None:
            raise QueryError("unexpected end of query")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.take().text!r}")
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            node = Or(node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None:
            if token.kind == "and":
                self.take()
                node = And(node, self.unary())
            elif token.kind == "not":
                self.take()
                node = And(node, Not(self.unary()))
            elif token.kind in ("lparen", "word", "quoted"):
                node = And(node, self.unary())
            else:
                break
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "not":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "lparen":
            node = self.or_expr()
            closing = self.take()
            if closing.kind != "rparen":
                raise QueryError(f"expected ')' but found {closing.text!r}")
            return node
        if token.kind not in ("word", "quoted"):
            raise QueryError(f"unexpected {token.text!r}")
        follower = self.peek()
        if follower is not None and follower.kind == "op":
            return self.field_term(token)
        if token.kind == "word" and token.text == "*":
            return MatchAll()
        return _term(None, token.text, quoted=token.kind == "quoted")

    def field_term(self, key_token: _Tok) -> Node:
        key = key_token.text
        op = self.take().text
        if key == "__tag__" and op == ":":  # __tag__:<name>: value
            name = self.take()
            if name.kind != "word":
                raise QueryError("expected a tag name after __tag__:")
            key = f"__tag__:{name.text}"
            op = self.take().text
        value = self.take()
        if value.kind not in ("word", "quoted"):
            raise QueryError(f"expected a value after {key}{op}")
        if op == ":":
            if value.kind == "word" and value.text == "*":
                return Term(key, (), wildcard=False)
            return _term(key, value.text, quoted=value.kind == "quoted")
        try:
            number = float(value.text)
        except ValueError as exc:
            raise QueryError(f"{key} {op} needs a number, not {value.text!r}") from exc
        return Compare(key, op, number)


def _term(key: str | None, text: str, *, quoted: bool) -> Term:
    if quoted:
        tokens = tuple(tokenize(text))
        wildcard = False
    else:
        if text[0] in "*?":
            raise QueryError(f"a term cannot start with a wildcard: {text!r}")
        tokens = tuple(tokenize(text, _PATTERN_DELIMITERS))
        wildcard = any("*" in t or "?" in t for t in tokens)
    if not tokens:
        raise QueryError(f"the term {text!r} has no searchable token")
    return Term(key, tokens, wildcard, text, quoted)


def _split_sql(text: str) -> tuple[str, str | None]:
    """Split at the first ``|`` outside double quotes."""
    in_quotes = False
    for index, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "|" and not in_quotes:
            return text[:index], text[index + 1:]
    return text, None


def parse(text: str | None) -> Query:
    """Parse ``search [| select count(*) as n]``; an empty query matches everything."""
    search_text, sql_text = _split_sql(text or "")
    tokens = _lex(search_text)
    search: Node = _Parser(tokens).parse() if tokens else MatchAll()
    sql: CountSql | None = None
    if sql_text is not None:
        match = _SQL_COUNT.match(sql_text)
        if match is None:
            raise QueryError(
                f"localcloud runs only 'select count(*) [as name]' after '|', not {sql_text.strip()!r}", sql=True
            )
        sql = CountSql(match.group(1) or match.group(2) or "_col0")
    return Query(search, sql, search_text.strip(), (sql_text or "").strip())


# --- evaluation -------------------------------------------------------------------------


def check(node: Node, schema: Schema) -> None:
    """Refuse a search that names a field the index does not cover, with SLS's messages
    (aliyun-sls/sls-doc ``sqlerror``: "key (X) is not config as key value config ...",
    "key (X) is not config as numberic column")."""
    if isinstance(node, (And, Or)):
        check(node.left, schema)
        check(node.right, schema)
    elif isinstance(node, Not):
        check(node.child, schema)
    elif isinstance(node, (Term, Compare)) and node.key is not None:
        found = schema.field(node.key)
        if found is None:
            raise QueryError(f"key ({node.key}) is not config as key value config,"
                             f"if symbol : is in your log,please wrap : with quotation mark \"")
        if isinstance(node, Compare) and schema.keys is not None and not found.numeric:
            raise QueryError(f"key ({node.key}) is not config as numberic column")


def _phrase_in(pattern: tuple[str, ...], tokens: Sequence[str], wildcard: bool) -> bool:
    width = len(pattern)
    if not width:
        return False
    for start in range(len(tokens) - width + 1):
        window = tokens[start:start + width]
        if wildcard:
            if all(wildcard_match(p, t) for t, p in zip(window, pattern, strict=True)):
                return True
        elif tuple(window) == pattern:
            return True
    return False


def _compare(value: str, op: str, number: float) -> bool:
    try:
        actual = float(value)
    except ValueError:
        return False
    if op == ">":
        return actual > number
    if op == ">=":
        return actual >= number
    if op == "<":
        return actual < number
    if op == "<=":
        return actual <= number
    return actual == number


def _text_match(term: Term, value: str, analyzer: Analyzer) -> bool:
    if analyzer == DEFAULT_ANALYZER:
        return _phrase_in(term.tokens, value_tokens(value), term.wildcard)
    tokens, wildcard = term_pattern(term.text, term.quoted, analyzer)
    return _phrase_in(tokens, value_tokens(value, analyzer), wildcard)


def _field_match(term: Term, value: str, index: FieldIndex) -> bool:
    if not term.tokens:  # key: *
        return True
    if index.numeric:  # key: 120 on a long/double field is an equality (UNCONFIRMED for wildcards: no match)
        return not term.wildcard and _compare(value, "=", _number(term.text))
    return _text_match(term, value, index.analyzer)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def matches(
    node: Node, fields: Mapping[str, str], fulltext: Sequence[str] | Sequence[tuple[str, Analyzer]],
    schema: Schema = FULL,
) -> bool:
    """Does a log match? ``fields`` maps every key (contents and reserved) to its value;
    ``fulltext`` lists the values key-less terms search (plain strings use the default
    delimiters; :meth:`Schema.fulltext` pairs each with its analyzer)."""
    if isinstance(node, MatchAll):
        return True
    if isinstance(node, And):
        return matches(node.left, fields, fulltext, schema) and matches(node.right, fields, fulltext, schema)
    if isinstance(node, Or):
        return matches(node.left, fields, fulltext, schema) or matches(node.right, fields, fulltext, schema)
    if isinstance(node, Not):
        return not matches(node.child, fields, fulltext, schema)
    value = fields.get(node.key) if node.key is not None else None
    index = schema.field(node.key) if node.key is not None else None
    if isinstance(node, Compare):
        return value is not None and index is not None and _compare(value, node.op, node.number)
    if node.key is None:
        return any(_text_match(node, *item) if isinstance(item, tuple) else _text_match(node, item, DEFAULT_ANALYZER)
                   for item in fulltext)
    return value is not None and index is not None and _field_match(node, value, index)
