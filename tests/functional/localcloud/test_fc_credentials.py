"""A function's role: FC assumes it, and the handler acts with exactly its permissions."""

from __future__ import annotations

import json

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud

FUNCS = "tests/functional/localcloud/fcfuncs"


def trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "1",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": [service]}}],
        }
    )


def make_role(ram: Ram, name: str, *system_policies: str, service: str = "fc.aliyuncs.com") -> str:
    role = ram.create_role(ram_models.CreateRoleRequest(role_name=name, assume_role_policy_document=trust(service)))
    for policy in system_policies:
        ram.attach_policy_to_role(
            ram_models.AttachPolicyToRoleRequest(policy_type="System", policy_name=policy, role_name=name)
        )
    return str(role.body.role.arn)


@pytest.fixture
def fc3(cloud: LocalCloud) -> Fc3:
    return Fc3(cloud.config())


def test_the_handler_has_exactly_its_roles_permissions(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    make_role(ram, "auditor", "AliyunRAMReadOnlyAccess")
    ram.create_user(ram_models.CreateUserRequest(user_name="alice"))
    cloud.functions.register("check", f"{FUNCS}/ramcheck.handler", role="auditor", timeout=30)
    body = json.dumps(["ListUsers", "GetUser", "CreateUser"]).encode()
    result = json.loads(fc3.invoke_function("check", fc3_models.InvokeFunctionRequest(body=body)).body.read())
    assert result["ListUsers"] == "ok"
    assert result["GetUser"] == "ok"
    assert result["CreateUser"] == "NoPermission"
    with pytest.raises(ClientException) as gone:
        ram.get_user(ram_models.GetUserRequest(user_name="mallory"))
    assert gone.value.code == "EntityNotExist.User"


def test_a_role_given_as_an_arn_works_too(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    arn = make_role(ram, "auditor", "AliyunRAMReadOnlyAccess")
    cloud.functions.register("check", f"{FUNCS}/ramcheck.handler", role=arn, timeout=30)
    result = json.loads(fc3.invoke_function("check", fc3_models.InvokeFunctionRequest(body=b'["ListUsers"]')).body.read())
    assert result["ListUsers"] == "ok"


def test_context_credentials_are_the_environment_credentials(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    make_role(ram, "auditor", "AliyunRAMReadOnlyAccess")
    cloud.functions.register("check", f"{FUNCS}/ramcheck.handler", role="auditor", timeout=30)
    result = json.loads(fc3.invoke_function("check", fc3_models.InvokeFunctionRequest(body=b"[]")).body.read())
    assert result["context_key_matches_env"] is True


def test_the_credentials_are_an_sts_session_of_the_role(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    make_role(ram, "auditor")
    cloud.functions.register("env", f"{FUNCS}/basic.environment", role="auditor")
    names = json.dumps(["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_SECURITY_TOKEN"]).encode()
    seen = json.loads(fc3.invoke_function("env", fc3_models.InvokeFunctionRequest(body=names)).body.read())
    assert seen["ALIBABA_CLOUD_ACCESS_KEY_ID"].startswith("STS.")
    session = cloud.state.sts.find(seen["ALIBABA_CLOUD_ACCESS_KEY_ID"])
    assert session is not None and session.role_name == "auditor"


def test_a_role_that_does_not_trust_fc_is_access_denied(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    make_role(ram, "ecs-only", service="ecs.aliyuncs.com")
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", role="ecs-only")
    with pytest.raises(ClientException) as caught:
        fc3.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "AccessDenied"
    assert caught.value.status_code == 403
    assert "does not trust fc.aliyuncs.com" in caught.value.message


def test_a_missing_role_is_access_denied(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", role="ghost")
    with pytest.raises(ClientException) as caught:
        fc3.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "AccessDenied"


def test_a_handler_can_synchronously_invoke_another_function(cloud: LocalCloud, fc3: Fc3, ram: Ram) -> None:
    make_role(ram, "invoker", "AliyunFCInvocationAccess")
    cloud.functions.register("outer", f"{FUNCS}/nested.handler", role="invoker", env={"WHO": "outer"}, timeout=30)
    cloud.functions.register("inner", f"{FUNCS}/basic.env_value", env={"WHO": "inner"})
    response = fc3.invoke_function("outer", fc3_models.InvokeFunctionRequest(body=b"inner"))
    assert response.body.read() == b"outer saw: inner / env still outer"
