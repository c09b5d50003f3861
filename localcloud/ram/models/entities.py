"""RAM's state: plain mutable records owned by :class:`localcloud.ram.models.RamBackend`.

Only the backend mutates them, under localcloud's state lock. Secrets are kept because
localcloud must verify signatures made with them; passwords are kept only as salted
PBKDF2 hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PolicyKey = tuple[str, str]
"""(PolicyType, PolicyName), e.g. ("System", "AliyunRAMReadOnlyAccess")."""


@dataclass
class AccessKey:
    access_key_id: str
    secret: str
    status: str
    """``Active`` or ``Inactive``."""
    create_date: datetime
    last_used: datetime | None = None
    last_used_service: str | None = None


@dataclass
class LoginProfile:
    password_hash: str
    create_date: datetime
    password_reset_required: bool
    mfa_bind_required: bool
    update_date: datetime | None = None
    previous_hashes: list[str] = field(default_factory=list)


@dataclass
class User:
    user_id: str
    user_name: str
    display_name: str
    comments: str
    email: str
    mobile_phone: str
    create_date: datetime
    update_date: datetime
    last_login_date: datetime | None = None
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    login_profile: LoginProfile | None = None
    mfa_serial: str | None = None
    groups: list[str] = field(default_factory=list)
    policies: dict[PolicyKey, datetime] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    """User tags, set through IMS TagResources (ResourceType=user)."""
    serial: int = 0
    """Creation order; list operations page in this order, so a rename keeps a user's place."""


@dataclass
class Group:
    group_id: str
    group_name: str
    comments: str
    create_date: datetime
    update_date: datetime
    members: dict[str, datetime] = field(default_factory=dict)
    """User name -> join date."""
    policies: dict[PolicyKey, datetime] = field(default_factory=dict)
    serial: int = 0


@dataclass
class PolicyVersion:
    version_id: str
    document: str
    create_date: datetime


@dataclass
class Policy:
    policy_name: str
    policy_type: str
    """``System`` or ``Custom``."""
    description: str
    create_date: datetime
    update_date: datetime
    default_version: str
    versions: dict[str, PolicyVersion] = field(default_factory=dict)
    next_version: int = 2
    tags: dict[str, str] = field(default_factory=dict)
    serial: int = 0

    @property
    def document(self) -> str:
        return self.versions[self.default_version].document


@dataclass
class Role:
    role_id: str
    role_name: str
    description: str
    assume_role_policy_document: str
    max_session_duration: int
    create_date: datetime
    update_date: datetime
    policies: dict[PolicyKey, datetime] = field(default_factory=dict)
    allow_console_login: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    serial: int = 0


@dataclass
class VirtualMFADevice:
    serial_number: str
    base32_seed: str
    create_date: datetime
    user_name: str | None = None
    activate_date: datetime | None = None
    serial: int = 0


@dataclass
class PasswordPolicy:
    """RAM's default password policy.

    MinimumPasswordLength 8: SetPasswordPolicy page https://help.aliyun.com/document_detail/28739.html
    ("取值范围:8~32。默认值:8"); MaxPasswordAge 0 and PasswordReusePrevention 0 (disabled by
    default) and MaxLoginAttemps 5 (its example): same page. The four Require* flags true and
    HardExpiry false: the defaults aliyun/terraform-provider-alicloud copies from that page
    (alicloud/resource_alicloud_ram_account_password_policy.go). UNCONFIRMED for the Require*
    flags: no Alibaba page states them.
    """

    minimum_password_length: int = 8
    require_lowercase_characters: bool = True
    require_uppercase_characters: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    hard_expiry: bool = False
    max_password_age: int = 0
    password_reuse_prevention: int = 0
    max_login_attempts: int = 5
