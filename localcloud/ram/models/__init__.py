"""RAM's state and every rule RAM enforces, behind one facade: :class:`RamBackend`.

The rest of localcloud knows RAM only through this class: authentication
(``find_access_key``), authorization (``policy``, ``effective_user_policies``,
``role_policies``), STS (``roles``), the app (``users``, ``roles``). The rules live in one
private module per domain, each a mixin of :class:`RamBackend`: ``_users`` (users, login
profiles, password policy), ``_keys``, ``_groups``, ``_policies`` (policies and versions),
``_attachments``, ``_roles``, ``_mfa``; beside them ``_base`` (the tables), ``_rules`` (limits
and names), ``_paging``, ``_passwords``. Public: :mod:`.entities` (the records) and
:mod:`.totp` (the codes an authenticator app shows; tests compute them). :mod:`localcloud.ram.responses`
only parses and serialises; :mod:`localcloud.ram.routes` serves RAM's admin HTTP routes.
The backend holds plain data only (it is pickled for --state).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from localcloud.policy.system_policies import SYSTEM_POLICIES
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._attachments import AttachmentOps
from localcloud.ram.models._groups import GroupOps
from localcloud.ram.models._keys import KeyOps
from localcloud.ram.models._mfa import MfaOps
from localcloud.ram.models._policies import PolicyOps
from localcloud.ram.models._roles import RoleOps
from localcloud.ram.models._users import UserOps
from localcloud.ram.models.entities import PasswordPolicy, Policy, PolicyKey, PolicyVersion

if TYPE_CHECKING:
    from localcloud.state import CloudState

SYSTEM_POLICY_DATE = datetime.fromisoformat("2015-04-28T20:12:00+00:00")


def _system_policies() -> dict[str, Policy]:
    out: dict[str, Policy] = {}
    for serial, spec in enumerate(SYSTEM_POLICIES.values(), start=1):
        out[spec.name] = Policy(
            policy_name=spec.name,
            policy_type="System",
            description=spec.description,
            create_date=SYSTEM_POLICY_DATE,
            update_date=SYSTEM_POLICY_DATE,
            default_version="v1",
            versions={"v1": PolicyVersion("v1", spec.document, SYSTEM_POLICY_DATE)},
            serial=serial,
        )
    return out


class RamBackend(UserOps, KeyOps, GroupOps, PolicyOps, AttachmentOps, RoleOps, MfaOps):
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.users = {}
        self.groups = {}
        self.system_policies = _system_policies()
        self.custom_policies = {}
        self.roles = {}
        self.mfa_devices = {}
        self.password_policy = PasswordPolicy()
        self.key_index = {}
        self._key_history = {}
        self.last_serial = len(self.system_policies)

    # --- lookups the authorizer uses ------------------------------------------------------

    def effective_user_policies(self, user_name: str) -> list[PolicyKey]:
        """The user's own attachments plus those of every group it belongs to."""
        user = self.users.get(user_name)
        if user is None:
            return []
        keys = list(user.policies)
        for group_name in user.groups:
            group = self.groups.get(group_name)
            if group is not None:
                keys.extend(group.policies)
        return keys

    def role_policies(self, role_name: str) -> list[PolicyKey]:
        role = self.roles.get(role_name)
        return list(role.policies) if role is not None else []

    # --- account alias (it lives on the account: the default domain follows it) ----------

    def account_alias(self) -> str:
        return self._state.account.alias

    def set_account_alias(self, alias: str) -> None:
        """Like IMS SetDefaultDomain: ResourceManager grants follow their principals to the new domain."""
        rules.account_alias(alias)
        self._change_alias(alias)

    def clear_account_alias(self) -> None:
        """UNCONFIRMED: after ClearAccountAlias localcloud falls back to the account id as the alias."""
        self._change_alias(self.account_id)

    def _change_alias(self, alias: str) -> None:
        account = self._state.account
        old, account.alias = account.alias, alias
        self._state.rm.rename_alias(old, alias)
