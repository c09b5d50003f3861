"""Deploys rampart's four functions on localcloud for the functional tests, under least
privilege: the catalog and ``rampart init`` (as root, the operator's one-off step), the
functions' roles (trusting fc.aliyuncs.com) with the repo's own policies,
``deploy/policies/rampart-receiver.json`` and ``rampart-worker.json``, created as custom
policies from those files; every webhook source's secret in KMS under ``rampart-webhook/``
(the demo values of ``events/``), and the lifecycle and sweeper functions registered in
localcloud's FC under the worker role (FC assumes it per invocation).

The receivers run in-process (``receiver``) with an injected clock. Their credentials are the
receiver role's STS credentials, obtained over HTTP with STS AssumeRole as FC would: a test-only
RAM user (``STANDIN``, allowed ``sts:AssumeRole`` on rampart's roles and named in their trust
policies beside fc.aliyuncs.com) stands in for FC. A synchronously applying receiver
(``RAMPART_SYNC_APPLY=1``) runs as ``SYNC_RECEIVER_ROLE``, which also carries the worker
policy, as such a deployment must (deploy/README.md); its credentials are in the
``ALIBABA_CLOUD_*`` variables, as FC sets them.

Every secret a test could leak is collected (``Deployment.secret_values``) so a test can
scan answers and logs for them (``assert_clean``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from alibabacloud_fc20230330 import models as fc3_models
from alibabacloud_fc20230330.client import Client as Fc3
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as Sts
from rampart.clock import Clock
from rampart.config import ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN, ENV_SYNC_APPLY
from rampart.fc.runtime import Instance

from localcloud import LocalCloud
from tests.functional.rampart.cli_support import Cli, environment, escrowed, write_catalog

REPO = Path(__file__).resolve().parents[3]
EVENTS = REPO / "events"
POLICIES = REPO / "deploy" / "policies"
RECEIVER_POLICY = "rampart-receiver"
WORKER_POLICY = "rampart-worker"
"""Custom policies made from ``deploy/policies/<name>.json``."""
RECEIVER_ROLE = "rampart-receiver"
WORKER_ROLE = "rampart-worker"
SYNC_RECEIVER_ROLE = "rampart-receiver-sync"
ROLE_POLICIES = {
    RECEIVER_ROLE: (RECEIVER_POLICY,),
    WORKER_ROLE: (WORKER_POLICY,),
    SYNC_RECEIVER_ROLE: (RECEIVER_POLICY, WORKER_POLICY),
}
STANDIN = "rampart-fc-standin"
"""The test-only RAM user that assumes the receivers' roles in FC's place."""
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
TICKET_DEMO = json.loads((EVENTS / "ticket" / "demo-config.json").read_text(encoding="utf-8"))
"""The ticket sources' demo KMS values (``events/ticket/demo-config.json``, shared with the demo)."""
JIRA: dict[str, Any] = TICKET_DEMO["jira"]
TICKET: dict[str, Any] = TICKET_DEMO["generic"]


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
    standin: tuple[str, str] = ("", "")
    """The stand-in user's AccessKey (id, secret)."""
    sessions: dict[str, tuple[Credentials, datetime]] = field(default_factory=dict)

    def role_credentials(self, role: str) -> Credentials:
        """STS AssumeRole of ``role`` by the stand-in user (renewed shortly before localcloud's
        clock passes the session's expiration)."""
        held = self.sessions.get(role)
        if held is not None and self.cloud.now() < held[1] - timedelta(minutes=5):
            return held[0]
        key_id, secret = self.standin
        request = sts_models.AssumeRoleRequest(
            role_arn=f"acs:ram::{self.cloud.account.account_id}:role/{role}", role_session_name=f"fc-{role}")
        body = Sts(self.cloud.config(key_id, secret)).assume_role(request).body
        made = Credentials(body.credentials.access_key_id, body.credentials.access_key_secret,
                           body.credentials.security_token)
        expiration = datetime.fromisoformat(str(body.credentials.expiration).replace("Z", "+00:00"))
        self.sessions[role] = (made, expiration)
        self.secret_values |= {made.access_key_secret, made.security_token}
        return made

    def context(self) -> Context:
        """FC's python3.10 context: the receiver role's STS credentials."""
        self.calls += 1
        return Context(f"1-test-{self.calls:04d}", self.role_credentials(RECEIVER_ROLE))

    def receiver(self, function: str, clock: Clock | None = None, **env: str) -> ModuleType:
        """``functions/<function>/index.py`` loaded afresh (a new FC instance) on this deployment,
        with ``clock`` (localcloud's by default); credentials come from the context, except for a
        synchronously applying receiver, which gets ``SYNC_RECEIVER_ROLE``'s in the environment."""
        module = load_function(function)
        environ = {**self.env}
        if env.get(ENV_SYNC_APPLY, "").strip().lower() in ("1", "true", "yes", "on"):
            sync = self.role_credentials(SYNC_RECEIVER_ROLE)
            environ |= {ENV_ACCESS_KEY_ID: sync.access_key_id, ENV_ACCESS_KEY_SECRET: sync.access_key_secret,
                        ENV_SECURITY_TOKEN: sync.security_token}
        module.INSTANCE = Instance(environ={**environ, **env}, clock=clock or self.cloud.now)
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


def trust_fc(account_id: str) -> str:
    """FC's trust, plus the stand-in user (tests only: a deployed role trusts fc.aliyuncs.com alone)."""
    return json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": [f"acs:ram::{account_id}:user/{STANDIN}"]}},
    ]})


def policy_document(name: str) -> str:
    """``deploy/policies/<name>.json``, as the operator pastes it into RAM."""
    return (POLICIES / f"{name}.json").read_text(encoding="utf-8")


def create_roles(cloud: LocalCloud) -> tuple[str, str]:
    """The custom policies from ``deploy/policies``, the roles with them attached, and the stand-in
    user (its AccessKey is returned)."""
    ram = Ram(cloud.config())
    for name in (RECEIVER_POLICY, WORKER_POLICY):
        ram.create_policy(ram_models.CreatePolicyRequest(policy_name=name, policy_document=policy_document(name)))
    trust = trust_fc(cloud.account.account_id)
    for role, policies in ROLE_POLICIES.items():
        ram.create_role(ram_models.CreateRoleRequest(role_name=role, assume_role_policy_document=trust))
        for name in policies:
            ram.attach_policy_to_role(ram_models.AttachPolicyToRoleRequest(
                policy_type="Custom", policy_name=name, role_name=role))
    assume = json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "acs:ram:*:*:role/rampart-*"}]})
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name=f"{STANDIN}-assume", policy_document=assume))
    ram.create_user(ram_models.CreateUserRequest(user_name=STANDIN))
    ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type="Custom", policy_name=f"{STANDIN}-assume", user_name=STANDIN))
    key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=STANDIN)).body.access_key
    return str(key.access_key_id), str(key.access_key_secret)


def deploy(cloud: LocalCloud, tmp_path: Path, *, catalog_replace: dict[str, str] | None = None) -> Deployment:
    """``catalog_replace``: text replacements in the example catalog (``write_catalog``)."""
    catalog, _ = write_catalog(cloud, tmp_path, replace=catalog_replace)
    root_env = environment(cloud, catalog)
    cli = Cli(cloud, root_env)
    cli.ok("init")
    standin = create_roles(cloud)
    env = {k: v for k, v in root_env.items() if not k.startswith("ALIBABA_CLOUD_ACCESS")}
    env["RAMPART_LIFECYCLE_FUNCTION"] = LIFECYCLE
    demo = samples().demo_config()
    values = {"generic": demo["generic"], "feishu": demo["feishu"], "bamboohr": demo["bamboohr"],
              "dingtalk": demo["dingtalk"], "jira": JIRA, "ticket": TICKET}
    kms = Kms(cloud.config())
    deployment = Deployment(cloud, env, cli, standin=standin)
    deployment.secret_values.add(standin[1])
    for source, value in values.items():
        name = f"rampart-webhook/{source}"
        kms.create_secret(kms_models.CreateSecretRequest(
            secret_name=name, secret_data=json.dumps(value), version_id="v1", secret_data_type="text"))
        env[SECRET_ENV[source]] = name
        deployment.secret_values |= {v for k, v in value.items() if isinstance(v, str) and k not in ("path", "company_id",
                                                                                                      "person_id_key", "owner_key")}
    for name, handler in ((LIFECYCLE, "functions/lifecycle/index.handler"), (SWEEPER, "functions/sweeper/index.handler")):
        cloud.functions.register(name, handler, env=env, role=WORKER_ROLE, timeout=120, code_root=REPO,
                                 async_config={"max_retries": 1})
    return deployment
