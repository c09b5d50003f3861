"""Typed access to RPC parameters (decoded query merged with the form body).

Flattened lists follow V1's ``Key.N`` / ``Key.N.Sub`` convention (wire-protocol.md §1.3).
Every helper raises the gateway's documented error for a missing or malformed value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from localcloud.core.errors import InvalidParameter, MissingParameter

_INDEXED = re.compile(r"^(?P<prefix>.+)\.(?P<n>\d+)(?:\.(?P<field>.+))?$")


# The methods below are named after the types they return (``str``, ``int`` ...), which
# shadows the builtins inside the class body; annotations use these aliases instead.
_Text = str
_Int = int
_Bool = bool
_List = list


class Params:
    def __init__(self, raw: Mapping[_Text, _Text]) -> None:
        self._raw = dict(raw)

    def raw(self) -> dict[_Text, _Text]:
        return dict(self._raw)

    def has(self, name: _Text) -> _Bool:
        return name in self._raw

    def str(self, name: _Text) -> _Text | None:
        """The value, or None when absent. An empty string stays an empty string."""
        return self._raw.get(name)

    def required(self, name: _Text) -> _Text:
        value = self._raw.get(name)
        if value is None or value == "":
            raise MissingParameter.named(name)
        return value

    def bool(self, name: _Text, default: _Bool = False) -> _Bool:
        value = self._raw.get(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise InvalidParameter(f'The parameter "{name}" must be true or false, not {value!r}.')

    def int(self, name: _Text, default: _Int, *, low: _Int | None = None, high: _Int | None = None) -> _Int:
        value = self._raw.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError as exc:
            raise InvalidParameter(f'The parameter "{name}" must be an integer, not {value!r}.') from exc
        if (low is not None and number < low) or (high is not None and number > high):
            raise InvalidParameter(f'The parameter "{name}" must be between {low} and {high}, not {number}.')
        return number

    def json(self, name: _Text) -> Any:
        value = self._raw.get(name)
        if value is None or value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidParameter(f'The parameter "{name}" is not valid JSON.') from exc

    def list(self, prefix: _Text) -> list[_Text]:
        """``Prefix.1``, ``Prefix.2`` ... in index order."""
        found: dict[_Int, _Text] = {}
        for key, value in self._raw.items():
            match = _INDEXED.match(key)
            if match and match["prefix"] == prefix and match["field"] is None:
                found[int(match["n"])] = value
        return [found[n] for n in sorted(found)]

    def objects(self, prefix: _Text) -> _List[dict[_Text, _Text]]:
        """``Prefix.N.Field`` groups as a list of dicts, in index order."""
        found: dict[_Int, dict[_Text, _Text]] = {}
        for key, value in self._raw.items():
            match = _INDEXED.match(key)
            if match and match["prefix"] == prefix and match["field"] is not None:
                found.setdefault(int(match["n"]), {})[match["field"]] = value
        return [found[n] for n in sorted(found)]
