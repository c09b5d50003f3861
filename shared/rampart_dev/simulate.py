"""A pure model of applying steps to an observed user: what each step does to the cloud.

For tests (property tests replay plans through it) but importable. AccessKey secrets are
modelled with their versions as observation sees them: a new key written into the user's
AccessKey secret becomes its ACSCurrent and the key before it ACSPrevious. It is strict where the
cloud is strict and stricter where a minimal plan must be: a step the cloud would refuse
(DeleteUser with anything attached, a third AccessKey, writing into a secret pending
deletion, deleting an attached policy) raises :class:`SimulationError` with the cloud's code,
and so does a step with nothing to do (attaching what is attached), because the planner
should not have planned it. The applier itself is forgiving of the latter; the model is not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from rampart.errors import RampartError
from rampart.model import (
    AccessKeyRef,
    DisplayName,
    Escrow,
    GroupRef,
    MfaDevice,
    NewPolicy,
    NewUser,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    PolicyAttachment,
    PolicyName,
    PolicyType,
    SecretDeletion,
    SecretKind,
    SecretRef,
    Step,
    StepKind,
    Tags,
    Untag,
)
from rampart.naming import MAX_TAGS, marker_from_tags
from rampart.planning import MAX_DOCUMENT, allow_bounds, is_timebound_name

MAX_KEYS = 2
MAX_GROUPS = 10
MAX_SYSTEM = 20
MAX_CUSTOM = 10
"""RAM limits, alibaba-platform.md §A.4."""


class SimulationError(RampartError):
    """The cloud would refuse this step (``code`` is its error code), or it does nothing."""

    def __init__(self, step: Step, code: str, why: str) -> None:
        super().__init__(f"{step.kind.value} on {step.user_name}: {code}: {why}")
        self.step = step
        self.code = code


def simulate(observed: ObservedUser | None, steps: Iterable[Step], now: datetime) -> ObservedUser | None:
    """The user after ``steps`` (None: it does not exist)."""
    state = observed
    for index, step in enumerate(steps):
        state = apply_step(state, step, now, index=index)
    return state


def apply_step(state: ObservedUser | None, step: Step, now: datetime, *, index: int = 0) -> ObservedUser | None:
    if step.kind is StepKind.CREATE_USER:
        if state is not None:
            raise SimulationError(step, "EntityAlreadyExists.User", "the user exists")
        return ObservedUser(step.user_name, f"sim-{step.user_name}", step.detail_as(NewUser).display_name, {}, None)
    if state is None:
        raise SimulationError(step, "EntityNotExist.User", "the user does not exist")
    handler = _HANDLERS.get(step.kind)
    if handler is None:  # pragma: no cover - every StepKind has a handler
        raise SimulationError(step, "Unknown", "no model for this step")
    return handler(state, step, now, index)


def _fail(step: Step, code: str, why: str) -> SimulationError:
    return SimulationError(step, code, why)


def _update_user(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    name = step.detail_as(DisplayName).display_name
    if name == s.display_name:
        raise _fail(step, "NoChange", "display name already set")
    return replace(s, display_name=name)


def _tag(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    new = step.detail_as(Tags).mapping
    if not new or all(s.tags.get(k) == v for k, v in new.items()):
        raise _fail(step, "NoChange", "tags already set")
    tags = {**s.tags, **new}
    if len(tags) > MAX_TAGS:
        raise _fail(step, "LimitExceeded.Tag", f"{len(tags)} tags")
    return replace(s, tags=tags, marker=marker_from_tags(tags))


def _untag(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    keys = step.detail_as(Untag).keys
    if not keys or not any(k in s.tags for k in keys):
        raise _fail(step, "NoChange", "no such tags")
    tags = {k: v for k, v in s.tags.items() if k not in keys}
    return replace(s, tags=tags, marker=marker_from_tags(tags))


def _put_secret(s: ObservedUser, step: Step, secret: ObservedSecret) -> tuple[ObservedSecret, ...]:
    """CreateSecret, or PutSecretValue into the existing secret: the new version becomes
    ACSCurrent and the old ACSCurrent becomes ACSPrevious (KMS PutSecretValue, §B.3)."""
    current = next((x for x in s.secrets if x.name == secret.name), None)
    if current is not None and current.pending_deletion:
        raise _fail(step, "Rejected.ResourceInDeleteWindow", f"secret {secret.name} is pending deletion")
    if current is not None and current.access_key_id and current.access_key_id != secret.access_key_id:
        secret = replace(secret, previous_access_key_id=current.access_key_id)
    return (*(x for x in s.secrets if x.name != secret.name), secret)


def _create_login_profile(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    if s.has_login_profile:
        raise _fail(step, "EntityAlreadyExists.User.LoginProfile", "already has one")
    name = step.detail_as(Escrow).secret_name
    secrets = _put_secret(s, step, ObservedSecret(name, SecretKind.PASSWORD, None, False))
    return replace(s, has_login_profile=True, secrets=secrets)


def _delete_login_profile(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    if not s.has_login_profile:
        raise _fail(step, "EntityNotExist.User.LoginProfile", "none")
    return replace(s, has_login_profile=False)


def _create_access_key(s: ObservedUser, step: Step, now: datetime, index: int) -> ObservedUser:
    if len(s.keys) >= MAX_KEYS:
        raise _fail(step, "LimitExceeded.User.AccessKey", "two keys already")
    seed = f"{s.user_name}|{now.isoformat()}|{index}|{','.join(sorted(k.access_key_id for k in s.keys))}"
    key_id = "LTAISIM" + hashlib.sha256(seed.encode()).hexdigest()[:12].upper()
    name = step.detail_as(Escrow).secret_name
    secrets = _put_secret(s, step, ObservedSecret(name, SecretKind.ACCESS_KEY, key_id, False))
    return replace(s, keys=(*s.keys, ObservedKey(key_id, True, now)), secrets=secrets)


def _key(s: ObservedUser, step: Step) -> ObservedKey:
    key_id = step.detail_as(AccessKeyRef).access_key_id
    found = next((k for k in s.keys if k.access_key_id == key_id), None)
    if found is None:
        raise _fail(step, "EntityNotExist.User.AccessKey", key_id)
    return found


Handler = Callable[..., "ObservedUser | None"]


def _set_key(active: bool) -> Handler:
    def handler(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
        key = _key(s, step)
        if key.active is active:
            raise _fail(step, "NoChange", f"key already {'active' if active else 'inactive'}")
        keys = tuple(replace(k, active=active) if k.access_key_id == key.access_key_id else k for k in s.keys)
        return replace(s, keys=keys)

    return handler


def _delete_key(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    key = _key(s, step)
    return replace(s, keys=tuple(k for k in s.keys if k.access_key_id != key.access_key_id))


def _secret_state(pending: bool) -> Handler:
    def handler(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
        name = step.detail_as(SecretDeletion).secret_name if pending else step.detail_as(SecretRef).secret_name
        found = next((x for x in s.secrets if x.name == name), None)
        if found is None:
            raise _fail(step, "Forbidden.ResourceNotFound", name)
        if found.pending_deletion is pending:
            raise _fail(step, "NoChange", f"secret {name} already {'pending deletion' if pending else 'live'}")
        return replace(s, secrets=tuple(replace(x, pending_deletion=pending) if x.name == name else x for x in s.secrets))

    return handler


def _unbind_mfa(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    if s.mfa_serial is None:
        raise _fail(step, "EntityNotExist.User.MFADevice", "none bound")
    return replace(s, mfa_serial=None)


def _delete_mfa(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    if s.mfa_serial == step.detail_as(MfaDevice).serial:
        raise _fail(step, "DeleteConflict.VirtualMFADevice", "still bound")
    return s


def _create_policy(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    policy = step.detail_as(NewPolicy)
    name = policy.policy_name
    if name in s.timebound_policies:
        raise _fail(step, "EntityAlreadyExists.Policy", name)
    if not is_timebound_name(s.user_name, name):
        raise _fail(step, "NotTimebound", f"{name} lacks the user's time-bound prefix")
    document = policy.document
    if document is not None:
        if len(document) > MAX_DOCUMENT:
            raise _fail(step, "InvalidParameter.PolicyDocument.Length", str(len(document)))
        if any(bound is None for bound in allow_bounds(document)):
            raise _fail(step, "NotTimebound", "an Allow statement has no DateLessThan acs:CurrentTime")
    return replace(s, timebound_policies=(*s.timebound_policies, name))


def _delete_policy(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    name = step.detail_as(PolicyName).policy_name
    if any(a.policy.name == name and a.policy.policy_type is PolicyType.CUSTOM for a in s.attachments):
        raise _fail(step, "DeleteConflict.Policy.User", f"{name} is attached")
    if name not in s.timebound_policies:
        raise _fail(step, "EntityNotExist.Policy", name)
    return replace(s, timebound_policies=tuple(n for n in s.timebound_policies if n != name))


def _attach(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    attachment = step.detail_as(PolicyAttachment).attachment
    if attachment in s.attachments:
        raise _fail(step, "EntityAlreadyExists.User.Policy", str(attachment.policy))
    if is_timebound_name(s.user_name, attachment.policy.name) and attachment.policy.name not in s.timebound_policies:
        raise _fail(step, "EntityNotExist.Policy", attachment.policy.name)
    attachments = s.attachments | {attachment}
    account = [a for a in attachments if a.scope.is_account]
    if sum(a.policy.policy_type is PolicyType.SYSTEM for a in account) > MAX_SYSTEM or (
        sum(a.policy.policy_type is PolicyType.CUSTOM for a in account) > MAX_CUSTOM
    ):
        raise _fail(step, "LimitExceeded.User.Policy", str(attachment.policy))
    return replace(s, attachments=attachments)


def _detach(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    attachment = step.detail_as(PolicyAttachment).attachment
    if attachment not in s.attachments:
        raise _fail(step, "EntityNotExist.User.Policy", str(attachment.policy))
    return replace(s, attachments=s.attachments - {attachment})


def _add_group(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    group = step.detail_as(GroupRef).group
    if group in s.groups:
        raise _fail(step, "EntityAlreadyExists.User.Group", group)
    if len(s.groups) >= MAX_GROUPS:
        raise _fail(step, "LimitExceeded.User.Group", group)
    return replace(s, groups=s.groups | {group})


def _remove_group(s: ObservedUser, step: Step, *_: object) -> ObservedUser:
    group = step.detail_as(GroupRef).group
    if group not in s.groups:
        raise _fail(step, "EntityNotExist.User.Group", group)
    return replace(s, groups=s.groups - {group})


def _delete_user(s: ObservedUser, step: Step, *_: object) -> None:
    # The blocking set of RAM's error page, in its order (§A.3).
    for held, code in (
        (s.groups, "DeleteConflict.User.Group"),
        (s.keys, "DeleteConflict.User.AccessKey"),
        (s.has_login_profile, "DeleteConflict.User.LoginProfile"),
        (s.mfa_serial, "DeleteConflict.User.MFADevice"),
        (s.attachments, "DeleteConflict.User.Policy"),
    ):
        if held:
            raise _fail(step, code, json.dumps(str(held))[:80])
    return None


_HANDLERS: dict[StepKind, Handler] = {
    StepKind.UPDATE_USER: _update_user,
    StepKind.TAG_USER: _tag,
    StepKind.UNTAG_USER: _untag,
    StepKind.CREATE_LOGIN_PROFILE: _create_login_profile,
    StepKind.DELETE_LOGIN_PROFILE: _delete_login_profile,
    StepKind.CREATE_ACCESS_KEY: _create_access_key,
    StepKind.DEACTIVATE_ACCESS_KEY: _set_key(False),
    StepKind.ACTIVATE_ACCESS_KEY: _set_key(True),
    StepKind.DELETE_ACCESS_KEY: _delete_key,
    StepKind.SCHEDULE_SECRET_DELETION: _secret_state(True),
    StepKind.RESTORE_SECRET: _secret_state(False),
    StepKind.UNBIND_MFA: _unbind_mfa,
    StepKind.DELETE_MFA: _delete_mfa,
    StepKind.CREATE_POLICY: _create_policy,
    StepKind.DELETE_POLICY: _delete_policy,
    StepKind.ATTACH_POLICY: _attach,
    StepKind.DETACH_POLICY: _detach,
    StepKind.ADD_TO_GROUP: _add_group,
    StepKind.REMOVE_FROM_GROUP: _remove_group,
    StepKind.DELETE_USER: _delete_user,
}
