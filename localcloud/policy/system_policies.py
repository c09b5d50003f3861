"""System policies localcloud ships, with documents modelled on Alibaba's own.

The real documents are longer (they list product actions one by one); these keep the
shape that matters for authorization: what the policy allows, on which resources, and
the read-only policies' Get/List/Describe/Query pattern. Compare with the RAM console's
"System policy" pages (e.g. AdministratorAccess is ``"Action": "*", "Resource": "*"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SystemPolicy:
    name: str
    description: str
    document: str


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "1", "Statement": list(statements)}, indent=2)


def _allow(actions: list[str] | str, resource: str = "*") -> dict[str, object]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


_READ_VERBS = ["Get*", "List*", "Describe*", "Query*", "BatchGet*", "Check*", "Search*"]


def _read(service: str) -> list[str]:
    return [f"{service}:{verb}" for verb in _READ_VERBS]


SYSTEM_POLICIES: dict[str, SystemPolicy] = {
    p.name: p
    for p in [
        SystemPolicy("AdministratorAccess", "Provides full access to Alibaba Cloud services and resources.",
                     _doc(_allow("*"))),
        SystemPolicy("ReadOnlyAccess", "Provides read-only access to Alibaba Cloud services and resources.",
                     _doc(_allow([f"*:{verb}" for verb in _READ_VERBS]))),
        SystemPolicy("AliyunRAMFullAccess", "Provides full access to Resource Access Management (RAM).",
                     _doc(_allow("ram:*"))),
        SystemPolicy("AliyunRAMReadOnlyAccess", "Provides read-only access to Resource Access Management (RAM).",
                     _doc(_allow(["ram:Get*", "ram:List*", "ram:GenerateCredentialReport"]))),
        SystemPolicy("AliyunKMSFullAccess", "Provides full access to Key Management Service (KMS).",
                     _doc(_allow("kms:*"))),
        # v3 of 2025-09-23 (https://www.alibabacloud.com/help/en/ram/developer-reference/aliyunkmsreadonlyaccess):
        # no kms:Get* wildcard, so it does NOT grant GetSecretValue.
        SystemPolicy("AliyunKMSReadOnlyAccess", "Provides read-only access to Key Management Service (KMS).",
                     _doc(_allow(["kms:List*", "kms:Describe*", "kms:GetPublicKey", "kms:GetUploadBackupDataInfo",
                                  "kms:GetKmsInstanceSharedAccounts", "kms:GetKmsInstanceQuotaInfos",
                                  "kms:GetCheckAssociateResourceTaskResults", "kms:GetKeyPolicy",
                                  "kms:GetKeyDefaultPolicy", "kms:GetSecretPolicy", "kms:GetSecretDefaultPolicy",
                                  "kms:GetKmsInstance", "kms:GetDefaultKmsInstance"]))),
        # v5 (https://help.aliyun.com/zh/ram/developer-reference/aliyunkmssecretadminaccess), KMS part only.
        SystemPolicy("AliyunKMSSecretAdminAccess", "Provides full access to Secrets Manager.",
                     _doc(_allow("kms:*", "acs:kms:*:*:secret*"), _allow("kms:GetRandomPassword"))),
        # v1 (https://www.alibabacloud.com/help/en/ram/developer-reference/aliyunkmssecretuseraccess).
        SystemPolicy("AliyunKMSSecretUserAccess", "Provides access to retrieve the secrets in KMS.",
                     _doc(_allow(["kms:GetSecretValue"]), _allow(["kms:DescribeSecret", "kms:ListSecretVersionIds"]))),
        SystemPolicy("AliyunLogFullAccess", "Provides full access to Log Service (SLS).",
                     _doc(_allow("log:*"))),
        SystemPolicy("AliyunLogReadOnlyAccess", "Provides read-only access to Log Service (SLS).",
                     _doc(_allow(["log:Get*", "log:List*", "log:Query*"]))),
        SystemPolicy("AliyunFCFullAccess", "Provides full access to Function Compute.",
                     _doc(_allow("fc:*"))),
        SystemPolicy("AliyunFCInvocationAccess", "Provides permission to invoke Function Compute functions.",
                     _doc(_allow(["fc:InvokeFunction"]))),
        SystemPolicy("AliyunSTSAssumeRoleAccess", "Provides permission to call the AssumeRole operation of STS.",
                     _doc(_allow("sts:AssumeRole"))),
        SystemPolicy("AliyunARMSFullAccess", "Provides full access to Application Real-Time Monitoring Service (ARMS).",
                     _doc(_allow("arms:*"))),
        SystemPolicy("AliyunARMSReadOnlyAccess",
                     "Provides read-only access to Application Real-Time Monitoring Service (ARMS).",
                     _doc(_allow(_read("arms")))),
        SystemPolicy("AliyunResourceManagerFullAccess", "Provides full access to Resource Management.",
                     _doc(_allow("resourcemanager:*"))),
        SystemPolicy("AliyunResourceManagerReadOnlyAccess", "Provides read-only access to Resource Management.",
                     _doc(_allow(_read("resourcemanager")))),
        SystemPolicy("AliyunActionTrailFullAccess", "Provides full access to ActionTrail.",
                     _doc(_allow("actiontrail:*"))),
        SystemPolicy("AliyunECSFullAccess", "Provides full access to Elastic Compute Service (ECS).",
                     _doc(_allow("ecs:*"))),
        SystemPolicy("AliyunECSReadOnlyAccess", "Provides read-only access to Elastic Compute Service (ECS).",
                     _doc(_allow(_read("ecs")))),
        SystemPolicy("AliyunOSSFullAccess", "Provides full access to Object Storage Service (OSS).",
                     _doc(_allow("oss:*"))),
        SystemPolicy("AliyunOSSReadOnlyAccess", "Provides read-only access to Object Storage Service (OSS).",
                     _doc(_allow(["oss:Get*", "oss:List*"]))),
        SystemPolicy("AliyunVPCFullAccess", "Provides full access to Virtual Private Cloud (VPC).",
                     _doc(_allow("vpc:*"))),
        SystemPolicy("AliyunVPCReadOnlyAccess", "Provides read-only access to Virtual Private Cloud (VPC).",
                     _doc(_allow(_read("vpc")))),
    ]
}
