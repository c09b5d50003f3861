"""Synchronous InvokeFunction through both FC SDKs (fc20230330 and fc_open20210406)."""

from __future__ import annotations

import base64
import json
import os
import threading

import pytest
from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_fc_open20210406 import models as fc2_models
from alibabacloud_fc_open20210406.client import Client as Fc2
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser

FUNCS = "tests/functional/localcloud/fcfuncs"


@pytest.fixture
def fc3(cloud: LocalCloud) -> Fc3:
    return Fc3(cloud.config())


@pytest.fixture
def fc2(cloud: LocalCloud) -> Fc2:
    return Fc2(cloud.config())


def invoke3(fc3: Fc3, name: str, body: bytes = b"", **headers: str) -> fc3_models.InvokeFunctionResponse:
    return fc3.invoke_function_with_options(
        name,
        fc3_models.InvokeFunctionRequest(body=body),
        fc3_models.InvokeFunctionHeaders(**headers),
        RuntimeOptions(),
    )


def test_sync_invoke_3_0_returns_the_handler_bytes_with_a_request_id(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    response = fc3.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"payload \x00\xff"))
    assert response.status_code == 200
    assert response.body.read() == b"payload \x00\xff"
    assert response.headers["x-fc-request-id"].startswith("1-")
    assert "x-fc-error-type" not in response.headers


def test_sync_invoke_2_0_returns_the_handler_bytes(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", service="svc")
    response = fc2.invoke_function("svc", "echo", fc2_models.InvokeFunctionRequest(body=b"payload"))
    assert response.status_code == 200
    assert response.body == b"payload"
    assert response.headers["x-fc-request-id"]


def test_2_0_function_is_addressable_in_3_0_as_service_dollar_name(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", service="svc")
    response = fc3.invoke_function("svc$echo", fc3_models.InvokeFunctionRequest(body=b"via 3.0"))
    assert response.body.read() == b"via 3.0"


def test_handler_gets_bytes_event_and_a_python310_context(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("describe", f"{FUNCS}/basic.describe", memory=1024, timeout=30)
    response = fc3.invoke_function("describe", fc3_models.InvokeFunctionRequest(body=b"{}"))
    seen = json.loads(response.body.read())
    assert seen["event_type"] == "bytes"
    assert seen["request_id"] == response.headers["x-fc-request-id"]
    assert seen["region"] == cloud.account.region
    assert seen["account_id"] == cloud.account.account_id
    assert seen["function"] == {"name": "describe", "handler": f"{FUNCS}/basic.describe", "memory": 1024, "timeout": 30}
    assert seen["has_credentials"] and seen["has_service"]


def test_2_0_context_names_the_service(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("describe", f"{FUNCS}/basic.describe", service="svc")
    seen = json.loads(fc2.invoke_function("svc", "describe", fc2_models.InvokeFunctionRequest(body=b"")).body)
    assert seen["service_name"] == "svc"
    assert seen["function"]["name"] == "describe"


def test_python312_context_has_no_credentials_nor_service(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("describe", f"{FUNCS}/basic.describe", runtime="python3.12")
    seen = json.loads(fc3.invoke_function("describe", fc3_models.InvokeFunctionRequest(body=b"")).body.read())
    assert not seen["has_credentials"]
    assert not seen["has_service"]
    assert not seen["logger"]  # None until context.getLogger()


def test_str_return_is_sent_as_utf8(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("text", f"{FUNCS}/basic.text")
    assert fc3.invoke_function("text", fc3_models.InvokeFunctionRequest()).body.read() == "héllo".encode()


def test_dict_return_is_sent_as_json(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("as_dict", f"{FUNCS}/basic.as_dict")
    assert json.loads(fc3.invoke_function("as_dict", fc3_models.InvokeFunctionRequest()).body.read()) == {"ok": True, "n": 1}


def test_unhandled_exception_answers_200_with_error_type_and_fc_error_body(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("fail", f"{FUNCS}/basic.fail")
    response = fc3.invoke_function("fail", fc3_models.InvokeFunctionRequest(body=b"x"))
    assert response.status_code == 200
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    error = json.loads(response.body.read())
    assert error["errorMessage"] == "something is wrong"
    assert error["errorType"] == "ValueError"
    file_line, line, function, source = error["stackTrace"][-1]
    assert file_line.endswith('basic.py"') and line.startswith("line ")
    assert function == "in fail" and source == 'raise ValueError("something is wrong")'


def test_log_type_tail_returns_the_captured_log_base64(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("logs", f"{FUNCS}/basic.logs")
    response = invoke3(fc3, "logs", x_fc_log_type="Tail")
    log = base64.b64decode(response.headers["x-fc-log-result"]).decode()
    assert "printed line" in log
    assert "[INFO] logged line" in log
    assert f"FC Invoke End RequestId: {response.headers['x-fc-request-id']}" in log


def test_unknown_function_is_function_not_found(cloud: LocalCloud, fc3: Fc3) -> None:
    with pytest.raises(ClientException) as caught:
        fc3.invoke_function("nope", fc3_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "FunctionNotFound"
    assert caught.value.status_code == 404
    assert caught.value.data["ErrorCode"] == "FunctionNotFound"


def test_unknown_service_is_service_not_found(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", service="svc")
    with pytest.raises(ClientException) as caught:
        fc2.invoke_function("other", "echo", fc2_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "ServiceNotFound"
    assert caught.value.status_code == 404


def test_unknown_function_in_a_known_service_is_function_not_found(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo", service="svc")
    with pytest.raises(ClientException) as caught:
        fc2.invoke_function("svc", "nope", fc2_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "FunctionNotFound"
    assert caught.value.status_code == 404


def test_a_3_0_function_has_no_2_0_service(cloud: LocalCloud, fc2: Fc2) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    with pytest.raises(ClientException) as caught:
        fc2.invoke_function("echo", "echo", fc2_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "ServiceNotFound"


def test_a_qualifier_other_than_latest_is_alias_not_found(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    assert fc3.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"a", qualifier="LATEST")).status_code == 200
    with pytest.raises(ClientException) as caught:
        fc3.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"a", qualifier="prod"))
    assert caught.value.code == "AliasNotFound"
    assert caught.value.status_code == 404


def test_an_unknown_invocation_type_is_invalid_argument(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    with pytest.raises(ClientException) as caught:
        invoke3(fc3, "echo", x_fc_invocation_type="Later")
    assert caught.value.code == "InvalidArgument"
    assert caught.value.status_code == 400


def test_an_async_payload_over_128_kb_is_entity_too_large(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    with pytest.raises(ClientException) as caught:
        invoke3(fc3, "echo", b"x" * (128 * 1024 + 1), x_fc_invocation_type="Async")
    assert caught.value.code == "EntityTooLarge"
    assert caught.value.status_code == 400


def test_a_user_without_fc_permission_is_access_denied(cloud: LocalCloud, make_user: MakeUser) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    ak, sk = make_user("nofc")
    with pytest.raises(ClientException) as caught:
        Fc3(cloud.config(ak, sk)).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "AccessDenied"
    assert caught.value.status_code == 403
    assert "functions/echo" in caught.value.message


def test_a_user_with_fc_invocation_access_can_invoke(cloud: LocalCloud, make_user: MakeUser) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    ak, sk = make_user("invoker", "AliyunFCInvocationAccess")
    response = Fc3(cloud.config(ak, sk)).invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b"hi"))
    assert response.body.read() == b"hi"


def test_a_wrong_secret_is_signature_not_match(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    client = Fc3(cloud.config(cloud.account.root_access_key_id, "wrong-secret"))
    with pytest.raises(ClientException) as caught:
        client.invoke_function("echo", fc3_models.InvokeFunctionRequest(body=b""))
    assert caught.value.code == "SignatureNotMatch"
    assert caught.value.status_code == 403


def test_an_unknown_access_key_is_invalid_access_key_id(cloud: LocalCloud) -> None:
    cloud.functions.register("echo", f"{FUNCS}/basic.echo")
    with pytest.raises(ClientException) as caught:
        Fc3(cloud.config("LTAI5tNoSuchKey000000000", "x")).invoke_function("echo", fc3_models.InvokeFunctionRequest())
    assert caught.value.code == "InvalidAccessKeyID"
    assert caught.value.status_code == 403


def test_the_environment_has_fc_variables_and_the_function_env(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("env", f"{FUNCS}/basic.environment", env={"STAGE": "test"}, memory=256)
    names = ["STAGE", "FC_FUNCTION_NAME", "FC_REGION", "FC_ACCOUNT_ID", "FC_FUNCTION_MEMORY_SIZE",
             "FC_FUNCTION_HANDLER", "FC_FUNC_CODE_PATH", "LOCALCLOUD_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID"]
    seen = json.loads(fc3.invoke_function("env", fc3_models.InvokeFunctionRequest(body=json.dumps(names).encode())).body.read())
    assert seen["STAGE"] == "test"
    assert seen["FC_FUNCTION_NAME"] == "env"
    assert seen["FC_REGION"] == cloud.account.region
    assert seen["FC_ACCOUNT_ID"] == cloud.account.account_id
    assert seen["FC_FUNCTION_MEMORY_SIZE"] == "256"
    assert seen["FC_FUNCTION_HANDLER"] == f"{FUNCS}/basic.environment"
    assert seen["FC_FUNC_CODE_PATH"].endswith("tests/functional/localcloud/fcfuncs")
    assert seen["LOCALCLOUD_ENDPOINT"] == cloud.endpoint
    assert seen["ALIBABA_CLOUD_ACCESS_KEY_ID"] is None  # no role, no credentials


def test_the_host_environment_is_restored_after_a_call(cloud: LocalCloud, fc3: Fc3) -> None:
    before = dict(os.environ)
    cloud.functions.register("leaky", f"{FUNCS}/basic.leaky", env={"STAGE": "test"})
    fc3.invoke_function("leaky", fc3_models.InvokeFunctionRequest(body=b""))
    assert dict(os.environ) == before


def test_host_alibaba_credentials_do_not_reach_the_handler(cloud: LocalCloud, fc3: Fc3, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tHostKeyOfTheDeveloper")
    cloud.functions.register("env", f"{FUNCS}/basic.environment")
    body = b'["ALIBABA_CLOUD_ACCESS_KEY_ID"]'
    seen = json.loads(fc3.invoke_function("env", fc3_models.InvokeFunctionRequest(body=body)).body.read())
    assert seen == {"ALIBABA_CLOUD_ACCESS_KEY_ID": None}
    assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "LTAI5tHostKeyOfTheDeveloper"


def test_concurrent_invocations_each_see_their_own_environment(cloud: LocalCloud) -> None:
    for who in ("alpha", "beta", "gamma"):
        cloud.functions.register(who, f"{FUNCS}/basic.env_value", env={"WHO": who})
    results: dict[str, list[bytes]] = {}

    def call(who: str) -> None:
        client = Fc3(cloud.config())
        results[who] = [client.invoke_function(who, fc3_models.InvokeFunctionRequest()).body.read() for _ in range(3)]

    threads = [threading.Thread(target=call, args=(who,)) for who in ("alpha", "beta", "gamma")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {who: [who.encode()] * 3 for who in ("alpha", "beta", "gamma")}


def test_a_call_longer_than_the_timeout_is_an_unhandled_error(cloud: LocalCloud, fc3: Fc3) -> None:
    cloud.functions.register("slow", f"{FUNCS}/basic.slow", timeout=1)
    response = fc3.invoke_function("slow", fc3_models.InvokeFunctionRequest())
    assert response.headers["x-fc-error-type"] == "UnhandledInvocationError"
    assert "Function time out after 1 seconds" in json.loads(response.body.read())["errorMessage"]
