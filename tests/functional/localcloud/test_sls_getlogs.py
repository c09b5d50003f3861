"""GetLogs (v2 POST, as SDK 0.9.52 sends it, and v1 GET) and GetHistograms through ``LogClient``."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aliyun.log import GetHistogramsRequest, GetLogsRequest, LogException, LogItem, PutLogsRequest

from localcloud import LocalCloud
from tests.functional.localcloud.types import SlsRaw

PROJECT, STORE = "audit-trail", "events"
NOW = int(time.time()) - 600
"""Logs are stamped in the last hour so every test's window is fixed."""


@pytest.fixture
def sls(cloud: LocalCloud, sls_raw: SlsRaw) -> Any:
    return sls_raw.indexed_logstore(PROJECT, STORE, ["action", "user", "result"], ["ms"])


@pytest.fixture
def audit(sls: Any) -> Any:
    """Six audit events, one per second from NOW, two topics."""
    events = [
        ("lifecycle", {"action": "CreateUser", "user": "alice@example.com", "result": "ok", "ms": "120"}),
        ("lifecycle", {"action": "DeleteUser", "user": "bob", "result": "error", "ms": "900"}),
        ("lifecycle", {"action": "CreateAccessKey", "user": "alice@example.com", "result": "ok", "ms": "80"}),
        ("rotation", {"action": "RotateKey", "user": "carol", "result": "ok", "ms": "400"}),
        ("rotation", {"action": "RotateKey", "user": "dave", "result": "error", "ms": "1500"}),
        ("lifecycle", {"action": "DisableUser", "user": "Erin", "result": "ok", "ms": "60"}),
    ]
    for offset, (topic, fields) in enumerate(events):
        item = LogItem(NOW + offset, list(fields.items()))
        sls.put_logs(PutLogsRequest(PROJECT, STORE, topic, "fc-host", [item]))
    return sls


def _get(sls: Any, query: str | None = None, **options: Any) -> Any:
    start = options.pop("start", NOW - 60)
    end = options.pop("end", NOW + 60)
    return sls.get_logs(GetLogsRequest(PROJECT, STORE, start, end, query=query, **options))


def _users(response: Any) -> list[str]:
    return [log.get_contents()["user"] for log in response.get_logs()]


def _refused(call: Any, *args: Any, **kwargs: Any) -> LogException:
    with pytest.raises(LogException) as info:
        call(*args, **kwargs)
    return info.value


def _v2(sls_raw: SlsRaw, sls: Any, **body: Any) -> Any:
    payload = {"from": NOW - 60, "to": NOW + 60, "line": 100, "offset": 0, **body}
    raw = json.dumps(payload).encode()
    return sls_raw.send(sls, "POST", PROJECT, f"/logstores/{STORE}/logs", raw,
                       {"Content-Type": "application/json", "x-log-bodyrawsize": str(len(raw))})


# --- time, topic, paging ----------------------------------------------------------------


def test_get_logs_returns_logs_in_time_order_with_progress_complete(audit: Any) -> None:
    response = _get(audit)
    assert response.is_completed()
    assert _users(response) == ["alice@example.com", "bob", "alice@example.com", "carol", "dave", "Erin"]


def test_time_range_is_left_closed_and_right_open(audit: Any) -> None:
    assert _users(_get(audit, start=NOW + 1, end=NOW + 3)) == ["bob", "alice@example.com"]


def test_from_equal_to_is_invalid_time_range(audit: Any) -> None:
    error = _refused(_get, audit, start=NOW, end=NOW)
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidTimeRange", 400)


def test_negative_from_is_parameter_invalid(audit: Any) -> None:
    error = _refused(_get, audit, start=-1)
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_topic_selects_one_topic(audit: Any) -> None:
    assert _users(_get(audit, topic="rotation")) == ["carol", "dave"]


def test_line_and_offset_page_through_results(audit: Any) -> None:
    assert _users(_get(audit, line=2, offset=2)) == ["alice@example.com", "carol"]


def test_reverse_returns_newest_first(audit: Any) -> None:
    assert _users(_get(audit, line=2, reverse=True)) == ["Erin", "dave"]


def test_more_than_100_logs_are_fetched_in_pages_by_the_sdk(sls: Any) -> None:
    sls.put_logs(PutLogsRequest(PROJECT, STORE, "", "", [LogItem(NOW, [("i", str(i))]) for i in range(250)]))
    response = _get(sls, line=250)
    assert [int(log.get_contents()["i"]) for log in response.get_logs()] == list(range(250))


def test_line_above_100_is_served_as_100(sls: Any, sls_raw: SlsRaw) -> None:
    sls.put_logs(PutLogsRequest(PROJECT, STORE, "", "", [LogItem(NOW, [("i", str(i))]) for i in range(150)]))
    body, _ = _v2(sls_raw, sls, line=1000)
    assert body["meta"]["count"] == 100


def test_negative_line_is_invalid_line(audit: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_v2, sls_raw, audit, line=-1)
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidLine", 400)


def test_negative_offset_is_parameter_invalid(audit: Any) -> None:
    error = _refused(_get, audit, offset=-1)
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_v2_answer_is_lz4_compressed_when_the_sdk_asks(audit: Any) -> None:
    assert _get(audit).get_all_headers()["x-log-compresstype"] == "lz4"


# --- the query language -----------------------------------------------------------------


def test_key_value_query(audit: Any) -> None:
    assert _users(_get(audit, "result: error")) == ["bob", "dave"]


def test_key_value_query_without_a_space(audit: Any) -> None:
    assert _users(_get(audit, "user:carol")) == ["carol"]


def test_full_text_term_is_case_insensitive(audit: Any) -> None:
    assert _users(_get(audit, "erin")) == ["Erin"]


def test_suffix_wildcard(audit: Any) -> None:
    assert _users(_get(audit, "action: Create*")) == ["alice@example.com", "alice@example.com"]


def test_term_spanning_delimiters_matches_a_phrase(audit: Any) -> None:
    assert _users(_get(audit, "user: alice@example.com and action: CreateUser")) == ["alice@example.com"]


def test_and_or_not_with_parentheses(audit: Any) -> None:
    query = "(result: error or user: carol) AND NOT action: DeleteUser"
    assert _users(_get(audit, query)) == ["carol", "dave"]


def test_numeric_comparison(audit: Any) -> None:
    assert _users(_get(audit, "ms > 500")) == ["bob", "dave"]


def test_reserved_fields_are_searchable(audit: Any) -> None:
    assert _users(_get(audit, "__topic__: rotation and __source__: fc-host")) == ["carol", "dave"]


def test_count_star_returns_one_row_with_the_count(audit: Any) -> None:
    response = _get(audit, "result: ok | select count(*) as n")
    assert [log.get_contents() for log in response.get_logs()] == [{"n": "4"}]


def test_count_one_without_alias_is_column_col0(audit: Any) -> None:
    response = _get(audit, "* | SELECT COUNT(1)")
    assert [log.get_contents() for log in response.get_logs()] == [{"_col0": "6"}]


def test_sql_with_an_offset_is_parameter_invalid(audit: Any) -> None:
    error = _refused(_get, audit, "* | select count(*) as n", offset=1)
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_other_sql_is_parameter_invalid(audit: Any) -> None:
    error = _refused(_get, audit, "* | select user, count(*) group by user")
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_unparseable_query_is_parameter_invalid(audit: Any) -> None:
    error = _refused(_get, audit, "and source: *")
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


# --- v1 GET and histograms --------------------------------------------------------------


def test_v1_get_logs_answers_like_v2(audit: Any) -> None:
    audit._get_logs_v2_enabled = False
    response = _get(audit, "result: error", reverse=True)
    assert (_users(response), response.is_completed(), response.get_count()) == (["dave", "bob"], True, 2)


def test_v1_get_logs_sends_progress_and_count_headers(audit: Any) -> None:
    audit._get_logs_v2_enabled = False
    headers = _get(audit).get_all_headers()
    assert (headers["x-log-progress"], headers["x-log-count"]) == ("Complete", "6")


def test_v1_reverse_that_is_not_a_boolean_is_invalid_reverse(audit: Any, sls_raw: SlsRaw) -> None:
    params = {"type": "log", "from": str(NOW - 60), "to": str(NOW + 60), "reverse": "maybe"}
    error = _refused(sls_raw.send, audit, "GET", PROJECT, f"/logstores/{STORE}", b"", {}, params)
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidReverse", 400)


def test_histograms_count_matches_per_interval(audit: Any) -> None:
    response = audit.get_histograms(GetHistogramsRequest(PROJECT, STORE, NOW, NOW + 6, query="result: ok"))
    assert response.is_completed()
    assert [(h.get_from(), h.get_count()) for h in response.get_histograms()] == [
        (NOW, 1), (NOW + 1, 0), (NOW + 2, 1), (NOW + 3, 1), (NOW + 4, 0), (NOW + 5, 1)]


def test_histogram_with_sql_is_invalid_query_string(audit: Any) -> None:
    request = GetHistogramsRequest(PROJECT, STORE, NOW, NOW + 6, query="* | select count(*) as n")
    error = _refused(audit.get_histograms, request)
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidQueryString", 400)


def test_get_logs_on_a_missing_logstore_is_logstore_not_exist(sls: Any) -> None:
    error = _refused(sls.get_logs, GetLogsRequest(PROJECT, "nowhere", NOW, NOW + 1))
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreNotExist", 404)


def test_get_logs_on_a_missing_project_is_project_not_exist(sls: Any) -> None:
    error = _refused(sls.get_logs, GetLogsRequest("no-such-project", STORE, NOW, NOW + 1))
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectNotExist", 404)
