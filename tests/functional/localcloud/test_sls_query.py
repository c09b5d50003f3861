"""The SLS query subset as pure functions: parsing, matching, and the errors it raises."""

from __future__ import annotations

import pytest

from localcloud.sls.models import query
from localcloud.sls.models.query import QueryError

LOG = {
    "__topic__": "lifecycle",
    "__source__": "10.0.0.7",
    "__tag__:env": "prod",
    "action": "CreateUser",
    "user": "alice@example.com",
    "msg": "User Alice created by rampart",
    "ms": "120",
}
FULLTEXT = ["CreateUser", "alice@example.com", "User Alice created by rampart", "120"]


def hit(text: str) -> bool:
    return query.matches(query.parse(text).search, LOG, FULLTEXT)


@pytest.mark.parametrize("text", ["", "*", "   ", "* | select count(*) as n"])
def test_empty_and_star_match_everything(text: str) -> None:
    assert hit(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("alice", True), ("ALICE", True), ("rampart", True), ("ramp", False), ("bob", False),
])
def test_full_text_matches_whole_tokens_case_insensitively(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("action: CreateUser", True), ("action:CreateUser", True), ("action: createuser", True),
    ("action: DeleteUser", False), ("Action: CreateUser", False), ("missing: x", False),
])
def test_key_value_matches_one_field_with_exact_key(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ram*", True), ("action: Create*", True), ("action: Delete*", False), ("al?ce", True), ("msg: cre*ed", True),
])
def test_wildcards(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ('"alice created"', True), ('"created alice"', False), ("user: alice@example.com", True),
    ("user: example.com", True), ('msg: "by rampart"', True),
])
def test_multi_token_terms_match_consecutive_tokens(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("alice and bob", False), ("alice or bob", True), ("alice not bob", True), ("not alice", False),
    ("alice bob", False), ("alice AND NOT bob", True), ("(bob or carol) or alice", True),
    ("bob or carol and alice", False), ("not (bob or alice)", False), ("Alice Or Bob", True),
])
def test_boolean_operators_and_precedence(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("__topic__: lifecycle", True), ("__source__: 10.0.0.7", True), ("__tag__:env: prod", True),
    ("__tag__:env: dev", False), ("lifecycle", False),
])
def test_reserved_fields_need_their_key(text: str, expected: bool) -> None:
    assert hit(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ms > 100", True), ("ms >= 120", True), ("ms < 120", False), ("ms <= 120", True), ("ms = 120", True),
    ("user > 1", False),
])
def test_numeric_comparisons(text: str, expected: bool) -> None:
    assert hit(text) is expected


def test_key_star_matches_when_the_field_exists() -> None:
    assert hit("user: *") and not hit("absent: *")


@pytest.mark.parametrize("text", [
    "and source: *", "alice and", "(alice", "alice)", "*alice", "user:", "ms > many", "user: (", "?x",
])
def test_malformed_search_raises_a_parse_error(text: str) -> None:
    with pytest.raises(QueryError) as info:
        query.parse(text)
    assert info.value.sql is False


@pytest.mark.parametrize(("text", "column"), [
    ("* | select count(*) as n", "n"), ("* | SELECT COUNT(1) AS total", "total"), ("*|select count(*)", "_col0"),
    ('x | select count(*) as "hits";', "hits"),
])
def test_count_sql_names_its_column(text: str, column: str) -> None:
    parsed = query.parse(text)
    assert parsed.sql == query.CountSql(column)


@pytest.mark.parametrize("text", [
    "* | select *", "* | select count(*) as n group by user", "* | select user", "* | select count(*) limit 5",
])
def test_other_sql_raises_an_sql_error(text: str) -> None:
    with pytest.raises(QueryError) as info:
        query.parse(text)
    assert info.value.sql is True


def test_pipe_inside_quotes_is_not_sql() -> None:
    parsed = query.parse('msg: "a | b"')
    assert parsed.sql is None


def test_where_and_agg_text_are_kept_for_the_response_meta() -> None:
    parsed = query.parse("user: alice | select count(*) as n")
    assert (parsed.where_text, parsed.agg_text) == ("user: alice", "select count(*) as n")


def test_tokenize_uses_the_default_delimiters() -> None:
    assert query.tokenize("GET /api/v1?id=7 HTTP/1.1") == ["get", "api", "v1", "id", "7", "http", "1.1"]
