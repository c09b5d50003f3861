"""The SLS adapter's pure parts: endpoint choice, direct addressing, error mapping, the index."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from aliyun.log import LogException
from rampart.adapters.sls import AUDIT_FIELDS, _addressed_directly, _split, endpoint_url, index_config, sls_error
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
