"""RAM policies: system and custom, documents, versions and the rules of DeletePolicy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def doc(action: str = "ram:GetUser", resource: str = "*") -> str:
    return json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


def create(ram: Ram, name: str, document: str | None = None, **kw: Any) -> m.CreatePolicyResponseBodyPolicy:
    request = m.CreatePolicyRequest(policy_name=name, policy_document=document or doc(), **kw)
    return ram.create_policy(request).body.policy


def new_version(ram: Ram, name: str, document: str, **kw: Any) -> m.CreatePolicyVersionResponseBodyPolicyVersion:
    request = m.CreatePolicyVersionRequest(policy_name=name, policy_document=document, **kw)
    return ram.create_policy_version(request).body.policy_version


def get(ram: Ram, name: str, policy_type: str = "Custom") -> m.GetPolicyResponseBody:
    return ram.get_policy(m.GetPolicyRequest(policy_name=name, policy_type=policy_type)).body


# --- create / get -----------------------------------------------------------------------


def test_create_policy_returns_a_custom_policy_at_v1(ram: Ram) -> None:
    policy = create(ram, "read-users", description="reads users")
    assert (policy.policy_name, policy.policy_type, policy.default_version) == ("read-users", "Custom", "v1")
    assert policy.description == "reads users"


def test_get_policy_includes_the_default_version_document(ram: Ram) -> None:
    create(ram, "read-users", doc())
    body = get(ram, "read-users")
    assert (body.policy.attachment_count, body.policy.policy_document) == (0, doc())
    version = body.default_policy_version
    assert (version.version_id, version.is_default_version, version.policy_document) == ("v1", True, doc())


def test_system_policies_are_preloaded(ram: Ram) -> None:
    body = get(ram, "AliyunRAMReadOnlyAccess", "System")
    assert body.policy.policy_type == "System" and "ram:List*" in body.default_policy_version.policy_document


def test_duplicate_custom_policy_is_refused(ram: Ram) -> None:
    create(ram, "p")
    expect_error("EntityAlreadyExists.Policy", 409, lambda: create(ram, "p"))


@pytest.mark.parametrize(("name", "code"), [
    ("p" * 129, "InvalidParameter.PolicyName.Length"),
    ("under_score", "InvalidParameter.PolicyName.InvalidChars"),
])
def test_policy_name_rules(ram: Ram, name: str, code: str) -> None:
    expect_error(code, 400, lambda: create(ram, name))


def test_document_longer_than_6144_is_refused(ram: Ram) -> None:
    long_doc = doc(resource="acs:ram:*:*:user/" + "x" * 6144)
    expect_error("InvalidParameter.PolicyDocument.Length", 400, lambda: create(ram, "long", long_doc))


def test_document_of_6144_characters_is_accepted(ram: Ram) -> None:
    base = doc(resource="acs:ram:*:*:user/")
    padded = doc(resource="acs:ram:*:*:user/" + "x" * (6144 - len(base)))
    assert len(padded) == 6144
    create(ram, "exact", padded)


def test_description_longer_than_1024_is_refused(ram: Ram) -> None:
    expect_error("InvalidParameter.Description.Length", 400, lambda: create(ram, "p", description="d" * 1025))


@pytest.mark.parametrize(("document", "detail"), [
    ("{not json", "not valid JSON"),
    (json.dumps({"Version": "2", "Statement": []}), "Version"),
    (json.dumps({"Version": "1", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}), "Effect"),
    (json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*"}]}), "Resource"),
    (json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": "*"}}]}), "Principal"),
])
def test_malformed_document_is_refused_with_the_detail(ram: Ram, document: str, detail: str) -> None:
    with pytest.raises(ClientException) as info:
        create(ram, "bad", document)
    assert (info.value.code, info.value.status_code) == ("MalformedPolicyDocument", 400)
    assert detail in info.value.message


def test_invalid_policy_type_is_refused(ram: Ram) -> None:
    expect_error("InvalidParameter.PolicyType", 400, lambda: get(ram, "p", "Managed"))


def test_unknown_policy_is_not_found(ram: Ram) -> None:
    expect_error("EntityNotExist.Policy", 404, lambda: get(ram, "ghost"))


def test_custom_policy_limit_is_1500(ram: Ram) -> None:
    for i in range(1500):
        create(ram, f"p{i}")
    expect_error("LimitExceeded.Policy", 409, lambda: create(ram, "p1500"))


# --- list / update / delete ---------------------------------------------------------------


def test_list_policies_filters_by_type_and_counts_attachments(ram: Ram) -> None:
    create(ram, "mine")
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    ram.attach_policy_to_user(m.AttachPolicyToUserRequest(user_name="alice", policy_type="Custom", policy_name="mine"))
    custom = ram.list_policies(m.ListPoliciesRequest(policy_type="Custom")).body.policies.policy
    assert [(p.policy_name, p.attachment_count) for p in custom] == [("mine", 1)]
    system = ram.list_policies(m.ListPoliciesRequest(policy_type="System")).body.policies.policy
    assert system and all(p.policy_type == "System" for p in system)


def test_list_policies_pages_with_marker(ram: Ram) -> None:
    for i in range(5):
        create(ram, f"p{i}")
    seen: list[str] = []
    marker = None
    while True:
        body = ram.list_policies(m.ListPoliciesRequest(policy_type="Custom", max_items=2, marker=marker)).body
        seen += [p.policy_name for p in body.policies.policy]
        if not body.is_truncated:
            break
        marker = body.marker
    assert seen == [f"p{i}" for i in range(5)]


def test_list_policies_filters_by_tag(ram: Ram) -> None:
    create(ram, "tagged", tag=[m.CreatePolicyRequestTag(key="team", value="sec")])
    create(ram, "plain")
    found = ram.list_policies(m.ListPoliciesRequest(
        policy_type="Custom", tag=[m.ListPoliciesRequestTag(key="team", value="sec")])).body.policies.policy
    assert [p.policy_name for p in found] == ["tagged"]
    assert [(t.tag_key, t.tag_value) for t in found[0].tags.tag] == [("team", "sec")]


def test_update_policy_description(ram: Ram) -> None:
    create(ram, "p", description="old")
    got = ram.update_policy_description(m.UpdatePolicyDescriptionRequest(
        policy_name="p", new_description="new")).body.policy
    assert got.description == "new" and get(ram, "p").policy.description == "new"


def test_delete_policy_removes_it(ram: Ram) -> None:
    create(ram, "p")
    ram.delete_policy(m.DeletePolicyRequest(policy_name="p"))
    expect_error("EntityNotExist.Policy", 404, lambda: get(ram, "p"))


def test_system_policy_cannot_be_deleted(ram: Ram) -> None:
    expect_error("EntityNotExist.Policy", 404,
                 lambda: ram.delete_policy(m.DeletePolicyRequest(policy_name="AdministratorAccess")))


def test_delete_attached_policy_is_refused_per_entity(ram: Ram) -> None:
    create(ram, "p")
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    ram.create_group(m.CreateGroupRequest(group_name="devs"))
    ram.attach_policy_to_user(m.AttachPolicyToUserRequest(user_name="alice", policy_type="Custom", policy_name="p"))
    ram.attach_policy_to_group(m.AttachPolicyToGroupRequest(group_name="devs", policy_type="Custom", policy_name="p"))
    delete: Callable[[], Any] = lambda: ram.delete_policy(m.DeletePolicyRequest(policy_name="p"))  # noqa: E731
    expect_error("DeleteConflict.Policy.User", 409, delete)
    ram.detach_policy_from_user(m.DetachPolicyFromUserRequest(user_name="alice", policy_type="Custom", policy_name="p"))
    expect_error("DeleteConflict.Policy.Group", 409, delete)
    ram.detach_policy_from_group(m.DetachPolicyFromGroupRequest(group_name="devs", policy_type="Custom",
                                                                policy_name="p"))
    delete()


def test_delete_policy_with_other_versions_needs_cascading(ram: Ram) -> None:
    create(ram, "p")
    new_version(ram, "p", doc("ram:ListUsers"))
    expect_error("DeleteConflict.Policy.Version", 409, lambda: ram.delete_policy(m.DeletePolicyRequest(policy_name="p")))
    ram.delete_policy(m.DeletePolicyRequest(policy_name="p", cascading_delete=True))
    expect_error("EntityNotExist.Policy", 404, lambda: get(ram, "p"))


# --- versions -----------------------------------------------------------------------------


def test_new_version_is_not_default_unless_asked(ram: Ram) -> None:
    create(ram, "p")
    v2 = new_version(ram, "p", doc("ram:ListUsers"))
    v3 = new_version(ram, "p", doc("ram:ListGroups"), set_as_default=True)
    assert (v2.version_id, v2.is_default_version, v3.version_id, v3.is_default_version) == ("v2", False, "v3", True)
    body = get(ram, "p")
    assert body.policy.default_version == "v3" and body.default_policy_version.policy_document == doc("ram:ListGroups")


def test_list_and_get_policy_versions(ram: Ram) -> None:
    create(ram, "p")
    new_version(ram, "p", doc("ram:ListUsers"))
    versions = ram.list_policy_versions(m.ListPolicyVersionsRequest(
        policy_name="p", policy_type="Custom")).body.policy_versions.policy_version
    assert [(v.version_id, v.is_default_version) for v in versions] == [("v1", True), ("v2", False)]
    v2 = ram.get_policy_version(m.GetPolicyVersionRequest(
        policy_name="p", policy_type="Custom", version_id="v2")).body.policy_version
    assert v2.policy_document == doc("ram:ListUsers")


def test_unknown_version_is_not_found_and_bad_id_is_refused(ram: Ram) -> None:
    create(ram, "p")
    request = m.GetPolicyVersionRequest(policy_name="p", policy_type="Custom", version_id="v9")
    expect_error("EntityNotExist.Policy.Version", 404, lambda: ram.get_policy_version(request))
    request.version_id = "nine"
    expect_error("InvalidParameter.VersionId.Format", 400, lambda: ram.get_policy_version(request))


def test_sixth_version_is_refused_without_rotation(ram: Ram) -> None:
    create(ram, "p")
    for i in range(4):
        new_version(ram, "p", doc(f"ram:Get{i}"))
    expect_error("LimitExceeded.Policy.Version", 409, lambda: new_version(ram, "p", doc("ram:Get5")))


def test_rotation_drops_the_oldest_non_default_version(ram: Ram) -> None:
    create(ram, "p")
    for i in range(4):
        new_version(ram, "p", doc(f"ram:Get{i}"))
    v6 = new_version(ram, "p", doc("ram:Get5"), rotate_strategy="DeleteOldestNonDefaultVersionWhenLimitExceeded")
    versions = ram.list_policy_versions(m.ListPolicyVersionsRequest(
        policy_name="p", policy_type="Custom")).body.policy_versions.policy_version
    assert v6.version_id == "v6"
    assert [v.version_id for v in versions] == ["v1", "v3", "v4", "v5", "v6"]


def test_unknown_rotate_strategy_is_refused(ram: Ram) -> None:
    create(ram, "p")
    expect_error("InvalidParameter", 400, lambda: new_version(ram, "p", doc(), rotate_strategy="Sometimes"))


def test_new_version_document_is_validated(ram: Ram) -> None:
    create(ram, "p")
    expect_error("MalformedPolicyDocument", 400, lambda: new_version(ram, "p", "{}"))


def test_default_version_cannot_be_deleted(ram: Ram) -> None:
    create(ram, "p")
    expect_error("DeleteConflict.Policy.Version.Default", 409,
                 lambda: ram.delete_policy_version(m.DeletePolicyVersionRequest(policy_name="p", version_id="v1")))


def test_set_default_then_delete_old_version(ram: Ram) -> None:
    create(ram, "p")
    new_version(ram, "p", doc("ram:ListUsers"))
    ram.set_default_policy_version(m.SetDefaultPolicyVersionRequest(policy_name="p", version_id="v2"))
    ram.delete_policy_version(m.DeletePolicyVersionRequest(policy_name="p", version_id="v1"))
    body = get(ram, "p")
    assert body.policy.default_version == "v2"
    expect_error("EntityNotExist.Policy.Version", 404, lambda: ram.set_default_policy_version(
        m.SetDefaultPolicyVersionRequest(policy_name="p", version_id="v1")))
