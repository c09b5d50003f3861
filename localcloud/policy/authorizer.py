"""Decides whether a principal may perform an action on a resource.

Policies that count, per ../shared/DESIGN.md:
- a RAM user: its attached policies, its groups' policies, and ResourceManager
  attachments to the user (``IMSUser``) or its groups (``IMSGroup``): account-scoped ones
  always, group-scoped ones only for resources that belong to that resource group;
- an STS session: the role's policies (RAM and ResourceManager ``ServiceRole``
  attachments), intersected with the session policy when one was given;
- the root account: everything.
Explicit Deny in any counted policy wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from localcloud.auth.principal import Principal, PrincipalKind
from localcloud.core.clock import iso
from localcloud.policy import language as language
from localcloud.ram.models.entities import PolicyKey

if TYPE_CHECKING:
    from localcloud.state import CloudState

NamedDocument = tuple[str, language.PolicyDocument]


def _documents(state: CloudState, keys: Sequence[PolicyKey]) -> list[NamedDocument]:
    out: list[NamedDocument] = []
    for key in keys:
        policy = state.ram.policy(key)
        if policy is not None:
            out.append((f"{key[0]}:{key[1]}", language.parse_cached(policy.document)))
    return out


def _rm_keys(state: CloudState, principals: Sequence[tuple[str, str]], resource: str) -> list[PolicyKey]:
    account_id = state.account.account_id
    group_of_resource = state.rm.resource_group_of(resource)
    keys: list[PolicyKey] = []
    for principal_type, principal_name in principals:
        for attachment in state.rm.attachments_for(principal_type, principal_name):
            scope = attachment.resource_group_id
            if scope in (account_id, group_of_resource):
                keys.append((attachment.policy_type, attachment.policy_name))
    return keys


def _user_documents(state: CloudState, user_name: str, resource: str) -> list[NamedDocument]:
    domain = state.account.default_domain
    principals = [("IMSUser", f"{user_name}@{domain}")]
    user = state.ram.users.get(user_name)
    if user is not None:
        principals.extend(("IMSGroup", f"{g}@group.{domain}") for g in user.groups)
    keys = state.ram.effective_user_policies(user_name) + _rm_keys(state, principals, resource)
    return _documents(state, keys)


def _role_documents(state: CloudState, role_name: str, resource: str) -> list[NamedDocument]:
    principal = [("ServiceRole", f"{role_name}@role.{state.account.alias}.onaliyunservice.com")]
    keys = state.ram.role_policies(role_name) + _rm_keys(state, principal, resource)
    return _documents(state, keys)


def request_context(state: CloudState, principal: Principal, client_ip: str) -> dict[str, list[str]]:
    return {
        "acs:currenttime": [iso(state.clock.now())],
        "acs:sourceip": [client_ip],
        "acs:securetransport": ["false"],
        "acs:mfapresent": ["false"],
        "acs:accesskeyid": [principal.access_key_id],
    }


def normalise_resource(state: CloudState, resource: str) -> str:
    """Fill a ``*`` account field with the account id: ``acs:arms:cn-hangzhou:*:armsapp/x``."""
    parts = resource.split(":", 4)
    if len(parts) == 5 and parts[0] == "acs" and parts[3] == "*":
        parts[3] = state.account.account_id
        return ":".join(parts)
    return resource


def authorize(
    state: CloudState,
    principal: Principal,
    action: str,
    resource: str,
    context: Mapping[str, Sequence[str]],
) -> language.Decision:
    if principal.kind is PrincipalKind.ROOT:
        return language.Decision(True, "Allow", None, "root account")
    resource = normalise_resource(state, resource)
    request = language.AuthzRequest(action=action, resource=resource, context=context)
    if principal.kind is PrincipalKind.USER:
        assert principal.user_name is not None
        return language.evaluate(_user_documents(state, principal.user_name, resource), request)
    assert principal.role_name is not None
    decision = language.evaluate(_role_documents(state, principal.role_name, resource), request)
    if not decision.allowed or principal.session_policy is None:
        return decision
    session = language.evaluate([("session policy", language.parse(principal.session_policy))], request)
    return session if not session.allowed else decision
