"""Deploys rampart onto a running localcloud, the way ``s deploy`` and deploy/README.md deploy
it onto Alibaba Cloud: for ``rampart dev``, ``make demo`` and the end-to-end tests.

Given localcloud's endpoint and its root key (``GET /_localcloud/info``), :func:`deploy`:

1. makes the catalog: the given file, or the shipped example with its placeholder resource
   group (``rg-armsdemo000000001``) replaced by a real one it creates (ResourceManager);
2. runs what ``rampart init`` runs (``rampart.operations.initialise``: the SLS audit logstore and
   index, the catalog's custom policies, the password-policy check);
3. creates the two function roles, trusting ``fc.aliyuncs.com`` only, each with its custom
   policy made from ``deploy/policies/<role>.json`` (least privilege, never a system policy);
4. stores every webhook source's configuration as a KMS secret ``rampart-webhook/<source>``
   (the DEMO values of ``events/hr/demo-config.json`` and ``events/ticket/demo-config.json``
   unless others are given; rampart.sources.configured describes the shapes);
5. registers a DingTalk robot in localcloud (``POST /_localcloud/robots``, the DEMO token and
   signing key below) and stores the notification secret ``rampart-notify/robot`` pointing at
   it (deploy/README.md "Notification secret"), so joiners and leavers are announced;
6. registers the four functions in localcloud's Function Compute through its admin route
   (``POST /_localcloud/functions``), with s.yaml's names, handlers, roles, timeouts and
   environment (the lifecycle function's names the notification secret), the lifecycle
   function with s.yaml's async config (3 retries, 1 day) and an on-failure destination:
   localcloud supports only function destinations, so the dead letters go to the function
   ``rampart-dead-letters`` (:func:`dead_letter`) instead of s.yaml's MNS queue.

Idempotent: a second run converges (existing groups, roles, policies and equal secrets are
kept; functions are registered again). Only SDK calls (through ``rampart.adapters``) and
localcloud's loopback admin routes: it works against ``python -m localcloud serve`` in
another process. Never prints, logs or returns a secret value. Never used by a deployed
function; localcloud itself is never imported here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rampart.adapters.retry import is_not_found
from rampart.config import (
    DEFAULT_LIFECYCLE_FUNCTION,
    ENV_CATALOG,
    ENV_ENDPOINT,
    ENV_FC_API,
    ENV_LIFECYCLE_FUNCTION,
    ENV_LOCK_LEASE_SECONDS,
    ENV_NOTIFY_SECRET_NAME,
    ENV_REGION,
    ENV_SLS_LOGSTORE,
    ENV_SLS_PROJECT,
    ENV_SYNC_APPLY,
    EXAMPLE_CATALOG,
    SOURCE_SECRET_ENV,
)
from rampart.errors import CloudError, ConfigError
from rampart.secret import Secret

from rampart_dev.admin import Admin, Target

if TYPE_CHECKING:
    from rampart.ports import Identities, Secrets

    from rampart_dev.devcloud import DevCloud

REPO = Path(__file__).resolve().parents[2]
"""The checkout this library sits in (``shared/rampart`` -> the repository root)."""
POLICIES = REPO / "deploy" / "policies"
RG_PLACEHOLDER = "rg-armsdemo000000001"
DEV_RESOURCE_GROUP = ("rampart-dev-apps", "rampart dev: shop applications")
RECEIVER_ROLE = "rampart-receiver"
WORKER_ROLE = "rampart-worker"
HR_FUNCTION = "rampart-hr-webhook"
TICKET_FUNCTION = "rampart-ticket-webhook"
LIFECYCLE_FUNCTION = DEFAULT_LIFECYCLE_FUNCTION
SWEEPER_FUNCTION = "rampart-sweeper"
DEAD_LETTER_FUNCTION = "rampart-dead-letters"
WEBHOOK_SECRET_PREFIX = "rampart-webhook/"  # noqa: S105 - a name prefix (deploy/policies/rampart-receiver.json)
FC_TRUST = json.dumps({"Version": "1", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": ["fc.aliyuncs.com"]}}]})
DEMO_FILES = {
    "hr:generic": ("hr", "generic"), "hr:feishu": ("hr", "feishu"), "hr:bamboohr": ("hr", "bamboohr"),
    "hr:dingtalk": ("hr", "dingtalk"), "ticket:jira": ("ticket", "jira"), "ticket:generic": ("ticket", "generic"),
}
"""Source -> (``events/<dir>/demo-config.json``, its section)."""
SECRET_NAMES = {"hr:generic": "generic", "hr:feishu": "feishu", "hr:bamboohr": "bamboohr",
                "hr:dingtalk": "dingtalk", "ticket:jira": "jira", "ticket:generic": "ticket"}
"""Source -> the last part of its KMS secret name (s.yaml's ``rampart-webhook/<name>``)."""
NOTIFY_SECRET_NAME = "rampart-notify/robot"  # noqa: S105 - a name: s.yaml's (the worker may read rampart-notify/*)
DEV_ROBOT_KIND = "dingtalk"
DEV_ROBOT_TOKEN = "rampart-dev-robot"  # noqa: S105 - localcloud's DEMO robot: never a real one
DEV_ROBOT_SECRET = "SECrampart0dev0robot0DEMO0ONLY"  # noqa: S105 - its DEMO signing key (localcloud only)
"""The robot ``rampart dev`` registers in localcloud: DEMO values, like events/*/demo-config.json."""

_log = logging.getLogger("rampart_dev.devstack")


@dataclass(frozen=True, slots=True)
class Function:
    """One of s.yaml's functions, as registered in localcloud."""

    name: str
    folder: str
    role: str | None
    timeout: int
    sources: tuple[str, ...] = ()
    """The webhook sources whose secret names go into its environment."""
    receiver: bool = False
    async_config: Mapping[str, Any] | None = None

    @property
    def handler(self) -> str:
        return f"functions/{self.folder}/index.handler"


_LIFECYCLE_TIMEOUT = 120
"""s.yaml's lifecycle function timeout, in seconds."""
FUNCTIONS = (
    Function(HR_FUNCTION, "hr_webhook", RECEIVER_ROLE, 10, ("hr:generic", "hr:feishu", "hr:bamboohr", "hr:dingtalk"),
             receiver=True),
    Function(TICKET_FUNCTION, "ticket_webhook", RECEIVER_ROLE, 10, ("ticket:jira", "ticket:generic"), receiver=True),
    Function(LIFECYCLE_FUNCTION, "lifecycle", WORKER_ROLE, _LIFECYCLE_TIMEOUT,
             async_config={"max_retries": 3, "max_event_age": 86400, "on_failure": DEAD_LETTER_FUNCTION}),
    Function(SWEEPER_FUNCTION, "sweeper", WORKER_ROLE, 900),
)


ISOLATIONS = ("inline", "process")
"""localcloud FC's ways to run a handler: in its own process one at a time (``inline``, the
default) or each instance a worker subprocess (``process``: a crash or a kill fails the attempt
as on FC, and the function's timeout is enforced; localcloud/README.md)."""


@dataclass(frozen=True, slots=True)
class LifecycleRuntime:
    """How the lifecycle and sweeper functions run in localcloud; the defaults are s.yaml's.

    ``timeout``: the functions' timeout in seconds (None: s.yaml's); ``lock_lease``: the
    per-user lock's lease (``RAMPART_LOCK_LEASE_SECONDS``; None: rampart's default), which must
    exceed ``timeout``; ``isolation``: localcloud's ``isolation`` for the lifecycle function
    (None: localcloud's default). The chaos campaign (tools/chaos.py) kills lifecycle
    instances, so it uses ``process``, a short timeout and a lease a little longer."""

    isolation: str | None = None
    timeout: int | None = None
    lock_lease: int | None = None

    def __post_init__(self) -> None:
        if self.isolation is not None and self.isolation not in ISOLATIONS:
            raise ConfigError(f"isolation must be one of {', '.join(ISOLATIONS)}, not {self.isolation[:20]!r}")
        if self.timeout is not None and not 1 <= self.timeout <= 86400:
            raise ConfigError(f"the lifecycle timeout must be 1 to 86400 seconds, not {self.timeout}")
        if self.lock_lease is not None:
            limit = self.timeout if self.timeout is not None else _LIFECYCLE_TIMEOUT
            if self.lock_lease <= limit:
                raise ConfigError(f"the lock lease ({self.lock_lease} s) must exceed the lifecycle function's "
                                  f"timeout ({limit} s)", hint="a live holder must never lose its lock")


@dataclass(frozen=True, slots=True)
class Deployment:
    target: Target
    catalog: Path
    resource_group: str | None
    functions: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    """The environment every function shares (no credentials: FC adds the role's)."""
    problems: tuple[str, ...] = ()
    """``rampart init``'s advice that did not stop the deployment."""


# --- the parts of a deployment -----------------------------------------------------------


def demo_webhook_values(events: Path = REPO / "events") -> dict[str, dict[str, Any]]:
    """Every source's DEMO configuration (events/README.md): never a production value."""
    out: dict[str, dict[str, Any]] = {}
    files: dict[str, dict[str, Any]] = {}
    for source, (folder, section) in DEMO_FILES.items():
        if folder not in files:
            path = events / folder / "demo-config.json"
            try:
                files[folder] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"cannot read the demo webhook configuration {path}: {exc}") from None
        out[source] = dict(files[folder][section])
    return out


def demo_catalog(dev: DevCloud, workdir: Path) -> tuple[Path, str]:
    """The example catalog with its placeholder resource group replaced by a real one."""
    group = dev.ensure_resource_group(*DEV_RESOURCE_GROUP)
    text = EXAMPLE_CATALOG.read_text(encoding="utf-8").replace(RG_PLACEHOLDER, group)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path, group


def policy_document(role: str, policies: Path = POLICIES) -> str:
    path = policies / f"{role}.json"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"the role policy {path} is missing: {exc.strerror}",
                          hint="deploy/policies/ holds rampart-receiver.json and rampart-worker.json") from None


def ensure_roles(identities: Identities, dev: DevCloud, policies: Path = POLICIES) -> None:
    """Each role trusting FC, with its custom policy from ``deploy/policies`` attached."""
    for role in (RECEIVER_ROLE, WORKER_ROLE):
        change = identities.ensure_policy(role, policy_document(role, policies), f"rampart: the {role} function role")
        created = dev.ensure_role(role, FC_TRUST, f"rampart: assumed by Function Compute for the {role} functions")
        dev.attach_role_policy(role, role)
        _log.info("role ready", extra={"role": role, "role_created": created, "policy": change.value})


def ensure_webhook_secrets(secrets: Secrets, values: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each source's configuration as KMS secret ``rampart-webhook/<name>``; source -> name."""
    names: dict[str, str] = {}
    for source, value in values.items():
        if source not in SECRET_NAMES:
            raise ConfigError(f"no webhook source {source!r}", hint=f"one of {', '.join(SECRET_NAMES)}")
        name = WEBHOOK_SECRET_PREFIX + SECRET_NAMES[source]
        _ensure_secret(secrets, name, value, {"rampart:webhook-source": source})
        names[source] = name
    return names


def ensure_dev_robot(admin: Admin, secrets: Secrets, endpoint: str) -> str:
    """localcloud's DingTalk robot and the KMS secret that points the lifecycle function at it,
    as an operator stores a real one (deploy/README.md "Notification secret"); its name."""
    answer = admin.call("POST", "/robots", {"kind": DEV_ROBOT_KIND, "token": DEV_ROBOT_TOKEN,
                                            "secret": DEV_ROBOT_SECRET})
    value = {"kind": DEV_ROBOT_KIND, "url": f"http://{endpoint}{answer['path']}", "secret": DEV_ROBOT_SECRET}
    _ensure_secret(secrets, NOTIFY_SECRET_NAME, value, {"rampart:notify": DEV_ROBOT_KIND})
    return NOTIFY_SECRET_NAME


def _ensure_secret(secrets: Secrets, name: str, value: Mapping[str, Any], tags: Mapping[str, str]) -> None:
    """``value`` as JSON in KMS secret ``name``: a new version only when it differs."""
    wanted = json.dumps(dict(value), ensure_ascii=False, sort_keys=True)
    try:
        current: str | None = secrets.read(name).reveal()
    except CloudError as exc:
        if not is_not_found(exc.code):
            raise
        current = None
    if current is None or _json(current) != _json(wanted):
        secrets.put(name, Secret(wanted), tags)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def function_env(target: Target, catalog: Path, secret_names: Mapping[str, str],
                 notify_secret: str | None = None, lifecycle: LifecycleRuntime | None = None) -> dict[str, dict[str, str]]:
    """Each function's environment, as s.yaml sets it, pointed at localcloud."""
    common = {ENV_REGION: target.region, ENV_ENDPOINT: target.endpoint, ENV_CATALOG: str(catalog),
              ENV_SLS_PROJECT: "rampart-audit", ENV_SLS_LOGSTORE: "lifecycle"}
    out: dict[str, dict[str, str]] = {}
    for fn in FUNCTIONS:
        env = dict(common)
        if fn.receiver:
            env |= {ENV_LIFECYCLE_FUNCTION: LIFECYCLE_FUNCTION, ENV_FC_API: "2023-03-30", ENV_SYNC_APPLY: "0"}
        for source in fn.sources:
            if source in secret_names:
                env[SOURCE_SECRET_ENV[source]] = secret_names[source]
        if notify_secret and fn.name == LIFECYCLE_FUNCTION:
            env[ENV_NOTIFY_SECRET_NAME] = notify_secret
        if lifecycle is not None and lifecycle.lock_lease is not None and fn.name in _LOCKING:
            env[ENV_LOCK_LEASE_SECONDS] = str(lifecycle.lock_lease)
        out[fn.name] = env
    return out


_LOCKING = (LIFECYCLE_FUNCTION, SWEEPER_FUNCTION)
"""The functions that take per-user locks (their timeout and lease follow ``LifecycleRuntime``)."""


def register_functions(admin: Admin, envs: Mapping[str, Mapping[str, str]], code_root: Path = REPO,
                       lifecycle: LifecycleRuntime | None = None) -> tuple[str, ...]:
    admin.register({"name": DEAD_LETTER_FUNCTION, "handler": "rampart_dev.devstack.dead_letter", "timeout": 10,
                    "memory": 128, "runtime": "python3.10", "code_root": str(code_root)})
    for fn in FUNCTIONS:
        spec: dict[str, Any] = {"name": fn.name, "handler": fn.handler, "env": dict(envs[fn.name]), "role": fn.role,
                                "timeout": fn.timeout, "memory": 256, "runtime": "python3.10",
                                "code_root": str(code_root)}
        if fn.async_config is not None:
            spec["async"] = dict(fn.async_config)
        if lifecycle is not None and fn.name in _LOCKING and lifecycle.timeout is not None:
            spec["timeout"] = lifecycle.timeout
        if lifecycle is not None and fn.name == LIFECYCLE_FUNCTION and lifecycle.isolation is not None:
            spec["isolation"] = lifecycle.isolation
        admin.register(spec)
    return tuple(fn.name for fn in FUNCTIONS)


def deploy(
    admin: Admin,
    workdir: Path,
    *,
    catalog: Path | None = None,
    webhook_values: Mapping[str, Mapping[str, Any]] | None = None,
    code_root: Path = REPO,
    progress: Callable[[str], None] = lambda _text: None,
    lifecycle: LifecycleRuntime | None = None,
) -> Deployment:
    """Everything above, in order; raises ``ConfigError`` / ``CloudError`` saying what failed."""
    from rampart.adapters import build
    from rampart.adapters.sls import SlsAuditSink
    from rampart.catalog import load_catalog
    from rampart.operations import initialise

    from rampart_dev.devcloud import DevCloud

    target = admin.target()
    root = build(target.settings(), account_id=target.account_id)
    dev = DevCloud(root.clients)
    group: str | None = None
    if catalog is None:
        catalog, group = demo_catalog(dev, workdir)
        progress(f"catalog: the example, resource group {group}")
    settings = target.settings(catalog)
    report = initialise(root.identities, SlsAuditSink(settings), load_catalog(catalog))
    if not report.ok:
        raise ConfigError("rampart init: " + "; ".join(report.problems), hint="fix the catalog and run again")
    progress(f"init: audit {report.sls_project}/{report.sls_logstore}, {len(report.policies)} catalog policies")
    ensure_roles(root.identities, dev, code_root / "deploy" / "policies")
    progress(f"roles: {RECEIVER_ROLE}, {WORKER_ROLE} (trust fc.aliyuncs.com; deploy/policies)")
    names = ensure_webhook_secrets(root.secrets, webhook_values if webhook_values is not None else demo_webhook_values())
    progress(f"webhook secrets in KMS: {', '.join(sorted(names.values()))}")
    notify_secret = ensure_dev_robot(admin, root.secrets, target.endpoint)
    progress(f"notifications: localcloud's {DEV_ROBOT_KIND} robot, KMS secret {notify_secret}")
    envs = function_env(target, catalog, names, notify_secret, lifecycle)
    functions = register_functions(admin, envs, code_root, lifecycle)
    progress(f"functions: {', '.join(functions)} (+ {DEAD_LETTER_FUNCTION})")
    return Deployment(target, catalog, group, functions, dict(envs[LIFECYCLE_FUNCTION]), tuple(report.password.advice))


# --- the dead-letter function ------------------------------------------------------------


def dead_letter(event: bytes, context: Any) -> str:
    """FC handler of ``rampart-dead-letters``: the on-failure destination of the lifecycle
    function. Logs which invocation failed for good (never its payload) and answers the same
    summary, which localcloud's task list shows."""
    try:
        payload = json.loads(event)
    except ValueError:
        payload = {}
    request = payload.get("requestContext", {}) if isinstance(payload, dict) else {}
    request = request if isinstance(request, dict) else {}
    summary = {
        "dead_letter": str(request.get("requestId", "")),
        "function": str(request.get("functionArn", "")),
        "condition": str(request.get("condition", "")),
        "attempts": request.get("approximateInvokeCount", 0),
    }
    _log.warning("async invocation failed for good", extra=summary)
    return json.dumps(summary, separators=(",", ":"))
