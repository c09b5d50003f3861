"""The deployment against the code: s.yaml (handlers, code paths, environment, roles, trigger
rules), the least-privilege policies (parsed by localcloud's policy language, only actions
rampart calls, enforced by localcloud), and ``tools/build.py --no-deps`` producing the layout
s.yaml deploys with importable handlers, the runtime's bytecode and the catalog as JSON. Broken
copies of s.yaml prove the checker can fail.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from rampart.fc.http_trigger import http_event

from localcloud import LocalCloud
from localcloud.app import pop_services
from localcloud.fc import routes as fc_routes
from localcloud.policy import language as policy_language
from localcloud.sls import routes as sls_routes
from tests.conftest import repo_path
from tests.e2e.deployment import FUNCTION_NAMES, RECEIVER_ROLE, WORKER_ROLE
from tests.e2e.s_yaml_checker import SYamlChecker
from tests.e2e.types import RunBuild

S_YAML = repo_path("s.yaml")
POLICIES = repo_path("deploy", "policies")
ROLES = (RECEIVER_ROLE, WORKER_ROLE)
REAL_CLOUD_NAMES = {
    "ram:AttachPolicy": "resourcemanager:AttachPolicy",
    "ram:DetachPolicy": "resourcemanager:DetachPolicy",
    "ram:ListPolicyAttachments": "resourcemanager:ListPolicyAttachments",
}
"""Actions Alibaba documents for ResourceManager's AttachPolicy/DetachPolicy/
ListPolicyAttachments (https://www.alibabacloud.com/help/doc-detail/159974.htm), granted beside
the ``resourcemanager:*`` names localcloud checks (UNCONFIRMED there): the same three calls."""
SLS_PERMISSIONS = {"PutLogs": "log:PostLogStoreLogs", "GetLogs": "log:GetLogStoreLogs"}


@pytest.fixture(scope="module")
def s_yaml() -> dict[str, Any]:
    document = yaml.safe_load(S_YAML.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def resources(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Build directory -> props (unresolved) of each resource."""
    out = {}
    for resource in document["resources"].values():
        props = resource["props"]
        out[props["code"].rstrip("/").rsplit("/", 1)[-1]] = props
    return out


def policy_actions(role: str) -> set[str]:
    document = json.loads((POLICIES / f"{role}.json").read_text(encoding="utf-8"))
    return {a for s in document["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


# --- s.yaml -------------------------------------------------------------------------------------


def test_s_yaml_matches_the_code(s_yaml: dict[str, Any], s_yaml_checker: SYamlChecker) -> None:
    assert s_yaml_checker.check(s_yaml) == []


def test_s_yaml_deploys_the_four_functions_from_the_build(s_yaml: dict[str, Any], build_tool: ModuleType) -> None:
    found = resources(s_yaml)
    assert {d: p["functionName"] for d, p in found.items()} == FUNCTION_NAMES
    assert {p["code"] for p in found.values()} == {f"./build/{d}" for d in build_tool.FUNCTIONS}
    assert all(p["handler"] == "index.handler" for p in found.values())
    lifecycle = found["lifecycle"]
    for receiver in ("hr_webhook", "ticket_webhook"):
        assert found[receiver]["environmentVariables"]["RAMPART_LIFECYCLE_FUNCTION"] == "${vars.lifecycleFunction}"
        assert found[receiver]["role"].endswith(":role/rampart-receiver")
        assert found[receiver]["timeout"] < lifecycle["timeout"] < found["sweeper"]["timeout"]
    assert s_yaml["vars"]["lifecycleFunction"] == lifecycle["functionName"]
    assert {found[d]["role"].rsplit("/", 1)[1] for d in ("lifecycle", "sweeper")} == {WORKER_ROLE}


def test_s_yaml_notifies_from_the_lifecycle_function_only_and_optionally(
    s_yaml: dict[str, Any], s_yaml_checker: SYamlChecker,
) -> None:
    found = resources(s_yaml)
    assert found["lifecycle"]["environmentVariables"][NOTIFY] == "rampart-notify/robot"
    assert [d for d, p in found.items() if NOTIFY in p["environmentVariables"]] == ["lifecycle"]
    without = copy.deepcopy(s_yaml)
    _drop("lifecycle", NOTIFY)(without)
    assert s_yaml_checker.check(without) == []  # "drop the line to disable"


def _props(document: dict[str, Any], directory: str) -> dict[str, Any]:
    for resource in document["resources"].values():
        if resource["props"]["code"].endswith("/" + directory):
            props: dict[str, Any] = resource["props"]
            return props
    raise AssertionError(directory)


def _set(directory: str, path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = _props(document, directory)
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return mutate


NOTIFY = "RAMPART_NOTIFY_SECRET_NAME"


def _drop(directory: str, variable: str) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        del _props(document, directory)["environmentVariables"][variable]
    return mutate


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "wrong handler module": (_set("hr_webhook", "handler", "main.handler"), "the build ships index.py"),
    "handler function missing": (_set("lifecycle", "handler", "index.main"), "defines no main()"),
    "unknown env var": (_set("sweeper", "environmentVariables.RAMPART_SWEEP_DAYS", "7"), "RAMPART_SWEEP_DAYS is not a variable"),
    "env value not a string": (_set("lifecycle", "environmentVariables.RAMPART_SLS_LOGSTORE", 7), "must be a string"),
    "reserved FC_ variable": (_set("lifecycle", "environmentVariables.FC_ACCOUNT_ID", "1"), "set by Function Compute"),
    "credentials in s.yaml": (_set("sweeper", "environmentVariables.ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
                              "set by Function Compute"),
    "required var missing": (_drop("lifecycle", "RAMPART_CATALOG"), "RAMPART_CATALOG is required"),
    "catalog not the built one": (_set("sweeper", "environmentVariables.RAMPART_CATALOG", "/tmp/c.yaml"),
                                  "the catalog the build ships"),
    "hand-off to another function": (_set("hr_webhook", "environmentVariables.RAMPART_LIFECYCLE_FUNCTION", "other"),
                                     "is not the lifecycle function"),
    "bad FC API": (_set("ticket_webhook", "environmentVariables.RAMPART_FC_API", "2016-08-15"), "rampart refuses"),
    "secret of another receiver's source": (_set("hr_webhook", "environmentVariables.RAMPART_JIRA_SECRET_NAME", "x"),
                                            "does not serve"),
    "no source on a receiver": (lambda d: [_props(d, "ticket_webhook")["environmentVariables"].pop(k) for k in
                                           ("RAMPART_JIRA_SECRET_NAME", "RAMPART_TICKET_SECRET_NAME")],
                                "no webhook source configured"),
    "secret outside the receiver policy": (_set("ticket_webhook", "environmentVariables.RAMPART_JIRA_SECRET_NAME",
                                                "jira/webhook"), "does not allow reading"),
    "notify secret outside the worker policy": (
        _set("lifecycle", f"environmentVariables.{NOTIFY}", "rampart/robot"), "does not allow reading RAMPART_NOTIFY"),
    "notify secret among the webhook secrets": (
        _set("lifecycle", f"environmentVariables.{NOTIFY}", "rampart-webhook/robot"), "does not allow reading"),
    "notify secret on a receiver": (_set("hr_webhook", f"environmentVariables.{NOTIFY}", "rampart-notify/robot"),
                                    "belongs on the lifecycle function"),
    "notify secret on the sweeper": (_set("sweeper", f"environmentVariables.{NOTIFY}", "rampart-notify/robot"),
                                     "only it notifies"),
    "audit logstore outside the worker policy": (_set("sweeper", "environmentVariables.RAMPART_SLS_LOGSTORE", "other"),
                                                 "does not allow log:PostLogStoreLogs"),
    "code path not built": (_set("sweeper", "code", "./functions/sweeper"), "not a directory tools/build.py produces"),
    "receiver with the worker role": (_set("hr_webhook", "role", "acs:ram::1:role/rampart-worker"),
                                      "should be 'rampart-receiver'"),
    "role without a policy file": (_set("lifecycle", "role", "acs:ram::1:role/AliyunFCDefaultRole"),
                                   "should be 'rampart-worker'"),
    "function renamed": (_set("lifecycle", "functionName", "lifecycle-v2"), "should be 'rampart-lifecycle'"),
    "undefined variable": (_set("sweeper", "region", "${vars.zone}"), "${vars.zone} is not defined"),
    "unsupported runtime": (_set("sweeper", "runtime", "python3.9"), "runtime 'python3.9'"),
    "memory not a multiple of 64": (_set("sweeper", "memorySize", 200), "multiple of 64"),
    "timeout over a day": (_set("sweeper", "timeout", 86401), "1-86400"),
    "five-field cron": (_set("sweeper", "triggers.0.triggerConfig.cronExpression", "0 * * * *"), "6 fields"),
    "timer payload not JSON": (_set("sweeper", "triggers.0.triggerConfig.payload", "rotate"), "not a JSON object"),
    "timer payload rotate not boolean": (_set("sweeper", "triggers.0.triggerConfig.payload", '{"rotate": "yes"}'),
                                         "not a boolean"),
    "GET on a webhook": (_set("hr_webhook", "triggers.0.triggerConfig.methods", ["GET", "POST"]), "must be [POST]"),
    "unknown trigger type": (_set("hr_webhook", "triggers.0.triggerType", "apigw"), "triggerType 'apigw'"),
    "trigger name starts with a digit": (_set("sweeper", "triggers.0.triggerName", "1-hourly"), "naming rule"),
    "too many async retries": (_set("lifecycle", "asyncInvokeConfig.maxAsyncRetryAttempts", 9), "must be 0-8"),
    "event age over a week": (_set("lifecycle", "asyncInvokeConfig.maxAsyncEventAgeInSeconds", 604801), "1-604800"),
    "async tasks off": (_set("lifecycle", "asyncInvokeConfig.asyncTask", False), "asyncTask must be true"),
    "no failure destination": (_set("lifecycle", "asyncInvokeConfig.destinationConfig.onFailure.destination", "queue"),
                               "is not an MNS/FC/EventBridge ARN"),
    "no event-streaming trigger": (lambda d: _props(d, "lifecycle")["triggers"].pop(1), "event-streaming mode"),
    "batch window missing": (lambda d: _props(d, "lifecycle")["triggers"][1]["triggerConfig"]["runOptions"].pop(
        "batchWindow"), "needs batchWindow"),
    "FC logs into the audit logstore": (
        _set("lifecycle", "logConfig", {"project": "${vars.auditProject}", "logstore": "${vars.auditLogstore}"}),
        "give them their own"),
    "a function missing": (lambda d: d["resources"].pop("sweeper"), "no resource deploys sweeper"),
    "not fc3": (_set("sweeper", "component", "fc"), "component must be fc3"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_checker_names_what_is_wrong_in_a_broken_s_yaml(
    case: str, s_yaml: dict[str, Any], s_yaml_checker: SYamlChecker,
) -> None:
    mutate, expected = BROKEN[case]
    broken = copy.deepcopy(s_yaml)
    if case == "not fc3":
        next(r for r in broken["resources"].values() if r["props"]["code"].endswith("/sweeper"))["component"] = "fc"
    else:
        mutate(broken)
    problems = s_yaml_checker.check(broken)
    assert problems, case
    assert any(expected in p for p in problems), problems


def test_the_checker_refuses_what_is_not_an_s_yaml(s_yaml_checker: SYamlChecker) -> None:
    assert s_yaml_checker.check(["not", "a", "mapping"]) == ["s.yaml is not a mapping"]
    assert s_yaml_checker.check({"edition": "1.0.0", "services": {}}) == [
        "edition must be 3.0.0 (the fc3 component's format)", "resources must map resource names to fc3 components"]


# --- the policies --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_policy_parses_with_ram_grammar_and_is_account_independent(role: str) -> None:
    text = (POLICIES / f"{role}.json").read_text(encoding="utf-8")
    document = policy_language.parse(text)
    assert len(text) <= policy_language.MAX_DOCUMENT_CHARS
    for statement in document.statements:
        assert statement.effect == "Allow" and not statement.not_action and not statement.not_resource
        for resource in statement.resources:
            fields = resource.split(":", 4)
            assert resource == "*" or (fields[0] == "acs" and len(fields) == 5 and fields[3] == "*"), resource


def localcloud_actions() -> set[str]:
    """Every permission localcloud checks: its POP services', SLS routes', FC routes'."""
    known = {spec.permission for service in pop_services() for spec in service.actions.values() if spec.permission}
    for value in vars(sls_routes).values():
        routes = value.values() if isinstance(value, dict) else [value]
        known |= {r.permission for r in routes if isinstance(r, sls_routes.Route)}
    known |= {f"fc:{action}" for _, action, _ in fc_routes._PATTERNS}
    return known


@pytest.mark.parametrize("role", ROLES)
def test_every_action_is_one_localcloud_authorizes(role: str) -> None:
    known = localcloud_actions()
    assert {"ram:CreateUser", "ram:TagResources", "kms:CreateSecret", "log:PostLogStoreLogs", "fc:InvokeFunction",
            "resourcemanager:AttachPolicy"} <= known
    assert sorted(a for a in policy_actions(role) if a not in known and a not in REAL_CLOUD_NAMES) == []
    for alias, name in REAL_CLOUD_NAMES.items():
        assert (alias in policy_actions(role)) == (name in policy_actions(role))


def called_permissions(repo: Path) -> set[str]:
    """The permission of every cloud call in rampart's adapters (the only code with SDKs)."""
    called: set[str] = set()
    for path in (repo / "shared" / "rampart" / "adapters").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for service, action in re.findall(r'\b_(ram|ims|kms|rm)\(\s*"(\w+)"', text):
            called.add(f"{ {'ims': 'ram', 'rm': 'resourcemanager'}.get(service, service)}:{action}")
        for service, action in re.findall(r'\b_?call\(\s*"(\w+)",\s*"(\w+)"', text):
            called.add(f"{service}:{action}")
        for action in re.findall(r'self\._(?:call|conditional)\(\s*"(\w+)",\s*(?:lambda|partial|write)', text):
            # the ledger's Tablestore calls are ots:<Api> (tablestore.md §4); the SLS sink's its own names
            called.add(f"ots:{action}" if path.name == "ledger.py" else SLS_PERMISSIONS.get(action, f"log:{action}"))
    return called


@pytest.mark.parametrize("role", ROLES)
def test_a_policy_grants_only_calls_rampart_makes(role: str, repo_root: Path) -> None:
    called = called_permissions(repo_root)
    assert {"ram:CreateUser", "ram:TagResources", "resourcemanager:AttachPolicy", "kms:PutSecretValue",
            "fc:InvokeFunction", "log:PostLogStoreLogs", "log:GetLogStoreLogs"} <= called
    granted = {REAL_CLOUD_NAMES.get(a, a) for a in policy_actions(role)}
    assert sorted(granted - called) == []


NOT_THE_WORKERS = {
    "fc:InvokeFunction": "the receivers' hand-off",
    "kms:GetSecretValue": "on everything but rampart-notify/*: the receivers' webhook secrets; `rampart handover`",
    "log:CreateProject": "`rampart init` (an operator)",
    "log:GetProject": "`rampart init`",
    "log:CreateLogStore": "`rampart init`",
    "log:GetLogStore": "`rampart init`",
    "log:CreateIndex": "`rampart init`",
    "log:UpdateIndex": "`rampart init`",
    "ram:CreatePolicyVersion": "`rampart init` (the catalog's custom policies)",
    "resourcemanager:GetResourceGroup": "`rampart init` (the catalog's resource groups)",
    "sts:GetCallerIdentity": "needs no permission (localcloud/sts, alibaba-platform.md §E)",
    **{f"ots:{api}": "the ledger (rampart.adapters.ledger): `rampart init` creates its tables; the functions do not "
                     "use it yet, so their roles are not granted it" for api in (
        "GetRow", "PutRow", "DeleteRow", "GetRange", "DescribeTable", "CreateTable")},
}
"""Calls rampart makes that the functions' worker role does not need, and who makes them."""


def test_every_call_the_worker_makes_is_granted_and_the_rest_is_accounted_for(repo_root: Path) -> None:
    granted = {REAL_CLOUD_NAMES.get(a, a) for a in policy_actions(WORKER_ROLE)}
    partly = {"kms:GetSecretValue"}  # granted on the notification secret only (the test below)
    assert called_permissions(repo_root) - granted == set(NOT_THE_WORKERS) - partly
    assert partly <= granted and partly <= set(NOT_THE_WORKERS)


def test_the_receivers_may_only_read_their_secrets_and_hand_off(s_yaml_checker: SYamlChecker) -> None:
    assert policy_actions(RECEIVER_ROLE) == {"kms:GetSecretValue", "fc:InvokeFunction"}
    assert s_yaml_checker.allows(RECEIVER_ROLE, "kms:GetSecretValue", "acs:kms:cn-hangzhou:1:secret/rampart-webhook/feishu")
    assert not s_yaml_checker.allows(RECEIVER_ROLE, "kms:GetSecretValue", "acs:kms:cn-hangzhou:1:secret/rampart/alice/access-key")
    assert s_yaml_checker.allows(RECEIVER_ROLE, "fc:InvokeFunction", "acs:fc:cn-hangzhou:1:functions/rampart-lifecycle")
    assert not s_yaml_checker.allows(RECEIVER_ROLE, "fc:InvokeFunction", "acs:fc:cn-hangzhou:1:functions/rampart-sweeper")


WORKER_READS = "acs:kms:*:*:secret/rampart-notify/*"
"""The one kind of secret the worker reads: the notification destination (README.md "Notifications")."""


def test_the_worker_reads_only_the_notification_secret(s_yaml_checker: SYamlChecker) -> None:
    document = json.loads((POLICIES / f"{WORKER_ROLE}.json").read_text(encoding="utf-8"))
    reading = [s for s in document["Statement"] if "kms:GetSecretValue" in s["Action"]]
    assert [(s["Action"], s["Resource"]) for s in reading] == [(["kms:GetSecretValue"], [WORKER_READS])]
    for name in ("rampart-notify/robot", "rampart-notify/chat"):
        assert s_yaml_checker.allows(WORKER_ROLE, "kms:GetSecretValue", f"acs:kms:cn-hangzhou:1:secret/{name}"), name
    for name in ("rampart/alice/access-key", "rampart/alice/console-password", "rampart-webhook/jira",
                 "rampart-webhook/generic", "rampart-notify", "rampart-notifyx/robot", "other/rampart-notify/robot"):
        assert not s_yaml_checker.allows(WORKER_ROLE, "kms:GetSecretValue", f"acs:kms:cn-hangzhou:1:secret/{name}"), name
    assert not s_yaml_checker.allows(WORKER_ROLE, "kms:GetSecretValue", "acs:kms:cn-hangzhou:1:secret")
    for action in ("kms:PutSecretValue", "kms:DeleteSecret", "kms:CreateSecret"):
        assert not s_yaml_checker.allows(WORKER_ROLE, action, "acs:kms:cn-hangzhou:1:secret/rampart-notify/robot"), action


def test_the_worker_invokes_no_function_and_stays_in_its_names(s_yaml_checker: SYamlChecker) -> None:
    actions = policy_actions(WORKER_ROLE)
    assert not any(a.startswith("fc:") for a in actions)
    assert not any("*" in a for a in actions)
    assert s_yaml_checker.allows(WORKER_ROLE, "ram:CreatePolicy", "acs:ram:*:1:policy/rampart-tb-0a1b-alice-x")
    assert not s_yaml_checker.allows(WORKER_ROLE, "ram:CreatePolicy", "acs:ram:*:1:policy/AdminEverything")
    assert not s_yaml_checker.allows(WORKER_ROLE, "ram:CreatePolicyVersion", "acs:ram:*:1:policy/rampart-tb-0a1b-alice-x")
    assert not s_yaml_checker.allows(WORKER_ROLE, "kms:PutSecretValue", "acs:kms:cn-hangzhou:1:secret/rampart-webhook/jira")
    assert not s_yaml_checker.allows(WORKER_ROLE, "log:PostLogStoreLogs", "acs:log:cn-hangzhou:1:project/other/logstore/lifecycle")
    assert not s_yaml_checker.allows(WORKER_ROLE, "ram:CreateRole", "acs:ram:*:1:role/x")
    assert not s_yaml_checker.allows(WORKER_ROLE, "sts:AssumeRole", "acs:ram::1:role/rampart-receiver")


def test_localcloud_enforces_the_policies_on_the_roles(cloud: LocalCloud, make_roles: Callable[[], tuple[str, str]]) -> None:
    """The roles made from the JSON files, asked through localcloud's authorizer."""
    make_roles()
    account = cloud.account.account_id

    def allowed(role: str, action: str, resource: str) -> bool:
        return str(cloud.authorize(action, resource, role=role)["decision"]) == "allow"

    user = f"acs:ram:*:{account}:user/alice"
    assert allowed(WORKER_ROLE, "ram:CreateUser", user)
    assert not allowed(RECEIVER_ROLE, "ram:CreateUser", user)
    assert allowed("rampart-receiver-sync", "ram:CreateUser", user)
    secret = f"acs:kms:{cloud.account.region}:{account}:secret/"
    webhook = secret + "rampart-webhook/generic"
    assert allowed(RECEIVER_ROLE, "kms:GetSecretValue", webhook)
    assert not allowed(WORKER_ROLE, "kms:GetSecretValue", webhook)
    escrow = secret + "rampart/alice/access-key"
    assert allowed(WORKER_ROLE, "kms:PutSecretValue", escrow)
    assert not allowed(RECEIVER_ROLE, "kms:GetSecretValue", escrow)
    assert allowed(WORKER_ROLE, "kms:GetSecretValue", secret + "rampart-notify/robot")
    for name in ("rampart/alice/access-key", "rampart/alice/console-password"):
        assert not allowed(WORKER_ROLE, "kms:GetSecretValue", secret + name), name
    assert not allowed(RECEIVER_ROLE, "kms:GetSecretValue", secret + "rampart-notify/robot")


# --- make build -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, run_build: RunBuild) -> Path:
    out = tmp_path_factory.mktemp("build")
    done = run_build("--no-deps", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "--no-deps: the layer is not built" in done.stdout
    return out


def test_the_build_produces_the_layout_s_yaml_deploys(
    built: Path, s_yaml: dict[str, Any], build_tool: ModuleType, repo_root: Path,
) -> None:
    tool = build_tool
    for directory, props in resources(s_yaml).items():
        code = built / Path(props["code"]).relative_to("build")
        assert code == built / directory
        assert (code / tool.HANDLER_FILE).read_bytes() == (repo_root / "functions" / directory / "index.py").read_bytes()
        catalog = props["environmentVariables"]["RAMPART_CATALOG"]
        assert (code / Path(catalog).relative_to("/code")).is_file()
        assert (code / "rampart" / "fc" / "runtime.py").is_file()
        shipped = {p.name for p in (code / "rampart").rglob("*")}
        assert not shipped & {"bench.py", "bench_ops.py", "rampart_dev", "devstack.py"}
    assert not (built / "layer").exists()


def _pyc_flags(path: Path) -> int:
    """PEP 552: bytes 4-8 of a .pyc; 0b01 = hash-based, unchecked (0b11 checked, 0 timestamp)."""
    return int.from_bytes(path.read_bytes()[4:8], "little")


def test_every_built_module_has_unchecked_hash_bytecode_of_the_runtimes_python(built: Path) -> None:
    tag = "cpython-310"  # FC's default runtime, python3.10 (s.yaml)
    for directory in FUNCTION_NAMES:
        code = built / directory
        sources = sorted(code.rglob("*.py"))
        assert len(sources) > 50
        for source in sources:
            pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
            assert pyc.is_file(), pyc
            assert _pyc_flags(pyc) == 0b01, pyc
        assert {p.name.split(".")[-2] for p in code.rglob("*.pyc")} == {tag}


def test_the_functions_get_the_validated_catalog_as_json(built: Path, build_tool: ModuleType) -> None:
    from rampart.catalog import load_catalog

    example = load_catalog(build_tool.DEFAULT_CATALOG)
    for directory in FUNCTION_NAMES:
        shipped = built / directory / build_tool.CATALOG_NAME
        assert shipped.suffix == ".json"
        assert load_catalog(shipped) == dataclasses.replace(example, source=str(shipped))
    script = ("import sys; from rampart.catalog import load_catalog; "
              f"load_catalog({str(shipped)!r}); print('yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=built / "lifecycle",
                          env={"PATH": os.environ["PATH"]}, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def test_no_bytecode_ships_sources_only(tmp_path: Path, run_build: RunBuild) -> None:
    done = run_build("--no-deps", "--no-bytecode", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "--no-bytecode: sources only" in done.stdout
    assert (tmp_path / "sweeper" / "rampart" / "fc" / "runtime.py").is_file()
    assert list(tmp_path.rglob("*.pyc")) == [] and list(tmp_path.rglob("__pycache__")) == []


def test_the_build_fails_clearly_without_the_runtimes_python(
    tmp_path: Path, repo_root: Path, run_build: RunBuild,
) -> None:
    env = {"PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path / "no-pyenv")}
    done = subprocess.run([sys.executable, str(repo_root / "tools" / "build.py"), "--no-deps", "--out", str(tmp_path / "out"),
                           "--python-version", "3.12"], capture_output=True, text=True, cwd=repo_root, env=env, check=False)
    assert done.returncode == 1
    assert "build: error: no Python 3.12 interpreter found" in done.stderr
    assert "pyenv install 3.12" in done.stderr
    assert not (tmp_path / "out").exists()
    wrong = run_build("--no-deps", "--out", str(tmp_path / "out"), "--python-version", "3.12", "--python", sys.executable)
    assert wrong.returncode == 1 and "is not Python 3.12" in wrong.stderr
    unknown = run_build("--no-deps", "--out", str(tmp_path / "out"), "--python-version", "3.9")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


@pytest.mark.parametrize("directory", sorted(FUNCTION_NAMES))
def test_a_built_handler_imports_from_its_own_directory(built: Path, directory: str) -> None:
    """In a fresh process that has only the function's directory (and the SDKs, which the layer
    brings in FC): ``index.handler`` imports, from the copy of rampart beside it; a receiver
    answers a path it does not serve with 404 before touching the cloud."""
    code = built / directory
    event = json.dumps(http_event("POST", "/nowhere", b"{}", datetime.now(timezone.utc)))
    script = (
        "import json, sys, index, rampart\n"
        "assert callable(index.handler)\n"
        f"assert rampart.__file__.startswith({str(code)!r}), rampart.__file__\n"
        f"if {directory.endswith('_webhook')!r}:\n"
        f"    answer = index.handler({event!r}.encode(), None)\n"
        "    print(answer['statusCode'])\n"
        "else:\n"
        "    print('imported')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=code, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("404" if directory.endswith("_webhook") else "imported")


def test_the_build_refuses_a_broken_or_missing_catalog(tmp_path: Path, run_build: RunBuild) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("profiles: [this is not a catalog\n", encoding="utf-8")
    done = run_build("--no-deps", "--out", str(tmp_path / "out"), "--catalog", str(bad))
    assert done.returncode == 1
    assert "build: error: catalog" in done.stderr
    assert not (tmp_path / "out").exists()
    missing = run_build("--no-deps", "--out", str(tmp_path / "out"), "--catalog", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
