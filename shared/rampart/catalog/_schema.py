"""The catalog's marshmallow schemas: each checks one object in isolation (a profile, a rule,
the options) and reports every problem with its path and fix.

Checks across objects (a rule naming a profile, supersedes cycles, the high-risk rule) live
in ``rampart.catalog``; the format itself is documented in ``rampart.catalog``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError, fields, post_load, validates_schema

from rampart.catalog import policy_document
from rampart.durations import format_duration, parse_duration
from rampart.model import (
    ACCOUNT,
    AccessMode,
    CatalogOptions,
    CustomPolicySpec,
    PolicyRef,
    PolicyType,
    RiskTier,
    Scope,
)
from rampart.validation import Choice, StrictBool, StrictInt, StrictSchema, StringList, Text, msg

# RAM limits, ../shared/reference/alibaba-platform.md §A.1 and §A.4 (limits page, Dec 2025).
MAX_POLICY_DESCRIPTION = 1024
MAX_GROUPS_PER_USER = 10
# IMS allows 20 tags per user (§A.8); rampart's marker uses up to 7 fixed keys plus one per
# ticket grant (rampart.naming), so the catalog may copy at most 8 person attributes to tags.
MAX_TAG_ATTRIBUTES = 8

PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PROFILE_RULE = "lowercase letters, digits and - (1-63, starting with a letter or digit)"
POLICY_NAME = re.compile(r"^[A-Za-z0-9-]{1,128}$")  # CreatePolicy PolicyName (§A.1)
POLICY_RULE = "letters, digits and - (RAM policy names, 1-128)"
GROUP_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # CreateGroup GroupName
RESOURCE_GROUP_ID = re.compile(r"^rg-[A-Za-z0-9]+$")
# KMS SecretName: <=192 of letters, digits, _ / + = . - @, not starting with acs/ (§B.2);
# the prefix leaves room for the rest of rampart's secret names.
SECRET_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_/+=.@-]{0,31}$")
# IMS tag keys: 1-128 characters, not starting with aliyun or acs: (§A.8); rampart: is ours.
TAG_KEY = re.compile(r"^[A-Za-z0-9_.:/@-]{1,128}$")
RESERVED_TAG_PREFIXES = ("aliyun", "acs:", "rampart:")
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
ATTRIBUTE_VALUE_MAX = 256


class Duration(fields.Field[timedelta]):
    """An ISO 8601 duration (``P30D``, ``PT4H``); with ``days_ok``, also a number of days."""

    def __init__(self, *, days_ok: bool = False, minimum: timedelta = timedelta(0), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.days_ok, self.minimum = days_ok, minimum

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> timedelta:
        if self.days_ok and isinstance(value, int) and not isinstance(value, bool):
            try:
                result = timedelta(days=value)
            except OverflowError:
                raise ValidationError(msg(f"{value} days is longer than any calendar can count", "write e.g. 30")) from None
        elif isinstance(value, str):
            try:
                result = parse_duration(value)
            except ValueError as exc:
                problem, _, fix = str(exc).partition("; ")
                raise ValidationError(msg(problem, fix)) from exc
        else:
            unit = " or a number of days" if self.days_ok else ""
            raise ValidationError(msg(f"must be an ISO 8601 duration{unit}, not {value!r}", "write e.g. P30D or PT4H"))
        if result < self.minimum:
            raise ValidationError(msg(f"must be at least {format_duration(self.minimum)}", "use a longer duration"))
        return result


class ScopeField(fields.Field[Scope]):
    """``account`` or ``{resource_group: rg-...}``."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Scope:
        if value == "account":
            return ACCOUNT
        if isinstance(value, Mapping) and set(value) == {"resource_group"}:
            group = value["resource_group"]
            if isinstance(group, str) and RESOURCE_GROUP_ID.fullmatch(group):
                return Scope(group)
            fix = "write rg- and the letters and digits of the id (ResourceManager ListResourceGroups)"
            raise ValidationError({"resource_group": [msg(f"{group!r} is not a resource group id", fix)]})
        raise ValidationError(msg(f"{value!r} is not a scope", "write account, or {resource_group: rg-...}"))


class When(fields.Field[dict[str, tuple[str, ...]]]):
    """``{attribute: value or [values]}``. Values must be strings: YAML reads the location
    ``NO`` as false, and a rule must never compare against a value the author did not write."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, Mapping):
            fix = "write e.g. {department: Engineering}; {} matches everyone"
            raise ValidationError(msg("must be a mapping of attribute to value(s)", fix))
        errors: dict[str, list[str]] = {}
        out: dict[str, tuple[str, ...]] = {}
        for key, raw in value.items():
            if not isinstance(key, str) or not ATTRIBUTE_NAME.fullmatch(key):
                errors[str(key)] = [msg("is not an attribute name", "use a letter, then letters, digits, _ . - (1-64)")]
                continue
            items = raw if isinstance(raw, list) else [raw]
            if not items or not all(isinstance(i, str) and 0 < len(i) <= ATTRIBUTE_VALUE_MAX for i in items):
                problem = f"{raw!r} must be a string or a non-empty list of strings (1-{ATTRIBUTE_VALUE_MAX} chars)"
                errors[key] = [msg(problem, "quote the values: YAML reads NO, yes and 1 as booleans or numbers")]
                continue
            out[key] = tuple(items)
        if errors:
            raise ValidationError(errors)
        return out


class PolicyDocument(fields.Field[str]):
    """A RAM policy document (object or JSON string), loaded as the compact JSON RAM receives."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        compact, problems = policy_document.check(value)
        if problems:
            grouped: dict[str, list[str]] = {}
            for sub, problem, fix in problems:
                grouped.setdefault(sub or "_schema", []).append(msg(problem, fix))
            raise ValidationError(grouped)
        return compact


class BreakerSchema(StrictSchema):
    max_removals = StrictInt(1, 100000)
    window = Duration(minimum=timedelta(minutes=1))


class OptionsSchema(StrictSchema):
    split_access_modes = StrictBool()
    default_access = Choice(AccessMode)
    grace_period = Duration(days_ok=True)
    key_rotation_age = Duration(days_ok=True, minimum=timedelta(days=1))
    secret_prefix = Text(32, SECRET_PREFIX, "a letter or digit, then letters, digits, _ / + = . @ - (1-32)")
    secret_recovery_window_days = StrictInt(7, 30)
    breaker = fields.Nested(BreakerSchema)
    manage_manual_grants = StrictBool()
    tag_attributes = StringList(Text(128, TAG_KEY, "letters, digits, _ . : / @ -"), max_items=MAX_TAG_ATTRIBUTES)
    password_reset_required = StrictBool()
    mfa_bind_required = StrictBool()

    @validates_schema(skip_on_field_errors=True)
    def _reserved(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        for index, key in enumerate(data.get("tag_attributes", ())):
            if key.lower().startswith(RESERVED_TAG_PREFIXES):
                fix = "tag keys must not start with aliyun or acs: (IMS) or rampart: (rampart's marker)"
                errors.setdefault("tag_attributes", {})[index] = [msg(f"{key!r} uses a reserved prefix", fix)]
        if str(data.get("secret_prefix", "")).lower().startswith("acs/"):
            errors["secret_prefix"] = [msg("must not start with acs/", "choose another prefix: KMS reserves acs/")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> CatalogOptions:
        breaker = data.pop("breaker", {})
        if "max_removals" in breaker:
            data["breaker_max_removals"] = breaker["max_removals"]
        if "window" in breaker:
            data["breaker_window"] = breaker["window"]
        return CatalogOptions(**data)


class PolicyRefSchema(StrictSchema):
    type = Choice(PolicyType, required=True)
    name = Text(128, POLICY_NAME, POLICY_RULE, required=True)
    existing = StrictBool()
    """Custom only: the policy is created outside rampart (``rampart init`` leaves it alone)."""

    @validates_schema(skip_on_field_errors=True)
    def _existing_custom_only(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("existing") and data["type"] is not PolicyType.CUSTOM:
            raise ValidationError(
                msg("applies only to Custom policies", "remove it: system policies always exist"), "existing"
            )


class CustomPolicySchema(StrictSchema):
    name = Text(128, POLICY_NAME, POLICY_RULE, required=True)
    document = PolicyDocument(required=True)
    description = Text(MAX_POLICY_DESCRIPTION, min_len=0)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> CustomPolicySpec:
        return CustomPolicySpec(name=data["name"], document=data["document"], description=data.get("description", ""))


class ProfileSchema(StrictSchema):
    description = Text(MAX_POLICY_DESCRIPTION, required=True)
    policies = fields.List(fields.Nested(PolicyRefSchema), load_default=list)
    custom_policies = fields.List(fields.Nested(CustomPolicySchema), load_default=list)
    groups = StringList(Text(64, GROUP_NAME, "letters, digits, . - _ (RAM group names)"), max_items=MAX_GROUPS_PER_USER)
    scope = ScopeField()
    max_duration = Duration(minimum=timedelta(minutes=15))
    approval_required = StrictBool()
    approvers = StringList(Text(128))
    risk = Choice(RiskTier)
    allow_high_risk = StrictBool()
    supersedes = StringList(Text(63, PROFILE_NAME, PROFILE_RULE))


class RuleSchema(StrictSchema):
    name = Text(63, PROFILE_NAME, PROFILE_RULE, required=True)
    when = When(required=True)
    profiles = StringList(Text(63, PROFILE_NAME, PROFILE_RULE))
    access = Choice(AccessMode)


class CatalogSchema(StrictSchema):
    """The top level only; ``rampart.catalog`` checks each profile, rule and the options with
    the schemas above so that their paths can name the profile."""

    version = StrictInt(1, 1)
    options = fields.Raw()
    profiles = fields.Raw(required=True)
    rules = fields.Raw()


def policy_ref(data: Mapping[str, Any]) -> PolicyRef:
    return PolicyRef(data["type"], data["name"])
