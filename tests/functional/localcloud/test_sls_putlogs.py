"""PutLogs through ``aliyun.log.LogClient``: each compression, the documented limits and codes.

The SDK's ``put_logs`` sends lz4 (default) or no compression; deflate bodies and malformed
ones go through the SDK's own ``_send`` (its signing and HTTP path, our body), see sls_raw.
"""

from __future__ import annotations

import time
import zlib
from typing import Any

import lz4.block
import pytest
from aliyun.log import GetLogsRequest, LogException, LogItem, PutLogsRequest

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from tests.functional.localcloud.types import SlsRaw

PROJECT, STORE = "audit-trail", "events"
PUT = f"/logstores/{STORE}/shards/lb"


@pytest.fixture
def sls(cloud: LocalCloud, sls_raw: SlsRaw) -> Any:
    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
    client.create_project(PROJECT, "")
    client.create_logstore(PROJECT, STORE, ttl=30)
    client.create_index(PROJECT, STORE, sls_raw.index_config())
    return client


def _put(sls: Any, items: list[LogItem], **options: Any) -> Any:
    return sls.put_logs(PutLogsRequest(PROJECT, STORE, options.pop("topic", ""), options.pop("source", None),
                                       items, **options))


def _all(sls: Any, now: int) -> list[dict[str, Any]]:
    found = sls.get_logs(GetLogsRequest(PROJECT, STORE, now - 3600, now + 3600))
    return [log.get_contents() | {"__time__": log.get_time(), "__source__": log.get_source()} for log in found.get_logs()]


def _refused(call: Any, *args: Any, **kwargs: Any) -> LogException:
    with pytest.raises(LogException) as info:
        call(*args, **kwargs)
    return info.value


def _send(sls_raw: SlsRaw, sls: Any, body: bytes, headers: dict[str, str]) -> Any:
    return sls_raw.send(sls, "POST", PROJECT, PUT, body, {"Content-Type": "application/x-protobuf", **headers})


# --- round trips ------------------------------------------------------------------------


def test_lz4_put_logs_round_trip(sls: Any) -> None:
    now = int(time.time())
    _put(sls, [LogItem(now, [("msg", "hello wörld")])])
    assert [row["msg"] for row in _all(sls, now)] == ["hello wörld"]


def test_uncompressed_put_logs_round_trip(sls: Any) -> None:
    now = int(time.time())
    _put(sls, [LogItem(now, [("msg", "plain")])], compress=False)
    assert [row["msg"] for row in _all(sls, now)] == ["plain"]


def test_deflate_put_logs_round_trip(sls: Any, sls_raw: SlsRaw) -> None:
    raw = sls_raw.log_group([(int(time.time()), [("msg", "deflated")])])
    _send(sls_raw, sls, zlib.compress(raw), {"x-log-compresstype": "deflate", "x-log-bodyrawsize": str(len(raw))})
    assert [row["msg"] for row in _all(sls, int(time.time()))] == ["deflated"]


def test_put_logs_with_a_hash_key_goes_to_the_route_path(sls: Any) -> None:
    now = int(time.time())
    _put(sls, [LogItem(now, [("msg", "routed")])], hashKey="14d2f850ad6ea48e46e4547edbbb27e0")
    assert [row["msg"] for row in _all(sls, now)] == ["routed"]


def test_put_logs_answers_200_with_a_request_id(sls: Any) -> None:
    response = _put(sls, [LogItem(int(time.time()), [("k", "v")])])
    assert len(response.get_request_id()) == 24


def test_stored_log_carries_time_source_topic_and_tags(sls: Any) -> None:
    now = int(time.time())
    _put(sls, [LogItem(now, [("k", "v")])], topic="lifecycle", source="fc-host", logtags=[("env", "test")])
    (row,) = _all(sls, now)
    assert (row["__time__"], row["__source__"], row["__topic__"], row["__tag__:env"]) == (
        now, "fc-host", "lifecycle", "test")
    assert "__tag__:__receive_time__" in row


def test_append_meta_logstore_records_the_client_ip(sls: Any) -> None:
    sls.update_logstore(PROJECT, STORE, append_meta=True)
    now = int(time.time())
    _put(sls, [LogItem(now, [("k", "v")])])
    assert _all(sls, now)[0]["__tag__:__client_ip__"] == "127.0.0.1"


# --- limits -----------------------------------------------------------------------------


def test_4096_logs_are_accepted(sls: Any) -> None:
    now = int(time.time())
    _put(sls, [LogItem(now, [("i", str(i))]) for i in range(4096)])
    assert sls.get_histograms(_histogram_request(now)).get_total_count() == 4096


def _histogram_request(now: int) -> Any:
    from aliyun.log import GetHistogramsRequest

    return GetHistogramsRequest(PROJECT, STORE, now - 60, now + 60)


def test_4097_logs_are_post_body_too_large(sls: Any) -> None:
    now = int(time.time())
    error = _refused(_put, sls, [LogItem(now, [("i", str(i))]) for i in range(4097)])
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyTooLarge", 400)


def test_log_group_over_3_mb_is_post_body_too_large(sls: Any) -> None:
    now = int(time.time())
    value = "x" * (800 * 1024)
    error = _refused(_put, sls, [LogItem(now, [("part", value)]) for _ in range(4)])
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyTooLarge", 400)


def test_value_over_1_mb_is_refused(sls: Any) -> None:
    error = _refused(_put, sls, [LogItem(int(time.time()), [("big", "x" * (1024 * 1024 + 1))])])
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyTooLarge", 400)


def test_log_older_than_7_days_is_post_body_invalid(sls: Any) -> None:
    old = int(time.time()) - 168 * 3600 - 60
    error = _refused(_put, sls, [LogItem(old, [("k", "v")])])
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "PostBodyInvalid", "The post data time is out of range", 400)


def test_log_more_than_15_minutes_ahead_is_post_body_invalid(sls: Any) -> None:
    error = _refused(_put, sls, [LogItem(int(time.time()) + 16 * 60, [("k", "v")])])
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyInvalid", 400)


def test_time_window_follows_localclouds_clock(cloud: LocalCloud, sls: Any) -> None:
    cloud.clock_advance(10 * 86400)
    later = int(cloud.now().timestamp())
    _put(sls, [LogItem(later, [("k", "v")])])
    assert len(_all(sls, later)) == 1


def test_refused_call_writes_no_log(sls: Any) -> None:
    now = int(time.time())
    _refused(_put, sls, [LogItem(now, [("k", "ok")]), LogItem(now + 3600, [("k", "late")])])
    assert _all(sls, now) == []


def test_logs_older_than_the_ttl_are_no_longer_returned(cloud: LocalCloud, sls: Any) -> None:
    sls.update_logstore(PROJECT, STORE, ttl=1)
    now = int(time.time())
    _put(sls, [LogItem(now, [("k", "v")])])
    cloud.clock_advance(2 * 86400)
    assert _all(sls, now) == []


# --- malformed bodies -------------------------------------------------------------------


def test_non_utf8_value_is_invalid_encoding(sls: Any) -> None:
    error = _refused(_put, sls, [LogItem(int(time.time()), [("k", b"\xff\xfe")])])  # type: ignore[list-item]  # bad input on purpose
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidEncoding", 400)


def test_empty_key_is_invalid_key(sls: Any) -> None:
    error = _refused(_put, sls, [LogItem(int(time.time()), [("", "v")])])
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidKey", 400)


def test_garbage_protobuf_is_post_body_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_send, sls_raw, sls, b"\xff\xff\xff\xff", {})
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyInvalid", 400)


def test_log_without_its_required_time_is_post_body_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_send, sls_raw, sls, b"\x0a\x00", {})  # LogGroup{Logs: [Log{}]}: Time missing
    assert error.get_error_code() == "PostBodyInvalid"


def test_corrupt_lz4_is_post_body_uncompress_error(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_send, sls_raw, sls, b"\xff\xff\xff", {"x-log-compresstype": "lz4", "x-log-bodyrawsize": "100"})
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyUncompressError", 400)


def test_lz4_shorter_than_its_raw_size_is_post_body_uncompress_error(sls: Any, sls_raw: SlsRaw) -> None:
    raw = sls_raw.one_log_group()
    body = lz4.block.compress(raw, store_size=False)
    error = _refused(_send, sls_raw, sls, body, {"x-log-compresstype": "lz4", "x-log-bodyrawsize": str(len(raw) + 7)})
    assert error.get_error_code() == "PostBodyUncompressError"


def test_raw_size_over_3_mb_is_post_body_too_large(sls: Any, sls_raw: SlsRaw) -> None:
    body = lz4.block.compress(sls_raw.one_log_group(), store_size=False)
    error = _refused(_send, sls_raw, sls, body, {"x-log-compresstype": "lz4", "x-log-bodyrawsize": str(3 * 1024 * 1024 + 1)})
    assert error.get_error_code() == "PostBodyTooLarge"


def test_compressed_body_without_raw_size_is_missing_body_raw_size(sls: Any, sls_raw: SlsRaw) -> None:
    body = lz4.block.compress(sls_raw.one_log_group(), store_size=False)
    error = _refused(_send, sls_raw, sls, body, {"x-log-compresstype": "lz4"})
    assert (error.get_error_code(), error.get_resp_status()) == ("MissingBodyRawSize", 400)


def test_non_numeric_raw_size_is_invalid_body_raw_size(sls: Any, sls_raw: SlsRaw) -> None:
    body = lz4.block.compress(sls_raw.one_log_group(), store_size=False)
    error = _refused(_send, sls_raw, sls, body, {"x-log-compresstype": "lz4", "x-log-bodyrawsize": "many"})
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidBodyRawSize", 400)


def test_unknown_compress_type_is_invalid_compress_type(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_send, sls_raw, sls, sls_raw.one_log_group(), {"x-log-compresstype": "snappy", "x-log-bodyrawsize": "10"})
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidCompressType", 400)


def test_json_body_is_invalid_content_type(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(sls_raw.send, sls, "POST", PROJECT, PUT, b"{}", {"Content-Type": "application/json"})
    assert (error.get_error_code(), error.get_resp_status()) == ("InvalidContentType", 415)


def test_put_to_a_missing_logstore_is_logstore_not_exist(sls: Any) -> None:
    request = PutLogsRequest(PROJECT, "nowhere", "", "", [LogItem(int(time.time()), [("k", "v")])])
    error = _refused(sls.put_logs, request)
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreNotExist", 404)


def test_put_to_a_missing_project_is_project_not_exist(sls: Any) -> None:
    request = PutLogsRequest("no-such-project", STORE, "", "", [LogItem(int(time.time()), [("k", "v")])])
    error = _refused(sls.put_logs, request)
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectNotExist", 404)


def test_body_not_matching_its_content_md5_is_post_body_invalid(cloud: LocalCloud, sls: Any, sls_raw: SlsRaw) -> None:
    info = cloud.info()
    signed = sls_raw.one_log_group()
    other = bytes(reversed(signed))
    response = sls_raw.tampered(info["access_key_id"], info["access_key_secret"], "POST", PROJECT, PUT, signed,
                               {"Content-Type": "application/x-protobuf"}, send_body=other)
    assert (response.status_code, response.json()["errorCode"]) == (400, "PostBodyInvalid")
