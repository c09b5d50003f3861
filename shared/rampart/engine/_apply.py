"""The applier: executes a plan's steps through the ports, idempotently, and audits each.

- Idempotent: a create that meets "already exists" and a delete that meets "not found"
  count as converged (``AuditResult.CONVERGED``), which is also how an "applied then
  dropped" response looks on the retry.
- Retries of throttling, 5xx and dropped connections happen inside the adapters
  (``rampart.adapters.retry``); a step that still fails stops the run. Whatever was done stays done
  and the next run plans only what is left, so a partial failure always converges.
- The secret's one road: ``CREATE_ACCESS_KEY`` takes the new secret from RAM straight into
  KMS, as a new version (named after the AccessKeyId, so it becomes ACSCurrent) of the user's
  one AccessKey secret; if KMS refuses (after retries) the new key is deleted again. A console password is
  generated here, escrowed in KMS first, then set on the login profile. Neither value is
  logged, audited, returned or put in an exception; both are registered with the redaction
  registry for the invocation as a second line of defence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rampart import naming
from rampart.adapters.retry import CallLog, is_already_exists, is_not_found, recording
from rampart.errors import CloudError, RampartError
from rampart.model import (
    AccessKeyRef,
    AuditResult,
    DisplayName,
    Escrow,
    GroupRef,
    MfaDevice,
    NewPolicy,
    NewUser,
    PasswordPolicy,
    Plan,
    PolicyAttachment,
    PolicyName,
    SecretDeletion,
    SecretKind,
    SecretRef,
    Step,
    StepKind,
    Tags,
    Untag,
)
from rampart.planning import create_policy_document, generate_password
from rampart.ports import Identities, Secrets
from rampart.redact import SecretRegistry

CREATES = {
    StepKind.CREATE_USER,
    StepKind.CREATE_LOGIN_PROFILE,
    StepKind.CREATE_POLICY,
    StepKind.ATTACH_POLICY,
    StepKind.ADD_TO_GROUP,
}
DELETES = {
    StepKind.DELETE_LOGIN_PROFILE,
    StepKind.DELETE_ACCESS_KEY,
    StepKind.DEACTIVATE_ACCESS_KEY,
    StepKind.UNBIND_MFA,
    StepKind.DELETE_MFA,
    StepKind.DELETE_POLICY,
    StepKind.DETACH_POLICY,
    StepKind.REMOVE_FROM_GROUP,
    StepKind.DELETE_USER,
    StepKind.SCHEDULE_SECRET_DELETION,
    StepKind.UNTAG_USER,
}


@dataclass(frozen=True, slots=True)
class StepOutcome:
    step: Step
    result: AuditResult
    duration_ms: int
    error_code: str = ""
    request_ids: tuple[str, ...] = ()
    """Every cloud request id the step's calls returned (retries included), for the audit."""
    detail: str = ""
    """What was done, for the audit record (key ids, secret names; never a secret)."""


@dataclass(frozen=True, slots=True)
class ApplyResult:
    outcomes: tuple[StepOutcome, ...]
    error: RampartError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def removed(self) -> dict[str, list[str]]:
        """What the run removed, by kind (the leaver certificate lists it)."""
        return removals(o.step for o in self.outcomes if o.result in (AuditResult.OK, AuditResult.CONVERGED))


def removals(steps: Iterable[Step]) -> dict[str, list[str]]:
    """The removing steps among ``steps``, by kind, each named by what it removes (a policy, a
    key id, a group, a secret, an MFA serial, else the user): the leaver certificate's listing."""
    out: dict[str, list[str]] = {}
    for step in steps:
        if step.kind in DELETES:
            out.setdefault(step.kind.value, []).append(step.detail.subject or step.user_name)
    return out


@dataclass
class ApplyContext:
    """Per-event facts the steps need beyond the plan."""

    person_id: str
    manager: str = ""
    secret_prefix: str = "rampart"  # noqa: S105 - a KMS name prefix, not a secret
    password_reset_required: bool = True
    mfa_bind_required: bool = True
    registry: SecretRegistry = field(default_factory=SecretRegistry)


class Applier:
    def __init__(
        self,
        identities: Identities,
        secrets: Secrets,
        *,
        clock: Callable[[], datetime],
        on_step: Callable[[StepOutcome], None] | None = None,
    ) -> None:
        self._identities = identities
        self._secrets = secrets
        self._clock = clock
        self._on_step = on_step
        self._password_policy: PasswordPolicy | None = None

    def apply(self, plan: Plan, context: ApplyContext) -> ApplyResult:
        outcomes: list[StepOutcome] = []
        for step in plan.steps:
            started = time.monotonic()
            with recording() as calls:
                try:
                    detail = self._run(step, context)
                    result, code = AuditResult.OK, ""
                except CloudError as exc:
                    if (step.kind in CREATES and is_already_exists(exc.code)) or (
                        step.kind in DELETES and is_not_found(exc.code)
                    ):
                        result, detail, code = AuditResult.CONVERGED, "", exc.code
                    else:
                        outcome = StepOutcome(step, AuditResult.FAILED, _ms(started), exc.code,
                                              _request_ids(calls, exc.request_id), context.registry.redact(exc.message))
                        self._record(outcomes, outcome)
                        return ApplyResult(tuple(outcomes), exc)
                except RampartError as exc:
                    outcome = StepOutcome(step, AuditResult.FAILED, _ms(started), type(exc).__name__,
                                          _request_ids(calls), context.registry.redact(exc.message))
                    self._record(outcomes, outcome)
                    return ApplyResult(tuple(outcomes), exc)
            self._record(outcomes, StepOutcome(step, result, _ms(started), code, _request_ids(calls), detail))
        return ApplyResult(tuple(outcomes))

    def _record(self, outcomes: list[StepOutcome], outcome: StepOutcome) -> None:
        outcomes.append(outcome)
        if self._on_step is not None:
            self._on_step(outcome)

    # --- one step ------------------------------------------------------------------------

    def _run(self, step: Step, context: ApplyContext) -> str:
        ids, user, kind = self._identities, step.user_name, step.kind
        if kind is StepKind.CREATE_USER:
            new = step.detail_as(NewUser)
            ids.create_user(user, new.display_name, new.comments)
        elif kind is StepKind.UPDATE_USER:
            ids.update_user(user, step.detail_as(DisplayName).display_name)
        elif kind is StepKind.TAG_USER:
            ids.tag_user(user, step.detail_as(Tags).mapping)
        elif kind is StepKind.UNTAG_USER:
            ids.untag_user(user, list(step.detail_as(Untag).keys))
        elif kind is StepKind.CREATE_LOGIN_PROFILE:
            return self._create_login_profile(user, step.detail_as(Escrow), context)
        elif kind is StepKind.DELETE_LOGIN_PROFILE:
            ids.delete_login_profile(user)
        elif kind is StepKind.CREATE_ACCESS_KEY:
            return self._create_access_key(user, step.detail_as(Escrow), context)
        elif kind is StepKind.DEACTIVATE_ACCESS_KEY:
            ids.set_access_key_active(user, step.detail_as(AccessKeyRef).access_key_id, False)
        elif kind is StepKind.ACTIVATE_ACCESS_KEY:
            ids.set_access_key_active(user, step.detail_as(AccessKeyRef).access_key_id, True)
        elif kind is StepKind.DELETE_ACCESS_KEY:
            ids.delete_access_key(user, step.detail_as(AccessKeyRef).access_key_id)
        elif kind is StepKind.SCHEDULE_SECRET_DELETION:
            deletion = step.detail_as(SecretDeletion)
            self._secrets.schedule_deletion(deletion.secret_name, deletion.recovery_days)
        elif kind is StepKind.RESTORE_SECRET:
            self._secrets.restore(step.detail_as(SecretRef).secret_name)
        elif kind is StepKind.UNBIND_MFA:
            serial = ids.unbind_mfa(user)
            return f"serial={serial}" if serial else "no device bound"
        elif kind is StepKind.DELETE_MFA:
            ids.delete_mfa(step.detail_as(MfaDevice).serial)
        elif kind is StepKind.CREATE_POLICY:
            policy = step.detail_as(NewPolicy)
            document = create_policy_document(policy, ids.policy_document)
            ids.create_policy(policy.policy_name, document, policy.description or "rampart time-bound grant")
        elif kind is StepKind.DELETE_POLICY:
            ids.delete_policy(step.detail_as(PolicyName).policy_name)
        elif kind is StepKind.ATTACH_POLICY:
            ids.attach(user, step.detail_as(PolicyAttachment).attachment)
        elif kind is StepKind.DETACH_POLICY:
            ids.detach(user, step.detail_as(PolicyAttachment).attachment)
        elif kind is StepKind.ADD_TO_GROUP:
            ids.add_to_group(user, step.detail_as(GroupRef).group)
        elif kind is StepKind.REMOVE_FROM_GROUP:
            ids.remove_from_group(user, step.detail_as(GroupRef).group)
        elif kind is StepKind.DELETE_USER:
            ids.delete_user(user)
        else:  # pragma: no cover - every StepKind is handled above
            raise RampartError(f"the applier does not know step {kind.value}")
        return ""

    def _create_access_key(self, user: str, escrow: Escrow, context: ApplyContext) -> str:
        """CreateAccessKey, then the pair straight into the user's one AccessKey secret as a new
        version named after the key (it becomes ACSCurrent; during a rotation the old key's
        version becomes ACSPrevious, ``rampart.naming``)."""
        person_id = escrow.person_id or context.person_id
        manager = escrow.manager or context.manager
        name = escrow.secret_name
        # a retry after a lost answer first deletes that answer's key (never escrowed): never two keys at once
        key = self._identities.create_access_key(user, before_retry=lambda: self._delete_unescrowed_keys(user, name))
        context.registry.add(key.secret)
        value = naming.access_key_secret_value(key.access_key_id, key.secret)
        context.registry.add(value)
        tags = naming.secret_tags(user, person_id, manager, SecretKind.ACCESS_KEY)
        try:
            self._secrets.put(name, value, tags, version_id=naming.key_version_id(key.access_key_id))
        except RampartError:
            # KMS refused the write after retries: a key whose secret is not in KMS must not live.
            self._identities.delete_access_key(user, key.access_key_id)
            raise
        dropped = self._delete_unescrowed_keys(user, name, keep=key.access_key_id)
        note = f" (deleted orphan key(s) {', '.join(dropped)} left by a dropped response)" if dropped else ""
        return f"access_key_id={key.access_key_id} secret_name={name}{note}"

    def _delete_unescrowed_keys(self, user: str, name: str, *, keep: str = "") -> list[str]:
        """A CreateAccessKey whose answer was lost leaves a key nobody will ever know the secret
        of: delete it, before the retry (``keep`` empty) and after the new key is escrowed (any
        a retry left), so the user never holds two keys. Kept: ``keep`` (the new key), the
        secret's ACSCurrent, and its ACSPrevious (during a rotation, the old key: the
        rotation's own later steps deactivate and delete it)."""
        keys = self._identities.access_keys(user)
        if len(keys) < (2 if keep else 1):
            return []
        escrowed = {keep} - {""}
        for s in self._secrets.for_user(user):
            if s.name == name and not s.pending_deletion:
                escrowed.update(k for k in (s.access_key_id, s.previous_access_key_id) if k)
        dropped = [k.access_key_id for k in keys if k.access_key_id not in escrowed]
        for access_key_id in dropped:
            self._identities.delete_access_key(user, access_key_id)
        return dropped

    def _create_login_profile(self, user: str, escrow: Escrow, context: ApplyContext) -> str:
        person_id = escrow.person_id or context.person_id
        manager = escrow.manager or context.manager
        reset_required = context.password_reset_required if escrow.reset_required is None else escrow.reset_required
        mfa_required = context.mfa_bind_required if escrow.mfa_required is None else escrow.mfa_required
        if self._password_policy is None:
            self._password_policy = self._identities.password_policy()
        password = generate_password(self._password_policy)
        context.registry.add(password)
        name = naming.secret_name(context.secret_prefix, user, SecretKind.PASSWORD)
        tags = naming.secret_tags(user, person_id, manager, SecretKind.PASSWORD)
        self._secrets.put(name, password, tags)  # escrow first: a live password is always in KMS
        try:
            self._identities.create_login_profile(user, password, reset_required=reset_required, mfa_required=mfa_required)
        except CloudError as exc:
            if not is_already_exists(exc.code):
                raise
            # Another run created the profile meanwhile: make the live password the escrowed one.
            self._identities.update_login_profile(user, password, reset_required=reset_required)
            return f"secret_name={name} (password reset on the existing login profile)"
        return f"secret_name={name}"


def _request_ids(calls: CallLog, extra: str = "") -> tuple[str, ...]:
    ids = [r.request_id for r in calls.records if r.request_id]
    if extra and extra not in ids:
        ids.append(extra)
    return tuple(ids)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
