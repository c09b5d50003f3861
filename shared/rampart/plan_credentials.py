"""Planning credentials: login profile, AccessKeys and their escrowed secrets. Pure.

One access mode per user (the RAM guide's advice):

- console: a login profile whose initial password is escrowed in KMS; no AccessKey.
- programmatic: exactly one active AccessKey whose secret is escrowed in KMS; no login
  profile. A key whose secret is not in KMS (no live secret names its AccessKeyId) is an
  orphan: nobody can ever use it, so it is deleted and replaced (a crash between
  CreateAccessKey and the KMS write ends here). Deletions come before any create, so the user
  never holds more than one active key and never hits RAM's two-key limit (§A.4).
- disabled (grace period): keys deactivated (kept, with their secrets, for a rehire), login
  profile deleted and its password secret scheduled for deletion.

A secret whose key no longer exists is scheduled for deletion (KMS keeps it for the recovery
window, ``options.secret_recovery_window_days``). A secret pending deletion that a rehire
needs is restored first: KMS refuses to write into a secret in its delete window
(``Rejected.ResourceInDeleteWindow``, §B.4).
"""

from __future__ import annotations

from datetime import datetime

from rampart import naming
from rampart import plan_detail as d
from rampart.model import (
    AccessMode,
    CatalogOptions,
    DesiredUser,
    LifecycleState,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    SecretKind,
    Step,
    StepKind,
)


def schedule(user: str, secret: ObservedSecret, options: CatalogOptions, reason: str) -> Step:
    return Step(
        StepKind.SCHEDULE_SECRET_DELETION,
        user,
        {d.SECRET_NAME: secret.name, d.RECOVERY_DAYS: str(options.secret_recovery_window_days)},
        reason,
    )


def key_step(kind: StepKind, user: str, key: ObservedKey, reason: str) -> Step:
    return Step(kind, user, {d.ACCESS_KEY_ID: key.access_key_id}, reason)


def escrow_detail(desired: DesiredUser, kind: SecretKind, secret_name: str = "") -> dict[str, str]:
    detail = {d.KIND: kind.value, d.PERSON_ID: desired.person_id, d.MANAGER: desired.manager}
    if secret_name:
        detail[d.SECRET_NAME] = secret_name
    return detail


def live_key_secrets(observed: ObservedUser) -> dict[str, ObservedSecret]:
    """AccessKeyId -> its live (not pending deletion) escrow secret."""
    out: dict[str, ObservedSecret] = {}
    for secret in sorted(observed.secrets, key=lambda s: s.name):
        if secret.kind is SecretKind.ACCESS_KEY and secret.access_key_id and not secret.pending_deletion:
            out.setdefault(secret.access_key_id, secret)
    return out


def pending_key_secrets(observed: ObservedUser) -> dict[str, ObservedSecret]:
    out: dict[str, ObservedSecret] = {}
    for secret in sorted(observed.secrets, key=lambda s: s.name):
        if secret.kind is SecretKind.ACCESS_KEY and secret.access_key_id and secret.pending_deletion:
            out.setdefault(secret.access_key_id, secret)
    return out


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
    return Step(StepKind.CREATE_ACCESS_KEY, user, escrow_detail(desired, SecretKind.ACCESS_KEY),
                "programmatic access: one AccessKey, its secret straight into KMS")


def _create_login_profile(desired: DesiredUser, options: CatalogOptions) -> Step:
    detail = escrow_detail(desired, SecretKind.PASSWORD, password_secret(desired.user_name, options))
    detail[d.RESET_REQUIRED] = d.flag(options.password_reset_required)
    detail[d.MFA_REQUIRED] = d.flag(options.mfa_bind_required)
    return Step(StepKind.CREATE_LOGIN_PROFILE, desired.user_name, detail,
                "console access: a login profile, its initial password escrowed in KMS")


def password_secret(user_name: str, options: CatalogOptions) -> str:
    return naming.secret_name(options.secret_prefix, user_name, SecretKind.PASSWORD)


def _live_passwords(observed: ObservedUser) -> list[ObservedSecret]:
    return sorted((s for s in observed.secrets if s.kind is SecretKind.PASSWORD and not s.pending_deletion),
                  key=lambda s: s.name)


def _stale_key_secrets(observed: ObservedUser, keep: set[str], options: CatalogOptions, reason: str) -> list[Step]:
    """Schedule every live AccessKey secret whose key is not among ``keep``."""
    user = observed.user_name
    return [
        schedule(user, s, options, reason)
        for s in sorted(observed.secrets, key=lambda s: s.name)
        if s.kind is SecretKind.ACCESS_KEY and not s.pending_deletion and s.access_key_id not in keep
    ]


def _console(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> tuple[list[Step], list[str]]:
    user = desired.user_name
    steps = [
        key_step(StepKind.DELETE_ACCESS_KEY, user, key, "console users hold no AccessKey (one access mode per user)")
        for key in sorted(observed.keys, key=lambda k: k.access_key_id)
    ]
    steps += _stale_key_secrets(observed, set(), options, "its AccessKey is gone: console users hold none")
    notes: list[str] = []
    if not observed.has_login_profile:
        name = password_secret(user, options)
        pending = [s for s in observed.secrets if s.name == name and s.pending_deletion]
        if pending:
            steps.append(Step(StepKind.RESTORE_SECRET, user, {d.SECRET_NAME: name},
                              "the password secret is pending deletion; KMS writes the new password into it"))
        steps.append(_create_login_profile(desired, options))
    elif not _live_passwords(observed):
        notes.append(f"{user}'s login profile has no escrowed password in KMS (set outside rampart): left as is")
    return steps, notes


def _keep(observed: ObservedUser) -> ObservedKey | None:
    """The key a programmatic user keeps: escrowed (live secret first, then one pending
    deletion that can be restored), then active, then newest."""
    live, pending = live_key_secrets(observed), pending_key_secrets(observed)
    escrowed = [k for k in observed.keys if k.access_key_id in live or k.access_key_id in pending]
    if not escrowed:
        return None
    return max(escrowed, key=lambda k: (k.access_key_id in live, k.active, k.created_at, k.access_key_id))


def _programmatic(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> list[Step]:
    user = desired.user_name
    steps: list[Step] = []
    if observed.has_login_profile:
        steps.append(Step(StepKind.DELETE_LOGIN_PROFILE, user, {}, "programmatic users have no console login"))
    steps += [schedule(user, s, options, "programmatic users have no console password") for s in _live_passwords(observed)]
    keep = _keep(observed)
    live = live_key_secrets(observed)
    for key in sorted(observed.keys, key=lambda k: k.access_key_id):
        if keep is not None and key.access_key_id == keep.access_key_id:
            continue
        escrowed = key.access_key_id in live
        reason = ("one AccessKey per programmatic user: a newer escrowed key is kept" if escrowed
                  else "orphan: its secret is not in KMS, so nobody can use it")
        steps.append(key_step(StepKind.DELETE_ACCESS_KEY, user, key, reason))
    kept = {keep.access_key_id} if keep is not None else set()
    steps += _stale_key_secrets(observed, kept, options, "its AccessKey no longer exists")
    if keep is None:
        steps.append(create_credential(desired, options))
        return steps
    if keep.access_key_id not in live:
        secret = pending_key_secrets(observed)[keep.access_key_id]
        steps.append(Step(StepKind.RESTORE_SECRET, user, {d.SECRET_NAME: secret.name},
                          "the key's secret is pending deletion: restored so the key is escrowed again"))
    if not keep.active:
        steps.append(key_step(StepKind.ACTIVATE_ACCESS_KEY, user, keep, "its secret is in KMS: the key is restored"))
    return steps


def _disabled(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> list[Step]:
    user = desired.user_name
    steps: list[Step] = []
    if observed.has_login_profile:
        steps.append(Step(StepKind.DELETE_LOGIN_PROFILE, user, {}, "disabled: console login off"))
    steps += [schedule(user, s, options, "disabled: the console password is void") for s in _live_passwords(observed)]
    steps += [
        key_step(StepKind.DEACTIVATE_ACCESS_KEY, user, key, "disabled: keys off, kept for a rehire")
        for key in sorted(observed.keys, key=lambda k: k.access_key_id)
        if key.active
    ]
    existing = {key.access_key_id for key in observed.keys}
    steps += _stale_key_secrets(observed, existing, options, "its AccessKey no longer exists")
    return steps


def plan_key_rotation(observed: ObservedUser, options: CatalogOptions, now: datetime) -> tuple[list[Step], list[str]]:
    """Rotate a programmatic user's one escrowed key once it is older than key_rotation_age,
    using RAM's two-key slot: create the new key (escrowed under its own secret name), then
    deactivate and delete the old one and schedule its secret for deletion."""
    user = observed.user_name
    marker = observed.marker
    if marker is None or marker.state is not LifecycleState.ACTIVE:
        return [], [f"{user} is not an active rampart user: no rotation"]
    if marker.access is not AccessMode.PROGRAMMATIC:
        return [], []
    live = live_key_secrets(observed)
    if len(observed.keys) != 1 or not observed.keys[0].active or observed.keys[0].access_key_id not in live:
        return [], [f"{user} does not hold exactly one active escrowed key: converge it first (no rotation)"]
    old = observed.keys[0]
    age = now - old.created_at
    if age < options.key_rotation_age:
        return [], []
    desired_like = {d.KIND: SecretKind.ACCESS_KEY.value, d.PERSON_ID: marker.person_id, d.MANAGER: ""}
    reason = f"rotation: key {old.access_key_id} is {age.days} days old (rotate at {options.key_rotation_age.days})"
    return [
        Step(StepKind.CREATE_ACCESS_KEY, user, desired_like, reason),
        key_step(StepKind.DEACTIVATE_ACCESS_KEY, user, old, "rotation: the new key replaces it"),
        key_step(StepKind.DELETE_ACCESS_KEY, user, old, "rotation: the new key replaces it"),
        schedule(user, live[old.access_key_id], options, "rotation: its key is deleted"),
    ], []
