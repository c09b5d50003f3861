"""The catalog: access profiles, the rules that map HR attributes to them, and options.

One YAML (``.yaml``/``.yml``) or JSON (``.json``) file, validated into the frozen
:class:`rampart.model.Catalog`. Any problem raises :class:`CatalogErrors` (a
``CatalogError``) listing every problem found, each with the file, the path inside it
(``profiles.arms-full.policies[0].name``) and the fix. The shipped example is
``rampart/catalog/example.yaml`` (the default ``RAMPART_CATALOG``); the functions load the
JSON of it that ``make build`` writes (:func:`catalog_json`).

Format (every key other than ``profiles`` is optional; defaults in brackets)::

    version: 1                       # [1] the format version
    options:
      split_access_modes: false      # [false] a person asking for console AND programmatic
                                     #   access gets two users, NAME and NAME-api; false: refused
      default_access: console        # [console] when neither the person nor a rule says
      grace_period: P30D             # [P0D] leaver: disable now, delete after (ISO 8601 or days)
      key_rotation_age: P90D         # [P90D] sweep rotates older AccessKeys (ISO 8601 or days)
      secret_prefix: rampart         # [rampart] KMS secret names start with it
      secret_recovery_window_days: 7 # [7] 7..30, KMS DeleteSecret RecoveryWindowInDays
      breaker: {max_removals: 20, window: PT1H}   # [20, PT1H] hold leavers beyond this
      manage_manual_grants: false    # [false] detach policies rampart did not grant
      tag_attributes: [department]   # [] person attributes copied to user tags (at most 8)
      password_reset_required: true  # [true] CreateLoginProfile PasswordResetRequired
      mfa_bind_required: true        # [true] CreateLoginProfile MFABindRequired
    profiles:
      arms-readonly-rg:              # [a-z0-9][a-z0-9-]{0,62}
        description: Read ARMS in one resource group     # required
        policies:                    # what the profile attaches
          - {type: System, name: AliyunARMSReadOnlyAccess}
          - {type: Custom, name: rampart-arms-readtraceapp}
          - {type: Custom, name: team-made-policy, existing: true}   # created outside rampart
        custom_policies:             # created by `rampart init`; each must be attached by a profile
          - name: rampart-arms-readtraceapp              # RAM: 1-128 letters, digits, -
            description: ...
            document:                # a RAM policy (object or JSON string), <= 6,144 chars
              Version: "1"           # quoted: YAML reads 1 as a number
              Statement: [{Effect: Allow, Action: arms:ReadTraceApp, Resource: "acs:arms:*:*:armsapp/*"}]
        groups: []                   # RAM groups to join (account-wide: not with a resource group)
        scope: {resource_group: rg-...}  # [account] or a resource group id
        max_duration: PT4H           # [none] grants only time-bound, at most this long
        approval_required: false     # [false] ticket grants need an approved ticket
        approvers: []                # [] who may approve (empty: anyone but the requester)
        risk: low                    # [low] low | medium | high
        allow_high_risk: false       # [false] see below
        supersedes: []               # profiles this one replaces (never attached together)
    rules:                           # evaluated in order; every matching rule applies
      - name: engineering-read-arms
        when: {department: Engineering, location: [Hangzhou, Singapore]}   # all keys, any value
        profiles: [arms-readonly]
        access: programmatic         # [none] the first matching rule that sets it wins

Decisions a reader should know:

- A ``Custom`` policy in ``policies`` must be defined in some profile's ``custom_policies``
  (custom policies are account-wide, so any profile may attach one another defines) or be
  marked ``existing: true`` (created and owned outside rampart; ``rampart init`` leaves it
  alone). A defined policy nobody attaches is an error (usually a typo).
- High-risk policies (``rampart.catalog``: AdministratorAccess, AliyunRAMFullAccess, ...,
  and custom documents allowing ``*`` or ``ram:*``-like wildcards) are refused unless the
  profile sets ``allow_high_risk: true`` AND a ``max_duration``, and its ``risk`` is ``high``.
- A profile with ``max_duration`` is granted only by ticket with an expiry, so no rule may
  name it: rules grant for as long as the person matches.
- ``approval_required`` and ``approvers`` govern ticket grants; a rule needs no ticket (the
  reviewed catalog is its approval), so a rule may name an approval-required profile.
- A profile with a resource-group scope may not join groups: a RAM group grants account-wide.
- Attribute names and values in rules compare case-insensitively (and ignore surrounding
  spaces): HR systems disagree on "Engineering" versus "engineering".
- Shape problems (a wrong type, an unknown key) are all reported together; the checks across
  profiles and rules (``rampart.catalog``) run once the shapes are right.
- Before any of that, the loaded data must stay within ``rampart.catalog`` (no YAML
  alias bomb, no value containing itself, no absurd nesting or number); at most
  ``MAX_PROBLEMS`` problems are reported, each on one line of bounded length.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from rampart.catalog import _checks as catalog_checks
from rampart.catalog import _limits as catalog_limits
from rampart.catalog import _schema as cs
from rampart.catalog._highrisk import is_high_risk
from rampart.catalog._reading import clip as _clip
from rampart.catalog._reading import read
from rampart.errors import CatalogError, UnknownProfile
from rampart.model import AccessMode, Catalog, CatalogOptions, CustomPolicySpec, Profile, RiskTier, Rule, Scope
from rampart.validation import issues

MAX_PROBLEMS = 100
"""Problems reported at most (a list of 100,000 wrong rules is one mistake, not 100,000)."""
_FORMAT_FIX = "see the catalog format in rampart/catalog/_loader.py"


class CatalogErrors(CatalogError):
    """Every problem found in one catalog file. ``file``, ``path``, ``problem`` and ``fix``
    are the first problem's, so code that handles one ``CatalogError`` keeps working."""

    def __init__(self, file: str, errors: Iterable[CatalogError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(file, first.path, first.problem, first.fix)

    def __str__(self) -> str:
        if len(self.errors) == 1:
            return super().__str__()
        lines = [f"{self.file}: {len(self.errors)} problems"]
        lines += [f"  {e.path or '(top)'}: {e.problem}" + (f" ({e.fix})" if e.fix else "") for e in self.errors]
        return "\n".join(lines)


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[CatalogError] = []

    def add(self, path: str, problem: str, fix: str = "") -> None:
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(CatalogError(self.source, _clip(path), _clip(problem), fix))

    def marshmallow(self, exc: ValidationError, prefix: str) -> None:
        for path, problem, fix in issues(exc.messages, prefix, _FORMAT_FIX):
            self.add(path, problem, fix)

    def raise_if_any(self) -> None:
        if self.errors:
            raise CatalogErrors(self.source, self.errors)


def load_catalog(path: str | Path) -> Catalog:
    """Read, parse and validate a catalog file (YAML or JSON, by its extension)."""
    return parse_catalog(read(Path(path)), str(path))


def catalog_json(path: str | Path) -> str:
    """The catalog file, validated, as the JSON the functions load (``tools/build.py`` writes
    it; ``rampart.catalog._reading`` says why). The JSON is read back and must validate to the
    same catalog: a value JSON would change (a YAML date, a number as a mapping key) is refused."""
    data = read(Path(path))
    catalog = parse_catalog(data, str(path))
    try:
        text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
        again = parse_catalog(json.loads(text), str(path))
    except (TypeError, ValueError, CatalogError) as exc:
        raise CatalogError(str(path), "", f"cannot be written as JSON: {_clip(str(exc))}", "quote the value") from exc
    if again != catalog:
        raise CatalogError(str(path), "", "reads differently as JSON", "quote dates, and keys that are not text")
    return text + "\n"


def parse_catalog(data: Any, source: str = "<memory>") -> Catalog:
    """Validate already-loaded catalog data into a :class:`Catalog`; ``source`` names the
    file in errors."""
    if not isinstance(data, Mapping):
        raise CatalogError(source, "", "must be a mapping with a profiles key", "start the file with profiles:")
    too_big = catalog_limits.first_problem(data)  # before anything expands an alias bomb
    if too_big is not None:
        raise CatalogError(source, *too_big)
    problems = _Problems(source)
    try:
        cs.CatalogSchema().load(data)
    except ValidationError as exc:
        problems.marshmallow(exc, "")
    options = _options(data.get("options"), problems)
    profiles, existing = _profiles(data.get("profiles"), problems)
    rules = _rules(data.get("rules", []), problems)
    problems.raise_if_any()
    for path, problem, fix in catalog_checks.check(profiles, existing, rules):
        problems.add(path, problem, fix)
    problems.raise_if_any()
    return Catalog(profiles=profiles, rules=tuple(rules), options=options, source=source)


def _options(raw: Any, problems: _Problems) -> CatalogOptions:
    if raw is None:
        return CatalogOptions()
    try:
        options: CatalogOptions = cs.OptionsSchema().load(raw)
    except ValidationError as exc:
        problems.marshmallow(exc, "options")
        return CatalogOptions()
    return options


def _profiles(raw: Any, problems: _Problems) -> tuple[dict[str, Profile], dict[str, frozenset[str]]]:
    """The profiles, and per profile the Custom refs marked ``existing: true`` (only the
    cross-checks need those, so they stay out of the model)."""
    out: dict[str, Profile] = {}
    existing: dict[str, frozenset[str]] = {}
    if not isinstance(raw, Mapping) or not raw:
        if raw is not None:
            problems.add("profiles", "must be a non-empty mapping of name to profile", "write profiles: {NAME: {...}}")
        return out, existing
    for name, spec in raw.items():
        path = f"profiles.{name}"
        if not isinstance(name, str) or not cs.PROFILE_NAME.fullmatch(name):
            problems.add(path, f"{name!r} is not a profile name", f"use {cs.PROFILE_RULE}")
            continue
        if not isinstance(spec, Mapping):
            problems.add(path, "must be a mapping", "give the profile a description and policies")
            continue
        try:
            data = cs.ProfileSchema().load(spec)
        except ValidationError as exc:
            problems.marshmallow(exc, path)
            continue
        out[name] = Profile(
            name=name,
            description=data["description"],
            policies=tuple(cs.policy_ref(ref) for ref in data["policies"]),
            custom_policies=tuple(data["custom_policies"]),
            groups=data.get("groups", ()),
            scope=data.get("scope", Scope()),
            max_duration=data.get("max_duration"),
            approval_required=data.get("approval_required", False),
            approvers=data.get("approvers", ()),
            risk=data.get("risk", RiskTier.LOW),
            allow_high_risk=data.get("allow_high_risk", False),
            supersedes=data.get("supersedes", ()),
        )
        existing[name] = frozenset(ref["name"] for ref in data["policies"] if ref.get("existing"))
    return out, existing


def _rules(raw: Any, problems: _Problems) -> list[Rule]:
    if not isinstance(raw, list):
        problems.add("rules", "must be a list of rules", "write rules: [{name: ..., when: {...}, profiles: [...]}]")
        return []
    out: list[Rule] = []
    for index, spec in enumerate(raw):
        path = f"rules[{index}]"
        if not isinstance(spec, Mapping):
            problems.add(path, "must be a mapping", "write {name: ..., when: {...}, profiles: [...]}")
            continue
        try:
            data = cs.RuleSchema().load(spec)
        except ValidationError as exc:
            problems.marshmallow(exc, path)
            continue
        out.append(
            Rule(name=data["name"], when=data["when"], profiles=data.get("profiles", ()), access=data.get("access"))
        )
    return out


# --- using a catalog ---------------------------------------------------------------------


def _fold(text: str) -> str:
    return text.strip().casefold()


def rule_matches(rule: Rule, attributes: Mapping[str, str]) -> bool:
    """Every attribute the rule names is present and equals one of its values
    (case-insensitively); an empty ``when`` matches everyone."""
    folded = {_fold(key): _fold(value) for key, value in attributes.items()}
    for key, values in rule.when.items():
        actual = folded.get(_fold(key))
        if actual is None or actual not in {_fold(value) for value in values}:
            return False
    return True


def profiles_for(catalog: Catalog, attributes: Mapping[str, str]) -> tuple[frozenset[str], AccessMode | None]:
    """The profiles all matching rules grant (before supersedes: see :func:`resolve_supersedes`)
    and the access mode of the first matching rule that sets one (None: no rule says)."""
    profiles: set[str] = set()
    access: AccessMode | None = None
    for rule in catalog.rules:
        if rule_matches(rule, attributes):
            profiles.update(rule.profiles)
            if access is None:
                access = rule.access
    return frozenset(profiles), access


def superseded_by(catalog: Catalog, name: str) -> frozenset[str]:
    """Every profile ``name`` replaces, directly or through another one."""
    out: set[str] = set()
    todo = [name]
    while todo:
        found = catalog.profiles.get(todo.pop())
        for other in found.supersedes if found else ():
            if other not in out:
                out.add(other)
                todo.append(other)
    return frozenset(out)


def resolve_supersedes(catalog: Catalog, profiles: Iterable[str]) -> frozenset[str]:
    """Drop every profile that another one in the set supersedes (arms-full drops
    arms-readonly). Names the catalog does not know are kept: they supersede nothing, and
    the planner reports them."""
    wanted = frozenset(profiles)
    dropped: set[str] = set()
    for name in wanted:
        dropped |= superseded_by(catalog, name)
    return wanted - dropped


def custom_policies(catalog: Catalog) -> tuple[CustomPolicySpec, ...]:
    """Every custom policy the catalog defines, by name: what ``rampart init`` creates."""
    specs = {spec.name: spec for profile in catalog.profiles.values() for spec in profile.custom_policies}
    return tuple(specs[name] for name in sorted(specs))


def get_profile(catalog: Catalog, name: str) -> Profile:
    """The named profile, or :class:`UnknownProfile` listing the known ones."""
    found = catalog.profiles.get(name)
    if found is None:
        known = ", ".join(sorted(catalog.profiles))
        raise UnknownProfile(f"profile {name!r} is not in the catalog {catalog.source}", hint=f"use one of: {known}")
    return found


__all__ = [
    "CatalogErrors",
    "catalog_json",
    "custom_policies",
    "get_profile",
    "is_high_risk",
    "load_catalog",
    "parse_catalog",
    "profiles_for",
    "resolve_supersedes",
    "rule_matches",
    "superseded_by",
]
