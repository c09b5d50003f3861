"""The RAM service object, the ARNs actions are authorised on, and parameter helpers.

Resources follow the "required permissions" sections of the RAM API pages
(AlibabaCloudDocs/ram, e.g. DeleteGroup: ``acs:ram:*:${AccountId}:group/${GroupName}``,
CreateRole: ``acs:ram:*:${AccountId}:role/*``): ``user/<name>``, ``group/<name>``,
``policy/<name>``, ``role/<name>``, ``mfa/<name>``; a parameter the caller left out becomes
``*``. An operation that touches two entities (AttachPolicyToUser) is authorised on the
principal entity. Permission is ``ram:<Action>``. No rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud.core.errors import InvalidParameter
from localcloud.pop.params import Params
from localcloud.pop.service import Call, Service
from localcloud.ram import errors

service = Service("ram", "2015-05-01", "ram.aliyuncs.com", errors.NoPermission)


def arn(call: Call, kind: str, name: str) -> str:
    return f"acs:ram:*:{call.state.account.account_id}:{kind}/{name}"


def on(kind: str, param: str) -> Callable[[Call], str]:
    """The ARN of the ``kind`` named by parameter ``param`` (``*`` when absent)."""

    def resource(call: Call) -> str:
        return arn(call, kind, call.params.str(param) or "*")

    return resource


def every(kind: str) -> Callable[[Call], str]:
    """``<kind>/*``: list operations are authorised on every entity of the kind."""

    def resource(call: Call) -> str:
        return arn(call, kind, "*")

    return resource


def caller_or_named_user(call: Call) -> str:
    """``UserName``, or the calling RAM user's own name when it is left out (CreateAccessKey etc.)."""
    name = call.params.str("UserName")
    if name:
        return name
    if call.principal.user_name is None:
        # UNCONFIRMED: what RAM answers when the root account or a role session omits UserName.
        raise errors.EntityNotExistUser("UserName is required when the caller is not a RAM user.")
    return call.principal.user_name


def caller_user_resource(call: Call) -> str:
    name = call.params.str("UserName") or call.principal.user_name or "*"
    return arn(call, "user", name)


def opt_bool(params: Params, name: str) -> bool | None:
    """A boolean parameter, or None when the caller left it out (updates keep the old value)."""
    value = params.str(name)
    return None if value is None or value == "" else params.bool(name)


def opt_int(params: Params, name: str) -> int | None:
    value = params.str(name)
    return None if value is None or value == "" else params.int(name, 0)


def tags(params: Params, name: str = "Tag") -> dict[str, str]:
    """``Tag`` as the SDK sends it: a JSON list of ``{"Key", "Value"}`` (shrink style)."""
    raw = params.json(name)
    if raw is None:
        return {}
    if not isinstance(raw, list) or not all(isinstance(t, dict) and isinstance(t.get("Key"), str) for t in raw):
        raise InvalidParameter(f'The parameter "{name}" must be a list of {{"Key", "Value"}} objects.')
    return {t["Key"]: str(t.get("Value", "")) for t in raw}


def tags_body(values: dict[str, str]) -> dict[str, Any]:
    return {"Tag": [{"TagKey": k, "TagValue": v} for k, v in values.items()]}


def page_fields(is_truncated: bool, marker: str | None) -> dict[str, Any]:
    """``IsTruncated``, plus ``Marker`` only when truncated (ListUsers response model)."""
    body: dict[str, Any] = {"IsTruncated": is_truncated}
    if marker is not None:
        body["Marker"] = marker
    return body
