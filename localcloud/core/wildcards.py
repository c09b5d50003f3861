"""Wildcard patterns as Alibaba Cloud writes them: ``*`` (any run of characters, none included)
and ``?`` (exactly one character); every other character, brackets and backslashes included,
stands for itself.

Not :mod:`fnmatch`, whose ``[...]`` is a character class: RAM's policy language takes only
``*`` and ``?`` in Action, Resource and ``StringLike``
(https://www.alibabacloud.com/help/en/ram/user-guide/policy-elements), and so does SLS's search
syntax inside a term (https://www.alibabacloud.com/help/en/sls/user-guide/search-syntax).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["compile_wildcard", "wildcard_match"]


@lru_cache(maxsize=8192)
def compile_wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The whole-string regular expression for ``pattern``."""
    parts = [".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts) + r"\Z", flags)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Does ``value`` match ``pattern`` as a whole?"""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_wildcard(pattern, ignore_case).match(value) is not None
