"""Planning a leaver's teardown: everything off the user, in the order RAM requires. Pure.

DeleteUser fails while the user holds groups, AccessKeys, a login profile, an MFA device or
attached policies (``DeleteConflict.User.*``, alibaba-platform.md §A.3), so a teardown
removes all of them, manual grants included, in this order:

1. TAG_USER: the marker says "disabled, grace over" first, so that a teardown cut short is
   finished by the next sweep rather than undone by it (skipped when it already says so);
2. SCHEDULE_SECRET_DELETION for every live secret of the user (KMS recovery window; the
   AccessKey secret goes whole, every version of it);
3. DEACTIVATE_ACCESS_KEY then DELETE_ACCESS_KEY, key by key;
4. DELETE_LOGIN_PROFILE; 5. UNBIND_MFA then DELETE_MFA;
6. DETACH_POLICY for every attachment, account and resource-group scope;
7. REMOVE_FROM_GROUP for every group; 8. DELETE_POLICY for the time-bound policies;
9. DELETE_USER.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rampart import naming as t
from rampart.model import (
    Attachment,
    CatalogOptions,
    DesiredUser,
    GroupRef,
    LifecycleState,
    Marker,
    MfaDevice,
    NoDetail,
    ObservedUser,
    PolicyAttachment,
    PolicyName,
    Step,
    StepKind,
    Tags,
)
from rampart.planning._credentials import key_step, schedule
from rampart.planning.timebound import is_timebound_name

TEARDOWN_TAGS = (t.MANAGED_BY, t.PERSON, t.STATE, t.EVENT_TIME, t.GRACE_UNTIL)


def teardown_due(marker: Marker | None, now: datetime) -> bool:
    return (
        marker is not None
        and marker.state is LifecycleState.DISABLED
        and marker.grace_until is not None
        and marker.grace_until <= now
    )


def ordered(attachments: Iterable[Attachment]) -> list[Attachment]:
    """Attachments in a stable order (PolicyType is an Enum, so PolicyRef's own order cannot compare types)."""
    return sorted(attachments, key=lambda a: (str(a.policy), str(a.scope)))


def timebound_names(observed: ObservedUser) -> set[str]:
    """The user's time-bound policies: listed by prefix, or seen attached."""
    names = set(observed.timebound_policies)
    names.update(a.policy.name for a in observed.attachments if is_timebound_name(observed.user_name, a.policy.name))
    return names


def leave_steps(
    desired: DesiredUser, observed: ObservedUser | None, options: CatalogOptions, now: datetime
) -> tuple[list[Step], list[str]]:
    if observed is None:
        return [], [f"{desired.user_name} does not exist: nothing to remove"]
    user = observed.user_name
    steps: list[Step] = []
    notes: list[str] = []
    if desired.marker is not None and not teardown_due(observed.marker, now):
        changed = {k: desired.tags[k] for k in TEARDOWN_TAGS if k in desired.tags and observed.tags.get(k) != desired.tags[k]}
        if changed:
            steps.append(Step(StepKind.TAG_USER, user, Tags.of(changed),
                              "marked for removal first: an interrupted teardown is finished by the sweep"))
    steps += [
        schedule(user, secret, options, "leaver: escrowed credentials go (recoverable for the window)")
        for secret in sorted(observed.secrets, key=lambda s: s.name)
        if not secret.pending_deletion
    ]
    for key in sorted(observed.keys, key=lambda k: k.access_key_id):
        if key.active:
            steps.append(key_step(StepKind.DEACTIVATE_ACCESS_KEY, user, key, "leaver: key off before it is deleted"))
        steps.append(key_step(StepKind.DELETE_ACCESS_KEY, user, key, "leaver"))
    if observed.has_login_profile:
        steps.append(Step(StepKind.DELETE_LOGIN_PROFILE, user, NoDetail(), "leaver"))
    if observed.mfa_serial:
        steps.append(Step(StepKind.UNBIND_MFA, user, MfaDevice(observed.mfa_serial), "leaver: DeleteUser refuses a bound MFA device"))
        steps.append(Step(StepKind.DELETE_MFA, user, MfaDevice(observed.mfa_serial), "leaver"))
    tb = timebound_names(observed)
    for attachment in ordered(observed.attachments):
        explained = attachment in desired.managed_attachments or attachment.policy.name in tb
        if not explained:
            notes.append(f"removing manual grant {attachment.policy} ({attachment.scope}): DeleteUser requires it")
        steps.append(Step(StepKind.DETACH_POLICY, user, PolicyAttachment.of(attachment),
                          "leaver"))
    for group in sorted(observed.groups):
        if group not in desired.managed_groups:
            notes.append(f"removing manual group membership {group}: DeleteUser requires it")
        steps.append(Step(StepKind.REMOVE_FROM_GROUP, user, GroupRef(group), "leaver"))
    steps += [Step(StepKind.DELETE_POLICY, user, PolicyName(name), "leaver: time-bound grant") for name in sorted(tb)]
    steps.append(Step(StepKind.DELETE_USER, user, NoDetail(), "leaver"))
    return steps, notes
