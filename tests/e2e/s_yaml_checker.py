"""Checks ``s.yaml`` and ``deploy/policies/*.json`` against the code (tests/e2e/test_deploy.py,
which gets a :class:`SYamlChecker` from the ``s_yaml_checker`` fixture of tests/e2e/conftest.py).

:meth:`SYamlChecker.check` returns every problem it finds in a parsed s.yaml (an empty list means
none), so a test can also feed it broken copies and see each mistake named. What it holds the
file to:

- the fc3 format (alibaba-platform.md §D.8): ``edition: 3.0.0``, one ``component: fc3``
  resource per function, ``${vars.x}`` references that resolve;
- the code: each ``handler`` is ``index.handler``, and ``index.py`` in the function's build
  directory (``tools/build.py`` copies ``functions/<fn>/index.py`` there) defines
  ``handler(event, context)``; ``code`` is a directory ``tools/build.py`` produces;
- the environment: every variable is one rampart reads (the ``ENV_*`` constants of
  ``rampart.config``), none is reserved (``FC_*``, the credentials FC injects itself), the
  required ones are there, ``RAMPART_LIFECYCLE_FUNCTION`` names the lifecycle function, the
  catalog is the one the build ships, and ``rampart.config`` accepts the values;
- FC's limits (§D.6/§D.7): names, memory, timeouts, trigger types, 6-field cron, async
  retries 0-8 and event age 1-604800;
- least privilege: receivers run as ``rampart-receiver``, the worker functions as
  ``rampart-worker``, each a policy file in ``deploy/policies``; and the policies allow what
  this deployment's names need (the hand-off target, the webhook secrets, the optional
  notification secret, which only the lifecycle function reads, and the audit logstore).

Pure except for reading the repository's files (under the root it is given). Never reads credentials.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from rampart import config
from rampart.catalog import load_catalog
from rampart.engine.sweep import parse_timer
from rampart.errors import ConfigError
from rampart.fc.receiver import HR_ROUTES, TICKET_ROUTES
from rampart.planning import timebound

from localcloud.policy import language as policy_language
from tests.e2e.deployment import FUNCTION_NAMES, RECEIVER_ROLE, WORKER_ROLE

ROLES = {"hr_webhook": RECEIVER_ROLE, "ticket_webhook": RECEIVER_ROLE, "lifecycle": WORKER_ROLE, "sweeper": WORKER_ROLE}
RECEIVER_ROUTES = {"hr_webhook": HR_ROUTES, "ticket_webhook": TICKET_ROUTES}
TRIGGER_TYPES = ("oss", "log", "timer", "http", "tablestore", "cdn_events", "mns_topic", "eventbridge")
"""``triggerType`` values (fc20230330 models/_create_trigger_input.py, §D.7)."""
RUNTIMES = ("python3.10", "python3.12")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
TRIGGER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$")
ENV_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_ENV_BYTES = 4096
"""§D.4: keys start with a letter; letters, digits, ``_``; at most 4 KB in all; ``FC_*`` reserved."""
ROLE_ARN = re.compile(r"^acs:ram::(?P<account>[^:]+):role/(?P<role>[A-Za-z0-9.-]+)$")
DESTINATION = re.compile(r"^acs:(mns|fc|eventbridge|rocketmq):[^:]*:[^:]*:\S+$")
VAR = re.compile(r"\$\{vars\.([A-Za-z0-9_]+)\}")
SAMPLE_ACCOUNT = "123456789012"
"""Stands in for ``vars.accountId`` when a resolved ARN is checked against the policies."""


def known_env() -> set[str]:
    """Every environment variable rampart reads: the ``ENV_*`` constants of ``rampart.config``."""
    return {v for k, v in vars(config).items() if k.startswith("ENV_") and isinstance(v, str)}


FC_SETS = {config.ENV_ACCESS_KEY_ID, config.ENV_ACCESS_KEY_SECRET, config.ENV_SECURITY_TOKEN, config.ENV_FC_ACCOUNT_ID}
"""Read by rampart but set by Function Compute itself (the role's credentials, the account id)."""
REQUIRED_ENV = {config.ENV_REGION, config.ENV_CATALOG, config.ENV_SLS_PROJECT, config.ENV_SLS_LOGSTORE}
"""Every function: region, catalog and the audit logstore (their defaults suit only a laptop)."""


# --- variables --------------------------------------------------------------------------------


def resolve(value: Any, variables: Mapping[str, Any], problems: list[str], where: str) -> Any:
    """``value`` with every ``${vars.x}`` replaced; an unknown variable is a problem."""
    if isinstance(value, dict):
        return {k: resolve(v, variables, problems, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, variables, problems, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            problems.append(f"{where}: ${{vars.{name}}} is not defined under vars")
            return match.group(0)
        return str(variables[name])

    return VAR.sub(substitute, value)


# --- s.yaml -----------------------------------------------------------------------------------


def _check_log_config(props: Mapping[str, Any], where: str) -> list[str]:
    log = props.get("logConfig")
    if log == "auto":
        return []
    if not isinstance(log, dict) or not all(isinstance(log.get(k), str) and log.get(k) for k in ("project", "logstore")):
        return [f"{where}: logConfig needs project and logstore"]
    env = props.get("environmentVariables") or {}
    if (log["project"], log["logstore"]) == (env.get(config.ENV_SLS_PROJECT), env.get(config.ENV_SLS_LOGSTORE)):
        return [f"{where}: logConfig writes FC's logs into the audit logstore; give them their own"]
    return []


def _triggers(raw: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, trigger in enumerate(raw if isinstance(raw, list) else []):
        yield index, trigger if isinstance(trigger, dict) else {}


def _check_triggers(directory: str, raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not raw:
        return [f"{where}: triggers must list at least one trigger"]
    problems: list[str] = []
    names: set[str] = set()
    kinds: list[str] = []
    for index, trigger in _triggers(raw):
        at = f"{where}.triggers[{index}]"
        name, kind = trigger.get("triggerName"), trigger.get("triggerType")
        if not isinstance(name, str) or not TRIGGER_NAME.match(name):
            problems.append(f"{at}: triggerName {name!r} breaks FC's naming rule")
        elif name in names:
            problems.append(f"{at}: triggerName {name!r} is used twice")
        else:
            names.add(name)
        if kind not in TRIGGER_TYPES:
            problems.append(f"{at}: triggerType {kind!r} is not one of {', '.join(TRIGGER_TYPES)}")
            continue
        kinds.append(kind)
        settings = trigger.get("triggerConfig")
        if not isinstance(settings, dict):
            problems.append(f"{at}: triggerConfig must be a mapping")
            continue
        if kind == "http":
            problems += _check_http(settings, at)
        elif kind == "timer":
            problems += _check_timer(settings, at)
        elif kind == "eventbridge":
            problems += _check_eventbridge(settings, at)
    expected = {"hr_webhook": "http", "ticket_webhook": "http", "lifecycle": "eventbridge", "sweeper": "timer"}[directory]
    if expected not in kinds:
        problems.append(f"{where}: {directory} needs a {expected} trigger")
    if directory == "lifecycle":
        modes = [_eventbridge_mode(t.get("triggerConfig")) for _, t in _triggers(raw) if t.get("triggerType") == "eventbridge"]
        for mode in ("Default", "event-streaming"):
            if mode not in modes:
                problems.append(f"{where}: the lifecycle function needs an EventBridge trigger in {mode} mode")
    return problems


def _check_http(settings: Mapping[str, Any], at: str) -> list[str]:
    problems = []
    if settings.get("methods") != ["POST"]:
        problems.append(f"{at}: methods must be [POST] (webhooks are POSTed; rampart answers 405 otherwise)")
    if settings.get("authType") not in ("anonymous", "function"):
        problems.append(f"{at}: authType {settings.get('authType')!r} must be anonymous or function")
    return problems


def _check_timer(settings: Mapping[str, Any], at: str) -> list[str]:
    problems = []
    cron = settings.get("cronExpression")
    if not isinstance(cron, str) or not (cron.startswith("@every ") or len(cron.split()) == 6):
        problems.append(f"{at}: cronExpression {cron!r} must have 6 fields (seconds first, UTC) or be @every <d>")
    if not isinstance(settings.get("enable"), bool):
        problems.append(f"{at}: enable must be true or false")
    payload = settings.get("payload")
    if not isinstance(payload, str):
        problems.append(f"{at}: payload must be a string (the sweeper reads JSON options from it)")
    else:
        try:
            options = json.loads(payload)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            problems.append(f"{at}: payload {payload!r} is not a JSON object of sweep options")
        else:
            event = json.dumps({"triggerName": "t", "triggerTime": "2024-01-01T00:00:00Z", "payload": payload})
            timer = parse_timer(event.encode())
            if "rotate" in options and timer.rotate is not options["rotate"]:
                problems.append(f"{at}: payload rotate {options['rotate']!r} is not a boolean the sweeper reads")
    return problems


def _eventbridge_mode(settings: Any) -> str:
    if not isinstance(settings, dict):
        return ""
    run = settings.get("runOptions")
    if isinstance(run, dict) and run.get("mode") == "event-streaming":
        return "event-streaming"
    source = settings.get("eventSourceConfig")
    return str(source.get("eventSourceType", "")) if isinstance(source, dict) else ""


def _check_eventbridge(settings: Mapping[str, Any], at: str) -> list[str]:
    problems = []
    for key in ("triggerEnable", "asyncInvocationType"):
        if not isinstance(settings.get(key), bool):
            problems.append(f"{at}: {key} must be true or false")
    try:
        json.loads(str(settings.get("eventRuleFilterPattern")))
    except ValueError:
        problems.append(f"{at}: eventRuleFilterPattern must be a JSON pattern")
    source = settings.get("eventSourceConfig")
    if not isinstance(source, dict) or not source.get("eventSourceType"):
        problems.append(f"{at}: eventSourceConfig.eventSourceType is required")
    run = settings.get("runOptions")
    if isinstance(run, dict) and run.get("mode") == "event-streaming":
        window = run.get("batchWindow")
        if not (isinstance(window, dict) and all(isinstance(window.get(k), int) and window[k] > 0
                                                 for k in ("CountBasedWindow", "TimeBasedWindow"))):
            problems.append(f"{at}: event streaming needs batchWindow CountBasedWindow and TimeBasedWindow")
    return problems


def _check_async(directory: str, raw: Any, where: str) -> list[str]:
    if raw is None:
        return [f"{where}: the lifecycle function needs asyncInvokeConfig"] if directory == "lifecycle" else []
    where = f"{where}.asyncInvokeConfig"
    if not isinstance(raw, dict):
        return [f"{where} must be a mapping"]
    problems = []
    retries, age = raw.get("maxAsyncRetryAttempts"), raw.get("maxAsyncEventAgeInSeconds")
    if not (isinstance(retries, int) and not isinstance(retries, bool) and 0 <= retries <= 8):
        problems.append(f"{where}: maxAsyncRetryAttempts {retries!r} must be 0-8")
    if not (isinstance(age, int) and not isinstance(age, bool) and 1 <= age <= 604800):
        problems.append(f"{where}: maxAsyncEventAgeInSeconds {age!r} must be 1-604800")
    if directory == "lifecycle" and raw.get("asyncTask") is not True:
        problems.append(f"{where}: asyncTask must be true (the receivers' task ids deduplicate deliveries)")
    failure = ((raw.get("destinationConfig") or {}).get("onFailure") or {}).get("destination")
    if directory == "lifecycle" and not (isinstance(failure, str) and DESTINATION.match(failure)):
        problems.append(f"{where}: destinationConfig.onFailure.destination {failure!r} is not an MNS/FC/EventBridge ARN")
    return problems


def _check_handoff(functions: Mapping[str, Mapping[str, Any]]) -> list[str]:
    target = functions["lifecycle"].get("functionName")
    problems = []
    for directory in RECEIVER_ROUTES:
        env = (functions.get(directory) or {}).get("environmentVariables") or {}
        named = env.get(config.ENV_LIFECYCLE_FUNCTION) if isinstance(env, dict) else None
        if named is not None and named != target:
            problems.append(f"{directory}: {config.ENV_LIFECYCLE_FUNCTION} {named!r} is not the lifecycle function {target!r}")
    return problems


# --- the checker: the build's layout, the handlers and the policies ------------------------------


class SYamlChecker:
    """The checks that need the repository: the build's layout (``tools/build.py``, loaded by
    the ``build_tool`` fixture), the handlers' sources and the policy files."""

    def __init__(self, repo: Path, build_tool: ModuleType) -> None:
        self.repo = repo
        self.build_tool = build_tool
        self.policies = repo / "deploy" / "policies"

    def check(self, document: Any) -> list[str]:
        """Every problem of a parsed s.yaml; [] when it matches the code."""
        problems: list[str] = []
        if not isinstance(document, dict):
            return ["s.yaml is not a mapping"]
        if str(document.get("edition")) != "3.0.0":
            problems.append("edition must be 3.0.0 (the fc3 component's format)")
        variables = document.get("vars") or {}
        if not isinstance(variables, dict):
            problems.append("vars must be a mapping")
            variables = {}
        resources = document.get("resources")
        if not isinstance(resources, dict) or not resources:
            return [*problems, "resources must map resource names to fc3 components"]
        functions: dict[str, dict[str, Any]] = {}
        for key, resource in resources.items():
            where = f"resources.{key}"
            if not isinstance(resource, dict) or resource.get("component") != "fc3":
                problems.append(f"{where}: component must be fc3")
                continue
            props = resolve(resource.get("props") or {}, variables, problems, f"{where}.props")
            directory = self._code_directory(props.get("code"), where, problems)
            if directory is None:
                continue
            if directory in functions:
                problems.append(f"{where}: a second resource deploys build/{directory}")
                continue
            functions[directory] = props
            problems += self._check_function(directory, props, where)
        missing = sorted(set(FUNCTION_NAMES) - set(functions))
        if missing:
            problems.append(f"no resource deploys {', '.join(missing)}")
        if "lifecycle" in functions:
            problems += _check_handoff(functions)
        problems += self._check_policies_cover(functions)
        return problems

    def _code_directory(self, code: Any, where: str, problems: list[str]) -> str | None:
        """The function directory of ``code: ./build/<dir>`` (what tools/build.py writes)."""
        built = self.build_tool.FUNCTIONS
        if not isinstance(code, str):
            problems.append(f"{where}.props.code must be the path of a build directory, not {code!r}")
            return None
        match = re.fullmatch(r"(?:\./)?build/([A-Za-z0-9_]+)/?", code)
        if match is None or match.group(1) not in built:
            problems.append(f"{where}.props.code {code!r} is not a directory tools/build.py produces "
                            f"(./build/<{'|'.join(built)}>)")
            return None
        return match.group(1)

    def _check_function(self, directory: str, props: Mapping[str, Any], where: str) -> list[str]:
        problems: list[str] = []
        name = props.get("functionName")
        if name != FUNCTION_NAMES[directory]:
            problems.append(f"{where}: functionName {name!r} should be {FUNCTION_NAMES[directory]!r}")
        elif not NAME.match(name):
            problems.append(f"{where}: functionName {name!r} breaks FC's naming rule")
        if props.get("runtime") not in RUNTIMES:
            problems.append(f"{where}: runtime {props.get('runtime')!r} is not one of {', '.join(RUNTIMES)}")
        problems += self._check_handler(directory, props.get("handler"), where)
        memory, timeout = props.get("memorySize"), props.get("timeout")
        if not (isinstance(memory, int) and 128 <= memory <= 32768 and memory % 64 == 0):
            problems.append(f"{where}: memorySize {memory!r} must be 128-32768 MB, a multiple of 64")
        if not (isinstance(timeout, int) and 1 <= timeout <= 86400):
            problems.append(f"{where}: timeout {timeout!r} must be 1-86400 s")
        layers = props.get("layers")
        if not (isinstance(layers, list) and layers and all(isinstance(x, str) and x for x in layers)):
            problems.append(f"{where}: layers must list the dependency layer's ARN (build/layer)")
        problems += self._check_role(directory, props.get("role"), where)
        problems += self._check_env(directory, props.get("environmentVariables"), where)
        problems += _check_log_config(props, where)
        problems += _check_triggers(directory, props.get("triggers"), where)
        problems += _check_async(directory, props.get("asyncInvokeConfig"), where)
        return problems

    def _check_handler(self, directory: str, handler: Any, where: str) -> list[str]:
        """``index.handler``: ``index.py`` (copied by the build from functions/<dir>/) defines
        ``handler(event, context)``."""
        tool = self.build_tool
        module_file = Path(tool.HANDLER_FILE).stem
        if not isinstance(handler, str) or handler.count(".") != 1:
            return [f"{where}: handler {handler!r} must be <module>.<function>"]
        module, function = handler.split(".")
        if module != module_file:
            return [f"{where}: handler {handler!r}: the build ships {tool.HANDLER_FILE}, not {module}.py"]
        source = self.repo / "functions" / directory / tool.HANDLER_FILE
        tree = ast.parse(source.read_text(encoding="utf-8"))
        found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
        if not found:
            return [f"{where}: handler {handler!r}: functions/{directory}/{tool.HANDLER_FILE} defines no {function}()"]
        if len(found[0].args.args) != 2:
            return [f"{where}: handler {handler!r} must take (event, context)"]
        return []

    def _check_role(self, directory: str, role: Any, where: str) -> list[str]:
        match = ROLE_ARN.match(role) if isinstance(role, str) else None
        if match is None:
            return [f"{where}: role {role!r} is not acs:ram::<account>:role/<name>"]
        wanted = ROLES[directory]
        if match["role"] != wanted:
            return [f"{where}: role {match['role']!r} should be {wanted!r} (least privilege, deploy/README.md)"]
        if not (self.policies / f"{wanted}.json").is_file():
            return [f"{where}: deploy/policies/{wanted}.json is missing"]
        return []

    def _check_env(self, directory: str, env: Any, where: str) -> list[str]:
        where = f"{where}.environmentVariables"
        if not isinstance(env, dict):
            return [f"{where} must be a mapping"]
        problems: list[str] = []
        known = known_env()
        for key, value in env.items():
            if not isinstance(key, str) or not ENV_KEY.match(key):
                problems.append(f"{where}: {key!r} is not a valid variable name")
            elif key.startswith("FC_") or key in FC_SETS:
                problems.append(f"{where}: {key} is set by Function Compute itself; remove it")
            elif key not in known:
                problems.append(f"{where}: {key} is not a variable rampart reads (rampart/config.py)")
            if not isinstance(value, str):
                problems.append(f"{where}.{key}: {value!r} must be a string (quote it)")
        size = sum(len(str(k)) + len(str(v)) for k, v in env.items())
        if size > MAX_ENV_BYTES:
            problems.append(f"{where}: {size} bytes, over FC's 4 KB")
        required = set(REQUIRED_ENV)
        routes = RECEIVER_ROUTES.get(directory)
        if routes is not None:
            required.add(config.ENV_LIFECYCLE_FUNCTION)
            served = {config.SOURCE_SECRET_ENV[source] for source in routes.values()}
            if not served & set(env):
                problems.append(f"{where}: no webhook source configured (one of {', '.join(sorted(served))})")
            for var in sorted(set(config.SOURCE_SECRET_ENV.values()) & set(env) - served):
                problems.append(f"{where}: {var} names a source this function does not serve")
        else:
            for var in sorted(set(config.SOURCE_SECRET_ENV.values()) & set(env)):
                problems.append(f"{where}: {var} belongs on the receiver serving that source")
        if config.ENV_NOTIFY_SECRET_NAME in env and directory != "lifecycle":
            problems.append(f"{where}: {config.ENV_NOTIFY_SECRET_NAME} belongs on the lifecycle function "
                            "(only it notifies, functions/lifecycle/index.py)")
        for var in sorted(required - set(env)):
            problems.append(f"{where}: {var} is required")
        catalog = env.get(config.ENV_CATALOG)
        expected = f"/code/{self.build_tool.CATALOG_NAME}"
        if catalog is not None and catalog != expected:
            problems.append(
                f"{where}: {config.ENV_CATALOG} {catalog!r} should be {expected!r}, the catalog the build ships")
        if all(isinstance(v, str) for v in env.values()):
            try:
                config.FunctionSettings.from_env({str(k): v for k, v in env.items()})
            except ConfigError as exc:
                problems.append(f"{where}: rampart refuses the values: {exc}")
        return problems

    def _check_policies_cover(self, functions: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """The names this s.yaml uses are inside what the policies grant."""
        problems: list[str] = []
        lifecycle = (functions.get("lifecycle") or {}).get("functionName")
        for directory, props in functions.items():
            env = props.get("environmentVariables")
            if not isinstance(env, dict):
                continue
            region = str(props.get("region") or config.DEFAULT_REGION)
            role = ROLES[directory]
            if directory in RECEIVER_ROUTES:
                function = f"acs:fc:{region}:{SAMPLE_ACCOUNT}:functions/{lifecycle}"
                if lifecycle and not self.allows(role, "fc:InvokeFunction", function):
                    problems.append(f"{directory}: {role}.json does not allow invoking {lifecycle}")
                for var in sorted(set(config.SOURCE_SECRET_ENV.values()) & set(env)):
                    arn = f"acs:kms:{region}:{SAMPLE_ACCOUNT}:secret/{env[var]}"
                    if not self.allows(role, "kms:GetSecretValue", arn):
                        problems.append(f"{directory}: {role}.json does not allow reading {var}={env[var]!r}")
            notify = env.get(config.ENV_NOTIFY_SECRET_NAME)
            if directory == "lifecycle" and isinstance(notify, str) and notify:
                arn = f"acs:kms:{region}:{SAMPLE_ACCOUNT}:secret/{notify}"
                if not self.allows(role, "kms:GetSecretValue", arn):
                    problems.append(f"{directory}: {role}.json does not allow reading "
                                    f"{config.ENV_NOTIFY_SECRET_NAME}={notify!r} (name it rampart-notify/...)")
            project, logstore = env.get(config.ENV_SLS_PROJECT), env.get(config.ENV_SLS_LOGSTORE)
            if role == WORKER_ROLE and project and logstore:
                arn = f"acs:log:{region}:{SAMPLE_ACCOUNT}:project/{project}/logstore/{logstore}"
                for action in ("log:PostLogStoreLogs", "log:GetLogStoreLogs"):
                    if not self.allows(role, action, arn):
                        problems.append(f"{directory}: {role}.json does not allow {action} on {project}/{logstore}")
        if "lifecycle" in functions:
            prefix = load_catalog(self.build_tool.DEFAULT_CATALOG).options.secret_prefix
            secret = f"acs:kms:cn-hangzhou:{SAMPLE_ACCOUNT}:secret/{prefix}/someone/access-key"
            if not self.allows(WORKER_ROLE, "kms:PutSecretValue", secret):
                problems.append(f"rampart-worker.json does not cover the catalog's secret_prefix {prefix!r}")
            policy = f"acs:ram:*:{SAMPLE_ACCOUNT}:policy/{timebound.PREFIX}x"
            if not self.allows(WORKER_ROLE, "ram:CreatePolicy", policy):
                problems.append(f"rampart-worker.json does not allow the time-bound policies ({timebound.PREFIX}*)")
        return problems

    def load_policy(self, role: str) -> policy_language.PolicyDocument:
        return policy_language.parse((self.policies / f"{role}.json").read_text(encoding="utf-8"))

    def allows(self, role: str, action: str, resource: str) -> bool:
        """Whether ``deploy/policies/<role>.json`` allows ``action`` on ``resource`` (RAM's rules, as
        localcloud evaluates them)."""
        request = policy_language.AuthzRequest(action=action, resource=resource, context={})
        return policy_language.evaluate([(role, self.load_policy(role))], request).allowed
