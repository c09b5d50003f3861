"""KMS Secrets Manager's wire layer (kms20160120==3.3.1 shapes): parse, call the backend, serialise.

Lists are wrapped as the SDK models read them (``VersionStages.VersionStage[]``,
``SecretList.Secret[]``, ``Tags.Tag[]``, ``VersionIds.VersionId[]``). ``SecretData`` arrives
in the form body, ``Tags``/``Filters``/``VersionStages``/``ExtendedConfig`` as JSON strings
(wire-protocol.md §1.2/§1.3). Authorization resources follow KMS's RAM table
(AlibabaCloudDocs/kms "Use RAM to control access to KMS resources"): CreateSecret and
ListSecrets act on the secret container ``acs:kms:<region>:<account>:secret``, every other
secret operation on ``.../secret/<name>``. No rule lives here.
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.auth.principal import Principal
from localcloud.core.clock import iso
from localcloud.core.errors import CloudError
from localcloud.kms import errors
from localcloud.kms.models.entities import Secret, SecretType, SecretVersion
from localcloud.pop.params import Params
from localcloud.pop.service import Call, Service


class KmsService(Service):
    """KMS error bodies carry ``HttpStatus`` besides Code/Message/RequestId (doc-detail/69008)."""

    def error_body(self, error: CloudError, request_id: str) -> dict[str, Any]:
        return {"HttpStatus": error.status, **super().error_body(error, request_id)}


service = KmsService("kms", "2016-01-20", "kms.cn-hangzhou.aliyuncs.com", errors.ForbiddenNoPermission)


# --- parameters and resources -------------------------------------------------------------


def _required(p: Params, name: str) -> str:
    value = p.str(name)
    if value is None or value == "":
        raise errors.MissingParameter.named(name)
    return value


def _secret_resource(call: Call) -> str:
    ref = call.params.str("SecretName") or "*"
    if ref.startswith("acs:kms:"):
        return ref
    return call.state.kms.arn(ref)


def _container_resource(call: Call) -> str:
    return call.state.kms.container_arn()


def _creator(principal: Principal) -> str:
    # UNCONFIRMED: what the Creator filter compares with; localcloud stores the caller's
    # user id (RAM user), role id (STS session) or account id (root).
    return principal.user_id or principal.role_id or principal.account_id


def _page(p: Params, default_size: int) -> tuple[int, int]:
    # ListSecrets: "PageNumber ... must be greater than 0"; "PageSize ... between 1 and 100".
    # UNCONFIRMED: ListSecretVersionIds uses the same bounds.
    number = p.int("PageNumber", 1)
    if number < 1:
        raise errors.InvalidParameter.named("PageNumber", "must be greater than 0.")
    size = p.int("PageSize", default_size)
    if not 1 <= size <= 100:
        raise errors.InvalidParameter.named("PageSize", "must be between 1 and 100.")
    return number, size


# --- serialisers --------------------------------------------------------------------------


def _stages(version: SecretVersion) -> dict[str, Any]:
    return {"VersionStage": list(version.stages)}


def _tags(secret: Secret) -> dict[str, Any]:
    return {"Tag": [{"TagKey": k, "TagValue": v} for k, v in secret.tags.items()]}


def _rotation(secret: Secret) -> dict[str, Any]:
    """Rotation fields, returned for managed (non-Generic) secrets only."""
    if secret.secret_type is SecretType.GENERIC:
        return {}
    body: dict[str, Any] = {"AutomaticRotation": "Enabled" if secret.automatic_rotation else "Disabled"}
    if secret.automatic_rotation and secret.rotation_interval is not None:
        body["RotationInterval"] = f"{secret.rotation_interval}s"
    return body


def _extended(secret: Secret) -> dict[str, Any]:
    if secret.extended_config is None:
        return {}
    return {"ExtendedConfig": json.dumps(secret.extended_config, separators=(",", ":"))}


# --- actions ------------------------------------------------------------------------------


@service.action("CreateSecret", resource=_container_resource)
def create_secret(call: Call) -> dict[str, Any]:
    p = call.params
    secret = call.state.kms.create_secret(
        name=_required(p, "SecretName"),
        data=_required(p, "SecretData"),
        version_id=_required(p, "VersionId"),
        creator=_creator(call.principal),
        data_type=p.str("SecretDataType"),
        secret_type=p.str("SecretType"),
        description=p.str("Description"),
        tags=p.str("Tags"),
        encryption_key_id=p.str("EncryptionKeyId"),
        dkms_instance_id=p.str("DKMSInstanceId"),
        extended_config=p.str("ExtendedConfig"),
        enable_automatic_rotation=p.bool("EnableAutomaticRotation"),
        rotation_interval=p.str("RotationInterval"),
        policy=p.str("Policy"),
    )
    body: dict[str, Any] = {
        "Arn": call.state.kms.arn(secret.name),
        "SecretName": secret.name,
        "SecretType": secret.secret_type.value,
        "VersionId": next(iter(secret.versions)),
        **_rotation(secret),
        **_extended(secret),
    }
    if secret.dkms_instance_id:
        body["DKMSInstanceId"] = secret.dkms_instance_id
    return body


@service.action("GetSecretValue", resource=_secret_resource)
def get_secret_value(call: Call) -> dict[str, Any]:
    p = call.params
    secret, version = call.state.kms.get_secret_value(
        _required(p, "SecretName"), p.str("VersionId"), p.str("VersionStage"), dry_run=p.bool("DryRun")
    )
    body: dict[str, Any] = {
        "SecretName": secret.name,
        "SecretType": secret.secret_type.value,
        "SecretData": version.data,
        "SecretDataType": version.data_type.value,
        "VersionId": version.version_id,
        "VersionStages": _stages(version),
        "CreateTime": iso(version.create_time),
        **_rotation(secret),
    }
    if p.bool("FetchExtendedConfig"):
        body.update(_extended(secret))
    return body


@service.action("PutSecretValue", resource=_secret_resource)
def put_secret_value(call: Call) -> dict[str, Any]:
    p = call.params
    secret, version = call.state.kms.put_secret_value(
        _required(p, "SecretName"),
        _required(p, "VersionId"),
        _required(p, "SecretData"),
        p.str("SecretDataType"),
        p.str("VersionStages"),
    )
    return {"SecretName": secret.name, "VersionId": version.version_id, "VersionStages": _stages(version)}


@service.action("UpdateSecretVersionStage", resource=_secret_resource)
def update_secret_version_stage(call: Call) -> dict[str, Any]:
    p = call.params
    secret = call.state.kms.update_secret_version_stage(
        _required(p, "SecretName"), _required(p, "VersionStage"), p.str("MoveToVersion"), p.str("RemoveFromVersion")
    )
    return {"SecretName": secret.name}


@service.action("ListSecretVersionIds", resource=_secret_resource)
def list_secret_version_ids(call: Call) -> dict[str, Any]:
    p = call.params
    number, size = _page(p, 20)
    secret, versions = call.state.kms.list_secret_version_ids(
        _required(p, "SecretName"), p.bool("IncludeDeprecated")
    )
    page = versions[(number - 1) * size : number * size]
    return {
        "SecretName": secret.name,
        "TotalCount": len(versions),
        "PageNumber": number,
        "PageSize": size,
        "VersionIds": {
            "VersionId": [
                {"VersionId": v.version_id, "CreateTime": iso(v.create_time), "VersionStages": _stages(v)}
                for v in page
            ]
        },
    }


@service.action("DescribeSecret", resource=_secret_resource)
def describe_secret(call: Call) -> dict[str, Any]:
    p = call.params
    secret = call.state.kms.describe_secret(_required(p, "SecretName"))
    body: dict[str, Any] = {
        "Arn": call.state.kms.arn(secret.name),
        "SecretName": secret.name,
        "SecretType": secret.secret_type.value,
        "Description": secret.description,
        "CreateTime": iso(secret.create_time),
        "UpdateTime": iso(secret.update_time),
        **_rotation(secret),
        **_extended(secret),
    }
    if secret.planned_delete_time is not None:
        body["PlannedDeleteTime"] = iso(secret.planned_delete_time)
    if secret.encryption_key_id:
        body["EncryptionKeyId"] = secret.encryption_key_id
    if secret.dkms_instance_id:
        body["DKMSInstanceId"] = secret.dkms_instance_id
    if p.bool("FetchTags"):
        body["Tags"] = _tags(secret)
    return body


@service.action("ListSecrets", resource=_container_resource)
def list_secrets(call: Call) -> dict[str, Any]:
    p = call.params
    number, size = _page(p, 10)
    secrets = call.state.kms.list_secrets(p.str("Filters"))
    fetch_tags = p.bool("FetchTags")
    items: list[dict[str, Any]] = []
    for secret in secrets[(number - 1) * size : number * size]:
        item: dict[str, Any] = {
            "SecretName": secret.name,
            "SecretType": secret.secret_type.value,
            "CreateTime": iso(secret.create_time),
            "UpdateTime": iso(secret.update_time),
        }
        if secret.planned_delete_time is not None:
            item["PlannedDeleteTime"] = iso(secret.planned_delete_time)
        if fetch_tags:
            item["Tags"] = _tags(secret)
        items.append(item)
    return {"SecretList": {"Secret": items}, "PageNumber": number, "PageSize": size, "TotalCount": len(secrets)}


@service.action("DeleteSecret", resource=_secret_resource)
def delete_secret(call: Call) -> dict[str, Any]:
    p = call.params
    secret, planned = call.state.kms.delete_secret(
        _required(p, "SecretName"), p.bool("ForceDeleteWithoutRecovery"), p.str("RecoveryWindowInDays")
    )
    return {"SecretName": secret.name, "PlannedDeleteTime": iso(planned)}


@service.action("RestoreSecret", resource=_secret_resource)
def restore_secret(call: Call) -> dict[str, Any]:
    secret = call.state.kms.restore_secret(_required(call.params, "SecretName"))
    return {"SecretName": secret.name}


def _custom_data(p: Params) -> dict[str, Any] | None:
    """UpdateSecret's ExtendedConfig arrives flattened (``ExtendedConfig.CustomData.k=v``) or as JSON."""
    prefix = "ExtendedConfig.CustomData."
    flat = {k[len(prefix) :]: v for k, v in p.raw().items() if k.startswith(prefix)}
    if flat:
        return flat
    config = p.json("ExtendedConfig")
    if isinstance(config, dict) and isinstance(config.get("CustomData"), dict):
        return dict(config["CustomData"])
    return None


@service.action("UpdateSecret", resource=_secret_resource)
def update_secret(call: Call) -> dict[str, Any]:
    p = call.params
    secret = call.state.kms.update_secret(_required(p, "SecretName"), p.str("Description"), _custom_data(p))
    return {"SecretName": secret.name}


def _tagged_secret(call: Call) -> str:
    """TagResource/UntagResource name exactly one of KeyId, SecretName, CertificateId."""
    p = call.params
    given = [name for name in ("KeyId", "SecretName", "CertificateId") if p.str(name)]
    if len(given) != 1:
        raise errors.InvalidParameter("You must specify one and only one of KeyId, SecretName and CertificateId.")
    if given[0] == "KeyId":
        raise errors.ForbiddenKeyNotFound(f"The key {p.str('KeyId')} is not found.")
    if given[0] == "CertificateId":
        raise errors.ForbiddenResourceNotFound(f"The certificate {p.str('CertificateId')} is not found.")
    return _required(p, "SecretName")


def _tag_target_resource(call: Call) -> str:
    key_id = call.params.str("KeyId")
    if key_id:
        account = call.state.account
        return f"acs:kms:{account.region}:{account.account_id}:key/{key_id}"
    return _secret_resource(call)


@service.action("TagResource", resource=_tag_target_resource)
def tag_resource(call: Call) -> dict[str, Any]:
    call.state.kms.tag_resource(_tagged_secret(call), _required(call.params, "Tags"))
    return {}


@service.action("UntagResource", resource=_tag_target_resource)
def untag_resource(call: Call) -> dict[str, Any]:
    call.state.kms.untag_resource(_tagged_secret(call), _required(call.params, "TagKeys"))
    return {}
