"""Bad catalogs: every problem names the file, the path inside it and a fix, and all the
problems of a file are reported together."""

from __future__ import annotations

from typing import Any

import pytest
from rampart.catalog import CatalogErrors, parse_catalog
from rampart.errors import CatalogError

SOURCE = "catalogs/team.yaml"


def problems(data: Any) -> dict[str, tuple[str, str]]:
    """path -> (problem, fix) of every error the catalog has."""
    with pytest.raises(CatalogError) as info:
        parse_catalog(data, SOURCE)
    errors = info.value.errors if isinstance(info.value, CatalogErrors) else (info.value,)
    for error in errors:
        assert error.file == SOURCE
        assert error.problem
    return {error.path: (error.problem, error.fix) for error in errors}


def profile(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"description": "d", "policies": [{"type": "System", "name": "AliyunARMSReadOnlyAccess"}]}
    base.update(fields)
    return base


def catalog(profiles: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"profiles": profiles or {"p": profile()}}
    data.update(extra)
    return data


def admin(**fields: Any) -> dict[str, Any]:
    return profile(policies=[{"type": "System", "name": "AdministratorAccess"}], **fields)


# --- top level ---------------------------------------------------------------------------


def test_not_a_mapping() -> None:
    assert "" in problems(["profiles"])


def test_profiles_required() -> None:
    assert problems({"rules": []})["profiles"] == ("is required", "add it")


def test_profiles_must_not_be_empty() -> None:
    assert "non-empty" in problems({"profiles": {}})["profiles"][0]


def test_unknown_top_level_key_suggests_the_right_one() -> None:
    assert problems(catalog(rulez=[]))["rulez"] == ("is not a known key", "did you mean rules?")


def test_unknown_key_without_a_close_match_lists_allowed() -> None:
    _, fix = problems(catalog(zzzzzz=1))["zzzzzz"]
    assert "allowed: version, options, profiles, rules" in fix


def test_wrong_version() -> None:
    assert problems(catalog(version=2))["version"] == ("must be 1, not 2", "write 1")


def test_all_problems_reported_together() -> None:
    found = problems(catalog({"p": profile(risk="extreme")}, options={"default_access": "both"}, rules="x"))
    assert {"profiles.p.risk", "options.default_access", "rules"} <= set(found)


def test_message_lists_every_problem_with_its_fix() -> None:
    with pytest.raises(CatalogErrors) as info:
        parse_catalog(catalog({"p": profile(risk="extreme")}, options={"default_access": "both"}), SOURCE)
    text = str(info.value)
    assert text.startswith(f"{SOURCE}: 2 problems")
    assert (
        "options.default_access: 'both' is not one of console, programmatic (write one of console, programmatic)"
        in text
    )
    assert "profiles.p.risk:" in text


def test_single_problem_message_is_one_line() -> None:
    with pytest.raises(CatalogErrors) as info:
        parse_catalog(catalog(version=3), SOURCE)
    assert str(info.value) == f"{SOURCE}: version: must be 1, not 3 (write 1)"


# --- options -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "path", "needle"),
    [
        ({"split_access_modes": "yes"}, "options.split_access_modes", "true or false"),
        ({"grace_period": "P1M"}, "options.grace_period", "years or months"),
        ({"grace_period": "thirty days"}, "options.grace_period", "not an ISO 8601 duration"),
        ({"grace_period": -1}, "options.grace_period", "at least"),
        ({"key_rotation_age": "PT1H"}, "options.key_rotation_age", "at least P1D"),
        ({"secret_recovery_window_days": 6}, "options.secret_recovery_window_days", "7 to 30"),
        ({"secret_recovery_window_days": 31}, "options.secret_recovery_window_days", "7 to 30"),
        ({"secret_recovery_window_days": True}, "options.secret_recovery_window_days", "7 to 30"),
        ({"secret_prefix": "acs/rampart"}, "options.secret_prefix", "acs/"),
        ({"secret_prefix": "bad prefix"}, "options.secret_prefix", "not valid"),
        ({"breaker": {"max_removals": 0}}, "options.breaker.max_removals", "1 to 100000"),
        ({"breaker": {"window": "PT10S"}}, "options.breaker.window", "at least PT1M"),
        ({"breaker": {"windw": "PT1H"}}, "options.breaker.windw", "not a known key"),
        ({"tag_attributes": ["rampart:person"]}, "options.tag_attributes[0]", "reserved prefix"),
        ({"tag_attributes": ["aliyun-x"]}, "options.tag_attributes[0]", "reserved prefix"),
        ({"tag_attributes": ["a", "a"]}, "options.tag_attributes[1]", "listed twice"),
        ({"tag_attributes": [f"t{i}" for i in range(9)]}, "options.tag_attributes", "at most 8"),
        ({"default_access": "Console"}, "options.default_access", "not one of"),
        ("fast", "options", "must be a mapping"),
    ],
)
def test_bad_option(options: Any, path: str, needle: str) -> None:
    problem, fix = problems(catalog(options=options))[path]
    assert needle in problem
    assert fix


# --- profiles ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Arms", "arms_readonly", "-arms", "a" * 64, "arms readonly"])
def test_bad_profile_name(name: str) -> None:
    problem, fix = problems(catalog({name: profile()}))[f"profiles.{name}"]
    assert "not a profile name" in problem
    assert "lowercase" in fix


def test_profile_description_required() -> None:
    assert problems(catalog({"p": {"policies": []}}))["profiles.p.description"] == ("is required", "add it")


def test_profile_must_be_a_mapping() -> None:
    assert "mapping" in problems(catalog({"p": "AliyunARMSReadOnlyAccess"}))["profiles.p"][0]


@pytest.mark.parametrize(
    ("ref", "path", "needle"),
    [
        ({"type": "system", "name": "X"}, "profiles.p.policies[0].type", "not one of System, Custom"),
        ({"name": "X"}, "profiles.p.policies[0].type", "is required"),
        ({"type": "System", "name": "a b"}, "profiles.p.policies[0].name", "not valid"),
        ({"type": "System", "name": "x" * 129}, "profiles.p.policies[0].name", "1 to 128"),
        (
            {"type": "System", "name": "AliyunOSSFullAccess", "existing": True},
            "profiles.p.policies[0].existing",
            "only to Custom",
        ),
        ({"type": "System", "name": "X", "scope": "account"}, "profiles.p.policies[0].scope", "not a known key"),
    ],
)
def test_bad_policy_reference(ref: dict[str, Any], path: str, needle: str) -> None:
    assert needle in problems(catalog({"p": profile(policies=[ref])}))[path][0]


def test_policy_listed_twice() -> None:
    ref = {"type": "System", "name": "AliyunARMSReadOnlyAccess"}
    assert "listed twice" in problems(catalog({"p": profile(policies=[ref, ref])}))["profiles.p.policies[1]"][0]


def test_profile_attaching_nothing() -> None:
    assert problems(catalog({"p": profile(policies=[])}))["profiles.p"] == (
        "attaches nothing",
        "add policies or groups",
    )


def test_too_many_system_policies_for_ram() -> None:
    refs = [{"type": "System", "name": f"Policy{i}"} for i in range(21)]
    assert "per user" in problems(catalog({"p": profile(policies=refs)}))["profiles.p.policies"][0]


@pytest.mark.parametrize(
    ("scope", "path"),
    [
        ("global", "profiles.p.scope"),
        ({"resource_group": "armsdemo"}, "profiles.p.scope.resource_group"),
        ({"resource_group": "rg-"}, "profiles.p.scope.resource_group"),
        ({"resourcegroup": "rg-abc"}, "profiles.p.scope"),
    ],
)
def test_bad_scope(scope: Any, path: str) -> None:
    problem, fix = problems(catalog({"p": profile(scope=scope)}))[path]
    assert "scope" in problem or "resource group" in problem
    assert "rg-" in fix


def test_groups_not_allowed_with_resource_group_scope() -> None:
    found = problems(catalog({"p": profile(groups=["ops"], scope={"resource_group": "rg-abc123"})}))
    assert "account-wide" in found["profiles.p.groups"][0]


def test_bad_group_name() -> None:
    assert "not valid" in problems(catalog({"p": profile(groups=["ops team"])}))["profiles.p.groups[0]"][0]


def test_approvers_without_approval_required() -> None:
    _problem, fix = problems(catalog({"p": profile(approvers=["bob"])}))["profiles.p.approvers"]
    assert "approval_required" in fix


def test_max_duration_too_short() -> None:
    assert "at least PT15M" in problems(catalog({"p": profile(max_duration="PT1M")}))["profiles.p.max_duration"][0]


def test_max_duration_number_is_not_days() -> None:
    assert "ISO 8601" in problems(catalog({"p": profile(max_duration=4)}))["profiles.p.max_duration"][0]


# --- custom policies ---------------------------------------------------------------------


def custom(document: Any, name: str = "my-policy") -> dict[str, Any]:
    return profile(
        policies=[{"type": "Custom", "name": name}],
        custom_policies=[{"name": name, "document": document}],
    )


GOOD_STATEMENT = {"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": "acs:arms:*:*:armsapp/*"}
DOC = "profiles.p.custom_policies[0].document"


@pytest.mark.parametrize(
    ("document", "path", "needle"),
    [
        ({"Version": 1, "Statement": [GOOD_STATEMENT]}, f"{DOC}.Version", 'the string "1"'),
        ({"Version": "1"}, f"{DOC}.Statement", "non-empty list"),
        ({"Version": "1", "Statement": []}, f"{DOC}.Statement", "non-empty list"),
        ({"Version": "1", "Statement": [GOOD_STATEMENT], "Id": "x"}, f"{DOC}.Id", "not a policy element"),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Effect": "allow"}]},
            f"{DOC}.Statement[0].Effect",
            "Allow or Deny",
        ),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Action": "ReadTraceApp"}]},
            f"{DOC}.Statement[0].Action",
            "<service>:<action>",
        ),
        ({"Version": "1", "Statement": [{**GOOD_STATEMENT, "Action": []}]}, f"{DOC}.Statement[0].Action", "non-empty"),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Resource": "armsapp/*"}]},
            f"{DOC}.Statement[0].Resource",
            "not an ARN",
        ),
        ({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "a:b"}]}, f"{DOC}.Statement[0]", "Resource"),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Principal": "*"}]},
            f"{DOC}.Statement[0].Principal",
            "not a statement element",
        ),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Condition": {"Before": {"acs:CurrentTime": "x"}}}]},
            f"{DOC}.Statement[0].Condition.Before",
            "condition operator",
        ),
        ({"Version": "1", "Statement": ["Allow"]}, f"{DOC}.Statement[0]", "must be an object"),
        ('{"Version": "1", "Statement": [', DOC, "not valid JSON"),
        ("[]", DOC, "policy document object"),
        (
            {"Version": "1", "Statement": [{**GOOD_STATEMENT, "Resource": ["acs:arms:*:*:armsapp/" + "x" * 6200]}]},
            DOC,
            "6144",
        ),
    ],
)
def test_bad_policy_document(document: Any, path: str, needle: str) -> None:
    problem, fix = problems(catalog({"p": custom(document)}))[path]
    assert needle in problem
    assert fix


def test_condition_with_if_exists_operator_is_accepted() -> None:
    statement = {**GOOD_STATEMENT, "Condition": {"DateLessThanIfExists": {"acs:CurrentTime": "2030-01-01T00:00:00Z"}}}
    parse_catalog(catalog({"p": custom({"Version": "1", "Statement": [statement]})}))


def test_yaml_date_in_condition_explains_quoting() -> None:
    import datetime as dt

    statement = {**GOOD_STATEMENT, "Condition": {"DateLessThan": {"acs:CurrentTime": dt.datetime(2030, 1, 1)}}}
    _problem, fix = problems(catalog({"p": custom({"Version": "1", "Statement": [statement]})}))[DOC]
    assert "quote" in fix


def test_custom_policy_not_defined() -> None:
    found = problems(catalog({"p": profile(policies=[{"type": "Custom", "name": "ghost"}])}))
    problem, fix = found["profiles.p.policies[0]"]
    assert "not defined" in problem
    assert "existing: true" in fix


def test_custom_policy_defined_but_not_attached() -> None:
    data = profile(custom_policies=[{"name": "orphan", "document": {"Version": "1", "Statement": [GOOD_STATEMENT]}}])
    problem, _ = problems(catalog({"p": data}))["profiles.p.custom_policies[0].name"]
    assert "no profile attaches it" in problem


def test_custom_policy_defined_twice() -> None:
    found = problems(
        catalog(
            {
                "p": custom({"Version": "1", "Statement": [GOOD_STATEMENT]}),
                "q": custom({"Version": "1", "Statement": [GOOD_STATEMENT]}),
            }
        )
    )
    assert "already defined at profiles.p" in found["profiles.q.custom_policies[0].name"][0]


def test_defined_custom_policy_marked_existing() -> None:
    data = custom({"Version": "1", "Statement": [GOOD_STATEMENT]})
    data["policies"][0]["existing"] = True
    assert problems(catalog({"p": data}))["profiles.p.policies[0].existing"][1] == "remove existing: true"


def test_custom_policy_name_rule() -> None:
    data = profile(policies=[{"type": "Custom", "name": "bad_name", "existing": True}])
    assert "letters, digits and -" in problems(catalog({"p": data}))["profiles.p.policies[0].name"][1]


# --- high risk ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        "AdministratorAccess",
        "AliyunRAMFullAccess",
        "AliyunSTSAssumeRoleAccess",
        "AliyunResourceManagerFullAccess",
        "AliyunResourceDirectoryFullAccess",
        "AliyunKMSFullAccess",
        "AliyunActionTrailFullAccess",
        "AliyunLogFullAccess",
    ],
)
def test_high_risk_policy_refused_without_allow(policy: str) -> None:
    data = profile(policies=[{"type": "System", "name": policy}], risk="high", max_duration="PT1H")
    problem, fix = problems(catalog({"p": data}))["profiles.p.policies[0]"]
    assert problem == f"System:{policy} is a high-risk policy, refused unless the profile allows it"
    assert "allow_high_risk: true" in fix
    assert "max_duration" in fix


def test_high_risk_allowed_still_needs_max_duration() -> None:
    problem, fix = problems(catalog({"p": admin(allow_high_risk=True, risk="high")}))["profiles.p.max_duration"]
    assert "time-bound" in problem
    assert "PT4H" in fix


def test_high_risk_profile_must_be_risk_high() -> None:
    found = problems(catalog({"p": admin(allow_high_risk=True, max_duration="PT4H", risk="medium")}))
    assert found["profiles.p.risk"] == (
        "System:AdministratorAccess is a high-risk policy, but the profile's risk is medium",
        "set risk: high",
    )


def test_high_risk_default_risk_is_low_and_refused() -> None:
    assert (
        "risk is low"
        in problems(catalog({"p": admin(allow_high_risk=True, max_duration="PT4H")}))["profiles.p.risk"][0]
    )


def test_high_risk_profile_with_allow_and_duration_accepted() -> None:
    parsed = parse_catalog(catalog({"p": admin(allow_high_risk=True, max_duration="PT4H", risk="high")}))
    assert parsed.profiles["p"].allow_high_risk


def test_custom_policy_allowing_everything_is_high_risk() -> None:
    document = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert "high-risk" in problems(catalog({"p": custom(document)}))["profiles.p.policies[0]"][0]


def test_custom_policy_with_ram_wildcard_is_high_risk() -> None:
    document = {
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": ["ecs:Describe*", "ram:*"], "Resource": "*"}],
    }
    assert "high-risk" in problems(catalog({"p": custom(document)}))["profiles.p.policies[0]"][0]


def test_custom_policy_deny_wildcard_is_not_high_risk() -> None:
    document = {"Version": "1", "Statement": [GOOD_STATEMENT, {"Effect": "Deny", "Action": "ram:*", "Resource": "*"}]}
    parse_catalog(catalog({"p": custom(document)}))


# --- supersedes and rules ----------------------------------------------------------------


def test_supersedes_unknown_profile() -> None:
    problem, fix = problems(catalog({"p": profile(supersedes=["ghost"])}))["profiles.p.supersedes[0]"]
    assert "unknown profile 'ghost'" in problem
    assert "p" in fix


def test_supersedes_itself() -> None:
    found = problems(catalog({"p": profile(supersedes=["p"])}))
    assert found["profiles.p.supersedes[0]"][0] == "a profile cannot supersede itself"
    assert "profiles.p.supersedes" not in found  # not reported again as a cycle


def test_supersedes_cycle_reported_once() -> None:
    found = problems(
        catalog({"a": profile(supersedes=["b"]), "b": profile(supersedes=["c"]), "c": profile(supersedes=["a"])})
    )
    cycles = [path for path, (problem, _) in found.items() if "cycle" in problem]
    assert len(cycles) == 1
    assert "a > b > c > a" in found[cycles[0]][0]


def test_rule_names_unknown_profile() -> None:
    rules = [{"name": "r", "when": {"department": "x"}, "profiles": ["ghost"]}]
    problem, fix = problems(catalog(rules=rules))["rules[0].profiles[0]"]
    assert "unknown profile 'ghost'" in problem
    assert fix == "use one of: p"


def test_rule_may_not_grant_time_bound_profile() -> None:
    rules = [{"name": "r", "when": {}, "profiles": ["p"]}]
    problem, fix = problems(catalog({"p": profile(max_duration="PT8H")}, rules=rules))["rules[0].profiles[0]"]
    assert "time-bound only" in problem
    assert "--until" in fix


def test_rule_may_not_grant_break_glass() -> None:
    rules = [{"name": "r", "when": {"title": "CTO"}, "profiles": ["p"]}]
    found = problems(catalog({"p": admin(allow_high_risk=True, max_duration="PT4H", risk="high")}, rules=rules))
    assert "time-bound only" in found["rules[0].profiles[0]"][0]


@pytest.mark.parametrize(
    ("rule", "path", "needle"),
    [
        ({"when": {}, "profiles": ["p"]}, "rules[0].name", "is required"),
        ({"name": "r", "profiles": ["p"]}, "rules[0].when", "is required"),
        ({"name": "r", "when": "everyone", "profiles": ["p"]}, "rules[0].when", "mapping"),
        (
            {"name": "r", "when": {"location": False}, "profiles": ["p"]},
            "rules[0].when.location",
            "False must be a string",
        ),
        ({"name": "r", "when": {"cost_center": 4711}, "profiles": ["p"]}, "rules[0].when.cost_center", "4711"),
        ({"name": "r", "when": {"x": []}, "profiles": ["p"]}, "rules[0].when.x", "non-empty"),
        ({"name": "r", "when": {"1x": "a"}, "profiles": ["p"]}, "rules[0].when.1x", "not an attribute name"),
        ({"name": "r", "when": {}}, "rules[0]", "no profile"),
        ({"name": "r", "when": {}, "profiles": ["p"], "access": "both"}, "rules[0].access", "not one of"),
        ({"name": "r", "when": {}, "profile": ["p"]}, "rules[0].profile", "not a known key"),
        ("r", "rules[0]", "mapping"),
    ],
)
def test_bad_rule(rule: Any, path: str, needle: str) -> None:
    problem, fix = problems(catalog(rules=[rule]))[path]
    assert needle in problem
    assert fix


def test_yaml_boolean_rule_value_fix_mentions_quoting() -> None:
    _, fix = problems(catalog(rules=[{"name": "r", "when": {"location": False}, "profiles": ["p"]}]))[
        "rules[0].when.location"
    ]
    assert "quote" in fix


def test_duplicate_rule_names() -> None:
    rules = [{"name": "r", "when": {}, "profiles": ["p"]}, {"name": "r", "when": {}, "profiles": ["p"]}]
    assert "used twice" in problems(catalog(rules=rules))["rules[1].name"][0]


def test_rules_must_be_a_list() -> None:
    assert problems(catalog(rules={"name": "r"}))["rules"][0] == "must be a list of rules"
