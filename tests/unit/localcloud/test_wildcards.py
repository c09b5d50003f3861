"""Alibaba Cloud wildcards (RAM policies, SLS search terms): only ``*`` and ``?``."""

from __future__ import annotations

import pytest

from localcloud.core.wildcards import wildcard_match
from localcloud.sls.models import query


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("a[1]*", "a[1]x", True),
    ("a[1]*", "a1x", False),
    ("a[!1]?", "a[!1]z", True),
    ("a[!1]?", "a2z", False),
    ("a[a-z]", "ab", False),
    ("a?", "a]", True),
    ("a?", "a", False),
    ("a*", "a\nb", True),
    ("a.*", "abc", False),
    ("a+b*", "a+bc", True),
    ("a\\*", "a\\b", True),
    ("*", "", True),
    ("", "", True),
    ("", "x", False),
])
def test_only_star_and_question_mark_are_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


def test_ignore_case_applies_to_literal_and_wildcard_patterns() -> None:
    assert wildcard_match("RAM:Get*", "ram:getuser", ignore_case=True)
    assert wildcard_match("RAM:GetUser", "ram:getuser", ignore_case=True)
    assert not wildcard_match("RAM:Get*", "ram:getuser")


def test_sls_term_brackets_are_literal_under_a_field_index_that_keeps_them() -> None:
    term = query.parse("user: a[1]*").search
    schema = query.Schema(keys={"user": query.FieldIndex("text", query.Analyzer(frozenset(" ")))})
    assert query.matches(term, {"user": "a[1]x"}, [], schema)
    assert not query.matches(term, {"user": "a1x"}, [], schema)
