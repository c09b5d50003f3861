"""STS: temporary credentials for RAM roles, honoured until localcloud's clock passes them.

AssumeRole rules (sts20150401==1.2.0 models; https://alibabacloud.com/help/en/ram/api-assumerole):
the root account cannot call it; the caller needs ``sts:AssumeRole`` on the role (checked
by the dispatcher) and the role's trust policy must name the caller, its account root, or
(for a service role) the service; DurationSeconds is 900 .. the role's MaxSessionDuration;
RoleSessionName is 2-64 of letters, digits, ``. @ - _``; an inline Policy (<= 2,048
characters) narrows the session to the intersection with the role's policies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from localcloud.auth.principal import Principal, PrincipalKind
from localcloud.core import ids
from localcloud.core.wildcards import wildcard_match
from localcloud.policy import language as policy_language
from localcloud.sts import errors

if TYPE_CHECKING:
    from localcloud.ram.models.entities import Role
    from localcloud.state import CloudState

_ROLE_ARN = re.compile(r"^acs:ram::(?P<account>\d+|\*):role/(?P<name>[A-Za-z0-9.\-]{1,64})$")
_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@\-_]{2,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/\-]{2,1224}$")
MAX_SESSION_POLICY = 2048


@dataclass
class StsSession:
    access_key_id: str
    secret: str
    security_token: str
    expiration: datetime
    role_name: str
    role_id: str
    session_name: str
    session_policy: dict[str, Any] | None
    source_identity: str | None = None


class StsBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.sessions: dict[str, StsSession] = {}

    def find(self, access_key_id: str) -> StsSession | None:
        return self.sessions.get(access_key_id)

    def _role(self, role_arn: str) -> Role:
        match = _ROLE_ARN.match(role_arn)
        if match is None:
            raise errors.InvalidParameterRoleArn(f"The parameter RoleArn {role_arn!r} is wrongly formed.")
        if match["account"] not in ("*", self._state.account.account_id):
            raise errors.EntityNotExistRole(f"The role {role_arn} does not exist in this account.")
        role = self._state.ram.roles.get(match["name"])
        if role is None:
            raise errors.EntityNotExistRole(f"The role {match['name']} does not exist.")
        return role

    def _trusts(self, role: Role, caller: Principal | None, service: str | None) -> bool:
        try:
            document = json.loads(role.assume_role_policy_document)
        except json.JSONDecodeError:
            return False
        statements = document.get("Statement", [])
        account = self._state.account.account_id
        wanted: set[str] = set()
        if caller is not None:
            wanted.add(f"acs:ram::{account}:root")
            wanted.add(account)
            wanted.add(caller.arn)
            if caller.kind is PrincipalKind.ROLE_SESSION:
                wanted.add(f"acs:ram::{account}:role/{caller.role_name}")
        for statement in statements if isinstance(statements, list) else [statements]:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if not any(wildcard_match(a, "sts:AssumeRole", ignore_case=True) for a in actions):
                continue
            principal = statement.get("Principal", {})
            if service is not None:
                services = principal.get("Service", [])
                services = [services] if isinstance(services, str) else services
                if service in services:
                    return True
            if caller is not None:
                rams = principal.get("RAM", [])
                rams = [rams] if isinstance(rams, str) else rams
                if any(r in wanted for r in rams):
                    return True
        return False

    def assume_role(
        self,
        caller: Principal,
        role_arn: str,
        session_name: str,
        duration_seconds: int | None,
        policy: str | None,
        external_id: str | None,
        source_identity: str | None,
    ) -> tuple[StsSession, Role]:
        if caller.is_root:
            raise errors.NoPermission(
                "You are not authorized to do this action. You should be authorized by RAM. "
                "(AssumeRole cannot be called with an Alibaba Cloud account's AccessKey.)"
            )
        if not _SESSION_NAME.match(session_name):
            raise errors.InvalidParameterRoleSessionName()
        if external_id is not None and not _EXTERNAL_ID.match(external_id):
            raise errors.InvalidParameterExternalId()
        role = self._role(role_arn)
        if not self._trusts(role, caller, None):
            raise errors.NoPermission(
                f"You are not authorized to do this action. The trust policy of role {role.role_name} "
                "does not allow the caller to assume it."
            )
        return self._issue(role, session_name, duration_seconds, policy, source_identity), role

    def assume_for_service(self, role_arn_or_name: str, service: str, session_name: str) -> StsSession:
        """Credentials a cloud service (e.g. ``fc.aliyuncs.com``) obtains for its configured role."""
        arn = role_arn_or_name
        if not arn.startswith("acs:"):
            arn = f"acs:ram::{self._state.account.account_id}:role/{role_arn_or_name}"
        role = self._role(arn)
        if not self._trusts(role, None, service):
            raise errors.NoPermission(f"The trust policy of role {role.role_name} does not trust {service}.")
        return self._issue(role, session_name, role.max_session_duration, None, None)

    def _issue(
        self,
        role: Role,
        session_name: str,
        duration_seconds: int | None,
        policy: str | None,
        source_identity: str | None,
    ) -> StsSession:
        duration = 3600 if duration_seconds is None else duration_seconds
        if duration < 900 or duration > role.max_session_duration:
            raise errors.InvalidParameterDurationSeconds(
                f"The DurationSeconds {duration} is out of range: 900 to {role.max_session_duration} "
                f"(the role's MaxSessionDuration)."
            )
        session_policy: dict[str, Any] | None = None
        if policy:
            if len(policy) > MAX_SESSION_POLICY:
                raise errors.InvalidParameterPolicy(f"The Policy is longer than {MAX_SESSION_POLICY} characters.")
            try:
                policy_language.parse(policy)
            except policy_language.PolicyError as exc:
                raise errors.InvalidParameterPolicy(f"The parameter Policy has not passed grammar check: {exc}") from exc
            session_policy = json.loads(policy)
        now = self._state.clock.now()
        session = StsSession(
            access_key_id=ids.sts_access_key_id(),
            secret=ids.access_key_secret(),
            security_token=ids.security_token(),
            expiration=(now + timedelta(seconds=duration)).replace(microsecond=0),
            role_name=role.role_name,
            role_id=role.role_id,
            session_name=session_name,
            session_policy=session_policy,
            source_identity=source_identity,
        )
        self._prune(now)
        owner = f"role {role.role_name}"
        self._state.issued.add("sts-access-key-secret", session.secret, owner)
        self._state.issued.add("sts-security-token", session.security_token, owner)
        self.sessions[session.access_key_id] = session
        return session

    def _prune(self, now: datetime) -> None:
        """Forget sessions expired more than a day ago (they answer Expired until then)."""
        horizon = now - timedelta(days=1)
        for key in [k for k, s in self.sessions.items() if s.expiration < horizon]:
            del self.sessions[key]

    def principal_of(self, session: StsSession) -> Principal:
        return Principal(
            kind=PrincipalKind.ROLE_SESSION,
            account_id=self._state.account.account_id,
            access_key_id=session.access_key_id,
            role_name=session.role_name,
            role_id=session.role_id,
            session_name=session.session_name,
            session_policy=session.session_policy,
        )
