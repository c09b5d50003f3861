"""LocalCloud: the whole local Alibaba Cloud behind one loopback port, as a Python object.

Tests start it in-process (``with LocalCloud() as cloud:``); ``python -m localcloud serve``
runs the same object in its own process. Routing order: admin routes, then each
registered router (SLS, Tablestore, POP RPC services, FC, chat robots), each routed request wrapped by the
``around_dispatch`` hooks (the fault injector).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from localcloud.admin import PREFIX, AdminRoutes, core_routes
from localcloud.auth.principal import Principal, PrincipalKind
from localcloud.core.http import HttpRequest, HttpResponse
from localcloud.faults import admin as faults_admin
from localcloud.faults.injector import FaultInjector
from localcloud.fc import routes as fc_routes
from localcloud.fc.functions import DEFAULT_CONCURRENCY
from localcloud.fc.models import FunctionService
from localcloud.fc.routes import FcRouter
from localcloud.policy.authorizer import authorize, request_context
from localcloud.pop.dispatch import PopRouter
from localcloud.ram import routes as ram_routes
from localcloud.robots import routes as robots_routes
from localcloud.robots.models import RobotService
from localcloud.robots.routes import RobotRouter
from localcloud.server import HttpServer
from localcloud.sls import routes as sls_routes
from localcloud.sls.routes import SlsRouter
from localcloud.state import DEFAULT_REGION, Account, CloudState, StateFile
from localcloud.tablestore import admin as tablestore_admin
from localcloud.tablestore.routes import TablestoreRouter

if TYPE_CHECKING:
    from alibabacloud_tea_openapi.models import Config


class Router(Protocol):
    """A service's front door. ``identify`` answers ``(service, action)`` for requests it serves
    (the pair fault rules match on), else None; ``handle`` answers them.

    Optional: ``error_response(code: str, status: int, message: str, headers: dict[str, str])
    -> HttpResponse`` builds an error in the service's own wire format (POP JSON, FC JSON, SLS
    ``errorCode``/``errorMessage`` with ``x-log-requestid``), ``headers`` merged into the answer.
    The fault injector uses it; without it an injected error is POP JSON.
    """

    def identify(self, request: HttpRequest) -> tuple[str, str] | None: ...

    def handle(self, request: HttpRequest) -> HttpResponse: ...


Proceed = Callable[[], HttpResponse]
AroundDispatch = Callable[[HttpRequest, tuple[str, str], Router, Proceed], HttpResponse]
"""Wraps the routed handling of a cloud request: call ``proceed()`` to run it (or don't)."""


def pop_services() -> list[Any]:
    from localcloud.ims.responses import service as ims
    from localcloud.kms.responses import service as kms
    from localcloud.ram.responses import service as ram
    from localcloud.resourcemanager.responses import service as rm
    from localcloud.sts.responses import service as sts

    return [ram, ims, kms, rm, sts]


class LocalCloud:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        state_file: str | Path | None = None,
        latency_ms: float = 0.0,
        region: str = DEFAULT_REGION,
        account: Account | None = None,
        sls_index_delay: float = 0.0,
        fc_concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """``fc_concurrency``: how many FC async invocations run at once (1-300; see ``cloud.functions``)."""
        self.state = CloudState(account or Account.generate(region))
        self.state.sls_indexing.set(sls_index_delay)
        self._state_file = StateFile(Path(state_file)) if state_file else None
        if self._state_file is not None and not self._state_file.load_into(self.state):
            self._state_file.save(self.state)
        self.latency_ms = latency_ms
        self.admin: AdminRoutes = core_routes()
        # SLS first: it claims only LOG/SLS4-signed or x-log-apiversion requests, never x-acs-action ones.
        self.routers: list[Router] = [
            SlsRouter(lambda: self.state, self.persist),
            TablestoreRouter(lambda: self.state, self.persist),
            PopRouter(lambda: self.state, pop_services(), self.persist),
        ]
        self.functions = FunctionService(lambda: self.state, lambda: self.endpoint, concurrency=fc_concurrency)
        """Function Compute's registry and invoker (localcloud.fc)."""
        self.routers.append(FcRouter(self.functions, lambda: self.state))
        self.robots = RobotService(lambda: self.state.clock)
        """Chat robots and webhook sinks that rampart notifies (localcloud.robots)."""
        self.routers.append(RobotRouter(self.robots))
        self.faults = FaultInjector(lambda: self.state.clock)
        """Fault rules and log (localcloud.faults)."""
        fc_routes.install(self.admin)
        robots_routes.install(self.admin)
        faults_admin.install(self.admin)
        ram_routes.install(self.admin)
        sls_routes.install(self.admin)
        tablestore_admin.install(self.admin)
        self.around_dispatch: list[AroundDispatch] = [self.faults.intercept, self.functions.processes.intercept]
        """Hooks wrapped around a routed request, outermost first: the fault injector, then the
        process-isolated FC instances' kill hook (inside it, so it sees only requests that were applied)."""
        self._server = HttpServer(host, port, self.dispatch)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> LocalCloud:
        self._server.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.stop()
        self.functions.shutdown()
        if self._state_file is not None:
            self.persist()
            self._state_file.close()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addressing ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def endpoint(self) -> str:
        """``host:port``, the form ``Config(endpoint=..., protocol='http')`` takes."""
        return f"{self.host}:{self.port}"

    @property
    def account(self) -> Account:
        return self.state.account

    def info(self) -> dict[str, Any]:
        account = self.state.account
        return {
            "endpoint": self.endpoint,
            "host": self.host,
            "port": self.port,
            "region": account.region,
            "account_id": account.account_id,
            "account_alias": account.alias,
            "access_key_id": account.root_access_key_id,
            "access_key_secret": account.root_access_key_secret,
        }

    def config(
        self, access_key_id: str | None = None, access_key_secret: str | None = None, security_token: str | None = None
    ) -> Config:
        """A tea ``Config`` for any official SDK client; the root key by default."""
        from alibabacloud_tea_openapi.models import Config

        account = self.state.account
        return Config(
            access_key_id=access_key_id or account.root_access_key_id,
            access_key_secret=access_key_secret or account.root_access_key_secret,
            security_token=security_token,
            endpoint=self.endpoint,
            protocol="http",
            region_id=account.region,
        )

    # --- dispatch -----------------------------------------------------------------------

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        if request.raw_path.startswith(PREFIX + "/") or request.raw_path == PREFIX:
            return self.admin.handle(self, request)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        for router in self.routers:
            identity = router.identify(request)
            if identity is None:
                continue
            return self._around(request, identity, router)
        return HttpResponse.json(
            404,
            {
                "RequestId": "",
                "Code": "InvalidApi.NotFound",
                "Message": f"localcloud serves no API at {request.method} {request.raw_path} "
                f"(x-acs-version={request.header('x-acs-version')!r}, x-acs-action={request.header('x-acs-action')!r}).",
            },
        )

    def _around(self, request: HttpRequest, identity: tuple[str, str], router: Router) -> HttpResponse:
        proceed: Proceed = lambda: router.handle(request)  # noqa: E731 - composed below
        for hook in reversed(self.around_dispatch):
            proceed = functools.partial(hook, request, identity, router, proceed)
        return proceed()

    def persist(self) -> None:
        if self._state_file is not None:
            self._state_file.save(self.state)

    # --- the Python API behind the admin routes -----------------------------------------

    def reset(self) -> None:
        self.state.reset()
        self.robots.reset()
        self.persist()

    def now(self) -> datetime:
        return self.state.clock.now()

    def clock_set(self, when: datetime) -> datetime:
        now = self.state.clock.set(when)
        self.persist()
        return now

    def clock_advance(self, seconds: float) -> datetime:
        now = self.state.clock.advance(seconds)
        self.persist()
        return now

    def tablestore_create_instance(self, name: str) -> None:
        """Create a Tablestore instance (localcloud.tablestore); ValueError for a bad or taken name."""
        with self.state.lock:
            self.state.tablestore.create_instance(name)
        self.persist()

    def add_resource_to_group(self, resource: str, resource_group_id: str) -> None:
        with self.state.lock:
            self.state.rm.resource_membership[resource] = resource_group_id
        self.persist()

    def authorize(
        self, action: str, resource: str, *, user: str | None = None, role: str | None = None, source_ip: str | None = None
    ) -> dict[str, Any]:
        """Would ``user`` (or a session of ``role``) be allowed ``action`` on ``resource``?"""
        state = self.state
        with state.lock:
            account_id = state.account.account_id
            if user is not None:
                found = state.ram.users.get(user)
                if found is None:
                    raise LookupError(f"no RAM user named {user!r}")
                principal = Principal(PrincipalKind.USER, account_id, "", user_name=user, user_id=found.user_id)
            else:
                assert role is not None
                found_role = state.ram.roles.get(role)
                if found_role is None:
                    raise LookupError(f"no RAM role named {role!r}")
                principal = Principal(
                    PrincipalKind.ROLE_SESSION, account_id, "", role_name=role, role_id=found_role.role_id,
                    session_name="authorize",
                )
            decision = authorize(state, principal, action, resource, request_context(state, principal, source_ip or "127.0.0.1"))
        return {
            "decision": "allow" if decision.allowed else "deny",
            "effect": decision.effect,
            "statement": dict(decision.statement) if decision.statement is not None else None,
            "policy": decision.policy,
        }
