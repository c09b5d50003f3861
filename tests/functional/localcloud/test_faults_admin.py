"""The fault admin routes: strict validation, listing, clearing, the log."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.faults.rules import FaultSpecError
from tests.functional.localcloud.types import Admin


def test_a_posted_rule_is_armed_and_listed(cloud: LocalCloud, ram: Ram, admin: Admin) -> None:
    status, body = admin("POST", "/faults",
        {"service": "ram", "action": "CreateUser", "kind": "error", "code": "Boom", "status": 400, "count": 1},
    )
    assert status == 200
    [rule] = body["faults"]
    assert rule["id"] and rule["remaining"] == 1
    with pytest.raises(ClientException) as caught:
        ram.create_user(ram_models.CreateUserRequest(user_name="alice"))
    assert caught.value.code == "Boom"
    status, listed = admin("GET", "/faults")
    assert status == 200
    assert [(r["id"], r["fired"], r["remaining"]) for r in listed["faults"]] == [(rule["id"], 1, 0)]


def test_several_rules_can_be_posted_at_once(cloud: LocalCloud, admin: Admin) -> None:
    rules = [{"service": "ram", "kind": "drop"}, {"service": "kms", "kind": "latency", "latency_ms": [5, 10]}]
    status, body = admin("POST", "/faults", {"faults": rules})
    assert status == 200
    assert [r["kind"] for r in body["faults"]] == ["drop", "latency"]


def test_one_invalid_rule_arms_none_of_a_batch(cloud: LocalCloud, admin: Admin) -> None:
    rules = [{"service": "ram", "kind": "drop"}, {"service": "ram", "kind": "explode"}]
    status, body = admin("POST", "/faults", {"faults": rules})
    assert status == 400
    assert body["error"].startswith("rule 1:")
    assert admin("GET", "/faults")[1] == {"faults": []}


def test_the_log_route_lists_injected_faults(cloud: LocalCloud, ram: Ram, admin: Admin) -> None:
    admin("POST", "/faults", {"service": "ram", "action": "GetUser", "kind": "latency", "latency_ms": 1})
    with pytest.raises(ClientException):
        ram.get_user(ram_models.GetUserRequest(user_name="nobody"))
    status, body = admin("GET", "/faults/log")
    assert status == 200
    assert body["count"] == 1
    [entry] = body["log"]
    assert (entry["service"], entry["action"], entry["kind"], entry["latency_ms"]) == ("ram", "GetUser", "latency", 1.0)


def test_delete_disarms_every_rule_and_empties_the_log(cloud: LocalCloud, ram: Ram, admin: Admin) -> None:
    admin("POST", "/faults", {"service": "ram", "kind": "latency", "latency_ms": 1})
    ram.create_user(ram_models.CreateUserRequest(user_name="alice"))
    assert admin("DELETE", "/faults") == (200, {"cleared": 1})
    assert admin("GET", "/faults/log")[1] == {"count": 0, "log": []}
    assert admin("GET", "/faults")[1] == {"faults": []}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"service": "ram", "kind": "error", "colour": "red"}, "unknown field(s) ['colour']"),
        ({"service": "ecs", "kind": "error"}, '"service" must be one of'),
        ({"service": "ims", "kind": "error"}, 'use "service": "ram"'),
        ({"service": "ram"}, '"kind" must be one of'),
        ({"service": "ram", "kind": "error", "action": ""}, '"action" must be'),
        ({"service": "ram", "kind": "latency"}, 'needs "latency_ms"'),
        ({"service": "ram", "kind": "latency", "latency_ms": [5]}, "[min, max]"),
        ({"service": "ram", "kind": "latency", "latency_ms": [9, 5]}, "min above max"),
        ({"service": "ram", "kind": "latency", "latency_ms": -1}, "numbers from 0"),
        ({"service": "ram", "kind": "latency", "latency_ms": 5, "code": "X"}, "applies only to kind error or throttle"),
        ({"service": "ram", "kind": "error", "latency_ms": 5}, "applies only to kind latency"),
        ({"service": "ram", "kind": "error", "retry_after_ms": 5}, "applies only to kind throttle"),
        ({"service": "ram", "kind": "error", "status": 200}, "from 400 to 599"),
        ({"service": "ram", "kind": "error", "code": ""}, '"code" must be a non-empty string'),
        ({"service": "ram", "kind": "throttle", "retry_after_ms": 0}, "positive integer"),
        ({"service": "ram", "kind": "drop", "count": 0}, '"count" must be a positive integer'),
        ({"service": "ram", "kind": "drop", "probability": 1.5}, "(0, 1]"),
        ({"service": "ram", "kind": "drop", "count": 1, "probability": 0.5}, "not both"),
        ({"service": "ram", "kind": "drop", "seed": "x"}, '"seed" must be an integer'),
    ],
)
def test_an_invalid_rule_is_refused_with_the_reason(cloud: LocalCloud, rule: dict[str, Any], message: str, admin: Admin) -> None:
    status, body = admin("POST", "/faults", rule)
    assert status == 400
    assert message in body["error"]


def test_the_python_api_validates_the_same_way(cloud: LocalCloud) -> None:
    with pytest.raises(FaultSpecError, match="not both"):
        cloud.faults.add("ram", "drop", count=1, probability=0.5)
