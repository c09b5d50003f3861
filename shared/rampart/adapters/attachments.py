"""A user's policy grants, through RAM (account scope) and ResourceManager (any scope).

**One grant, one Attachment.** :meth:`Grants.observe` merges RAM ListPoliciesForUser with
ResourceManager ListPolicyAttachments (``PrincipalType=IMSUser``, ``PrincipalName=
<user>@<default domain>``, alibaba-platform.md §A.6). An account-scope grant is
``Attachment(policy, ACCOUNT)`` whichever API made it (ResourceManager names the account scope
by the account id as ``ResourceGroupId``), so a grant seen through both is one element.

Writes: account scope through RAM AttachPolicyToUser / DetachPolicyFromUser; a resource group
through ResourceManager AttachPolicy / DetachPolicy. To detach an account-scope grant, the
adapter remembers which API showed it at the last observation and removes it through each of
them. In localcloud the two lists are separate records; in the real cloud RAM's grant also
shows in ResourceManager, and the second detach's not-found is ignored. Without an
observation it tries RAM, then ResourceManager when RAM says the grant is not there. Only when
every API tried says not-found is that error raised (the applier's convergence).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from rampart.adapters.clients import Clients
from rampart.adapters.retry import RetryPolicy, call, is_not_found
from rampart.errors import CloudError
from rampart.model import ACCOUNT, Attachment, PolicyRef, PolicyType, Scope

RM_PAGE_SIZE = 100
"""ListPolicyAttachments PageSize: 1-100 (§A.6)."""


def _ram_models() -> Any:
    from alibabacloud_ram20150501 import models

    return models


def _rm_models() -> Any:
    from alibabacloud_resourcemanager20200331 import models

    return models


def _items(container: Any, name: str) -> list[Any]:
    inner = getattr(container, name, None) if container is not None else None
    return list(inner or [])


class Grants:
    def __init__(self, clients: Clients, policy: RetryPolicy, principal_name: Callable[[str], str]) -> None:
        self._clients = clients
        self._policy = policy
        self._principal_name = principal_name
        self._lock = threading.Lock()
        self._seen_ram: dict[str, set[PolicyRef]] = {}
        self._seen_rm: dict[str, set[PolicyRef]] = {}

    def _call(self, service: str, action: str, method: Callable[[Any], Any], request: Any) -> Any:
        return call(service, action, lambda: method(request), policy=self._policy)

    # --- reads ---------------------------------------------------------------------------

    def observe(self, user_name: str) -> set[Attachment]:
        ram = self._clients.ram()
        request = _ram_models().ListPoliciesForUserRequest(user_name=user_name)
        body = self._call("ram", "ListPoliciesForUser", ram.list_policies_for_user, request).body
        ram_refs = {PolicyRef(PolicyType(p.policy_type), str(p.policy_name)) for p in _items(body.policies, "policy")}
        found = {Attachment(ref, ACCOUNT) for ref in ram_refs}
        rm_account: set[PolicyRef] = set()
        account_id = self._clients.account_id()
        for row in self._rm_rows(user_name):
            ref = PolicyRef(PolicyType(row.policy_type), str(row.policy_name))
            if row.resource_group_id == account_id:
                rm_account.add(ref)
                found.add(Attachment(ref, ACCOUNT))
            else:
                found.add(Attachment(ref, Scope(str(row.resource_group_id))))
        with self._lock:
            self._seen_ram[user_name] = ram_refs
            self._seen_rm[user_name] = rm_account
        return found

    def _rm_rows(self, user_name: str) -> Iterator[Any]:
        m, rm = _rm_models(), self._clients.resource_manager()
        principal = self._principal_name(user_name)
        page, seen = 1, 0
        while True:
            request = m.ListPolicyAttachmentsRequest(
                principal_type="IMSUser", principal_name=principal, page_number=page, page_size=RM_PAGE_SIZE
            )
            body = self._call("resourcemanager", "ListPolicyAttachments", rm.list_policy_attachments, request).body
            rows = _items(body.policy_attachments, "policy_attachment")
            yield from rows
            seen += len(rows)
            if not rows or seen >= int(body.total_count or 0):
                return
            page += 1

    # --- writes --------------------------------------------------------------------------

    def _rm_grant(self, attach: bool, user_name: str, policy: PolicyRef, resource_group_id: str) -> None:
        m, rm = _rm_models(), self._clients.resource_manager()
        kind = m.AttachPolicyRequest if attach else m.DetachPolicyRequest
        request = kind(
            policy_type=policy.policy_type.value, policy_name=policy.name, principal_type="IMSUser",
            principal_name=self._principal_name(user_name), resource_group_id=resource_group_id,
        )
        if attach:
            self._call("resourcemanager", "AttachPolicy", rm.attach_policy, request)
        else:
            self._call("resourcemanager", "DetachPolicy", rm.detach_policy, request)

    def _ram_grant(self, attach: bool, user_name: str, policy: PolicyRef) -> None:
        m, ram = _ram_models(), self._clients.ram()
        kind = m.AttachPolicyToUserRequest if attach else m.DetachPolicyFromUserRequest
        request = kind(policy_type=policy.policy_type.value, policy_name=policy.name, user_name=user_name)
        if attach:
            self._call("ram", "AttachPolicyToUser", ram.attach_policy_to_user, request)
        else:
            self._call("ram", "DetachPolicyFromUser", ram.detach_policy_from_user, request)

    def attach(self, user_name: str, attachment: Attachment) -> None:
        if attachment.scope.resource_group_id is None:
            self._ram_grant(True, user_name, attachment.policy)
        else:
            self._rm_grant(True, user_name, attachment.policy, attachment.scope.resource_group_id)

    def detach(self, user_name: str, attachment: Attachment) -> None:
        ref = attachment.policy
        if attachment.scope.resource_group_id is not None:
            self._rm_grant(False, user_name, ref, attachment.scope.resource_group_id)
            return
        with self._lock:
            seen_ram = ref in self._seen_ram.get(user_name, set())
            seen_rm = ref in self._seen_rm.get(user_name, set())
        observed = seen_ram or seen_rm
        missing: CloudError | None = None
        removed = False
        if seen_ram or not observed:
            try:
                self._ram_grant(False, user_name, ref)
                removed = True
            except CloudError as exc:
                if not is_not_found(exc.code):
                    raise
                missing = exc
        if seen_rm or (not observed and not removed):
            try:
                self._rm_grant(False, user_name, ref, self._clients.account_id())
                removed = True
            except CloudError as exc:
                if not is_not_found(exc.code):
                    raise
                missing = missing or exc
        self.forget(user_name, ref)
        if not removed and missing is not None:
            raise missing

    def forget(self, user_name: str, ref: PolicyRef | None = None) -> None:
        with self._lock:
            if ref is None:
                self._seen_ram.pop(user_name, None)
                self._seen_rm.pop(user_name, None)
            else:
                self._seen_ram.get(user_name, set()).discard(ref)
                self._seen_rm.get(user_name, set()).discard(ref)
