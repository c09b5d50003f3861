"""The SLS adapter's pure parts: endpoint choice, direct addressing, error mapping, the index, the
searches it sends."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from aliyun.log import LogException
from rampart.adapters.sls import (
    AUDIT_FIELDS,
    HELD,
    RELEASES,
    REMOVAL_COUNT,
    SETTLED,
    _addressed_directly,
    _split,
    action_search,
    correlation_search,
    endpoint_url,
    event_search,
    handover_search,
    index_config,
    phrase,
    removal_search,
    sls_error,
    user_search,
)
from rampart.config import Settings
from rampart.errors import CloudError, PermissionDenied


def settings(endpoint: str | None = None) -> Settings:
    overrides = {"endpoint": endpoint} if endpoint else {}
    return Settings.from_env({}, access_key_id="LTAI", access_key_secret="secret-value", region="cn-shanghai",
                             **overrides)


def test_the_public_endpoint_is_the_regions_over_https() -> None:
    assert endpoint_url(settings()) == "https://cn-shanghai.log.aliyuncs.com"


def test_a_rampart_endpoint_is_used_over_plain_http() -> None:
    assert endpoint_url(settings("127.0.0.1:8080")) == "http://127.0.0.1:8080"


@pytest.mark.parametrize(("endpoint", "direct"), [
    ("http://127.0.0.1:8080", True), ("http://[::1]:8080", True), ("http://localhost:9000", True),
    ("https://cn-hangzhou.log.aliyuncs.com", False), ("http://my-host.internal:80", False),
])
def test_only_ip_and_localhost_endpoints_are_addressed_directly(endpoint: str, direct: bool) -> None:
    assert _addressed_directly(endpoint) is direct


def test_a_ram_denial_becomes_permission_denied() -> None:
    exc = LogException("Unauthorized", "denied by sts or ram, action: log:PostLogStoreLogs, resource: acs:log:...",
                       "5642FC2399248C8F7B0145FD", 401)
    error = sls_error("PutLogs", exc)
    assert isinstance(error, PermissionDenied)
    assert (error.service, error.action, error.code, error.request_id, error.status) == (
        "sls", "PutLogs", "Unauthorized", "5642FC2399248C8F7B0145FD", 401)


def test_other_failures_become_cloud_errors_with_redacted_messages() -> None:
    error = sls_error("PutLogs", LogException("LogRequestError", "failed, AccessKeySecret=abcdef123 in request"))
    assert type(error) is CloudError
    assert "abcdef123" not in str(error)
    assert error.status is None  # a client-side failure has no HTTP status


def test_the_index_covers_every_audit_field_and_counts_duration_as_a_number() -> None:
    keys = index_config().to_json()["keys"]
    assert set(keys) == set(AUDIT_FIELDS)
    assert keys["duration_ms"]["type"] == "long"
    assert keys["action"]["type"] == "text" and keys["action"]["doc_value"] is True


def test_a_time_splits_into_seconds_and_nanoseconds_and_must_be_aware() -> None:
    assert _split(datetime(1970, 1, 1, 0, 0, 5, 123456, tzinfo=timezone.utc)) == (5, 123456000)
    with pytest.raises(ValueError, match="time zone"):
        _split(datetime(2024, 1, 1))


# --- the searches: the adapter is the only place that speaks SLS's query syntax -----------------


def test_a_phrase_escapes_quotes_and_backslashes() -> None:
    assert phrase('a"b\\c') == '"a\\"b\\\\c"'


def test_the_removal_searches_are_the_ones_a_late_event_makes() -> None:
    assert removal_search() == "action: removal and result: ok"
    assert removal_search(person_id="p-1") == 'action: removal and result: ok and person_id: "p-1"'
    assert removal_search(user_name="alice") == 'action: removal and result: ok and target: "alice"'
    assert removal_search(user_name="alice", correlation_id="c-1") == (
        'action: removal and result: ok and target: "alice" and correlation_id: "c-1"')


def test_the_breaker_counts_removals_and_reads_releases_and_held_events() -> None:
    assert REMOVAL_COUNT == 'action: "removal" and result: ok | select count(*) as n'
    assert RELEASES == 'action: "breaker-release" and result: ok'
    assert HELD == 'action: "event" and result: held'
    assert SETTLED == 'action: "event" and not result: held'


def test_the_searches_by_field_quote_every_value() -> None:
    assert correlation_search('c"1') == 'correlation_id: "c\\"1"'
    assert event_search("e-1") == 'event_id: "e-1"'
    assert handover_search("alice") == 'action: "handover" and target: "alice"'
    assert user_search("alice") == 'target: "alice"'
    assert user_search("alice", "p-1") == 'target: "alice" or person_id: "p-1"'
    assert action_search("notify") == 'action: "notify"'
    assert action_search("notify", "c-1") == 'action: "notify" and correlation_id: "c-1"'


def test_a_search_cannot_be_widened_by_a_value() -> None:
    """A value is one phrase however it is spelt: an operator or a quote in it stays inside."""
    search = removal_search(person_id='x" or action: *')
    assert search == 'action: removal and result: ok and person_id: "x\\" or action: *"'
