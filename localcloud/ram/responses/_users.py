"""Users, AccessKeys, login profiles and the password policy on the wire.

Shapes: ram20150501==1.3.0 models (_create_user_response_body.py, _list_users_response_body.py,
_list_access_keys_response_body.py, _get_password_policy_response_body.py ...). Lists are
wrapped (``{"Users": {"User": [...]}}``). The AccessKey secret appears only in CreateAccessKey.
"""

from __future__ import annotations

from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call
from localcloud.ram.models.entities import AccessKey, LoginProfile, PasswordPolicy, User
from localcloud.ram.responses._common import (
    caller_or_named_user,
    caller_user_resource,
    every,
    on,
    opt_bool,
    page_fields,
    service,
)

_user = on("user", "UserName")


def user_body(user: User, *, update_date: bool = True, last_login: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "UserId": user.user_id,
        "UserName": user.user_name,
        "DisplayName": user.display_name,
        "MobilePhone": user.mobile_phone,
        "Email": user.email,
        "Comments": user.comments,
        "CreateDate": iso(user.create_date),
    }
    if update_date:
        body["UpdateDate"] = iso(user.update_date)
    if last_login and user.last_login_date is not None:
        body["LastLoginDate"] = iso(user.last_login_date)
    return body


# --- users --------------------------------------------------------------------------------


@service.action("CreateUser", resource=_user)
def create_user(call: Call) -> dict[str, Any]:
    p = call.params
    user = call.state.ram.create_user(
        p.required("UserName"), p.str("DisplayName"), p.str("Comments"), p.str("Email"), p.str("MobilePhone")
    )
    return {"User": user_body(user, update_date=False)}


@service.action("GetUser", resource=_user)
def get_user(call: Call) -> dict[str, Any]:
    return {"User": user_body(call.state.ram.get_user(call.params.required("UserName")), last_login=True)}


@service.action("UpdateUser", resource=_user)
def update_user(call: Call) -> dict[str, Any]:
    p = call.params
    user = call.state.ram.update_user(
        p.required("UserName"), p.str("NewUserName"), p.str("NewDisplayName"), p.str("NewComments"),
        p.str("NewEmail"), p.str("NewMobilePhone"),
    )
    return {"User": user_body(user)}


@service.action("ListUsers", resource=every("user"))
def list_users(call: Call) -> dict[str, Any]:
    page = call.state.ram.list_users(call.params.str("Marker"), call.params.int("MaxItems", 100))
    return {**page_fields(page.is_truncated, page.marker), "Users": {"User": [user_body(u) for u in page.items]}}


@service.action("DeleteUser", resource=_user)
def delete_user(call: Call) -> dict[str, Any]:
    call.state.ram.delete_user(call.params.required("UserName"))
    return {}


# --- access keys --------------------------------------------------------------------------


def access_key_body(key: AccessKey, *, with_secret: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": iso(key.create_date)}
    if with_secret:
        body["AccessKeySecret"] = key.secret
    return body


@service.action("CreateAccessKey", resource=caller_user_resource)
def create_access_key(call: Call) -> dict[str, Any]:
    key = call.state.ram.create_access_key(caller_or_named_user(call))
    return {"AccessKey": access_key_body(key, with_secret=True)}


@service.action("ListAccessKeys", resource=caller_user_resource)
def list_access_keys(call: Call) -> dict[str, Any]:
    keys = call.state.ram.list_access_keys(caller_or_named_user(call))
    return {"AccessKeys": {"AccessKey": [access_key_body(k, with_secret=False) for k in keys]}}


@service.action("UpdateAccessKey", resource=caller_user_resource)
def update_access_key(call: Call) -> dict[str, Any]:
    p = call.params
    call.state.ram.update_access_key(caller_or_named_user(call), p.required("UserAccessKeyId"), p.required("Status"))
    return {}


@service.action("DeleteAccessKey", resource=caller_user_resource)
def delete_access_key(call: Call) -> dict[str, Any]:
    call.state.ram.delete_access_key(caller_or_named_user(call), call.params.required("UserAccessKeyId"))
    return {}


@service.action("GetAccessKeyLastUsed", resource=caller_user_resource)
def get_access_key_last_used(call: Call) -> dict[str, Any]:
    key = call.state.ram.access_key_of(caller_or_named_user(call), call.params.required("UserAccessKeyId"))
    # UNCONFIRMED: RAM's answer for a key never used; localcloud leaves LastUsedDate out.
    last_used = {"LastUsedDate": iso(key.last_used)} if key.last_used is not None else {}
    return {"AccessKeyLastUsed": last_used}


# --- login profiles -----------------------------------------------------------------------


def login_profile_body(user: User, profile: LoginProfile) -> dict[str, Any]:
    return {
        "UserName": user.user_name,
        "CreateDate": iso(profile.create_date),
        "PasswordResetRequired": profile.password_reset_required,
        "MFABindRequired": profile.mfa_bind_required,
    }


@service.action("CreateLoginProfile", resource=_user)
def create_login_profile(call: Call) -> dict[str, Any]:
    p = call.params
    user = call.state.ram.create_login_profile(
        p.required("UserName"), p.required("Password"), p.bool("PasswordResetRequired"), p.bool("MFABindRequired")
    )
    assert user.login_profile is not None
    return {"LoginProfile": login_profile_body(user, user.login_profile)}


@service.action("GetLoginProfile", resource=_user)
def get_login_profile(call: Call) -> dict[str, Any]:
    user, profile = call.state.ram.login_profile_of(call.params.required("UserName"))
    return {"LoginProfile": login_profile_body(user, profile)}


@service.action("UpdateLoginProfile", resource=_user)
def update_login_profile(call: Call) -> dict[str, Any]:
    p = call.params
    call.state.ram.update_login_profile(
        p.required("UserName"), p.str("Password"), opt_bool(p, "PasswordResetRequired"), opt_bool(p, "MFABindRequired")
    )
    return {}


@service.action("DeleteLoginProfile", resource=_user)
def delete_login_profile(call: Call) -> dict[str, Any]:
    call.state.ram.delete_login_profile(call.params.required("UserName"))
    return {}


# --- password policy ----------------------------------------------------------------------


def password_policy_body(policy: PasswordPolicy) -> dict[str, Any]:
    return {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireNumbers": policy.require_numbers,
        "RequireSymbols": policy.require_symbols,
        "HardExpiry": policy.hard_expiry,
        "MaxPasswordAge": policy.max_password_age,
        "PasswordReusePrevention": policy.password_reuse_prevention,
        "MaxLoginAttemps": policy.max_login_attempts,  # sic: the wire name (SDK model)
    }


@service.action("GetPasswordPolicy")
def get_password_policy(call: Call) -> dict[str, Any]:
    return {"PasswordPolicy": password_policy_body(call.state.ram.password_policy)}


@service.action("SetPasswordPolicy")
def set_password_policy(call: Call) -> dict[str, Any]:
    p = call.params
    d = PasswordPolicy()
    policy = PasswordPolicy(
        minimum_password_length=p.int("MinimumPasswordLength", d.minimum_password_length),
        require_lowercase_characters=p.bool("RequireLowercaseCharacters", d.require_lowercase_characters),
        require_uppercase_characters=p.bool("RequireUppercaseCharacters", d.require_uppercase_characters),
        require_numbers=p.bool("RequireNumbers", d.require_numbers),
        require_symbols=p.bool("RequireSymbols", d.require_symbols),
        hard_expiry=p.bool("HardExpiry", d.hard_expiry),
        max_password_age=p.int("MaxPasswordAge", d.max_password_age),
        password_reuse_prevention=p.int("PasswordReusePrevention", d.password_reuse_prevention),
        max_login_attempts=p.int("MaxLoginAttemps", d.max_login_attempts),
    )
    return {"PasswordPolicy": password_policy_body(call.state.ram.set_password_policy(policy))}
