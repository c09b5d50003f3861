"""Checks across a catalog's objects, made once every object has its shape.

Each check returns (path, problem, fix) triples; ``rampart.catalog`` turns them into one
``CatalogErrors``. The rules (decisions documented in ``rampart.catalog``):

- every Custom policy reference is defined in the catalog or marked ``existing``; every
  defined custom policy is attached by some profile; each is defined once;
- high-risk policies (``rampart.catalog``) need ``allow_high_risk``, a ``max_duration`` and
  ``risk: high``;
- ``supersedes`` names other, existing profiles and has no cycle;
- rules name existing profiles, never a time-bound-only one, and have unique names;
- a resource-group profile joins no group (a group grants account-wide);
- RAM's per-user attachment limits fit in one profile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rampart.catalog._highrisk import document_is_high_risk, is_high_risk
from rampart.model import PolicyRef, PolicyType, Profile, RiskTier, Rule

Issue = tuple[str, str, str]

MAX_SYSTEM_POLICIES = 20  # attached per user, RAM limits page (§A.4)
MAX_CUSTOM_POLICIES = 10


def check(
    profiles: Mapping[str, Profile], existing: Mapping[str, frozenset[str]], rules: Sequence[Rule]
) -> list[Issue]:
    """Every cross-object problem; ``existing`` maps a profile to its ``existing: true`` refs."""
    issues: list[Issue] = []
    defined = _definitions(profiles, issues)
    for profile in profiles.values():
        _profile(profile, profiles, defined, existing.get(profile.name, frozenset()), issues)
    _cycles(profiles, issues)
    _rules(profiles, rules, issues)
    return issues


def _definitions(profiles: Mapping[str, Profile], issues: list[Issue]) -> dict[str, str]:
    """Custom policy name -> document."""
    defined: dict[str, str] = {}
    where: dict[str, str] = {}
    for profile in profiles.values():
        for index, spec in enumerate(profile.custom_policies):
            path = f"profiles.{profile.name}.custom_policies[{index}].name"
            if spec.name in defined:
                fix = "define each custom policy once; any profile may attach it"
                issues.append((path, f"{spec.name} is already defined at {where[spec.name]}", fix))
                continue
            defined[spec.name] = spec.document
            where[spec.name] = path
    attached = {ref.name for p in profiles.values() for ref in p.policies if ref.policy_type is PolicyType.CUSTOM}
    for name, path in where.items():
        if name not in attached:
            fix = f"add {{type: Custom, name: {name}}} to a profile's policies, or remove the definition"
            issues.append((path, f"{name} is defined but no profile attaches it", fix))
    return defined


def _profile(
    profile: Profile,
    profiles: Mapping[str, Profile],
    defined: Mapping[str, str],
    existing: frozenset[str],
    issues: list[Issue],
) -> None:
    base = f"profiles.{profile.name}"
    if not profile.policies and not profile.groups:
        issues.append((base, "attaches nothing", "add policies or groups"))
    seen: set[PolicyRef] = set()
    high_risk: list[tuple[str, PolicyRef]] = []
    for index, ref in enumerate(profile.policies):
        path = f"{base}.policies[{index}]"
        if ref in seen:
            issues.append((path, f"{ref} is listed twice", "remove the duplicate"))
        seen.add(ref)
        if ref.policy_type is PolicyType.SYSTEM:
            if is_high_risk(ref):
                high_risk.append((path, ref))
        elif ref.name in defined and ref.name in existing:
            issues.append(
                (
                    f"{path}.existing",
                    f"{ref.name} is defined in this catalog, so rampart creates it",
                    "remove existing: true",
                )
            )
        elif ref.name not in defined and ref.name not in existing:
            fix = "define it under a profile's custom_policies, or mark it existing: true if it is made outside rampart"
            issues.append((path, f"custom policy {ref.name} is not defined in the catalog", fix))
        elif ref.name in defined and document_is_high_risk(defined[ref.name]):
            high_risk.append((path, ref))
    system = sum(1 for ref in profile.policies if ref.policy_type is PolicyType.SYSTEM)
    if system > MAX_SYSTEM_POLICIES or len(profile.policies) - system > MAX_CUSTOM_POLICIES:
        problem = f"attaches more than RAM allows per user ({MAX_SYSTEM_POLICIES} system, {MAX_CUSTOM_POLICIES} custom)"
        issues.append((f"{base}.policies", problem, "split the profile, or attach through a group"))
    for path, ref in high_risk:
        _high_risk(profile, path, ref, issues)
    if not profile.scope.is_account and profile.groups:
        fix = "put the group's policies in policies, or make a separate account-scope profile for the group"
        issues.append((f"{base}.groups", "a group grants account-wide, which a resource-group scope cannot limit", fix))
    if profile.approvers and not profile.approval_required:
        issues.append(
            (
                f"{base}.approvers",
                "names approvers but approval_required is false",
                "set approval_required: true or remove approvers",
            )
        )
    for index, other in enumerate(profile.supersedes):
        if other == profile.name:
            issues.append((f"{base}.supersedes[{index}]", "a profile cannot supersede itself", "remove it"))
        elif other not in profiles:
            issues.append(
                (
                    f"{base}.supersedes[{index}]",
                    f"names unknown profile {other!r}",
                    f"use one of: {', '.join(sorted(profiles))}",
                )
            )


def _high_risk(profile: Profile, path: str, ref: PolicyRef, issues: list[Issue]) -> None:
    # Source of the list and the reasoning: rampart.catalog (alibaba-platform.md §A.7).
    what = f"{ref} is a high-risk policy"
    base = f"profiles.{profile.name}"
    if not profile.allow_high_risk:
        fix = "set allow_high_risk: true and a max_duration (e.g. PT4H) so it is only ever granted time-bound, or remove it"
        issues.append((path, f"{what}, refused unless the profile allows it", fix))
    elif profile.max_duration is None:
        issues.append(
            (
                f"{base}.max_duration",
                f"{what}, so the profile may only be granted time-bound",
                "set max_duration, e.g. PT4H",
            )
        )
    if profile.risk is not RiskTier.HIGH:
        issues.append((f"{base}.risk", f"{what}, but the profile's risk is {profile.risk.value}", "set risk: high"))


def _cycles(profiles: Mapping[str, Profile], issues: list[Issue]) -> None:
    reported: set[frozenset[str]] = set()

    def visit(name: str, trail: list[str]) -> None:
        for other in profiles[name].supersedes:
            if other not in profiles or other == name:
                continue  # reported by _profile
            if other in trail:
                cycle = [*trail[trail.index(other) :], other]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    issues.append(
                        (f"profiles.{other}.supersedes", f"forms a cycle: {' > '.join(cycle)}", "remove one link")
                    )
                continue
            visit(other, [*trail, other])

    for name in profiles:
        visit(name, [name])


def _rules(profiles: Mapping[str, Profile], rules: Sequence[Rule], issues: list[Issue]) -> None:
    names: set[str] = set()
    for index, rule in enumerate(rules):
        base = f"rules[{index}]"
        if rule.name in names:
            issues.append((f"{base}.name", f"rule name {rule.name} is used twice", "give each rule its own name"))
        names.add(rule.name)
        if not rule.profiles and rule.access is None:
            issues.append((base, "grants no profile and sets no access mode", "add profiles or access"))
        for position, name in enumerate(rule.profiles):
            path = f"{base}.profiles[{position}]"
            profile = profiles.get(name)
            if profile is None:
                issues.append((path, f"names unknown profile {name!r}", f"use one of: {', '.join(sorted(profiles))}"))
            elif profile.max_duration is not None:
                problem = f"profile {name} is time-bound only (max_duration), but a rule grants for as long as a person matches"
                issues.append(
                    (path, problem, "grant it by ticket with an expiry (rampart grant --until), or drop max_duration")
                )
