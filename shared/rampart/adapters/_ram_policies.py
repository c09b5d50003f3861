"""RAM custom policies: list by prefix, read the default version's document, create, make a
document the default (``ensure_policy``), delete with their versions."""

from __future__ import annotations

from rampart.adapters._ram_calls import RAM_PAGE_SIZE, RamCalls, _items, _ram_models, same_document
from rampart.adapters.retry import is_already_exists, is_not_found
from rampart.errors import CloudError
from rampart.model import PolicyChange, PolicyRef, PolicyType


class RamPolicies(RamCalls):
    def policy_names(self, prefix: str) -> list[str]:
        m = _ram_models()
        names: list[str] = []
        marker: str | None = None
        while True:
            request = m.ListPoliciesRequest(policy_type="Custom", marker=marker, max_items=RAM_PAGE_SIZE)
            body = self._ram("ListPolicies", "list_policies", request).body
            names.extend(str(p.policy_name) for p in _items(body.policies, "policy") if str(p.policy_name).startswith(prefix))
            marker = body.marker
            if not body.is_truncated or not marker:
                return names

    def policy_document(self, policy: PolicyRef) -> str:
        request = _ram_models().GetPolicyRequest(policy_type=policy.policy_type.value, policy_name=policy.name)
        body = self._ram("GetPolicy", "get_policy", request).body
        version = body.default_policy_version
        document = version.policy_document if version is not None else None
        return str(document or body.policy.policy_document)

    def create_policy(self, name: str, document: str, description: str) -> None:
        request = _ram_models().CreatePolicyRequest(
            policy_name=name, policy_document=document, description=description or None
        )
        self._ram("CreatePolicy", "create_policy", request)

    def ensure_policy(self, name: str, document: str, description: str) -> PolicyChange:
        """GetPolicy; CreatePolicy when missing; CreatePolicyVersion (SetAsDefault, and RAM's
        ``DeleteOldestNonDefaultVersionWhenLimitExceeded`` so the 5-version limit never stops
        it) when the default version's document differs. Documents compare as JSON values."""
        try:
            current = self.policy_document(PolicyRef(PolicyType.CUSTOM, name))
        except CloudError as exc:
            if not is_not_found(exc.code):
                raise
            try:
                self.create_policy(name, document, description)
                return PolicyChange.CREATED
            except CloudError as again:
                if not is_already_exists(again.code):
                    raise
                current = self.policy_document(PolicyRef(PolicyType.CUSTOM, name))  # created meanwhile
        if same_document(current, document):
            return PolicyChange.UNCHANGED
        request = _ram_models().CreatePolicyVersionRequest(
            policy_name=name, policy_document=document, set_as_default=True,
            rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded",
        )
        self._ram("CreatePolicyVersion", "create_policy_version", request)
        return PolicyChange.UPDATED

    def delete_policy(self, name: str, *, versions: bool = True) -> None:
        """Non-default versions first (else ``DeleteConflict.Policy.Version``), then the policy;
        ``versions=False`` skips the listing for a policy that is never given versions."""
        m = _ram_models()
        if not versions:
            self._ram("DeletePolicy", "delete_policy", m.DeletePolicyRequest(policy_name=name))
            return
        listing = self._ram(
            "ListPolicyVersions", "list_policy_versions", m.ListPolicyVersionsRequest(policy_type="Custom", policy_name=name)
        ).body
        for version in _items(listing.policy_versions, "policy_version"):
            if version.is_default_version:
                continue
            try:
                request = m.DeletePolicyVersionRequest(policy_name=name, version_id=version.version_id)
                self._ram("DeletePolicyVersion", "delete_policy_version", request)
            except CloudError as exc:
                if not is_not_found(exc.code):
                    raise
        self._ram("DeletePolicy", "delete_policy", m.DeletePolicyRequest(policy_name=name))
