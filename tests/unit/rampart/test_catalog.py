"""The catalog loads (YAML and JSON), the shipped example is the ARMS guide's, and rules and
supersedes resolve as documented."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rampart.catalog import (
    CatalogErrors,
    custom_policies,
    get_profile,
    load_catalog,
    parse_catalog,
    profiles_for,
    resolve_supersedes,
    superseded_by,
)
from rampart.config import EXAMPLE_CATALOG
from rampart.errors import CatalogError, UnknownProfile
from rampart.model import AccessMode, Catalog, CatalogOptions, PolicyRef, PolicyType, RiskTier, Scope

READONLY = PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")


@pytest.fixture(scope="module")
def example() -> Catalog:
    return load_catalog(EXAMPLE_CATALOG)


def minimal(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "profiles": {
            "arms-readonly": {
                "description": "read",
                "policies": [{"type": "System", "name": "AliyunARMSReadOnlyAccess"}],
            },
            "arms-full": {
                "description": "full",
                "policies": [{"type": "System", "name": "AliyunARMSFullAccess"}],
                "supersedes": ["arms-readonly"],
            },
        },
    }
    data.update(extra)
    return data


# --- the shipped example -----------------------------------------------------------------


def test_example_catalog_is_the_default_catalog_path() -> None:
    assert EXAMPLE_CATALOG.name == "example.yaml"
    assert EXAMPLE_CATALOG.is_file()


def test_example_has_the_arms_profiles_and_break_glass(example: Catalog) -> None:
    assert set(example.profiles) == {"arms-readonly", "arms-full", "arms-readonly-rg", "break-glass-admin"}


def test_example_arms_readonly_is_account_scoped_read_only(example: Catalog) -> None:
    profile = example.profiles["arms-readonly"]
    assert profile.policies == (READONLY,)
    assert profile.scope == Scope()
    assert profile.supersedes == ()


def test_example_arms_full_supersedes_readonly_and_needs_approval(example: Catalog) -> None:
    profile = example.profiles["arms-full"]
    assert profile.policies == (PolicyRef(PolicyType.SYSTEM, "AliyunARMSFullAccess"),)
    assert profile.supersedes == ("arms-readonly",)
    assert profile.approval_required is True
    assert profile.scope.is_account


def test_example_arms_readonly_rg_adds_the_readtraceapp_custom_policy(example: Catalog) -> None:
    profile = example.profiles["arms-readonly-rg"]
    assert profile.policies == (READONLY, PolicyRef(PolicyType.CUSTOM, "rampart-arms-readtraceapp"))
    assert profile.scope.resource_group_id is not None
    assert profile.scope.resource_group_id.startswith("rg-")
    (spec,) = profile.custom_policies
    assert spec.name == "rampart-arms-readtraceapp"
    document = json.loads(spec.document)
    assert document == {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": ["arms:ReadTraceApp"], "Resource": ["acs:arms:*:*:armsapp/*"]}],
    }


def test_example_break_glass_is_high_risk_time_bound_and_approved(example: Catalog) -> None:
    profile = example.profiles["break-glass-admin"]
    assert profile.policies == (PolicyRef(PolicyType.SYSTEM, "AdministratorAccess"),)
    assert profile.allow_high_risk is True
    assert profile.max_duration == timedelta(hours=4)
    assert profile.approval_required is True
    assert profile.approvers == ("security-oncall", "cto")
    assert profile.risk is RiskTier.HIGH


def test_example_options(example: Catalog) -> None:
    options = example.options
    assert options.split_access_modes is False
    assert options.grace_period == timedelta(days=30)
    assert options.breaker_max_removals == 20
    assert options.breaker_window == timedelta(hours=1)
    assert options.tag_attributes == ("department", "cost_center")


def test_example_source_names_the_file(example: Catalog) -> None:
    assert example.source == str(EXAMPLE_CATALOG)


def test_example_custom_policies_listed_once(example: Catalog) -> None:
    assert [spec.name for spec in custom_policies(example)] == ["rampart-arms-readtraceapp"]


# --- rules -------------------------------------------------------------------------------


def test_engineering_gets_arms_readonly(example: Catalog) -> None:
    assert profiles_for(example, {"department": "Engineering"}) == (frozenset({"arms-readonly"}), None)


def test_rules_compare_names_and_values_case_insensitively(example: Catalog) -> None:
    profiles, _ = profiles_for(example, {"Department": " engineering "})
    assert profiles == {"arms-readonly"}


def test_sre_matches_two_rules_and_supersedes_drops_readonly(example: Catalog) -> None:
    profiles, _ = profiles_for(example, {"department": "Engineering", "title": "site reliability engineer"})
    assert profiles == {"arms-readonly", "arms-full"}
    assert resolve_supersedes(example, profiles) == {"arms-full"}


def test_rule_with_all_keys_requires_all_to_match(example: Catalog) -> None:
    profiles, _ = profiles_for(example, {"title": "SRE"})
    assert profiles == frozenset()


def test_no_match_gives_nothing(example: Catalog) -> None:
    assert profiles_for(example, {}) == (frozenset(), None)


def test_access_from_matching_rule(example: Catalog) -> None:
    assert profiles_for(example, {"employment_type": "Service-Account"}) == (frozenset(), AccessMode.PROGRAMMATIC)


def test_first_matching_rule_that_sets_access_wins() -> None:
    data = minimal(
        rules=[
            {"name": "a", "when": {"department": "x"}, "profiles": ["arms-readonly"]},
            {"name": "b", "when": {"department": "x"}, "access": "programmatic"},
            {"name": "c", "when": {}, "access": "console"},
        ]
    )
    catalog = parse_catalog(data)
    assert profiles_for(catalog, {"department": "X"}) == (frozenset({"arms-readonly"}), AccessMode.PROGRAMMATIC)
    assert profiles_for(catalog, {"department": "y"}) == (frozenset(), AccessMode.CONSOLE)


def test_rule_value_list_matches_any() -> None:
    catalog = parse_catalog(
        minimal(rules=[{"name": "a", "when": {"location": ["NO", "SE"]}, "profiles": ["arms-readonly"]}])
    )
    assert profiles_for(catalog, {"location": "se"})[0] == {"arms-readonly"}
    assert profiles_for(catalog, {"location": "dk"})[0] == frozenset()


# --- supersedes --------------------------------------------------------------------------


def test_supersedes_is_transitive() -> None:
    data = minimal()
    data["profiles"]["arms-admin"] = {
        "description": "admin",
        "policies": [{"type": "System", "name": "AliyunARMSFullAccess"}],
        "supersedes": ["arms-full"],
    }
    catalog = parse_catalog(data)
    assert superseded_by(catalog, "arms-admin") == {"arms-full", "arms-readonly"}
    assert resolve_supersedes(catalog, {"arms-admin", "arms-readonly"}) == {"arms-admin"}


def test_resolve_supersedes_keeps_unrelated_and_unknown_profiles(example: Catalog) -> None:
    assert resolve_supersedes(example, {"arms-readonly", "arms-readonly-rg", "gone"}) == {
        "arms-readonly",
        "arms-readonly-rg",
        "gone",
    }


def test_resolve_supersedes_of_nothing_is_nothing(example: Catalog) -> None:
    assert resolve_supersedes(example, []) == frozenset()


# --- loading -----------------------------------------------------------------------------


def test_json_catalog_loads_the_same_as_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE_CATALOG.read_text())
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    from_json = load_catalog(path)
    from_yaml = load_catalog(EXAMPLE_CATALOG)
    assert from_json.profiles == from_yaml.profiles
    assert from_json.rules == from_yaml.rules
    assert from_json.options == from_yaml.options


def test_options_default_when_absent() -> None:
    assert parse_catalog(minimal()).options == CatalogOptions()


def test_rules_default_to_none() -> None:
    assert parse_catalog(minimal()).rules == ()


def test_grace_period_accepts_days_as_a_number() -> None:
    catalog = parse_catalog(minimal(options={"grace_period": 14, "key_rotation_age": "P12W"}))
    assert catalog.options.grace_period == timedelta(days=14)
    assert catalog.options.key_rotation_age == timedelta(weeks=12)


def test_policy_document_as_json_string_is_stored_compact() -> None:
    data = minimal()
    data["profiles"]["custom"] = {
        "description": "c",
        "policies": [{"type": "Custom", "name": "my-policy"}],
        "custom_policies": [
            {
                "name": "my-policy",
                "document": '{ "Version": "1", "Statement": [ {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"} ] }',
            }
        ],
    }
    spec = parse_catalog(data).profiles["custom"].custom_policies[0]
    assert spec.document == '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}'


def test_existing_custom_policy_needs_no_definition() -> None:
    data = minimal()
    data["profiles"]["custom"] = {
        "description": "c",
        "policies": [{"type": "Custom", "name": "made-by-hand", "existing": True}],
    }
    catalog = parse_catalog(data)
    assert catalog.profiles["custom"].policies == (PolicyRef(PolicyType.CUSTOM, "made-by-hand"),)
    assert custom_policies(catalog) == ()


def test_custom_policy_defined_in_one_profile_attached_by_another() -> None:
    data = minimal()
    data["profiles"]["a"] = {
        "description": "a",
        "policies": [{"type": "Custom", "name": "shared"}],
        "custom_policies": [
            {
                "name": "shared",
                "document": {
                    "Version": "1",
                    "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}],
                },
            }
        ],
    }
    data["profiles"]["b"] = {"description": "b", "policies": [{"type": "Custom", "name": "shared"}]}
    catalog = parse_catalog(data)
    assert catalog.profiles["b"].custom_policies == ()


def test_get_profile_unknown_lists_known(example: Catalog) -> None:
    with pytest.raises(UnknownProfile, match="arms-full, arms-readonly"):
        get_profile(example, "nope")
    assert get_profile(example, "arms-full").name == "arms-full"


def test_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="RAMPART_CATALOG") as info:
        load_catalog(tmp_path / "missing.yaml")
    assert info.value.file.endswith("missing.yaml")


def test_unknown_extension_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text("x = 1")
    with pytest.raises(CatalogError, match=r"\.yaml, \.yml or \.json"):
        load_catalog(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("profiles:\n  a: [unclosed\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.path.startswith("line ")
    assert "not valid YAML" in info.value.problem


def test_yaml_duplicate_key_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("profiles:\n  a: {description: x}\n  a: {description: y}\n")
    with pytest.raises(CatalogError, match="given twice") as info:
        load_catalog(path)
    assert info.value.path == "line 3"


def test_json_duplicate_key_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text('{"profiles": {}, "profiles": {}}')
    with pytest.raises(CatalogError, match="given twice"):
        load_catalog(path)


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text('{\n"profiles": \n}')
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.path == "line 3"


def test_oversized_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(CatalogError, match="bytes"):
        load_catalog(path)


def test_empty_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("")
    with pytest.raises(CatalogError, match="profiles"):
        load_catalog(path)


def test_errors_are_catalog_errors_with_exit_code_2() -> None:
    with pytest.raises(CatalogErrors) as info:
        parse_catalog({"profiles": {"a": {}}}, "x.yaml")
    assert isinstance(info.value, CatalogError)
    assert info.value.exit_code == 2
