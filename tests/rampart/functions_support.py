"""Deploys rampart's four functions on localcloud for the functional tests: the catalog and
``rampart init``, the functions' role (trusting fc.aliyuncs.com; AdministratorAccess for now,
least privilege is issue 6), every webhook source's secret in KMS (the demo values of
``events/``), and the lifecycle and sweeper functions registered in localcloud's FC by their
handler strings. The receivers run in-process (``receiver``) with an injected clock.

Every secret a test could leak is collected (``Deployment.secret_values``) so a test can
scan answers and logs for them (``assert_clean``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.clock import Clock
from rampart.runtime import Instance

from localcloud import LocalCloud
from tests.rampart.cli_support import Cli, environment, escrowed, write_catalog

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"
ROLE = "rampart-fc"
LIFECYCLE = "rampart-lifecycle"
SWEEPER = "rampart-sweeper"
SECRET_ENV = {
    "generic": "RAMPART_GENERIC_HR_SECRET_NAME",
    "feishu": "RAMPART_FEISHU_SECRET_NAME",
    "bamboohr": "RAMPART_BAMBOOHR_SECRET_NAME",
    "dingtalk": "RAMPART_DINGTALK_SECRET_NAME",
    "jira": "RAMPART_JIRA_SECRET_NAME",
    "ticket": "RAMPART_TICKET_SECRET_NAME",
}
JIRA = {
    "secret": "demo-jira-webhook-secret",
    "mapping": {"person_field": "customfield_10050", "profile_field": "customfield_10051",
                "duration_field": "customfield_10052", "action_field": "customfield_10010.requestType.name"},
    "approved_statuses": ["Approved"],
}
TICKET = {"secret": "demo-ticket-webhook-secret"}


def samples() -> ModuleType:
    """``events/hr/build_samples.py`` (signs the HR samples afresh)."""
    if "hr_build_samples" not in sys.modules:
        spec = importlib.util.spec_from_file_location("hr_build_samples", EVENTS / "hr" / "build_samples.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["hr_build_samples"] = module
        spec.loader.exec_module(module)
    return sys.modules["hr_build_samples"]


@dataclass
class Context:
    """FC's python3.10 context, as far as the functions read it."""

    request_id: str
    credentials: Any = None


@dataclass
class Credentials:
    access_key_id: str
    access_key_secret: str
    security_token: str = ""


@dataclass
class Deployment:
    cloud: LocalCloud
    env: dict[str, str]
    """The functions' environment, without credentials (FC adds the role's)."""
    cli: Cli
    secret_values: set[str] = field(default_factory=set)
    calls: int = 0

    def context(self) -> Context:
        info = self.cloud.info()
        self.calls += 1
        return Context(f"1-test-{self.calls:04d}", Credentials(info["access_key_id"], info["access_key_secret"]))

    def receiver(self, function: str, clock: Clock | None = None, **env: str) -> ModuleType:
        """``functions/<function>/index.py`` loaded afresh (a new FC instance) on this deployment,
        with ``clock`` (localcloud's by default); credentials come from the context."""
        module = load_function(function)
        module.INSTANCE = Instance(environ={**self.env, **env}, clock=clock or self.cloud.now)
        return module

    def invoke(self, function: str, body: bytes) -> tuple[str, Any]:
        """Synchronous InvokeFunction through the FC 3.0 SDK: (error type or "", parsed body)."""
        response = Fc3(self.cloud.config()).invoke_function(function, fc3_models.InvokeFunctionRequest(body=body))
        return response.headers.get("x-fc-error-type", ""), json.loads(response.body.read())

    def assert_clean(self, *texts: str) -> None:
        """No demo webhook secret and no escrowed credential in any of ``texts``."""
        for _name, value in escrowed(self.cloud):
            self.secret_values.add(value)
            try:
                pair = json.loads(value)
            except ValueError:
                continue
            if isinstance(pair, dict):
                self.secret_values |= {str(v) for k, v in pair.items() if "secret" in k.lower() or "Secret" in k}
        for text in texts:
            for value in self.secret_values:
                if len(value) >= 8:
                    assert value not in text


def load_function(function: str) -> ModuleType:
    source = REPO / "functions" / function / "index.py"
    name = f"_rampart_test_{function}_{id(source)}_{len(sys.modules)}"
    spec = importlib.util.spec_from_file_location(name, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trust_fc() -> str:
    return json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}]})


def deploy(cloud: LocalCloud, tmp_path: Path) -> Deployment:
    catalog, _ = write_catalog(cloud, tmp_path)
    root_env = environment(cloud, catalog)
    cli = Cli(cloud, root_env)
    cli.ok("init")
    ram = Ram(cloud.config())
    ram.create_role(ram_models.CreateRoleRequest(role_name=ROLE, assume_role_policy_document=trust_fc()))
    ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
        policy_type="System", policy_name="AdministratorAccess", role_name=ROLE))
    env = {k: v for k, v in root_env.items() if not k.startswith("ALIBABA_CLOUD_ACCESS")}
    env["RAMPART_LIFECYCLE_FUNCTION"] = LIFECYCLE
    demo = samples().demo_config()
    values = {"generic": demo["generic"], "feishu": demo["feishu"], "bamboohr": demo["bamboohr"],
              "dingtalk": demo["dingtalk"], "jira": JIRA, "ticket": TICKET}
    kms = Kms(cloud.config())
    deployment = Deployment(cloud, env, cli)
    for source, value in values.items():
        name = f"rampart-webhook/{source}"
        kms.create_secret(kms_models.CreateSecretRequest(
            secret_name=name, secret_data=json.dumps(value), version_id="v1", secret_data_type="text"))
        env[SECRET_ENV[source]] = name
        deployment.secret_values |= {v for k, v in value.items() if isinstance(v, str) and k not in ("path", "company_id",
                                                                                                      "person_id_key", "owner_key")}
    for name, handler in ((LIFECYCLE, "functions/lifecycle/index.handler"), (SWEEPER, "functions/sweeper/index.handler")):
        cloud.functions.register(name, handler, env=env, role=ROLE, timeout=120, code_root=REPO,
                                 async_config={"max_retries": 1})
    return deployment
