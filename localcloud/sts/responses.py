"""STS's wire layer (sts20150401==1.2.0 response shapes)."""

from __future__ import annotations

from typing import Any

from localcloud.auth.principal import PrincipalKind
from localcloud.core.clock import iso
from localcloud.pop.service import Call, Service
from localcloud.sts import errors

service = Service("sts", "2015-04-01", "sts.aliyuncs.com", errors.NoPermission)


def _role_resource(call: Call) -> str:
    return call.params.str("RoleArn") or "*"


@service.action("AssumeRole", resource=_role_resource)
def assume_role(call: Call) -> dict[str, Any]:
    p = call.params
    duration = p.int("DurationSeconds", 3600)
    session, role = call.state.sts.assume_role(
        call.principal,
        p.required("RoleArn"),
        p.required("RoleSessionName"),
        duration,
        p.str("Policy"),
        p.str("ExternalId"),
        p.str("SourceIdentity"),
    )
    account_id = call.state.account.account_id
    body: dict[str, Any] = {
        "AssumedRoleUser": {
            "Arn": f"acs:ram::{account_id}:role/{role.role_name.lower()}/{session.session_name}",
            "AssumedRoleId": f"{role.role_id}:{session.session_name}",
        },
        "Credentials": {
            "AccessKeyId": session.access_key_id,
            "AccessKeySecret": session.secret,
            "SecurityToken": session.security_token,
            "Expiration": iso(session.expiration),
        },
    }
    if session.source_identity:
        body["SourceIdentity"] = session.source_identity
    return body


@service.action("GetCallerIdentity", permission=None, mutating=False)
def get_caller_identity(call: Call) -> dict[str, Any]:
    """Works with any valid key and needs no permission, so it proves a key is alive."""
    principal = call.principal
    body: dict[str, Any] = {"AccountId": principal.account_id, "IdentityType": principal.kind.value}
    if principal.kind is PrincipalKind.ROOT:
        body.update(Arn=principal.arn, PrincipalId=principal.account_id, UserId=principal.account_id)
    elif principal.kind is PrincipalKind.USER:
        body.update(Arn=principal.arn, PrincipalId=principal.user_id, UserId=principal.user_id)
    else:
        role_id = principal.role_id or ""
        body.update(
            Arn=f"acs:ram::{principal.account_id}:assumed-role/{principal.role_name}/{principal.session_name}",
            PrincipalId=f"{role_id}:{principal.session_name}",
            RoleId=role_id,
        )
    return body
