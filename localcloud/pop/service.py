"""Declaring a POP product: its actions, their RAM permission and resource, its error body.

A service module builds one :class:`Service` and registers each action with
``@service.action("CreateUser", permission="ram:CreateUser", resource=...)``. The
handler gets a :class:`Call` and returns the response body as a dict (``RequestId`` is
added by the dispatcher). Handlers parse and serialise only; rules live in models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from localcloud.auth.principal import Principal
from localcloud.core.errors import CloudError
from localcloud.pop.params import Params

if TYPE_CHECKING:
    from localcloud.state import CloudState


@dataclass(frozen=True, slots=True)
class Call:
    params: Params
    principal: Principal
    state: CloudState
    request_id: str
    client_ip: str


Handler = Callable[[Call], dict[str, Any]]
ResourceOf = Callable[[Call], str]

READ_PREFIXES = ("Get", "List", "Describe", "Check", "Query")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    handler: Handler
    permission: str | None
    """The RAM action checked for non-root callers, e.g. ``ram:CreateUser``; None: any valid key."""
    resource: ResourceOf
    mutating: bool


def _any_resource(call: Call) -> str:
    return "*"


@dataclass
class Service:
    product: str
    """Short product code used in ARNs and messages: ``ram``, ``kms``, ``resourcemanager`` ..."""
    version: str
    host_id: str
    no_permission: type[CloudError]
    actions: dict[str, ActionSpec] = field(default_factory=dict)

    def action(
        self,
        name: str,
        *,
        permission: str | None = "",
        resource: ResourceOf = _any_resource,
        mutating: bool | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a handler. ``permission`` defaults to ``<product>:<name>``."""

        def register(handler: Handler) -> Handler:
            perm = f"{self.product}:{name}" if permission == "" else permission
            is_mutating = (not name.startswith(READ_PREFIXES)) if mutating is None else mutating
            self.actions[name] = ActionSpec(name, handler, perm, resource, is_mutating)
            return handler

        return register

    def error_body(self, error: CloudError, request_id: str) -> dict[str, Any]:
        return {
            "RequestId": request_id,
            "HostId": self.host_id,
            "Code": error.error_code,
            "Message": error.error_message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.error_code}&product={self.product}",
        }
