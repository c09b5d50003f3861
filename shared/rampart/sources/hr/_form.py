"""Form posts with bracketed keys (``type=employee.updated&data[companyId]=12345&
data[changedFields][0]=firstName``, BambooHR's form variant, webhook-formats.md §4.1) read
into the same nested data as the JSON variant: a dict whose keys are all ``0..n-1`` becomes
a list. Every refusal is a 400 naming the key; the values are never echoed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from rampart.sources.base import SourceError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
MAX_FIELDS = 1000
MAX_DEPTH = 8


def parse_form(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(400, f"body is not UTF-8 (byte {exc.start})") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FIELDS)
    except ValueError:
        raise SourceError(400, f"body is not a form post (key=value&..., at most {MAX_FIELDS} fields)") from None
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise SourceError(400, f"form key {key[:60]!r} is not name or name[part]...")
        parts = [match.group(1), *_PART.findall(match.group(2))]
        if len(parts) > MAX_DEPTH:
            raise SourceError(400, f"form key {key[:60]!r} nests deeper than {MAX_DEPTH}")
        node = root
        for depth, part in enumerate(parts):
            where = "".join(parts[:1] + [f"[{p}]" for p in parts[1 : depth + 1]])
            if depth == len(parts) - 1:
                if part in node:
                    raise SourceError(400, f"form key {where[:60]!r} is given twice")
                node[part] = value
                break
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise SourceError(400, f"form key {where[:60]!r} is both a value and a group")
            node = child
    return {key: _lists(value) for key, value in root.items()}


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    out = {key: _lists(value) for key, value in node.items()}
    if out and all(key.isascii() and key.isdigit() and len(key) <= 6 for key in out):
        indexes = sorted(out, key=int)
        if [int(i) for i in indexes] == list(range(len(out))):
            return [out[i] for i in indexes]
    return out
