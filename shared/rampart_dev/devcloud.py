"""The SDK calls of the local development stack (``rampart dev``, ``make demo``): what an
operator does once by hand or with Serverless Devs before rampart runs (resource group, the
functions' RAM roles) and what Function Compute's own front end does per request (invoke the
HTTP function synchronously, fire a timer asynchronously).

The deployed functions never use this module: their roles do not allow these actions
(deploy/policies), and nothing here is imported by ``rampart.fc.receiver``, ``rampart.fc.lifecycle``
or ``rampart.engine.sweep``. Every call goes through ``rampart.adapters.retry.call`` like any adapter's.

API facts: RAM CreateRole / AttachPolicyToRole (alibaba-platform.md §A), ResourceManager
CreateResourceGroup / ListResourceGroups (``Name`` filter), FC 3.0 InvokeFunction with
``x-fc-invocation-type: Sync|Async`` and ``x-fc-async-task-id`` (§D.1, §D.6). A synchronous
invocation of a function that raised answers 200 with ``x-fc-error-type`` (§D.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rampart.adapters.clients import Clients
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy, call, is_already_exists
from rampart.errors import CloudError

ONCE = RetryPolicy(max_attempts=1)
"""FC's front end does not retry a synchronous invocation (§D.6: "Synchronous calls are never
retried"); the webhook's sender does."""
SYNC_READ_TIMEOUT_MS = 300_000
"""A synchronous webhook invocation may wait for a running async one (localcloud runs handlers
one at a time), so the read timeout is generous."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What FC's front end got back from a synchronous invocation."""

    body: bytes
    error_type: str
    """``x-fc-error-type`` (``UnhandledInvocationError``), or "" when the handler returned."""
    request_id: str


def _ram_models() -> Any:
    from alibabacloud_ram20150501 import models

    return models


def _rm_models() -> Any:
    from alibabacloud_resourcemanager20200331 import models

    return models


def _items(container: Any, name: str) -> list[Any]:
    inner = getattr(container, name, None) if container is not None else None
    return list(inner or [])


class DevCloud:
    def __init__(self, clients: Clients, *, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self._clients = clients
        self._policy = policy

    def __repr__(self) -> str:
        return f"DevCloud({self._clients!r})"

    # --- ResourceManager -----------------------------------------------------------------

    def ensure_resource_group(self, name: str, display_name: str) -> str:
        """The id of the resource group called ``name``, created when missing."""
        rm = self._clients.resource_manager()
        models = _rm_models()
        listing = call("resourcemanager", "ListResourceGroups",
                       lambda: rm.list_resource_groups(models.ListResourceGroupsRequest(name=name, page_size=100)),
                       policy=self._policy).body
        for group in _items(getattr(listing, "resource_groups", None), "resource_group"):
            if group.name == name:
                return str(group.id)
        request = models.CreateResourceGroupRequest(name=name, display_name=display_name)
        made = call("resourcemanager", "CreateResourceGroup", lambda: rm.create_resource_group(request),
                    policy=self._policy).body
        return str(made.resource_group.id)

    # --- RAM roles -----------------------------------------------------------------------

    def ensure_role(self, name: str, trust_document: str, description: str) -> bool:
        """CreateRole; an existing role gets this trust policy (UpdateRole). True when created."""
        ram = self._clients.ram()
        models = _ram_models()
        request = models.CreateRoleRequest(role_name=name, assume_role_policy_document=trust_document,
                                           description=description)
        try:
            call("ram", "CreateRole", lambda: ram.create_role(request), policy=self._policy)
            return True
        except CloudError as exc:
            if not is_already_exists(exc.code):
                raise
        update = models.UpdateRoleRequest(role_name=name, new_assume_role_policy_document=trust_document)
        call("ram", "UpdateRole", lambda: ram.update_role(update), policy=self._policy)
        return False

    def attach_role_policy(self, role: str, policy_name: str, policy_type: str = "Custom") -> bool:
        """AttachPolicyToRole; False when it was attached already."""
        ram = self._clients.ram()
        request = _ram_models().AttachPolicyToRoleRequest(policy_type=policy_type, policy_name=policy_name,
                                                          role_name=role)
        try:
            call("ram", "AttachPolicyToRole", lambda: ram.attach_policy_to_role(request), policy=self._policy)
            return True
        except CloudError as exc:
            if is_already_exists(exc.code):
                return False
            raise

    # --- Function Compute 3.0 ------------------------------------------------------------

    def invoke_sync(self, function: str, payload: bytes) -> SyncResult:
        """InvokeFunction, ``x-fc-invocation-type: Sync``: the handler's bytes, not retried."""
        from alibabacloud_fc20230330 import models as fc3
        from darabonba.runtime import RuntimeOptions

        client = self._clients.fc3()
        headers = fc3.InvokeFunctionHeaders(x_fc_invocation_type="Sync")
        request = fc3.InvokeFunctionRequest(body=payload)

        def invoke() -> SyncResult:
            response = client.invoke_function_with_options(
                function, request, headers, RuntimeOptions(read_timeout=SYNC_READ_TIMEOUT_MS))
            got = dict(response.headers or {})
            body = response.body.read() if response.body is not None else b""
            return SyncResult(bytes(body), str(got.get("x-fc-error-type", "")), str(got.get("x-fc-request-id", "")))

        return call("fc", "InvokeFunction", invoke, policy=ONCE)

    def invoke_async(self, function: str, payload: bytes, task_id: str | None = None) -> str:
        """InvokeFunction, ``x-fc-invocation-type: Async`` (what a timer trigger or EventBridge
        does): the async task id FC answered with."""
        from alibabacloud_fc20230330 import models as fc3
        from darabonba.runtime import RuntimeOptions

        client = self._clients.fc3()
        headers = fc3.InvokeFunctionHeaders(x_fc_invocation_type="Async", x_fc_async_task_id=task_id)
        request = fc3.InvokeFunctionRequest(body=payload)
        response = call("fc", "InvokeFunction",
                        lambda: client.invoke_function_with_options(function, request, headers, RuntimeOptions()),
                        policy=self._policy)
        return str(dict(response.headers or {}).get("x-fc-async-task-id", task_id or ""))
