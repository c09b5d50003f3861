"""SLS wire details as pure functions: Host addressing, router claims, StringToSign, body codecs."""

from __future__ import annotations

import zlib

import lz4.block
import pytest

from localcloud import LocalCloud
from localcloud.core.http import HttpRequest
from localcloud.sls import errors
from localcloud.sls.protocol import auth, codec
from localcloud.sls.routes import SlsRouter, project_of
from tests.functional.localcloud.types import SlsRaw


@pytest.mark.parametrize(("host", "project"), [
    ("my-project.127.0.0.1", "my-project"), ("my-project.127.0.0.1:8080", "my-project"), ("127.0.0.1", ""),
    ("127.0.0.1:8080", ""), ("my-project.cn-hangzhou.log.aliyuncs.com", "my-project"),
    ("cn-hangzhou.log.aliyuncs.com", ""), ("cn-hangzhou-intranet.log.aliyuncs.com", ""), ("localhost", ""),
    ("p1.localhost", "p1"), ("", ""),
])
def test_project_is_the_first_label_of_the_host(host: str, project: str) -> None:
    assert project_of(host) == project


def _request(headers: dict[str, str], method: str = "GET", target: str = "/logstores") -> HttpRequest:
    return HttpRequest(method, target, {k.lower(): v for k, v in headers.items()}, b"", "127.0.0.1")


@pytest.mark.parametrize(("headers", "claimed"), [
    ({"authorization": "LOG ak:sig", "host": "p.127.0.0.1"}, True),
    ({"authorization": "SLS4-HMAC-SHA256 Credential=ak/20260101/cn-hangzhou/sls/aliyun_v4_request,Signature=x"}, True),
    ({"x-log-apiversion": "0.6.0", "host": "p.127.0.0.1"}, True),
    ({"authorization": "ACS3-HMAC-SHA256 Credential=ak", "x-acs-action": "CreateUser"}, False),
    ({"authorization": "LOG ak:sig", "x-acs-action": "CreateUser"}, False),
    ({}, False),
])
def test_router_claims_only_sls_requests(headers: dict[str, str], claimed: bool) -> None:
    router = SlsRouter(lambda: None)  # type: ignore[arg-type,return-value]  # identify never reads state
    assert (router.identify(_request(headers)) is not None) is claimed


@pytest.mark.parametrize(("method", "target", "host", "action"), [
    ("GET", "/", "127.0.0.1", "ListProject"), ("POST", "/", "p.127.0.0.1", "CreateProject"),
    ("GET", "/logstores/ls?type=log&from=1&to=2", "p.127.0.0.1", "GetLogs"),
    ("GET", "/logstores/ls?type=histogram", "p.127.0.0.1", "GetHistograms"),
    ("GET", "/logstores/ls", "p.127.0.0.1", "GetLogStore"), ("POST", "/logstores/ls/logs", "p.127.0.0.1", "GetLogs"),
    ("POST", "/logstores/ls/shards/route?key=ab", "p.127.0.0.1", "PutLogs"),
    ("GET", "/machinegroups", "p.127.0.0.1", "Unknown"),
])
def test_router_names_the_action(method: str, target: str, host: str, action: str) -> None:
    router = SlsRouter(lambda: None)  # type: ignore[arg-type,return-value]
    request = _request({"authorization": "LOG ak:sig", "host": host}, method, target)
    assert router.identify(request) == ("sls", action)


def test_v1_string_to_sign_matches_the_captured_sdk_request() -> None:
    # wire-protocol.md §3.3, the put_logs capture: x-log-date is not signed, x-log-* are sorted.
    headers = {
        "x-log-bodyrawsize": "102", "content-type": "application/x-protobuf", "x-log-compresstype": "lz4",
        "content-length": "103", "x-log-apiversion": "0.6.0", "host": "my-project.127.0.0.1",
        "x-log-signaturemethod": "hmac-sha1", "date": "Sat, 28 Nov 2026 03:33:13 GMT",
        "content-md5": "E7B0B76216946386F52FB28F55A24E0F", "x-log-date": "Sat, 28 Nov 2026 03:33:13 GMT",
    }
    request = HttpRequest("POST", "/logstores/my-logstore/shards/lb", headers, b"x", "127.0.0.1")
    assert auth.v1_string_to_sign(request) == (
        "POST\nE7B0B76216946386F52FB28F55A24E0F\napplication/x-protobuf\nSat, 28 Nov 2026 03:33:13 GMT\n"
        "x-log-apiversion:0.6.0\nx-log-bodyrawsize:102\nx-log-compresstype:lz4\nx-log-signaturemethod:hmac-sha1\n"
        "/logstores/my-logstore/shards/lb"
    )


def test_v1_canonical_query_is_sorted_and_not_url_encoded() -> None:
    headers = {"date": "Sat, 28 Nov 2026 03:34:01 GMT", "x-log-apiversion": "0.6.0", "x-log-bodyrawsize": "0",
               "x-log-signaturemethod": "hmac-sha1"}
    target = "/logstores?logstoreName=my+store&x=%C3%BC&offset=0&size=10"
    request = HttpRequest("GET", target, headers, b"", "127.0.0.1")
    assert auth.v1_string_to_sign(request).endswith("\n/logstores?logstoreName=my store&offset=0&size=10&x=ü")


def test_deflate_body_in_zlib_format_decodes(sls_raw: SlsRaw) -> None:
    raw = sls_raw.one_log_group()
    assert codec.decompress(zlib.compress(raw), "deflate", str(len(raw))) == raw


def test_deflate_body_in_raw_rfc1951_format_decodes(sls_raw: SlsRaw) -> None:
    raw = sls_raw.one_log_group()
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = packer.compress(raw) + packer.flush()
    assert codec.decompress(body, "deflate", str(len(raw))) == raw


def test_lz4_body_decodes_with_its_raw_size(sls_raw: SlsRaw) -> None:
    raw = sls_raw.one_log_group()
    assert codec.decompress(lz4.block.compress(raw, store_size=False), "LZ4", str(len(raw))) == raw


def test_zstd_is_refused_as_invalid_compress_type() -> None:
    with pytest.raises(errors.InvalidCompressType):
        codec.decompress(b"x", "zstd", "10")


def test_decoded_group_keeps_values_as_bytes(sls_raw: SlsRaw) -> None:
    group = codec.decode_group(sls_raw.log_group([(1700000000, [("k", "v")])], topic="t", source="s"))
    assert (group.topic, group.source, group.logs[0].contents) == ("t", "s", (("k", b"v"),))


def test_log_client_accepts_a_host_port_string(cloud: LocalCloud) -> None:
    from localcloud.sls.client import log_client

    info = cloud.info()
    client = log_client(cloud.endpoint, info["access_key_id"], info["access_key_secret"], source="h")
    assert client.list_project().get_total() == 0


def test_a_client_behind_a_proxy_reaches_localcloud_with_a_regional_endpoint(cloud: LocalCloud) -> None:
    # wire-protocol.md §3.1 option 2: absolute-form request targets, project still in Host.
    from aliyun.log import LogClient

    info = cloud.info()
    client = LogClient("cn-hangzhou.log.aliyuncs.com", info["access_key_id"], info["access_key_secret"], source="h")
    session = client._session  # type: ignore[attr-defined]  # the SDK's requests.Session, set in __init__
    session.proxies = {"http": f"http://{cloud.endpoint}"}
    session.trust_env = False
    client.create_project("via-proxy", "")
    projects = client.list_project().get_projects()  # type: ignore[no-untyped-call]
    assert [p["projectName"] for p in projects] == ["via-proxy"]


def test_an_injected_sls_fault_reaches_the_sdk_in_sls_format(cloud: LocalCloud) -> None:
    from aliyun.log import LogException

    from localcloud.sls.client import log_client

    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="h")
    cloud.faults.add("sls", "throttle", action="ListProject", count=1)
    try:
        with pytest.raises(LogException) as caught:
            client.list_project()
    finally:
        cloud.faults.clear()
    error = caught.value
    assert (error.get_error_code(), error.get_resp_status(), len(error.get_request_id())) == ("WriteQuotaExceed", 403, 24)
