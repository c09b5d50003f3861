"""Planning credentials: login profile, AccessKeys and their escrowed secrets. Pure.

One access mode per user (the RAM guide's advice):

- console: a login profile whose initial password is escrowed in KMS; no AccessKey.
- programmatic: exactly one active AccessKey, escrowed: it is the ``ACSCurrent`` version of
  the user's one AccessKey secret ``<prefix>/<user>/access-key`` (``rampart.naming``: each
  version is named after its AccessKeyId). Any other key is an orphan: nobody can read its
  secret, so it is deleted, and replaced when no escrowed key is left (a crash between
  CreateAccessKey and the KMS write ends here; so does a rotation cut short after the new
  version was written: the old key, now ``ACSPrevious``, is deleted). Deletions come before
  any create, so the user never holds more than one active key and never hits RAM's two-key
  limit (§A.4). A secret whose ACSCurrent key no longer exists is fixed by a new key: its
  version becomes ACSCurrent.
- disabled (grace period): keys deactivated (kept, with their secret, for a rehire), login
  profile deleted and its password secret scheduled for deletion.
- rotation (the sweep, :func:`plan_key_rotation`): RAM's two-key slot. CREATE_ACCESS_KEY
  writes the new key as a new version (ACSCurrent; the old key's version becomes
  ACSPrevious), then the old key is deactivated and deleted. The secret stays: applications
  keep reading the same name and get the new key.

An AccessKey secret that cannot serve (a console or disabled user's secret whose key is gone;
any AccessKey secret under another name, e.g. the older one-secret-per-key scheme) is
scheduled for deletion (KMS keeps it for the recovery window,
``options.secret_recovery_window_days``). A secret pending deletion that is needed is restored
first: KMS refuses to write into a secret in its delete window
(``Rejected.ResourceInDeleteWindow``, §B.4).
"""

from __future__ import annotations

from datetime import datetime

from rampart import naming
from rampart.model import (
    AccessKeyRef,
    AccessMode,
    CatalogOptions,
    DesiredUser,
    Escrow,
    LifecycleState,
    NoDetail,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    SecretDeletion,
    SecretKind,
    SecretRef,
    Step,
    StepKind,
)


def schedule(user: str, secret: ObservedSecret, options: CatalogOptions, reason: str) -> Step:
    return Step(
        StepKind.SCHEDULE_SECRET_DELETION,
        user,
        SecretDeletion(secret.name, options.secret_recovery_window_days),
        reason,
    )


def key_step(kind: StepKind, user: str, key: ObservedKey, reason: str) -> Step:
    return Step(kind, user, AccessKeyRef(key.access_key_id), reason)


def key_secret_name(user_name: str, options: CatalogOptions) -> str:
    return naming.secret_name(options.secret_prefix, user_name, SecretKind.ACCESS_KEY)


def escrow_secret(observed: ObservedUser, options: CatalogOptions) -> ObservedSecret | None:
    """The user's one AccessKey secret (live or pending deletion), None when there is none."""
    name = key_secret_name(observed.user_name, options)
    return next((s for s in observed.secrets if s.name == name and s.kind is SecretKind.ACCESS_KEY), None)


def escrowed_key_id(observed: ObservedUser, options: CatalogOptions) -> str | None:
    """The AccessKeyId of the escrow secret's ACSCurrent version (None: no secret, or no version)."""
    secret = escrow_secret(observed, options)
    return secret.access_key_id if secret is not None else None


def credential_steps(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> tuple[list[Step], list[str]]:
    if desired.state is LifecycleState.DISABLED:
        return _disabled(desired, observed, options), []
    if desired.access is AccessMode.CONSOLE:
        return _console(desired, observed, options)
    return _programmatic(desired, observed, options), []


def create_credential(desired: DesiredUser, options: CatalogOptions) -> Step:
    """The credential of a new user (the applier generates and escrows the secret)."""
    user = desired.user_name
    if desired.access is AccessMode.CONSOLE:
        return _create_login_profile(desired, options)
    return Step(StepKind.CREATE_ACCESS_KEY, user,
                Escrow(SecretKind.ACCESS_KEY, desired.person_id, desired.manager, key_secret_name(user, options)),
                "programmatic access: one AccessKey, its secret straight into KMS")


def _create_login_profile(desired: DesiredUser, options: CatalogOptions) -> Step:
    detail = Escrow(SecretKind.PASSWORD, desired.person_id, desired.manager, password_secret(desired.user_name, options),
                    reset_required=options.password_reset_required, mfa_required=options.mfa_bind_required)
    return Step(StepKind.CREATE_LOGIN_PROFILE, desired.user_name, detail,
                "console access: a login profile, its initial password escrowed in KMS")


def password_secret(user_name: str, options: CatalogOptions) -> str:
    return naming.secret_name(options.secret_prefix, user_name, SecretKind.PASSWORD)


def _live_passwords(observed: ObservedUser) -> list[ObservedSecret]:
    return sorted((s for s in observed.secrets if s.kind is SecretKind.PASSWORD and not s.pending_deletion),
                  key=lambda s: s.name)


def _stale_key_secrets(observed: ObservedUser, options: CatalogOptions, *, keep_escrow: bool, reason: str) -> list[Step]:
    """Schedule every live AccessKey secret that cannot serve: one under another name always,
    the escrow secret unless ``keep_escrow``."""
    user = observed.user_name
    name = key_secret_name(user, options)
    steps = []
    for secret in sorted(observed.secrets, key=lambda s: s.name):
        if secret.kind is not SecretKind.ACCESS_KEY or secret.pending_deletion:
            continue
        if secret.name != name:
            steps.append(schedule(user, secret, options, f"not rampart's AccessKey secret name ({name})"))
        elif not keep_escrow:
            steps.append(schedule(user, secret, options, reason))
    return steps


def _console(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> tuple[list[Step], list[str]]:
    user = desired.user_name
    steps = [
        key_step(StepKind.DELETE_ACCESS_KEY, user, key, "console users hold no AccessKey (one access mode per user)")
        for key in sorted(observed.keys, key=lambda k: k.access_key_id)
    ]
    steps += _stale_key_secrets(observed, options, keep_escrow=False, reason="console users hold no AccessKey")
    notes: list[str] = []
    if not observed.has_login_profile:
        name = password_secret(user, options)
        pending = [s for s in observed.secrets if s.name == name and s.pending_deletion]
        if pending:
            steps.append(Step(StepKind.RESTORE_SECRET, user, SecretRef(name),
                              "the password secret is pending deletion; KMS writes the new password into it"))
        steps.append(_create_login_profile(desired, options))
    elif not _live_passwords(observed):
        notes.append(f"{user}'s login profile has no escrowed password in KMS (set outside rampart): left as is")
    return steps, notes


def _programmatic(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> list[Step]:
    user = desired.user_name
    steps: list[Step] = []
    if observed.has_login_profile:
        steps.append(Step(StepKind.DELETE_LOGIN_PROFILE, user, NoDetail(), "programmatic users have no console login"))
    steps += [schedule(user, s, options, "programmatic users have no console password") for s in _live_passwords(observed)]
    escrow = escrow_secret(observed, options)
    current = escrow.access_key_id if escrow is not None else None
    previous = escrow.previous_access_key_id if escrow is not None else None
    keep = next((k for k in observed.keys if k.access_key_id == current), None)
    for key in sorted(observed.keys, key=lambda k: k.access_key_id):
        if key is keep:
            continue
        reason = ("rotated out: the secret's ACSCurrent version holds a newer key" if key.access_key_id == previous
                  else "orphan: not the ACSCurrent version of the user's AccessKey secret, so nobody can use it")
        steps.append(key_step(StepKind.DELETE_ACCESS_KEY, user, key, reason))
    steps += _stale_key_secrets(observed, options, keep_escrow=True, reason="")
    if escrow is not None and escrow.pending_deletion:
        steps.append(Step(StepKind.RESTORE_SECRET, user, SecretRef(escrow.name),
                          "the AccessKey secret is pending deletion: restored so it escrows the key again"
                          if keep is not None else "the AccessKey secret is pending deletion; KMS writes the new key into it"))
    if keep is None:
        step = create_credential(desired, options)
        if escrow is not None:
            step = Step(step.kind, step.user_name, step.detail,
                        f"the secret's ACSCurrent key {current or '(none)'} is gone: a new key, a new ACSCurrent version")
        steps.append(step)
    elif not keep.active:
        steps.append(key_step(StepKind.ACTIVATE_ACCESS_KEY, user, keep, "its secret is in KMS: the key is restored"))
    return steps


def _disabled(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> list[Step]:
    user = desired.user_name
    steps: list[Step] = []
    if observed.has_login_profile:
        steps.append(Step(StepKind.DELETE_LOGIN_PROFILE, user, NoDetail(), "disabled: console login off"))
    steps += [schedule(user, s, options, "disabled: the console password is void") for s in _live_passwords(observed)]
    steps += [
        key_step(StepKind.DEACTIVATE_ACCESS_KEY, user, key, "disabled: keys off, kept for a rehire")
        for key in sorted(observed.keys, key=lambda k: k.access_key_id)
        if key.active
    ]
    existing = {key.access_key_id for key in observed.keys}
    steps += _stale_key_secrets(observed, options, keep_escrow=escrowed_key_id(observed, options) in existing,
                                reason="its ACSCurrent AccessKey no longer exists")
    return steps


def plan_key_rotation(observed: ObservedUser, options: CatalogOptions, now: datetime) -> tuple[list[Step], list[str]]:
    """Rotate a programmatic user's one escrowed key once it is older than key_rotation_age,
    using RAM's two-key slot: create the new key (the applier writes it as a new version of the
    same secret: ACSCurrent; the old key's version becomes ACSPrevious), then deactivate and
    delete the old one. The secret is not touched otherwise: its name is what applications read."""
    user = observed.user_name
    marker = observed.marker
    if marker is None or marker.state is not LifecycleState.ACTIVE:
        return [], [f"{user} is not an active rampart user: no rotation"]
    if marker.access is not AccessMode.PROGRAMMATIC:
        return [], []
    escrow = escrow_secret(observed, options)
    if (len(observed.keys) != 1 or not observed.keys[0].active or escrow is None or escrow.pending_deletion
            or escrow.access_key_id != observed.keys[0].access_key_id):
        return [], [f"{user} does not hold exactly one active escrowed key: converge it first (no rotation)"]
    old = observed.keys[0]
    age = now - old.created_at
    if age < options.key_rotation_age:
        return [], []
    detail = Escrow(SecretKind.ACCESS_KEY, marker.person_id, "", escrow.name)
    reason = f"rotation: key {old.access_key_id} is {age.days} days old (rotate at {options.key_rotation_age.days})"
    return [
        Step(StepKind.CREATE_ACCESS_KEY, user, detail, reason + "; the new key becomes the secret's ACSCurrent version"),
        key_step(StepKind.DEACTIVATE_ACCESS_KEY, user, old, "rotation: the new key replaces it"),
        key_step(StepKind.DELETE_ACCESS_KEY, user, old, "rotation: the new key replaces it (its version stays as ACSPrevious)"),
    ], []
