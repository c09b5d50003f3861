"""Registering functions through ``POST /_localcloud/functions`` and the Python API's rules."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3

from localcloud import LocalCloud
from localcloud.fc.functions import FunctionConfigError
from localcloud.fc.runtime.loader import HandlerLoadError
from tests.functional.localcloud.types import Admin

FUNCS = "tests/functional/localcloud/fcfuncs"



def test_a_function_registered_by_the_admin_route_can_be_invoked(cloud: LocalCloud, admin: Admin) -> None:
    status, body = admin("POST", "/functions",
        {
            "name": "lifecycle", "handler": f"{FUNCS}/basic.echo", "env": {"STAGE": "test"}, "role": "fc-role",
            "async": {"max_retries": 3, "max_event_age": 86400, "on_failure": "dead_letters"},
        },
    )
    assert status == 200
    assert body["name"] == "lifecycle" and body["async"]["on_failure"] == "dead_letters"
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    assert Fc3(cloud.config()).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"hi")).body.read() == b"hi"


def test_the_functions_route_lists_registrations(cloud: LocalCloud, admin: Admin) -> None:
    admin("POST", "/functions", {"name": "a", "handler": f"{FUNCS}/basic.echo"})
    admin("POST", "/functions", {"name": "b", "handler": f"{FUNCS}/basic.echo", "service": "svc"})
    status, body = admin("GET", "/functions")
    assert status == 200
    assert sorted(f["name"] for f in body["functions"]) == ["a", "svc$b"]


def test_delete_forgets_every_function(cloud: LocalCloud, admin: Admin) -> None:
    admin("POST", "/functions", {"name": "a", "handler": f"{FUNCS}/basic.echo"})
    assert admin("DELETE", "/functions")[0] == 200
    assert admin("GET", "/functions")[1] == {"functions": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"handler": f"{FUNCS}/basic.echo"}, '"name" is required'),
        ({"name": "1abc", "handler": f"{FUNCS}/basic.echo"}, "not starting with a digit"),
        ({"name": "a" * 65, "handler": f"{FUNCS}/basic.echo"}, "function name"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "colour": "red"}, "unknown key"),
        ({"name": "f", "handler": f"{FUNCS}/missing.handler"}, "no file"),
        ({"name": "f", "handler": f"{FUNCS}/basic.nothing"}, "has no function 'nothing'"),
        ({"name": "f", "handler": "nodots"}, "path/to/module.function"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "env": {"FC_X": "1"}}, "reserved prefix FC_"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "env": {"1X": "1"}}, "start with a letter"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "env": {"BIG": "x" * 4096}}, "at most 4096"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "memory": 100}, "multiples of 64"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "timeout": 0}, "1-86400"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "runtime": "nodejs18"}, "not served"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "async": {"max_retries": 9}}, "0 to 8"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "async": {"max_event_age": 604801}}, "1 to 604800"),
        ({"name": "f", "handler": f"{FUNCS}/basic.echo", "async": {"retries": 1}}, "unknown key"),
    ],
)
def test_an_invalid_registration_is_refused_with_the_reason(cloud: LocalCloud, body: dict[str, Any], message: str, admin: Admin) -> None:
    status, answer = admin("POST", "/functions", body)
    assert status == 400
    assert message in answer["error"]


def test_the_python_api_applies_the_same_rules(cloud: LocalCloud) -> None:
    with pytest.raises(FunctionConfigError, match="reserved prefix"):
        cloud.functions.register("f", f"{FUNCS}/basic.echo", env={"FC_REGION": "x"})
    with pytest.raises(HandlerLoadError, match="no file"):
        cloud.functions.register("f", f"{FUNCS}/absent.handler")


def test_a_python_callable_can_be_registered(cloud: LocalCloud) -> None:
    def shout(event: bytes, context: Any) -> bytes:
        return event.upper()

    cloud.functions.register("shout", shout)
    assert Fc3(cloud.config()).invoke_function("shout", fc3_models.InvokeFunctionRequest(body=b"hi")).body.read() == b"HI"


def test_a_dotted_module_handler_is_imported(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", "tests.functional.localcloud.fcfuncs.basic.echo")
    assert Fc3(cloud.config()).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"x")).body.read() == b"x"


def test_the_code_root_anchors_handler_paths(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", "basic.echo", code_root=FUNCS)
    assert Fc3(cloud.config()).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"x")).body.read() == b"x"
