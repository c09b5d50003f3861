"""Properties of desire + plan over random catalogs, histories, damage and events.

Each example builds a random catalog, a user's history through real events (joiner, grants,
maybe a grace-period leaver), damages the result the ways the cloud can (a crash between
CreateAccessKey and the KMS write, a secret pending deletion, an AccessKey secret whose
ACSCurrent key is gone, a rotation cut short, a secret of the older naming scheme, a manual
grant, a detached policy, a stray time-bound policy ...), then plans one more event and replays the plan in the
model (``rampart_dev.simulate``, strict: it raises on anything the cloud would refuse or on a step
with nothing to do). Then:

- idempotence: planning again on the result is empty;
- a programmatic user never holds two active keys (no key is created or activated while
  another is active);
- a leaver plan ends with DELETE_USER, and by then every secret is pending deletion;
- superseding profiles are never attached together, and every detach precedes every attach;
- every planned time-bound document carries DateLessThan acs:CurrentTime, in the future;
- a rotation never holds more than two keys, ends with one active key that is the ACSCurrent
  version of the user's AccessKey secret (the old one ACSPrevious), and a crash inside it is
  repaired by the next sweep.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as label
from hypothesis import strategies as st
from rampart.errors import RampartError
from rampart.model import (
    ACCOUNT,
    AccessMode,
    Approval,
    Attachment,
    Catalog,
    CatalogOptions,
    CustomPolicySpec,
    EventKind,
    LifecycleEvent,
    LifecycleState,
    NewPolicy,
    ObservedKey,
    ObservedSecret,
    ObservedUser,
    Person,
    PolicyAttachment,
    PolicyRef,
    PolicyType,
    Profile,
    Rule,
    Scope,
    SecretKind,
    StepKind,
)
from rampart.planning import Desired, allow_bounds, desire, desire_sweep, plan, plan_rotation, timebound_prefix
from rampart_dev.simulate import apply_step, simulate

from tests.unit.rampart.examples import NOW

USER = "alice.b"
T0 = NOW - timedelta(days=3)
DEPARTMENTS = ("A", "B", "C")
DOC = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "x:Read*", "Resource": "*"}]})
MANUAL = Attachment(PolicyRef(PolicyType.SYSTEM, "ManualPolicy"), ACCOUNT)


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    profiles: dict[str, Profile] = {}
    for i in range(draw(st.integers(1, 5))):
        types = draw(st.lists(st.sampled_from(PolicyType), min_size=0, max_size=2))
        policies = tuple(PolicyRef(t, f"P{i}x{j}") for j, t in enumerate(types))
        specs = tuple(CustomPolicySpec(p.name, DOC) for p in policies if p.policy_type is PolicyType.CUSTOM and draw(st.booleans()))
        groups = (f"g{i}",) if draw(st.booleans()) or not policies else ()
        scope = ACCOUNT if groups else draw(st.sampled_from([ACCOUNT, Scope("rg-1"), Scope("rg-2")]))
        earlier = [f"p{k}" for k in range(i)]
        supersedes = tuple(draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2))) if earlier else ()
        profiles[f"p{i}"] = Profile(
            f"p{i}", "random", policies, custom_policies=specs, groups=groups, scope=scope, supersedes=supersedes,
            max_duration=draw(st.sampled_from([None, None, timedelta(days=7)])),
        )
    permanent = [name for name, p in profiles.items() if p.max_duration is None]
    rules = tuple(
        Rule(f"r-{dept}", {"department": (dept,)},
             tuple(draw(st.lists(st.sampled_from(permanent), unique=True, max_size=3))) if permanent else (),
             access=draw(st.sampled_from([None, None, AccessMode.CONSOLE, AccessMode.PROGRAMMATIC])))
        for dept in DEPARTMENTS
    )
    options = CatalogOptions(
        grace_period=draw(st.sampled_from([timedelta(0), timedelta(days=30)])),
        manage_manual_grants=draw(st.booleans()),
        tag_attributes=draw(st.sampled_from([(), ("department",)])),
        default_access=draw(st.sampled_from(AccessMode)),
    )
    return Catalog(profiles, rules, options, source="random")


def ev(kind: EventKind, at: Any, **fields: Any) -> LifecycleEvent:
    return LifecycleEvent(f"ev-{kind.value}-{at.isoformat()}", kind, at, "prop", "p-1", **fields)


def the_person(department: str) -> Person:
    return Person("p-1", f"Alice {department}", attributes={"department": department}, manager="bob")


def converge(desired: Desired, observed: ObservedUser | None, catalog: Catalog, now: Any) -> ObservedUser | None:
    steps = plan(desired.user, observed, event_id="h", options=catalog.options, now=now).steps
    return simulate(observed, steps, now)


def grant_event(draw: st.DrawFn, catalog: Catalog, at: Any) -> LifecycleEvent:
    profile = draw(st.sampled_from(sorted(catalog.profiles)))
    until = draw(st.sampled_from([None, at + timedelta(hours=2), at + timedelta(days=2), at + timedelta(days=5)]))
    return ev(EventKind.GRANT, at, profile=profile, until=until, approval=Approval("T-1", "approved", "alice", "carol"))


@st.composite
def histories(draw: st.DrawFn, catalog: Catalog) -> ObservedUser | None:
    """A user as real events left it (or None), then damaged."""
    if draw(st.integers(0, 5)) == 0:
        return None
    joiner = ev(EventKind.JOINER, T0, person=the_person(draw(st.sampled_from(DEPARTMENTS))))
    observed = converge(desire(joiner, None, catalog, now=T0, user_name=USER), None, catalog, T0)
    for n in range(draw(st.integers(0, 3))):
        at = T0 + timedelta(hours=n + 1)
        try:
            observed = converge(desire(grant_event(draw, catalog, at), observed, catalog, now=at, user_name=USER), observed, catalog, at)
        except RampartError:
            continue
    if draw(st.booleans()) and catalog.options.grace_period:
        at = T0 + timedelta(days=1)
        observed = converge(desire(ev(EventKind.LEAVER, at), observed, catalog, now=at, user_name=USER), observed, catalog, at)
    assert observed is not None
    return damage(draw, observed)


def coin(draw: st.DrawFn) -> bool:
    return draw(st.booleans())


def damage(draw: st.DrawFn, o: ObservedUser) -> ObservedUser:
    if coin(draw):
        return o
    attachments = set(o.attachments)
    if attachments and coin(draw):
        attachments.discard(draw(st.sampled_from(sorted(attachments, key=str))))
    if coin(draw):
        attachments.add(MANUAL)
    if coin(draw):
        attachments.add(Attachment(PolicyRef(PolicyType.SYSTEM, "P0x0"), ACCOUNT))
    groups = set(o.groups) | ({"manual-group"} if coin(draw) else set())
    if o.groups and coin(draw):
        groups.discard(sorted(o.groups)[0])
    keys = list(o.keys)
    secrets = list(o.secrets)
    if secrets and coin(draw):
        victim = draw(st.sampled_from(secrets))
        secrets = [s for s in secrets if s is not victim] + (
            [replace(victim, pending_deletion=True)] if coin(draw) else []
        )
    if len(keys) < 2 and coin(draw):  # a crash between CreateAccessKey and the KMS write
        keys.append(ObservedKey("LTAIORPHAN", coin(draw), NOW - timedelta(hours=1)))
    if keys and coin(draw):
        keys[0] = replace(keys[0], active=not keys[0].active)
    escrow = f"rampart/{o.user_name}/access-key"
    if coin(draw):  # the AccessKey secret's ACSCurrent names a key that is gone (deleted by hand)
        pending = coin(draw)
        secrets = [s for s in secrets if s.name != escrow] + [
            ObservedSecret(escrow, SecretKind.ACCESS_KEY, "LTAIGONE", pending, draw(st.sampled_from([None, "LTAIOLD"])))]
    if coin(draw):  # an AccessKey secret of the older one-secret-per-key scheme
        secrets.append(ObservedSecret(f"{escrow}/LTAIGONE", SecretKind.ACCESS_KEY, "v-0123", coin(draw)))
    if keys and secrets and coin(draw):  # a rotation cut short after the new version was written
        secrets = [replace(s, previous_access_key_id=keys[0].access_key_id) if s.name == escrow else s for s in secrets]
    timebound = list(o.timebound_policies)
    if coin(draw):
        timebound.append(timebound_prefix(o.user_name) + "stray-0123456789")
    return replace(
        o,
        attachments=frozenset(attachments),
        groups=frozenset(groups),
        keys=tuple(keys),
        secrets=tuple(secrets),
        has_login_profile=coin(draw) if coin(draw) else o.has_login_profile,
        mfa_serial="acs:ram::1:mfa/alice" if coin(draw) else o.mfa_serial,
        timebound_policies=tuple(timebound),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Catalog, ObservedUser | None, Desired, Any]:
    catalog = draw(catalogs())
    observed = draw(histories(catalog))
    now = NOW + draw(st.sampled_from([timedelta(0), timedelta(hours=3), timedelta(days=3), timedelta(days=40)]))
    kind = draw(st.sampled_from(["joiner", "mover", "grant", "revoke", "leaver", "sweep"]))
    try:
        if kind == "sweep":
            if observed is None:
                return catalog, None, desire(ev(EventKind.LEAVER, now), None, catalog, now=now, user_name=USER), now
            return catalog, observed, desire_sweep(observed, catalog, now), now
        person = the_person(draw(st.sampled_from(DEPARTMENTS)))
        if kind == "grant":
            event = grant_event(draw, catalog, now)
        elif kind == "revoke":
            event = ev(EventKind.REVOKE, now, profile=draw(st.sampled_from(sorted(catalog.profiles))))
        elif kind == "leaver":
            event = ev(EventKind.LEAVER, now, immediate=coin(draw))
        else:
            event = ev(EventKind.JOINER if kind == "joiner" else EventKind.MOVER, now, person=person)
        return catalog, observed, desire(event, observed, catalog, now=now, user_name=USER, force=coin(draw)), now
    except RampartError as exc:
        label(f"{kind} refused: {type(exc).__name__}")
        return catalog, observed, desire(ev(EventKind.LEAVER, now), None, catalog, now=now, user_name=USER), now


def held_profiles(catalog: Catalog, desired: Desired, attachments: Any) -> set[str]:
    owner = {Attachment(ref, p.scope): name for name, p in catalog.profiles.items() for ref in p.policies}
    owner.update({Attachment(PolicyRef(PolicyType.CUSTOM, tb.name), tb.scope): tb.profile for tb in desired.user.timebound})
    return {owner[a] for a in attachments if a in owner}


def supersedes(catalog: Catalog, a: str, b: str) -> bool:
    todo, seen = [a], set()
    while todo:
        for other in catalog.profiles[todo.pop()].supersedes:
            if other == b:
                return True
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return False


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(scenarios())
def test_plans_converge_safely(scenario: tuple[Catalog, ObservedUser | None, Desired, Any]) -> None:
    catalog, observed, desired, now = scenario
    options = catalog.options
    p = plan(desired.user, observed, event_id="h", options=options, now=now)
    state = observed
    label(f"{'new' if observed is None else 'existing'} -> {desired.user.state}, {len(p.steps) // 5 * 5}+ steps")
    one_key = desired.user.state is LifecycleState.ACTIVE and desired.user.access is AccessMode.PROGRAMMATIC
    for index, step in enumerate(p.steps):
        if step.kind in (StepKind.CREATE_ACCESS_KEY, StepKind.ACTIVATE_ACCESS_KEY) and state is not None:
            assert not any(k.active for k in state.keys), "a second active key"
        if step.kind is StepKind.DELETE_USER:
            assert state is not None and all(s.pending_deletion for s in state.secrets)
        state = apply_step(state, step, now, index=index)
    again = plan(desired.user, state, event_id="h", options=options, now=now)
    assert again.is_noop, [s.as_dict() for s in again.steps]

    if desired.user.state is None:
        assert state is None
        assert observed is None or p.steps[-1].kind is StepKind.DELETE_USER
        return
    assert state is not None
    if one_key:
        assert sum(k.active for k in state.keys) == 1
    if desired.user.state is LifecycleState.DISABLED:
        assert not any(k.active for k in state.keys) and not state.has_login_profile

    kinds = [s.kind for s in p.steps]
    if StepKind.ATTACH_POLICY in kinds and StepKind.DETACH_POLICY in kinds:
        assert max(i for i, k in enumerate(kinds) if k is StepKind.DETACH_POLICY) < kinds.index(StepKind.ATTACH_POLICY)
    attached = [s for s in p.steps if s.kind is StepKind.ATTACH_POLICY]
    for group in (held_profiles(catalog, desired, [s.detail_as(PolicyAttachment).attachment for s in attached]),
                  held_profiles(catalog, desired, state.attachments)):
        assert not any(supersedes(catalog, a, b) for a in group for b in group if a != b)

    for step in p.steps:
        if isinstance(step.detail, NewPolicy) and step.detail.document is not None:
            bounds = allow_bounds(step.detail.document)
            assert bounds and all(b is not None and now < b for b in bounds)


def sweep_once(catalog: Catalog, observed: ObservedUser, now: Any) -> ObservedUser | None:
    steps = plan(desire_sweep(observed, catalog, now).user, observed, event_id="s", options=catalog.options, now=now).steps
    return simulate(observed, steps, now)


def assert_one_escrowed_key(catalog: Catalog, state: ObservedUser | None, now: Any) -> None:
    assert state is not None
    [key] = state.keys
    [secret] = [s for s in state.secrets if s.name == f"{catalog.options.secret_prefix}/{state.user_name}/access-key"]
    assert key.active and secret.access_key_id == key.access_key_id and not secret.pending_deletion
    again = plan(desire_sweep(state, catalog, now).user, state, event_id="s", options=catalog.options, now=now)
    assert again.is_noop, [s.as_dict() for s in again.steps]


@PROPERTY
@given(catalogs().flatmap(lambda c: st.tuples(st.just(c), histories(c))), st.integers(1, 2))
def test_rotation_keeps_one_escrowed_key_and_a_crash_inside_it_is_repaired(
    history: tuple[Catalog, ObservedUser | None], cut: int
) -> None:
    catalog, observed = history
    later = T0 + catalog.options.key_rotation_age + timedelta(days=1)
    if observed is None or observed.marker is None:
        return
    state = sweep_once(catalog, observed, later)  # converge the damage first, as the sweep does
    marker = state.marker if state is not None else None
    if state is None or marker is None or marker.state is not LifecycleState.ACTIVE or marker.access is not AccessMode.PROGRAMMATIC:
        label("not an active programmatic user")
        return
    rotation = plan_rotation(state, catalog.options, later)
    if rotation.is_noop:
        label("key too young (replaced by the convergence)")
        return
    label("rotated")
    [old] = state.keys
    rotated: ObservedUser | None = state
    for index, step in enumerate(rotation.steps):
        rotated = apply_step(rotated, step, later, index=index)
        assert rotated is not None and len(rotated.keys) <= 2
    assert_one_escrowed_key(catalog, rotated, later)
    assert rotated is not None and rotated.keys[0].access_key_id != old.access_key_id
    assert [s.previous_access_key_id for s in rotated.secrets if s.name.endswith("/access-key")] == [old.access_key_id]
    crashed = simulate(state, rotation.steps[:cut], later)
    assert crashed is not None
    assert_one_escrowed_key(catalog, sweep_once(catalog, crashed, later), later)
