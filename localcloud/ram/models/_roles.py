"""RAM roles: the trust policy STS checks, the session length it allows, the policies it grants.

Rules (ram20150501==1.3.0 models/_create_role_request.py, _update_role_request.py; the
CreateRole / UpdateRole / DeleteRole error lists of AlibabaCloudDocs/ram):
- RoleName 1-64 letters, digits, ``.``, ``-``; Description up to 1,024; 1,000 roles (§A.4).
- AssumeRolePolicyDocument is a trust policy: every statement names a ``Principal`` (``RAM``,
  ``Service`` or ``Federated``) and only ``sts:AssumeRole*`` actions; otherwise
  ``MalformedPolicyDocument``.
- MaxSessionDuration 3600-43200 seconds, default 3600.
- Arn ``acs:ram::<account>:role/<name>``; DeleteRole is refused with
  ``DeleteConflict.Role.Policy`` while policies are attached.
STS (localcloud/sts/models.py) reads ``roles[name]`` fields role_id, role_name,
assume_role_policy_document and max_session_duration.
"""

from __future__ import annotations

from localcloud.core import ids
from localcloud.policy import language as language
from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models._base import RamBase
from localcloud.ram.models._paging import Page, paginate
from localcloud.ram.models.entities import Role

DEFAULT_MAX_SESSION_DURATION = 3600
TRUST_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithoidc")
PRINCIPAL_KINDS = ("RAM", "Service", "Federated")


def _malformed(detail: str) -> errors.MalformedPolicyDocument:
    return errors.MalformedPolicyDocument(f"The policy document is malformed: {detail}")


def validate_trust_document(document: str, too_long: type[Exception]) -> None:
    """A trust policy in RAM's grammar. UNCONFIRMED: RAM's exact checks and detail texts."""
    if len(document) > rules.MAX_TRUST_POLICY_DOCUMENT:
        raise too_long()
    try:
        parsed = language.parse(document)
    except language.PolicyError as exc:
        raise _malformed(str(exc)) from exc
    for index, statement in enumerate(parsed.statements):
        where = f"Statement[{index}]"
        principal = statement.raw.get("Principal")
        if not isinstance(principal, dict) or not principal:
            raise _malformed(f"{where} of a trust policy must name a Principal (RAM, Service or Federated).")
        for kind, value in principal.items():
            values = [value] if isinstance(value, str) else value
            if kind not in PRINCIPAL_KINDS or not isinstance(values, list) or not values:
                raise _malformed(f"{where}.Principal.{kind} is not a RAM, Service or Federated principal list.")
            if not all(isinstance(v, str) and v for v in values):
                raise _malformed(f"{where}.Principal.{kind} must contain only non-empty strings.")
        if "Resource" in statement.raw or "NotResource" in statement.raw or statement.not_action:
            raise _malformed(f"{where} of a trust policy takes Action and Principal, not Resource or NotAction.")
        for action in statement.actions:
            if action.lower() not in TRUST_ACTIONS:
                raise _malformed(f"{where}.Action {action!r} is not sts:AssumeRole (or its SAML/OIDC forms).")


class RoleOps(RamBase):
    def role_arn(self, role: Role) -> str:
        return f"acs:ram::{self.account_id}:role/{role.role_name}"

    def role_principal_name(self, role: Role) -> str:
        """``<RoleName>@role.<alias>.onaliyunservice.com`` (§A.6, GetRole's RolePrincipalName)."""
        return f"{role.role_name}@role.{self._state.account.alias}.onaliyunservice.com"

    def create_role(
        self,
        role_name: str,
        trust_document: str,
        description: str | None,
        max_session_duration: int | None,
        allow_console_login: bool | None,
        tags: dict[str, str],
    ) -> Role:
        rules.role_name(role_name)
        rules.description(description)
        duration = DEFAULT_MAX_SESSION_DURATION if max_session_duration is None else max_session_duration
        rules.max_session_duration(duration)
        validate_trust_document(trust_document, errors.InvalidParameterAssumeRolePolicyDocumentLength)
        if role_name in self.roles:
            raise errors.EntityAlreadyExistsRole(f"The role does already EXIST: {role_name}")
        if len(self.roles) >= rules.MAX_ROLES:
            raise errors.LimitExceededRole()
        now = self.now
        role = Role(
            role_id=ids.numeric_id(19),
            role_name=role_name,
            description=description or "",
            assume_role_policy_document=trust_document,
            max_session_duration=duration,
            create_date=now,
            update_date=now,
            # UNCONFIRMED: AllowConsoleLogin's default when omitted.
            allow_console_login=bool(allow_console_login),
            tags=dict(tags),
            serial=self.next_serial(),
        )
        self.roles[role_name] = role
        return role

    def update_role(
        self,
        role_name: str,
        new_trust_document: str | None,
        new_description: str | None,
        new_max_session_duration: int | None,
        new_allow_console_login: bool | None,
    ) -> Role:
        role = self.get_role(role_name)
        rules.description(new_description, new=True)
        if new_max_session_duration is not None:
            rules.max_session_duration(new_max_session_duration)
        if new_trust_document:
            validate_trust_document(new_trust_document, errors.InvalidParameterNewAssumeRolePolicyDocumentLength)
            role.assume_role_policy_document = new_trust_document
        if new_description is not None:
            role.description = new_description
        if new_max_session_duration is not None:
            role.max_session_duration = new_max_session_duration
        if new_allow_console_login is not None:
            role.allow_console_login = new_allow_console_login
        role.update_date = self.now
        return role

    def list_roles(self, tags: dict[str, str], marker: str | None, max_items: int) -> Page[Role]:
        candidates = [r for r in self.roles.values() if all(r.tags.get(k) == v for k, v in tags.items())]
        return paginate(candidates, lambda r: r.serial, marker, max_items)

    def delete_role(self, role_name: str) -> None:
        role = self.get_role(role_name)
        if role.policies:
            raise errors.DeleteConflictRolePolicy()
        del self.roles[role_name]
