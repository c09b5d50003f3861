"""The planner: (desired state, observed state) -> the ordered, minimal steps between them.

Pure: no I/O, no clock (``now`` is a parameter), no SDK. A converged user plans no step, so
re-planning after a successful apply is empty; a partial apply leaves a state whose plan is
exactly what is left. A step's detail never holds a secret: the applier generates passwords
and receives AccessKey secrets, and sends both straight to KMS.

Order (why):

- new user: CREATE_USER, TAG_USER (the marker at once: a crash still leaves a user rampart
  recognises), the credential (CREATE_LOGIN_PROFILE or CREATE_ACCESS_KEY), CREATE_POLICY
  (time-bound), ATTACH_POLICY, ADD_TO_GROUP.
- existing user: UPDATE_USER, UNTAG_USER then TAG_USER (the marker first: the sweep derives
  its view from the marker, so an interrupted run is finished by it, not undone; untag first
  so the 20-tag limit is never crossed), credentials (``rampart.planning``), then
  DETACH_POLICY, DELETE_POLICY, REMOVE_FROM_GROUP before CREATE_POLICY, ATTACH_POLICY,
  ADD_TO_GROUP: removals first, so superseding profiles are never attached together
  (arms-readonly -> arms-full) and RAM's per-user limits (§A.4) are not hit on the way.
- leaver: ``rampart.planning`` (the order DeleteUser requires).
- drift: an attachment or group no catalog profile explains (``DesiredUser.managed_*``) and
  that is not a time-bound policy is a manual grant: left alone with a note, unless
  ``options.manage_manual_grants``.

Step details: one frozen type per kind (``rampart.model.DETAIL_TYPES``), e.g. ``Tags`` for
TAG_USER, ``PolicyAttachment`` for ATTACH_POLICY, ``NewPolicy`` for CREATE_POLICY (with the
document only when the planner knows it: catalog custom policies; otherwise the applier
copies the source's default version, :func:`rampart.planning.create_policy_document`).
"""

from __future__ import annotations

from datetime import datetime

from rampart import naming
from rampart.model import (
    Attachment,
    CatalogOptions,
    DesiredUser,
    DisplayName,
    GroupRef,
    LifecycleState,
    NewPolicy,
    NewUser,
    ObservedUser,
    Plan,
    PolicyAttachment,
    PolicyName,
    Step,
    StepKind,
    Tags,
    Untag,
)
from rampart.naming import is_rampart_tag
from rampart.planning._credentials import create_credential, credential_steps, plan_key_rotation
from rampart.planning._teardown import leave_steps, ordered, timebound_names
from rampart.planning.timebound import iso_z

__all__ = ["plan", "plan_rotation"]


def plan(desired: DesiredUser, observed: ObservedUser | None, *, event_id: str, options: CatalogOptions, now: datetime) -> Plan:
    """The steps that take ``observed`` to ``desired`` (None: the user does not exist)."""
    if desired.state is None:
        steps, notes = leave_steps(desired, observed, options, now)
    elif observed is None:
        if desired.state is LifecycleState.DISABLED:
            steps, notes = [], [f"{desired.user_name} does not exist: nothing to disable"]
        else:
            steps, notes = _create(desired, options), []
    else:
        steps, notes = _update(desired, observed, options)
    return Plan(event_id=event_id, user_name=desired.user_name, steps=tuple(steps), notes=tuple(notes))


def plan_rotation(observed: ObservedUser, options: CatalogOptions, now: datetime, *, event_id: str = "rotation") -> Plan:
    """Key rotation for the sweep (``rampart.planning.plan_key_rotation``): empty unless
    the user's one escrowed key is older than ``options.key_rotation_age``; then a new key as
    a new ACSCurrent version of the same secret, and the old key deactivated and deleted."""
    steps, notes = plan_key_rotation(observed, options, now)
    return Plan(event_id=event_id, user_name=observed.user_name, steps=tuple(steps), notes=tuple(notes))


# --- a new user ------------------------------------------------------------------------------


def _create(desired: DesiredUser, options: CatalogOptions) -> list[Step]:
    user = desired.user_name
    steps = [
        Step(StepKind.CREATE_USER, user, NewUser(desired.display_name, desired.person_id, desired.manager,
                                                 naming.creation_comment(desired.person_id)), "joiner"),
        Step(StepKind.TAG_USER, user, Tags.of(desired.tags), "rampart's marker and the catalog's tags"),
        create_credential(desired, options),
    ]
    steps += _create_policies(desired, set())
    steps += [_attach(StepKind.ATTACH_POLICY, user, a, "granted by profile") for a in ordered(desired.attachments)]
    steps += [Step(StepKind.ADD_TO_GROUP, user, GroupRef(g), "granted by profile") for g in sorted(desired.groups)]
    return steps


# --- an existing user -------------------------------------------------------------------------


def _update(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> tuple[list[Step], list[str]]:
    user = desired.user_name
    steps: list[Step] = []
    if desired.display_name and observed.display_name != desired.display_name:
        steps.append(Step(StepKind.UPDATE_USER, user, DisplayName(desired.display_name), "display name changed"))
    steps += _tag_steps(desired, observed, options)
    credentials, notes = credential_steps(desired, observed, options)
    steps += credentials
    grants, drift = _grant_steps(desired, observed, options)
    return steps + grants, notes + drift


def _tag_steps(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> list[Step]:
    ours = set(options.tag_attributes)
    stale = [k for k in observed.tags if (is_rampart_tag(k) or k in ours) and k not in desired.tags]
    changed = {k: v for k, v in desired.tags.items() if observed.tags.get(k) != v}
    steps: list[Step] = []
    if stale:
        steps.append(Step(StepKind.UNTAG_USER, desired.user_name, Untag.of(stale), "marker: entries that no longer apply"))
    if changed:
        steps.append(Step(StepKind.TAG_USER, desired.user_name, Tags.of(changed), "marker: the state after this event"))
    return steps


def _attach(kind: StepKind, user: str, attachment: Attachment, reason: str) -> Step:
    return Step(kind, user, PolicyAttachment.of(attachment), reason)


def _create_policies(desired: DesiredUser, existing: set[str]) -> list[Step]:
    steps: list[Step] = []
    for tb in desired.timebound:
        if tb.name in existing:
            continue
        detail = NewPolicy(tb.name, tb.source_policy, tb.profile, tb.until, tb.scope,
                           f"rampart: {tb.profile} for {desired.user_name} until {iso_z(tb.until)}",
                           tb.document or None)
        steps.append(Step(StepKind.CREATE_POLICY, desired.user_name, detail,
                          f"time-bound grant of {tb.profile}: RAM ends it at {iso_z(tb.until)}"))
    return steps


def _grant_steps(desired: DesiredUser, observed: ObservedUser, options: CatalogOptions) -> tuple[list[Step], list[str]]:
    user = desired.user_name
    existing_tb = timebound_names(observed)
    wanted_tb = {tb.name for tb in desired.timebound}
    manage_all = options.manage_manual_grants
    steps: list[Step] = []
    notes: list[str] = []
    for attachment in ordered(observed.attachments - desired.attachments):
        name = attachment.policy.name
        if name in existing_tb:
            reason = "time-bound grant ended or replaced"
        elif attachment in desired.managed_attachments:
            reason = "no longer granted by any profile of the person"
        elif manage_all:
            reason = "manual grant (manage_manual_grants is on)"
        else:
            notes.append(f"manual grant left alone: {attachment.policy} ({attachment.scope}); "
                          "no catalog profile grants it (set manage_manual_grants to remove it)")
            continue
        steps.append(_attach(StepKind.DETACH_POLICY, user, attachment, reason))
    steps += [
        Step(StepKind.DELETE_POLICY, user, PolicyName(name), "time-bound grant ended or replaced")
        for name in sorted(existing_tb - wanted_tb)
    ]
    for group in sorted(observed.groups - desired.groups):
        if group in desired.managed_groups or manage_all:
            steps.append(Step(StepKind.REMOVE_FROM_GROUP, user, GroupRef(group), "no longer granted by any profile"))
        else:
            notes.append(f"manual group membership left alone: {group} (set manage_manual_grants to remove it)")
    steps += _create_policies(desired, existing_tb)
    steps += [_attach(StepKind.ATTACH_POLICY, user, a, "granted by profile") for a in ordered(desired.attachments - observed.attachments)]
    steps += [Step(StepKind.ADD_TO_GROUP, user, GroupRef(g), "granted by profile") for g in sorted(desired.groups - observed.groups)]
    return steps, notes
