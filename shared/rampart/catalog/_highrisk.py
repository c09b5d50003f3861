"""High-risk policies: the ones a catalog profile may carry only when it says so, and then
only time-bound.

No official Alibaba list of "high-risk system policies" exists. AdministratorAccess is
documented as high risk (https://help.aliyun.com/en/ram/avoid-granting-admin-permissions-to-too-many-ram-identities),
and Cloud Config's ``ram-user-no-product-admin-access`` rule flags admin bindings. The rest of
the list is the project's deny-list from ../shared/reference/alibaba-platform.md §A.7: each
entry either escalates privilege (RAM, STS, ResourceManager, ResourceDirectory), controls
the escrowed credentials (KMS) or can erase the audit trail (ActionTrail, SLS).

Custom policies are judged by their document: an Allow statement whose Action is ``*`` or a
whole high-risk service (``ram:*``) is as dangerous as the system policy of that service.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rampart.model import PolicyRef, PolicyType

HIGH_RISK_SYSTEM_POLICIES: frozenset[str] = frozenset(
    {
        "AdministratorAccess",
        "AliyunRAMFullAccess",
        "AliyunSTSAssumeRoleAccess",
        "AliyunResourceManagerFullAccess",
        "AliyunResourceDirectoryFullAccess",
        "AliyunKMSFullAccess",
        "AliyunActionTrailFullAccess",
        "AliyunLogFullAccess",
    }
)
"""System policies refused in a profile unless it sets ``allow_high_risk`` and a ``max_duration``."""

HIGH_RISK_SERVICES: frozenset[str] = frozenset(
    {"ram", "sts", "resourcemanager", "resourcedirectory", "kms", "actiontrail", "log"}
)
"""Services whose wildcard (``<service>:*``) in a custom policy's Allow makes it high risk."""


def is_high_risk(policy: PolicyRef | str) -> bool:
    """True for a high-risk system policy (by name; RAM policy names are case-sensitive, but a
    look-alike in another case is refused rather than trusted).

    A custom policy reference is never high risk by name: judge its document with
    :func:`document_is_high_risk`.
    """
    if isinstance(policy, PolicyRef):
        if policy.policy_type is not PolicyType.SYSTEM:
            return False
        name = policy.name
    else:
        name = policy
    return name.lower() in _LOWER


_LOWER = frozenset(name.lower() for name in HIGH_RISK_SYSTEM_POLICIES)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return (item for item in value if isinstance(item, str))
    return ()


def high_risk_actions(document: str | Mapping[str, Any]) -> list[str]:
    """The Allow actions of a policy document that make it high risk (``*``, ``ram:*`` ...)."""
    data = json.loads(document) if isinstance(document, str) else document
    statements = data.get("Statement", []) if isinstance(data, Mapping) else []
    if isinstance(statements, Mapping):
        statements = [statements]
    found: list[str] = []
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            # Allow everything except a few actions: as broad as AdministratorAccess.
            found.append("NotAction")
            continue
        for action in _strings(statement.get("Action")):
            service, _, verb = action.partition(":")
            if action == "*" or (service.lower() in HIGH_RISK_SERVICES and verb == "*"):
                found.append(action)
    return found


def document_is_high_risk(document: str | Mapping[str, Any]) -> bool:
    return bool(high_risk_actions(document))
