"""Admin routes under /_localcloud: health, reset, clock, authorize (JSON, loopback only)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.admin import _is_loopback
from localcloud.core.clock import parse_iso
from tests.functional.localcloud.types import MakeUser


def _admin(cloud: LocalCloud, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = requests.request(method, f"http://{cloud.endpoint}/_localcloud{path}", json=body, timeout=10)
    return response.status_code, response.json()


def test_health_answers_ok_with_the_clock(cloud: LocalCloud) -> None:
    status, body = _admin(cloud, "GET", "/health")
    assert status == 200
    assert body["status"] == "ok"
    assert abs(parse_iso(body["now"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_info_matches_the_serve_first_line_fields(cloud: LocalCloud) -> None:
    status, body = _admin(cloud, "GET", "/info")
    assert status == 200
    assert body == cloud.info()


def test_clock_set_moves_now(cloud: LocalCloud) -> None:
    status, body = _admin(cloud, "POST", "/clock", {"set": "2030-01-01T00:00:00Z"})
    assert status == 200
    assert body["now"].startswith("2030-01-01T00:00")


def test_clock_advance_adds_seconds(cloud: LocalCloud) -> None:
    before = cloud.now()
    status, body = _admin(cloud, "POST", "/clock", {"advance": 86400})
    assert status == 200
    assert parse_iso(body["now"]) - before >= timedelta(days=1) - timedelta(seconds=1)


@pytest.mark.parametrize(
    "body",
    [{}, {"set": "not a time"}, {"advance": "soon"}, {"advance": True}, {"set": "2030-01-01T00:00:00Z", "advance": 1}],
)
def test_clock_bad_input_is_400_and_leaves_the_clock(cloud: LocalCloud, body: dict[str, Any]) -> None:
    offset = cloud.state.clock.offset_seconds
    status, answer = _admin(cloud, "POST", "/clock", body)
    assert status == 400
    assert answer["error"]
    assert cloud.state.clock.offset_seconds == offset


def test_reset_forgets_every_resource(cloud: LocalCloud, ram: Ram) -> None:
    ram.create_user(ram_models.CreateUserRequest(user_name="temp"))
    status, _ = _admin(cloud, "POST", "/reset")
    assert status == 200
    with pytest.raises(ClientException) as info:
        ram.get_user(ram_models.GetUserRequest(user_name="temp"))
    assert info.value.code == "EntityNotExist.User"


def test_authorize_answers_allow_with_the_statement(cloud: LocalCloud, make_user: MakeUser) -> None:
    make_user("reader", "AliyunRAMReadOnlyAccess")
    status, body = _admin(cloud, "POST", "/authorize",
                          {"user": "reader", "action": "ram:ListUsers", "resource": "acs:ram:*:*:user/*"})
    assert status == 200
    assert body["decision"] == "allow"
    assert body["policy"] == "System:AliyunRAMReadOnlyAccess"
    assert "ram:List*" in body["statement"]["Action"]


def test_authorize_answers_deny_for_services_localcloud_does_not_serve(cloud: LocalCloud, make_user: MakeUser) -> None:
    make_user("reader", "AliyunRAMReadOnlyAccess")
    status, body = _admin(cloud, "POST", "/authorize", {
        "user": "reader", "action": "arms:ReadTraceApp", "resource": "acs:arms:cn-hangzhou:*:armsapp/shop"})
    assert (status, body["decision"], body["statement"]) == (200, "deny", None)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"action": "ram:GetUser", "resource": "*"}, 400),
        ({"user": "x", "role": "y", "action": "ram:GetUser", "resource": "*"}, 400),
        ({"user": "x", "resource": "*"}, 400),
        ({"user": "ghost", "action": "ram:GetUser", "resource": "*"}, 404),
    ],
)
def test_authorize_bad_request_says_what_is_wrong(cloud: LocalCloud, body: dict[str, Any], status: int) -> None:
    answer_status, answer = _admin(cloud, "POST", "/authorize", body)
    assert answer_status == status
    assert answer["error"]


def test_non_json_admin_body_is_400(cloud: LocalCloud) -> None:
    response = requests.post(f"http://{cloud.endpoint}/_localcloud/clock", data=b"{oops", timeout=10)
    assert response.status_code == 400


def test_unknown_admin_route_lists_the_known_ones(cloud: LocalCloud) -> None:
    status, body = _admin(cloud, "GET", "/nope")
    assert status == 404
    assert "POST /_localcloud/reset" in body["routes"]


@pytest.mark.parametrize(("ip", "expected"), [("127.0.0.1", True), ("::1", True), ("10.0.0.5", False), ("x", False)])
def test_admin_routes_answer_only_loopback_addresses(ip: str, expected: bool) -> None:
    assert _is_loopback(ip) is expected
