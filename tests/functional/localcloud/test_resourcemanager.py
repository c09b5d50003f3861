"""ResourceManager (2020-03-31) through the official SDK: resource groups and policy attachments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser


def _error(call: Callable[[], Any]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _create_group(rm: Any, name: str = "project-a", display_name: str = "Project A", **kwargs: Any) -> Any:
    request = rm_models.CreateResourceGroupRequest(name=name, display_name=display_name, **kwargs)
    return rm.create_resource_group(request).body.resource_group


def _user(ram: Any, name: str = "alice") -> str:
    ram.create_user(ram_models.CreateUserRequest(user_name=name))
    return name


def _principal(cloud: LocalCloud, user: str) -> str:
    return f"{user}@{cloud.account.alias}.onaliyun.com"


def _attach(rm: Any, principal_name: str, scope: str, *, policy: str = "AliyunRAMReadOnlyAccess",
            policy_type: str = "System", principal_type: str = "IMSUser") -> None:
    rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type=policy_type, policy_name=policy, principal_type=principal_type,
        principal_name=principal_name, resource_group_id=scope,
    ))


def _attachments(rm: Any, **filters: Any) -> Any:
    return rm.list_policy_attachments(rm_models.ListPolicyAttachmentsRequest(**filters)).body


# --- CreateResourceGroup -----------------------------------------------------------------


def test_create_resource_group_returns_an_rg_id_and_the_creating_status(cloud: LocalCloud, rm: Any) -> None:
    group = _create_group(rm)
    assert group.id.startswith("rg-") and len(group.id) == 18
    assert (group.name, group.display_name, group.status) == ("project-a", "Project A", "Creating")
    assert group.account_id == cloud.account.account_id
    assert group.region_statuses.region_status[0].region_id == cloud.account.region
    assert group.create_date.endswith("Z")


def test_get_resource_group_reports_ok_after_creation(rm: Any) -> None:
    created = _create_group(rm)
    got = rm.get_resource_group(rm_models.GetResourceGroupRequest(resource_group_id=created.id)).body
    assert (got.resource_group.id, got.resource_group.status) == (created.id, "OK")
    assert got.resource_group.tags is None


def test_get_resource_group_with_include_tags_returns_the_tags(rm: Any) -> None:
    tag = rm_models.CreateResourceGroupRequestTag(key="team", value="sec")
    created = _create_group(rm, tag=[tag])
    got = rm.get_resource_group(
        rm_models.GetResourceGroupRequest(resource_group_id=created.id, include_tags=True)
    ).body.resource_group
    assert [(t.tag_key, t.tag_value) for t in got.tags.tag] == [("team", "sec")]


@pytest.mark.parametrize(("name", "display_name", "code"), [
    (None, "x", "MissingParameter.Name"),
    ("project", None, "MissingParameter.DisplayName"),
    ("p", "x", "InvalidParameter.Name.Length"),
    ("p" * 51, "x", "InvalidParameter.Name.Length"),
    ("1project", "x", "InvalidParameter.Name.InvalidChars"),
    ("my_project", "x", "InvalidParameter.Name.InvalidChars"),
    ("project", "d" * 51, "InvalidParameter.DisplayName.Length"),
])
def test_create_resource_group_rejects_bad_names(rm: Any, name: str | None, display_name: str | None,
                                                  code: str) -> None:
    error = _error(lambda: rm.create_resource_group(
        rm_models.CreateResourceGroupRequest(name=name, display_name=display_name)))
    assert (error.code, error.status_code) == (code, 400)


def test_create_resource_group_accepts_fifty_character_names(rm: Any) -> None:
    assert _create_group(rm, name="p" * 50, display_name="d" * 50).name == "p" * 50


def test_create_resource_group_rejects_a_duplicate_name(rm: Any) -> None:
    _create_group(rm)
    error = _error(lambda: _create_group(rm, display_name="other"))
    assert (error.code, error.status_code) == ("EntityAlreadyExists.ResourceGroup", 409)


def test_create_resource_group_stops_at_thirty_groups(rm: Any) -> None:
    for n in range(30):
        _create_group(rm, name=f"group-{n}")
    error = _error(lambda: _create_group(rm, name="group-30"))
    assert (error.code, error.status_code) == ("LimitExceeded.ResourceGroup", 409)


@pytest.mark.parametrize(("key", "value", "code"), [
    ("aliyun-team", "x", "InvalidParameter.TagKey"),
    ("acs:team", "x", "InvalidParameter.TagKey"),
    ("k" * 129, "x", "InvalidParameter.TagKey"),
    ("team", "https://example.com", "InvalidParameter.TagValue"),
    ("team", "v" * 129, "InvalidParameter.TagValue"),
])
def test_create_resource_group_rejects_bad_tags(rm: Any, key: str, value: str, code: str) -> None:
    tag = rm_models.CreateResourceGroupRequestTag(key=key, value=value)
    error = _error(lambda: _create_group(rm, tag=[tag]))
    assert (error.code, error.status_code) == (code, 400)


# --- GetResourceGroup / UpdateResourceGroup / DeleteResourceGroup ------------------------


def test_get_resource_group_of_an_unknown_id_is_entity_not_exists(rm: Any) -> None:
    error = _error(lambda: rm.get_resource_group(rm_models.GetResourceGroupRequest(resource_group_id="rg-nothere")))
    assert (error.code, error.status_code) == ("EntityNotExists.ResourceGroup", 404)


def test_get_resource_group_of_a_malformed_id_is_invalid_parameter(rm: Any) -> None:
    error = _error(lambda: rm.get_resource_group(rm_models.GetResourceGroupRequest(resource_group_id="group-1")))
    assert (error.code, error.status_code) == ("InvalidParameter.ResourceGroupId", 400)


def test_update_resource_group_changes_the_display_name(rm: Any) -> None:
    group = _create_group(rm)
    updated = rm.update_resource_group(
        rm_models.UpdateResourceGroupRequest(resource_group_id=group.id, new_display_name="Renamed")
    ).body.resource_group
    assert (updated.id, updated.name, updated.display_name) == (group.id, "project-a", "Renamed")
    got = rm.get_resource_group(rm_models.GetResourceGroupRequest(resource_group_id=group.id)).body
    assert got.resource_group.display_name == "Renamed"


def test_update_resource_group_rejects_a_long_display_name(rm: Any) -> None:
    group = _create_group(rm)
    error = _error(lambda: rm.update_resource_group(
        rm_models.UpdateResourceGroupRequest(resource_group_id=group.id, new_display_name="d" * 51)))
    assert (error.code, error.status_code) == ("InvalidParameter.DisplayName.Length", 400)


def test_update_resource_group_of_an_unknown_id_is_entity_not_exists(rm: Any) -> None:
    error = _error(lambda: rm.update_resource_group(
        rm_models.UpdateResourceGroupRequest(resource_group_id="rg-nothere", new_display_name="x")))
    assert (error.code, error.status_code) == ("EntityNotExists.ResourceGroup", 404)


def test_delete_resource_group_answers_pending_delete_and_forgets_the_group(rm: Any) -> None:
    group = _create_group(rm)
    deleted = rm.delete_resource_group(rm_models.DeleteResourceGroupRequest(resource_group_id=group.id)).body
    assert (deleted.resource_group.id, deleted.resource_group.status) == (group.id, "PendingDelete")
    error = _error(lambda: rm.get_resource_group(rm_models.GetResourceGroupRequest(resource_group_id=group.id)))
    assert error.code == "EntityNotExists.ResourceGroup"


def test_delete_resource_group_holding_a_resource_is_a_conflict(cloud: LocalCloud, rm: Any) -> None:
    group = _create_group(rm)
    cloud.add_resource_to_group("acs:arms:cn-hangzhou:*:armsapp/shop", group.id)
    error = _error(lambda: rm.delete_resource_group(rm_models.DeleteResourceGroupRequest(resource_group_id=group.id)))
    assert (error.code, error.status_code) == ("DeleteConflict.ResourceGroup.Resource", 409)


def test_delete_resource_group_with_grants_in_its_scope_is_a_conflict(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    group = _create_group(rm)
    _attach(rm, _principal(cloud, _user(ram)), group.id)
    error = _error(lambda: rm.delete_resource_group(rm_models.DeleteResourceGroupRequest(resource_group_id=group.id)))
    assert (error.code, error.status_code) == ("DeleteConflict.ResourceGroup.PolicyAttachment", 409)


def test_delete_resource_group_of_an_unknown_id_is_entity_not_exists(rm: Any) -> None:
    error = _error(lambda: rm.delete_resource_group(rm_models.DeleteResourceGroupRequest(resource_group_id="rg-x")))
    assert (error.code, error.status_code) == ("EntityNotExists.ResourceGroup", 404)


# --- ListResourceGroups ------------------------------------------------------------------


def test_list_resource_groups_pages_ten_by_default(rm: Any) -> None:
    for n in range(12):
        _create_group(rm, name=f"group-{n:02d}")
    first = rm.list_resource_groups(rm_models.ListResourceGroupsRequest()).body
    second = rm.list_resource_groups(rm_models.ListResourceGroupsRequest(page_number=2)).body
    assert (first.total_count, first.page_number, first.page_size) == (12, 1, 10)
    assert [g.name for g in first.resource_groups.resource_group] == [f"group-{n:02d}" for n in range(10)]
    assert [g.name for g in second.resource_groups.resource_group] == ["group-10", "group-11"]


@pytest.mark.parametrize("request_args", [{"page_size": 101}, {"page_size": 0}, {"page_number": 0}])
def test_list_resource_groups_rejects_out_of_range_paging(rm: Any, request_args: dict[str, int]) -> None:
    error = _error(lambda: rm.list_resource_groups(rm_models.ListResourceGroupsRequest(**request_args)))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_list_resource_groups_filters_name_and_display_name_fuzzily(rm: Any) -> None:
    _create_group(rm, name="web-prod", display_name="Web production")
    _create_group(rm, name="web-test", display_name="Web testing")
    _create_group(rm, name="db-prod", display_name="Database production")
    by_name = rm.list_resource_groups(rm_models.ListResourceGroupsRequest(name="web")).body
    by_display = rm.list_resource_groups(rm_models.ListResourceGroupsRequest(display_name="production")).body
    assert [g.name for g in by_name.resource_groups.resource_group] == ["web-prod", "web-test"]
    assert [g.name for g in by_display.resource_groups.resource_group] == ["web-prod", "db-prod"]


def test_list_resource_groups_filters_by_ids(rm: Any) -> None:
    a, _, c = (_create_group(rm, name=n) for n in ("group-a", "group-b", "group-c"))
    listed = rm.list_resource_groups(rm_models.ListResourceGroupsRequest(resource_group_ids=[a.id, c.id])).body
    assert [g.id for g in listed.resource_groups.resource_group] == [a.id, c.id]


def test_list_resource_groups_filters_by_tag_and_returns_tags(rm: Any) -> None:
    _create_group(rm, name="tagged", tag=[rm_models.CreateResourceGroupRequestTag(key="env", value="prod")])
    _create_group(rm, name="untagged")
    listed = rm.list_resource_groups(rm_models.ListResourceGroupsRequest(
        tag=[rm_models.ListResourceGroupsRequestTag(key="env", value="prod")])).body
    groups = listed.resource_groups.resource_group
    assert [g.name for g in groups] == ["tagged"]
    assert [(t.tag_key, t.tag_value) for t in groups[0].tags.tag] == [("env", "prod")]


# --- AttachPolicy ------------------------------------------------------------------------


def test_attach_policy_at_account_scope_is_listed(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    principal = _principal(cloud, _user(ram))
    _attach(rm, principal, cloud.account.account_id)
    body = _attachments(rm)
    [record] = body.policy_attachments.policy_attachment
    assert (record.policy_name, record.policy_type, record.principal_name, record.principal_type) == (
        "AliyunRAMReadOnlyAccess", "System", principal, "IMSUser")
    assert record.resource_group_id == cloud.account.account_id
    assert record.description and record.attach_date.endswith("Z")
    assert (body.total_count, body.page_number, body.page_size) == (1, 1, 10)


def test_attach_policy_at_resource_group_scope_is_listed(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    group = _create_group(rm)
    _attach(rm, _principal(cloud, _user(ram)), group.id)
    [record] = _attachments(rm, resource_group_id=group.id).policy_attachments.policy_attachment
    assert record.resource_group_id == group.id


def test_attach_policy_to_a_group_principal(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    ram.create_group(ram_models.CreateGroupRequest(group_name="auditors"))
    principal = f"auditors@group.{cloud.account.alias}.onaliyun.com"
    _attach(rm, principal, cloud.account.account_id, principal_type="IMSGroup")
    [record] = _attachments(rm, principal_type="IMSGroup").policy_attachments.policy_attachment
    assert record.principal_name == principal


def test_attach_policy_to_a_role_principal(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    trust = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::%s:root"]}}]}'
    ram.create_role(ram_models.CreateRoleRequest(
        role_name="rampart-fc", assume_role_policy_document=trust % cloud.account.account_id))
    principal = f"rampart-fc@role.{cloud.account.alias}.onaliyunservice.com"
    _attach(rm, principal, cloud.account.account_id, principal_type="ServiceRole")
    [record] = _attachments(rm, principal_type="ServiceRole").policy_attachments.policy_attachment
    assert record.principal_name == principal


def test_attach_policy_accepts_a_custom_policy(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    document = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"arms:ReadTraceApp","Resource":"*"}]}'
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="arms-read", policy_document=document))
    _attach(rm, _principal(cloud, _user(ram)), cloud.account.account_id, policy="arms-read", policy_type="Custom")
    [record] = _attachments(rm, policy_type="Custom").policy_attachments.policy_attachment
    assert record.policy_name == "arms-read"


def test_attach_policy_twice_in_one_scope_is_already_exists(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    principal = _principal(cloud, _user(ram))
    _attach(rm, principal, cloud.account.account_id)
    error = _error(lambda: _attach(rm, principal, cloud.account.account_id))
    assert (error.code, error.status_code) == ("EntityAlreadyExists.User.Policy", 409)


def test_attach_policy_in_two_scopes_gives_two_records(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    principal = _principal(cloud, _user(ram))
    group = _create_group(rm)
    _attach(rm, principal, cloud.account.account_id)
    _attach(rm, principal, group.id)
    assert _attachments(rm).total_count == 2


@pytest.mark.parametrize(("field", "value", "code"), [
    ("policy_type", "Managed", "InvalidParameter.PolicyType"),
    ("policy_name", "bad_name", "InvalidParameter.PolicyName.InvalidChars"),
    ("policy_name", "p" * 129, "InvalidParameter.PolicyName.Length"),
    ("principal_type", "RamUser", "InvalidParameter.PrincipalType"),
])
def test_attach_policy_rejects_malformed_parameters(cloud: LocalCloud, rm: Any, ram: Any, field: str, value: str,
                                                    code: str) -> None:
    args = {"policy_type": "System", "policy_name": "AliyunRAMReadOnlyAccess", "principal_type": "IMSUser",
            "principal_name": _principal(cloud, _user(ram)), "resource_group_id": cloud.account.account_id}
    args[field] = value
    error = _error(lambda: rm.attach_policy(rm_models.AttachPolicyRequest(**args)))
    assert (error.code, error.status_code) == (code, 400)


def test_attach_policy_without_a_principal_name_is_missing_parameter(cloud: LocalCloud, rm: Any) -> None:
    error = _error(lambda: rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
        resource_group_id=cloud.account.account_id)))
    assert (error.code, error.status_code) == ("MissingPrincipalName", 400)


def test_attach_an_unknown_policy_is_entity_not_exist(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    error = _error(lambda: _attach(rm, _principal(cloud, _user(ram)), cloud.account.account_id,
                                   policy="NoSuchPolicy", policy_type="Custom"))
    assert (error.code, error.status_code) == ("EntityNotExist.Policy", 404)


@pytest.mark.parametrize(("principal_type", "name_format", "code"), [
    ("IMSUser", "ghost@{alias}.onaliyun.com", "EntityNotExist.User"),
    ("IMSGroup", "ghosts@group.{alias}.onaliyun.com", "EntityNotExist.Group"),
    ("ServiceRole", "ghost@role.{alias}.onaliyunservice.com", "EntityNotExist.Role"),
])
def test_attach_policy_to_an_unknown_principal_is_entity_not_exist(cloud: LocalCloud, rm: Any, principal_type: str,
                                                                   name_format: str, code: str) -> None:
    principal = name_format.format(alias=cloud.account.alias)
    error = _error(lambda: _attach(rm, principal, cloud.account.account_id, principal_type=principal_type))
    assert (error.code, error.status_code) == (code, 404)


@pytest.mark.parametrize("domain", ["someone-else.onaliyun.com", "group.{alias}.onaliyun.com", ""])
def test_attach_policy_to_a_user_of_another_domain_is_entity_not_exist(cloud: LocalCloud, rm: Any, ram: Any,
                                                                      domain: str) -> None:
    user = _user(ram)
    principal = f"{user}@{domain.format(alias=cloud.account.alias)}" if domain else user
    error = _error(lambda: _attach(rm, principal, cloud.account.account_id))
    assert (error.code, error.status_code) == ("EntityNotExist.User", 404)


@pytest.mark.parametrize("scope", ["rg-doesnotexist123", "1234567890123456"])
def test_attach_policy_in_an_unknown_scope_is_entity_not_exists(cloud: LocalCloud, rm: Any, ram: Any,
                                                                scope: str) -> None:
    principal = _principal(cloud, _user(ram))
    error = _error(lambda: _attach(rm, principal, scope))
    assert (error.code, error.status_code) == ("EntityNotExists.ResourceGroup", 404)


# --- DetachPolicy ------------------------------------------------------------------------


def test_detach_policy_removes_the_record(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    principal = _principal(cloud, _user(ram))
    _attach(rm, principal, cloud.account.account_id)
    rm.detach_policy(rm_models.DetachPolicyRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
        principal_name=principal, resource_group_id=cloud.account.account_id))
    assert _attachments(rm).total_count == 0


def test_detach_policy_that_is_not_attached_is_entity_not_exist(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    principal = _principal(cloud, _user(ram))
    group = _create_group(rm)
    _attach(rm, principal, group.id)
    error = _error(lambda: rm.detach_policy(rm_models.DetachPolicyRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
        principal_name=principal, resource_group_id=cloud.account.account_id)))
    assert (error.code, error.status_code) == ("EntityNotExist.Policy", 404)


def test_detach_policy_in_an_unknown_scope_is_entity_not_exists(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    error = _error(lambda: rm.detach_policy(rm_models.DetachPolicyRequest(
        policy_type="System", policy_name="AliyunRAMReadOnlyAccess", principal_type="IMSUser",
        principal_name=_principal(cloud, _user(ram)), resource_group_id="rg-gone0000000000")))
    assert (error.code, error.status_code) == ("EntityNotExists.ResourceGroup", 404)


# --- ListPolicyAttachments ---------------------------------------------------------------


def test_list_policy_attachments_filters_each_field(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    alice, bob = _principal(cloud, _user(ram, "alice")), _principal(cloud, _user(ram, "bob"))
    group = _create_group(rm)
    account = cloud.account.account_id
    _attach(rm, alice, account)
    _attach(rm, alice, group.id, policy="AliyunARMSReadOnlyAccess")
    _attach(rm, bob, account, policy="AliyunARMSReadOnlyAccess")

    def names(**filters: Any) -> list[tuple[str, str]]:
        records = _attachments(rm, **filters).policy_attachments.policy_attachment
        return [(r.principal_name.split("@")[0], r.policy_name) for r in records]

    assert names(principal_name=alice) == [("alice", "AliyunRAMReadOnlyAccess"), ("alice", "AliyunARMSReadOnlyAccess")]
    assert names(principal_name=alice.upper()) == names(principal_name=alice)
    assert names(policy_name="AliyunARMSReadOnlyAccess") == [("alice", "AliyunARMSReadOnlyAccess"),
                                                           ("bob", "AliyunARMSReadOnlyAccess")]
    assert names(resource_group_id=group.id) == [("alice", "AliyunARMSReadOnlyAccess")]
    assert names(policy_type="Custom") == []
    assert names(principal_type="IMSGroup") == []
    assert len(names(language="en", policy_type="System", principal_type="IMSUser")) == 3


def test_list_policy_attachments_pages_with_total_count(cloud: LocalCloud, rm: Any, ram: Any) -> None:
    for n in range(12):
        _attach(rm, _principal(cloud, _user(ram, f"user-{n:02d}")), cloud.account.account_id)
    first = _attachments(rm)
    third = _attachments(rm, page_number=3, page_size=5)
    assert (first.total_count, len(first.policy_attachments.policy_attachment)) == (12, 10)
    assert [r.principal_name.split("@")[0] for r in third.policy_attachments.policy_attachment] == ["user-10", "user-11"]
    assert (third.page_number, third.page_size) == (3, 5)


@pytest.mark.parametrize("request_args", [{"page_size": 101}, {"page_number": 0}])
def test_list_policy_attachments_rejects_out_of_range_paging(rm: Any, request_args: dict[str, int]) -> None:
    error = _error(lambda: _attachments(rm, **request_args))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


# --- who may call ------------------------------------------------------------------------


def test_attach_policy_by_a_user_without_permission_is_no_permission(cloud: LocalCloud, make_user: MakeUser,
                                                                     ram: Any) -> None:
    key_id, secret = make_user("operator")
    client = RmClient(cloud.config(key_id, secret))
    error = _error(lambda: _attach(client, _principal(cloud, _user(ram)), cloud.account.account_id))
    assert (error.code, error.status_code) == ("NoPermission", 403)


def test_attach_policy_is_allowed_by_resource_manager_full_access(cloud: LocalCloud, make_user: MakeUser,
                                                                  ram: Any, rm: Any) -> None:
    key_id, secret = make_user("operator", "AliyunResourceManagerFullAccess")
    _attach(RmClient(cloud.config(key_id, secret)), _principal(cloud, _user(ram)), cloud.account.account_id)
    assert _attachments(rm).total_count == 1


def test_create_resource_group_needs_the_ram_namespace_permission(cloud: LocalCloud, make_user: MakeUser) -> None:
    denied_id, denied_secret = make_user("reader", "AliyunRAMReadOnlyAccess")
    allowed_id, allowed_secret = make_user("admin", "AliyunRAMFullAccess")
    error = _error(lambda: _create_group(RmClient(cloud.config(denied_id, denied_secret))))
    assert (error.code, error.status_code) == ("NoPermission", 403)
    assert _create_group(RmClient(cloud.config(allowed_id, allowed_secret))).name == "project-a"


def test_list_resource_groups_is_allowed_by_ram_read_only_access(cloud: LocalCloud, make_user: MakeUser, rm: Any) -> None:
    _create_group(rm)
    key_id, secret = make_user("reader", "AliyunRAMReadOnlyAccess")
    listed = RmClient(cloud.config(key_id, secret)).list_resource_groups(rm_models.ListResourceGroupsRequest()).body
    assert listed.total_count == 1
