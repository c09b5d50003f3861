"""RAM's wire layer: parse parameters, call the backend, serialise the documented shapes.

Response shapes: ram20150501==1.3.0 models (wire-protocol.md §1.3). Lists are wrapped
(``{"Users": {"User": [...]}}``). No rule lives here.
"""

from __future__ import annotations

from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call, Service
from localcloud.ram import errors
from localcloud.ram.entities import AccessKey, User

service = Service("ram", "2015-05-01", "ram.aliyuncs.com", errors.NoPermission)


def user_arn(call: Call, user_name: str) -> str:
    return f"acs:ram:*:{call.state.account.account_id}:user/{user_name}"


def _user_resource(call: Call) -> str:
    return user_arn(call, call.params.str("UserName") or "*")


def user_body(user: User, *, full: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "UserId": user.user_id,
        "UserName": user.user_name,
        "DisplayName": user.display_name,
        "MobilePhone": user.mobile_phone,
        "Email": user.email,
        "Comments": user.comments,
        "CreateDate": iso(user.create_date),
    }
    if full:
        body["UpdateDate"] = iso(user.update_date)
        if user.last_login_date is not None:
            body["LastLoginDate"] = iso(user.last_login_date)
    return body


@service.action("CreateUser", resource=_user_resource)
def create_user(call: Call) -> dict[str, Any]:
    p = call.params
    user = call.state.ram.create_user(
        p.required("UserName"), p.str("DisplayName"), p.str("Comments"), p.str("Email"), p.str("MobilePhone")
    )
    return {"User": user_body(user, full=False)}


@service.action("GetUser", resource=_user_resource)
def get_user(call: Call) -> dict[str, Any]:
    return {"User": user_body(call.state.ram.get_user(call.params.required("UserName")))}


def access_key_body(key: AccessKey, *, with_secret: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": iso(key.create_date)}
    if with_secret:
        body["AccessKeySecret"] = key.secret
    return body


def _caller_or_named_user(call: Call) -> str:
    name = call.params.str("UserName")
    if name:
        return name
    if call.principal.user_name is None:
        raise errors.EntityNotExistUser("UserName is required when the caller is not a RAM user.")
    return call.principal.user_name


@service.action("CreateAccessKey", resource=lambda call: user_arn(call, _caller_or_named_user(call)))
def create_access_key(call: Call) -> dict[str, Any]:
    key = call.state.ram.create_access_key(_caller_or_named_user(call))
    return {"AccessKey": access_key_body(key, with_secret=True)}
