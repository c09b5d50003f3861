"""RAM users and their login profiles, and the account's password policy.

Rules: alibaba-platform.md §A.1-§A.4 (names, limits, the five DeleteConflict.User.* codes),
ram20150501==1.3.0 request models. A rename (UpdateUser NewUserName) keeps everything that
hangs off the user: its AccessKeys still authenticate as it, its groups, policies and MFA
device stay, and ResourceManager attachments follow the new principal name.
"""

from __future__ import annotations

from localcloud.core import ids
from localcloud.core.errors import InvalidParameter
from localcloud.ram import errors
from localcloud.ram.models import _passwords as passwords
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import RamBase
from localcloud.ram.models._paging import Page, paginate
from localcloud.ram.models.entities import LoginProfile, PasswordPolicy, User

MAX_PASSWORD_HISTORY = 24
"""PasswordReusePrevention's upper bound (the Terraform provider validates 0-24)."""


class UserOps(RamBase):
    # --- users ----------------------------------------------------------------------------

    def create_user(
        self, user_name: str, display_name: str | None, comments: str | None, email: str | None, mobile_phone: str | None
    ) -> User:
        rules.user_name(user_name)
        rules.display_name(display_name)
        rules.comments(comments)
        rules.email(email)
        rules.mobile_phone(mobile_phone)
        if user_name in self.users:
            raise errors.EntityAlreadyExistsUser()
        if len(self.users) >= rules.MAX_USERS:
            raise errors.LimitExceededUser()
        now = self.now
        user = User(
            user_id=ids.numeric_id(16),
            user_name=user_name,
            display_name=display_name or "",
            comments=comments or "",
            email=email or "",
            mobile_phone=mobile_phone or "",
            create_date=now,
            update_date=now,
            serial=self.next_serial(),
        )
        self.users[user_name] = user
        return user

    def update_user(
        self,
        user_name: str,
        new_user_name: str | None,
        new_display_name: str | None,
        new_comments: str | None,
        new_email: str | None,
        new_mobile_phone: str | None,
    ) -> User:
        user = self.get_user(user_name)
        if new_user_name is not None:
            rules.user_name(new_user_name, new=True)
        rules.display_name(new_display_name, new=True)
        rules.comments(new_comments, new=True)
        rules.email(new_email, new=True)
        rules.mobile_phone(new_mobile_phone, new=True)
        if new_user_name is not None and new_user_name != user_name:
            if new_user_name in self.users:
                raise errors.EntityAlreadyExistsUser(f"The user does already EXIST: {new_user_name}")
            self._rename_user(user, new_user_name)
        if new_display_name is not None:
            user.display_name = new_display_name
        if new_comments is not None:
            user.comments = new_comments
        if new_email is not None:
            user.email = new_email
        if new_mobile_phone is not None:
            user.mobile_phone = new_mobile_phone
        user.update_date = self.now
        return user

    def _rename_user(self, user: User, new_name: str) -> None:
        old_name = user.user_name
        del self.users[old_name]
        user.user_name = new_name
        self.users[new_name] = user
        for key_id in user.access_keys:
            self.key_index[key_id] = new_name
        for group_name in user.groups:
            group = self.groups.get(group_name)
            if group is not None and old_name in group.members:
                group.members[new_name] = group.members.pop(old_name)
        if user.mfa_serial is not None and user.mfa_serial in self.mfa_devices:
            self.mfa_devices[user.mfa_serial].user_name = new_name
        # ResourceManager names a user principal <UserName>@<default domain> (§A.6); RAM tracks
        # principals by id, so the attachments follow a rename. UNCONFIRMED for the real cloud.
        domain = self._state.account.default_domain
        old_principal = f"{old_name}@{domain}".lower()
        for attachment in self._state.rm.attachments:
            if attachment.principal_type == "IMSUser" and attachment.principal_name.lower() == old_principal:
                attachment.principal_name = f"{new_name}@{domain}"

    def list_users(self, marker: str | None, max_items: int) -> Page[User]:
        return paginate(list(self.users.values()), lambda u: u.serial, marker, max_items)

    def delete_user(self, user_name: str) -> None:
        """Refuse while anything hangs off the user, checked in the error page's order.

        The order is the one of RAM's error table (and the Terraform provider's list):
        Group, AccessKey, LoginProfile, MFADevice, Policy. UNCONFIRMED: which conflict the real
        service reports first when several apply.
        """
        user = self.get_user(user_name)
        if user.groups:
            raise errors.DeleteConflictUserGroup()
        if user.access_keys:
            raise errors.DeleteConflictUserAccessKey()
        if user.login_profile is not None:
            raise errors.DeleteConflictUserLoginProfile()
        if user.mfa_serial is not None:
            raise errors.DeleteConflictUserMFADevice()
        if user.policies:
            raise errors.DeleteConflictUserPolicy()
        del self.users[user_name]

    # --- login profiles -------------------------------------------------------------------

    def _check_password(self, password: str) -> None:
        missing = passwords.violations(password, self.password_policy)
        if missing:
            raise errors.InvalidParameterPasswordTooWeak(
                'The parameter - "Password" is not compliant with the password policy: it needs '
                + ", ".join(missing) + "."
            )

    def create_login_profile(
        self, user_name: str, password: str, password_reset_required: bool, mfa_bind_required: bool
    ) -> User:
        user = self.get_user(user_name)
        if user.login_profile is not None:
            raise errors.EntityAlreadyExistsUserLoginProfile()
        self._check_password(password)
        self._state.issued.add("ram-console-password", password, f"user {user.user_name}")
        user.login_profile = LoginProfile(
            password_hash=passwords.hash_password(password),
            create_date=self.now,
            password_reset_required=password_reset_required,
            mfa_bind_required=mfa_bind_required,
        )
        return user

    def login_profile_of(self, user_name: str) -> tuple[User, LoginProfile]:
        user = self.get_user(user_name)
        if user.login_profile is None:
            raise errors.EntityNotExistUserLoginProfile()
        return user, user.login_profile

    def update_login_profile(
        self,
        user_name: str,
        password: str | None,
        password_reset_required: bool | None,
        mfa_bind_required: bool | None,
    ) -> User:
        user, profile = self.login_profile_of(user_name)
        if password is not None and password != "":
            self._check_password(password)
            recent = [profile.password_hash, *profile.previous_hashes]
            reuse = self.password_policy.password_reuse_prevention
            if reuse > 0 and any(passwords.matches(password, h) for h in recent[:reuse]):
                # UNCONFIRMED: RAM's code for a reused password; TooWeak is the policy-violation code.
                raise errors.InvalidParameterPasswordTooWeak(
                    'The parameter - "Password" is not compliant with the password policy: '
                    f"it repeats one of the last {reuse} passwords."
                )
            profile.previous_hashes = recent[:MAX_PASSWORD_HISTORY]
            self._state.issued.add("ram-console-password", password, f"user {user.user_name}")
            profile.password_hash = passwords.hash_password(password)
        if password_reset_required is not None:
            profile.password_reset_required = password_reset_required
        if mfa_bind_required is not None:
            profile.mfa_bind_required = mfa_bind_required
        profile.update_date = self.now
        return user

    def delete_login_profile(self, user_name: str) -> None:
        user, _ = self.login_profile_of(user_name)
        user.login_profile = None

    # --- password policy ------------------------------------------------------------------

    def set_password_policy(self, policy: PasswordPolicy) -> PasswordPolicy:
        """Replace the policy; parameters the caller left out take their defaults.

        The SDK model says so of HardExpiry ("If you leave this parameter unspecified, the default
        value false is used"); UNCONFIRMED for the other parameters. Ranges: MinimumPasswordLength
        8-32 (InvalidParameter.MinimumPasswordLength.Range); MaxPasswordAge 0-1095,
        PasswordReusePrevention 0-24, MaxLoginAttemps 0-32 as the Terraform provider validates
        them (UNCONFIRMED code: the common InvalidParameter).
        """
        if not 8 <= policy.minimum_password_length <= 32:
            raise errors.InvalidParameterMinimumPasswordLengthRange()
        for name, value, high in (
            ("MaxPasswordAge", policy.max_password_age, 1095),
            ("PasswordReusePrevention", policy.password_reuse_prevention, MAX_PASSWORD_HISTORY),
            ("MaxLoginAttemps", policy.max_login_attempts, 32),
        ):
            if not 0 <= value <= high:
                raise InvalidParameter(f'The parameter - "{name}" MUST be in the range of 0 and {high}.')
        self.password_policy = policy
        return policy
