"""RAM's limits and name rules, as pure checks that raise the documented parameter error.

Sources: ../shared/reference/alibaba-platform.md §A.1 and §A.4 (limits page, Dec 2025), the
ram20150501==1.3.0 request models (field comments give lengths and character sets) and the
RAM error page https://www.alibabacloud.com/help/doc-detail/28754.htm for the codes. Each
check takes the parameter's wire name where RAM answers with a ``New*`` code on updates.
"""

from __future__ import annotations

import re

from localcloud.core.errors import CloudError
from localcloud.ram import errors

# --- limits (§A.4; the GetAccountSummary example for group and role attachments) ---------

MAX_USERS = 5000
MAX_GROUPS = 300
MAX_ROLES = 1000
MAX_CUSTOM_POLICIES = 1500
MAX_VERSIONS_PER_POLICY = 5
MAX_ACCESS_KEYS_PER_USER = 2
MAX_GROUPS_PER_USER = 10
MAX_SYSTEM_POLICIES_PER_USER = 20
MAX_CUSTOM_POLICIES_PER_USER = 10
# AttachedSystemPoliciesPerGroupQuota 20 / AttachedPoliciesPerGroupQuota 5, the same for roles:
# https://help.aliyun.com/zh/ram/developer-reference/api-ims-2019-08-15-getaccountsummary
MAX_SYSTEM_POLICIES_PER_GROUP = 20
MAX_CUSTOM_POLICIES_PER_GROUP = 5
MAX_SYSTEM_POLICIES_PER_ROLE = 20
MAX_CUSTOM_POLICIES_PER_ROLE = 5
# UNCONFIRMED: the current limits page does not list it; the older page says 1000 per account.
MAX_VIRTUAL_MFA_DEVICES = 1000
MAX_POLICY_DOCUMENT = 6144
# UNCONFIRMED: no page states the trust-policy length limit; 2,048 is the old policy limit.
MAX_TRUST_POLICY_DOCUMENT = 2048
MAX_DESCRIPTION = 1024
MAX_COMMENTS = 128

# --- names --------------------------------------------------------------------------------

_USER_NAME = re.compile(r"^[A-Za-z0-9.\-_]+$")
_DISPLAY_NAME = re.compile(r"^[\w.@\-\u4e00-\u9fff ]+$")
_GROUP_NAME = re.compile(r"^[A-Za-z0-9.\-_]+$")  # CreateGroup request model: letters, digits, . - _
_POLICY_NAME = re.compile(r"^[A-Za-z0-9\-]+$")
_ROLE_NAME = re.compile(r"^[A-Za-z0-9.\-]+$")
_MFA_NAME = re.compile(r"^[A-Za-z0-9.\-]+$")
# MobilePhone is ``<country code>-<number>`` (§A.1), e.g. 86-18600008888.
_MOBILE_PHONE = re.compile(r"^\d{1,4}-\d{4,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# SetAccountAlias: 3-32 lowercase letters, digits and hyphens; no leading, trailing or
# doubled hyphen. https://www.alibabacloud.com/help/ja/ram/developer-reference/api-ram-2015-05-01-setaccountalias
_ACCOUNT_ALIAS = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")
_VERSION_ID = re.compile(r"^v[1-9]\d*$")
_AUTH_CODE = re.compile(r"^\d{6}$")


def _name(
    value: str, pattern: re.Pattern[str], high: int, length: type[CloudError], chars: type[CloudError]
) -> None:
    if not 1 <= len(value) <= high:
        raise length()
    if not pattern.match(value):
        raise chars()


def user_name(name: str, *, new: bool = False) -> None:
    if new:
        _name(name, _USER_NAME, 64, errors.InvalidParameterNewUserNameLength, errors.InvalidParameterNewUserNameInvalidChars)
    else:
        _name(name, _USER_NAME, 64, errors.InvalidParameterUserNameLength, errors.InvalidParameterUserNameInvalidChars)


def display_name(name: str | None, *, new: bool = False) -> None:
    if name is None:
        return
    if new:
        _name(name, _DISPLAY_NAME, 128, errors.InvalidParameterNewDisplayNameLength,
              errors.InvalidParameterNewDisplayNameInvalidChars)
    else:
        _name(name, _DISPLAY_NAME, 128, errors.InvalidParameterDisplayNameLength, errors.InvalidParameterDisplayNameInvalidChars)


def comments(text: str | None, *, new: bool = False) -> None:
    if text is not None and len(text) > MAX_COMMENTS:
        raise errors.InvalidParameterNewCommentsLength() if new else errors.InvalidParameterCommentsLength()


def email(text: str | None, *, new: bool = False) -> None:
    if text and not _EMAIL.match(text):
        raise errors.InvalidParameterNewEmailFormat() if new else errors.InvalidParameterEmailFormat()


def mobile_phone(text: str | None, *, new: bool = False) -> None:
    if text and not _MOBILE_PHONE.match(text):
        raise errors.InvalidParameterNewMobilePhoneFormat() if new else errors.InvalidParameterMobilePhoneFormat()


def group_name(name: str, *, new: bool = False) -> None:
    if new:
        _name(name, _GROUP_NAME, 64, errors.InvalidParameterNewGroupNameLength, errors.InvalidParameterNewGroupNameInvalidChars)
    else:
        _name(name, _GROUP_NAME, 64, errors.InvalidParameterGroupNameLength, errors.InvalidParameterGroupNameInvalidChars)


def policy_name(name: str) -> None:
    _name(name, _POLICY_NAME, 128, errors.InvalidParameterPolicyNameLength, errors.InvalidParameterPolicyNameInvalidChars)


def policy_type(value: str) -> str:
    if value not in ("System", "Custom"):
        raise errors.InvalidParameterPolicyType(f'The parameter - "PolicyType" is incorrect: {value!r} (System or Custom).')
    return value


def role_name(name: str) -> None:
    _name(name, _ROLE_NAME, 64, errors.InvalidParameterRoleNameLength, errors.InvalidParameterRoleNameInvalidChars)


def mfa_device_name(name: str) -> None:
    _name(name, _MFA_NAME, 64, errors.InvalidParameterVirtualMFADeviceNameLength,
          errors.InvalidParameterVirtualMFADeviceNameInvalidChars)


def description(text: str | None, *, new: bool = False) -> None:
    if text is not None and len(text) > MAX_DESCRIPTION:
        raise errors.InvalidParameterNewDescriptionLength() if new else errors.InvalidParameterDescriptionLength()


def version_id(value: str) -> None:
    if not _VERSION_ID.match(value):
        raise errors.InvalidParameterVersionIdFormat()


def authentication_code(value: str) -> None:
    if not _AUTH_CODE.match(value):
        raise errors.InvalidParameterAuthenticationCodeFormat()


def account_alias(alias: str) -> None:
    if not 3 <= len(alias) <= 32:
        raise errors.InvalidParameterAccountAliasLength()
    if not _ACCOUNT_ALIAS.match(alias):
        raise errors.InvalidParameterAccountAliasFormat()


def max_session_duration(seconds: int) -> None:
    """3600-43200 seconds (CreateRole / UpdateRole request models)."""
    if not 3600 <= seconds <= 43200:
        raise errors.InvalidParameterMaxSessionDuration()
