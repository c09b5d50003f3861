"""rampart.adapters.clients: lazy SDK import, endpoints, one client per service, no secret shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rampart.adapters import build
from rampart.adapters.clients import Clients, Service, clients_for, real_endpoint
from rampart.config import Settings

from localcloud import LocalCloud
from tests.functional.rampart.types import SettingsFor


def test_importing_the_adapters_imports_no_sdk(repo_root: Path) -> None:
    code = (
        "import sys, json; import rampart.adapters, rampart.engine, rampart.adapters.retry; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('alibabacloud', 'aliyun', 'darabonba', 'Tea')))))"
    )
    env = {**os.environ, "PYTHONPATH": f"{repo_root / 'shared'}{os.pathsep}{repo_root}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=60)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize(
    ("service", "endpoint"),
    [
        (Service.RAM, "ram.aliyuncs.com"),
        (Service.IMS, "ims.aliyuncs.com"),
        (Service.RESOURCE_MANAGER, "resourcemanager.aliyuncs.com"),
        (Service.KMS, "kms.cn-shanghai.aliyuncs.com"),
        (Service.STS, "sts.cn-shanghai.aliyuncs.com"),
        (Service.FC3, "fcv3.cn-shanghai.aliyuncs.com"),
        (Service.FC2, "1234567890123456.cn-shanghai.fc.aliyuncs.com"),
    ],
)
def test_real_endpoints(service: Service, endpoint: str) -> None:
    assert real_endpoint(service, "cn-shanghai", "1234567890123456") == endpoint


def test_without_an_endpoint_the_config_uses_https_and_the_real_host() -> None:
    settings = Settings.from_env({"ALIBABA_CLOUD_REGION_ID": "cn-beijing"}, access_key_id="LTAI5tX",
                                 access_key_secret="real-secret", security_token="sts-token")
    config = Clients(settings).config(Service.KMS)
    assert (config.endpoint, config.protocol, config.region_id) == ("kms.cn-beijing.aliyuncs.com", "https", "cn-beijing")
    assert (config.access_key_secret, config.security_token) == ("real-secret", "sts-token")
    config2 = Clients(settings, account_id="1234567890123456").config(Service.FC2)
    assert config2.endpoint == "1234567890123456.cn-beijing.fc.aliyuncs.com"


def test_with_an_endpoint_every_service_uses_it_over_http(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    clients = Clients(settings_for())
    for service in Service:
        config = clients.config(service)
        assert (config.endpoint, config.protocol) == (cloud.endpoint, "http")


def test_the_secret_never_shows_in_a_repr(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    settings = settings_for()
    adapters = build(settings)
    secret = settings.access_key_secret.reveal()
    for shown in (repr(adapters), repr(adapters.clients), repr(adapters.identities), repr(adapters.secrets), str(settings)):
        assert secret not in shown


def test_one_client_per_service_even_across_threads(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    clients = Clients(settings_for())
    made: list[object] = []
    threads = [threading.Thread(target=lambda: made.append(clients.ram())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in made}) == 1
    assert clients.kms() is clients.kms() and clients.kms() is not clients.ram()


def test_clients_are_shared_per_settings_in_a_process(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    settings = settings_for()
    assert clients_for(settings) is clients_for(settings)
    other = Settings.from_env({}, access_key_id="LTAI5tOther", access_key_secret="other", endpoint=cloud.endpoint)
    assert clients_for(other) is not clients_for(settings)


def test_the_account_id_is_read_once_with_sts(cloud: LocalCloud, settings_for: SettingsFor) -> None:
    clients = Clients(settings_for())
    cloud.faults.add("sts", "latency", "*", latency_ms=0)
    assert clients.account_id() == cloud.info()["account_id"]
    assert clients.account_id() == cloud.info()["account_id"]
    assert [e.action for e in cloud.faults.log()] == ["GetCallerIdentity"]
    assert Clients(settings_for(), account_id="given").account_id() == "given"
