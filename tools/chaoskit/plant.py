"""Planted violations: the cloud broken on purpose behind rampart's back, one way per branch of
the checks (tools/chaoskit/check.py), to prove each check can fail (README "Chaos campaign",
the table of planted violations; tests/e2e/test_chaos_plants.py).

Each plant picks the first person of the stories that fits it and changes one thing with the
official SDKs and the root key. On the checker tests' baseline (every person exactly as the
stories expect) each plant makes exactly one check report exactly one violation, except
``orphan-key``, which three checks see (a second key is unescrowed, one key too many for the
person and the second key the user held at once).
``tools/chaos.py --plant NAME`` plants it at the end of a whole campaign, before the checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from rampart.naming import PERSON as PERSON_TAG
from rampart.naming import STATE as STATE_TAG

from tools.chaoskit.check import Clients
from tools.chaoskit.story import Expected, Final

PLANT_GROUP = ("chaos-plant", "chaos plants")
"""The resource group a resource-group grant is planted on (name, display name)."""
STRAY_USER = "chaos.stray"
EXTRA_POLICY = ("System", "AliyunARMSReadOnlyAccess")


@dataclass(frozen=True)
class Plant:
    check: str
    """The check that must report it (a function of tools/chaoskit/check.py)."""
    what: str
    """What is planted, for the README's table."""
    fits: Callable[[Expected], bool]
    act: Callable[[Clients, str], None]


def _is(final: Final, programmatic: bool | None = None, *, attached: bool = False,
        timebound: bool = False) -> Callable[[Expected], bool]:
    def fits(e: Expected) -> bool:
        return (e.final is final and (programmatic is None or e.person.programmatic is programmatic)
                and (not attached or any(a.endswith("@account") for a in e.attachments))
                and (not timebound or e.timebound > 0))
    return fits


def domain(c: Clients) -> str:
    return str(c.ims.get_default_domain().body.default_domain_name)


def resource_group(c: Clients) -> str:
    """The id of :data:`PLANT_GROUP`, created when missing."""
    name, display = PLANT_GROUP
    listing = c.rm.list_resource_groups(rm_models.ListResourceGroupsRequest(name=name, page_size=100)).body
    for group in listing.resource_groups.resource_group or []:
        if group.name == name:
            return str(group.id)
    made = c.rm.create_resource_group(rm_models.CreateResourceGroupRequest(name=name, display_name=display))
    return str(made.body.resource_group.id)


def _keys(c: Clients, user: str) -> list[str]:
    body = c.ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body
    return [str(k.access_key_id) for k in body.access_keys.access_key or []]


def _tag(c: Clients, user: str, key: str, value: str) -> None:
    c.ims.tag_resources(ims_models.TagResourcesRequest(resource_type="user", resource_principal_name=[user],
                                                       tag=[ims_models.TagResourcesRequestTag(key=key, value=value)]))


def _stray(c: Clients, user: str) -> None:
    c.ram.create_user(ram_models.CreateUserRequest(user_name=STRAY_USER))


def _create_user(c: Clients, user: str) -> None:
    c.ram.create_user(ram_models.CreateUserRequest(user_name=user))


def _leftover_grant(c: Clients, user: str) -> None:
    """A grant on a resource group that outlives its user: RAM deletes the user, the
    ResourceManager attachment to ``user@domain`` stays."""
    _create_user(c, user)
    c.rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type=EXTRA_POLICY[0], policy_name=EXTRA_POLICY[1], principal_type="IMSUser",
        principal_name=f"{user}@{domain(c)}", resource_group_id=resource_group(c)))
    c.ram.delete_user(ram_models.DeleteUserRequest(user_name=user))


def _delete_user(c: Clients, user: str) -> None:
    c.ram.delete_user(ram_models.DeleteUserRequest(user_name=user))


def _untag_person(c: Clients, user: str) -> None:
    c.ims.untag_resources(ims_models.UntagResourcesRequest(resource_type="user", resource_principal_name=[user],
                                                           tag_key=[PERSON_TAG]))


def _disable_marker(c: Clients, user: str) -> None:
    _tag(c, user, STATE_TAG, Final.DISABLED.value)


def _login(c: Clients, user: str) -> None:
    c.ram.create_login_profile(ram_models.CreateLoginProfileRequest(user_name=user, password="Chaos-plant-1x!"))  # noqa: S106 - planted


def _activate_key(c: Clients, user: str) -> None:
    for key in _keys(c, user):
        c.ram.update_access_key(ram_models.UpdateAccessKeyRequest(user_name=user, user_access_key_id=key,
                                                                  status="Active"))


def _attach(c: Clients, user: str) -> None:
    c.ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type=EXTRA_POLICY[0], policy_name=EXTRA_POLICY[1], user_name=user))


def _policies(c: Clients, user: str) -> list[tuple[str, str]]:
    body = c.ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name=user)).body
    return [(str(p.policy_type), str(p.policy_name)) for p in body.policies.policy or []]


def _detach_permanent(c: Clients, user: str) -> None:
    kind, name = next((t, n) for t, n in _policies(c, user) if t == "System")
    c.ram.detach_policy_from_user(ram_models.DetachPolicyFromUserRequest(policy_type=kind, policy_name=name,
                                                                          user_name=user))


def _detach_timebound(c: Clients, user: str) -> None:
    kind, name = next((t, n) for t, n in _policies(c, user) if t == "Custom")
    c.ram.detach_policy_from_user(ram_models.DetachPolicyFromUserRequest(policy_type=kind, policy_name=name,
                                                                          user_name=user))


def _escrowed_key(c: Clients, user: str) -> None:
    """A key with its escrow in order, on a person whose access mode has no key."""
    key = c.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user)).body.access_key
    c.kms.create_secret(kms_models.CreateSecretRequest(secret_name=f"rampart/{user}/access-key",
                                                       version_id=str(key.access_key_id), secret_data="{}"))  # noqa: S106


def _orphan_key(c: Clients, user: str) -> None:
    c.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user))


def _drop_escrow(c: Clients, user: str) -> None:
    """The key stays, its secret is scheduled for deletion (in its recovery window: not live)."""
    c.kms.delete_secret(kms_models.DeleteSecretRequest(secret_name=f"rampart/{user}/access-key",
                                                       recovery_window_in_days="7"))


def _gone_secret(c: Clients, user: str) -> None:
    c.kms.create_secret(kms_models.CreateSecretRequest(secret_name=f"rampart/{user}/access-key", version_id="v1",
                                                       secret_data="{}"))  # noqa: S106 - planted


def _delete_keys(c: Clients, user: str) -> None:
    for key in _keys(c, user):
        c.ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name=user, user_access_key_id=key))


def _two_keys(c: Clients, user: str) -> None:
    """A second key for a moment: created, then deleted (no sampler sees it; the key history does)."""
    key = c.ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=user)).body.access_key
    c.ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name=user, user_access_key_id=key.access_key_id))


PLANTS: dict[str, Plant] = {
    "stray-user": Plant("check_people", "a `chaos.*` user no story explains", lambda e: True, _stray),
    "leftover-user": Plant("check_people", "the user of a removed person", _is(Final.GONE), _create_user),
    "leftover-grant": Plant("check_people", "a resource-group grant of a removed person", _is(Final.GONE),
                            _leftover_grant),
    "missing-user": Plant("check_people", "a disabled console user deleted", _is(Final.DISABLED, False), _delete_user),
    "no-marker": Plant("check_people", "an active user's `rampart:person` tag removed", _is(Final.ACTIVE),
                       _untag_person),
    "wrong-state": Plant("check_people", "an active user's marker set to `disabled`", _is(Final.ACTIVE),
                         _disable_marker),
    "disabled-login": Plant("check_people", "a login profile on a disabled user", _is(Final.DISABLED, False), _login),
    "disabled-key": Plant("check_people", "a disabled user's inactive key made active", _is(Final.DISABLED, True),
                          _activate_key),
    "disabled-grant": Plant("check_people", "a policy attached to a disabled user", _is(Final.DISABLED), _attach),
    "missing-attachment": Plant("check_people", "a permanent policy detached from an active user",
                                _is(Final.ACTIVE, attached=True), _detach_permanent),
    "missing-timebound": Plant("check_people", "a time-bound policy detached from an active user",
                               _is(Final.ACTIVE, timebound=True), _detach_timebound),
    "programmatic-login": Plant("check_people", "a login profile on an active programmatic user",
                                _is(Final.ACTIVE, True), _login),
    "console-key": Plant("check_people", "an escrowed key on an active console user", _is(Final.ACTIVE, False),
                         _escrowed_key),
    "orphan-key": Plant("check_escrow", "a second, unescrowed key on an active user (check_people and check_key_history too)",
                        _is(Final.ACTIVE), _orphan_key),
    "unescrowed-key": Plant("check_escrow", "an active user's key secret scheduled for deletion",
                            _is(Final.ACTIVE, True), _drop_escrow),
    "gone-secret": Plant("check_escrow", "a live key secret of a removed person", _is(Final.GONE), _gone_secret),
    "stale-secret": Plant("check_escrow", "a disabled user's key deleted, its secret left live",
                          _is(Final.DISABLED, True), _delete_keys),
    "two-keys": Plant("check_key_history", "a second key on an active programmatic user, created and deleted",
                      _is(Final.ACTIVE, True), _two_keys),
}


def target(what: str, people: Sequence[Expected]) -> str:
    """The user ``what`` is planted on: the first person it fits."""
    found = [e.person.user for e in people if PLANTS[what].fits(e)]
    if not found:
        raise SystemExit(f"chaos: no person to plant {what!r} on; try more people")
    return found[0]


def plant(c: Clients, what: str, people: Sequence[Expected]) -> str:
    """Tests only: break the cloud before the check, to prove the checker can fail. Returns
    the user planted on."""
    if what not in PLANTS:
        raise SystemExit(f"chaos: nothing to plant called {what!r}")
    user = target(what, people)
    PLANTS[what].act(c, user)
    return user
