"""What ResourceManager grants authorise: account scope everywhere, a resource group's scope
only on resources mapped to that group (``cloud.add_resource_to_group`` or the admin route)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud

SHOP = "acs:arms:cn-hangzhou:*:armsapp/shop"
OTHER = "acs:arms:cn-hangzhou:*:armsapp/payroll"


def _admin(cloud: LocalCloud, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"http://{cloud.endpoint}/_localcloud{path}", json=body, timeout=10)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _decision(cloud: LocalCloud, action: str, resource: str, **who: str) -> str:
    return str(cloud.authorize(action, resource, **who)["decision"])


def _group(rm: Any, name: str = "shop-team") -> str:
    request = rm_models.CreateResourceGroupRequest(name=name, display_name=name)
    return str(rm.create_resource_group(request).body.resource_group.id)


def _attach(rm: Any, principal_type: str, principal_name: str, scope: str, policy: str,
            policy_type: str = "System") -> None:
    rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type=policy_type, policy_name=policy, principal_type=principal_type,
        principal_name=principal_name, resource_group_id=scope))


@pytest.fixture
def alice(cloud: LocalCloud, ram: Any) -> str:
    ram.create_user(ram_models.CreateUserRequest(user_name="alice"))
    return f"alice@{cloud.account.default_domain}"


def test_group_scoped_grant_allows_a_mapped_resource(cloud: LocalCloud, rm: Any, alice: str) -> None:
    group = _group(rm)
    _attach(rm, "IMSUser", alice, group, "AliyunARMSReadOnlyAccess")
    cloud.add_resource_to_group(SHOP, group)
    assert _decision(cloud, "arms:GetTraceApp", SHOP, user="alice") == "allow"


def test_group_scoped_grant_denies_an_unmapped_resource(cloud: LocalCloud, rm: Any, alice: str) -> None:
    group = _group(rm)
    _attach(rm, "IMSUser", alice, group, "AliyunARMSReadOnlyAccess")
    cloud.add_resource_to_group(SHOP, group)
    assert _decision(cloud, "arms:GetTraceApp", OTHER, user="alice") == "deny"


def test_group_scoped_grant_denies_a_resource_of_another_group(cloud: LocalCloud, rm: Any, alice: str) -> None:
    shop_group, other_group = _group(rm, "shop-team"), _group(rm, "payroll-team")
    _attach(rm, "IMSUser", alice, shop_group, "AliyunARMSReadOnlyAccess")
    cloud.add_resource_to_group(OTHER, other_group)
    assert _decision(cloud, "arms:GetTraceApp", OTHER, user="alice") == "deny"


def test_group_scoped_grant_covers_resources_mapped_by_pattern(cloud: LocalCloud, rm: Any, alice: str) -> None:
    group = _group(rm)
    _attach(rm, "IMSUser", alice, group, "AliyunARMSReadOnlyAccess")
    cloud.add_resource_to_group("acs:arms:cn-hangzhou:*:armsapp/shop-*", group)
    assert _decision(cloud, "arms:GetTraceApp", "acs:arms:cn-hangzhou:*:armsapp/shop-eu", user="alice") == "allow"
    assert _decision(cloud, "arms:GetTraceApp", SHOP, user="alice") == "deny"


def test_admin_authorize_route_answers_for_group_scoped_grants(cloud: LocalCloud, rm: Any, alice: str) -> None:
    group = _group(rm)
    _attach(rm, "IMSUser", alice, group, "AliyunARMSReadOnlyAccess")
    mapped = _admin(cloud, "/resource-groups/members", {"resource": SHOP, "resource_group_id": group})
    assert mapped == {"resource": SHOP, "resource_group_id": group}
    allowed = _admin(cloud, "/authorize", {"action": "arms:GetTraceApp", "resource": SHOP, "user": "alice"})
    denied = _admin(cloud, "/authorize", {"action": "arms:GetTraceApp", "resource": OTHER, "user": "alice"})
    assert (allowed["decision"], allowed["policy"]) == ("allow", "System:AliyunARMSReadOnlyAccess")
    assert denied["decision"] == "deny"


def test_account_scoped_grant_allows_every_resource(cloud: LocalCloud, rm: Any, alice: str) -> None:
    _attach(rm, "IMSUser", alice, cloud.account.account_id, "AliyunARMSReadOnlyAccess")
    assert _decision(cloud, "arms:GetTraceApp", SHOP, user="alice") == "allow"
    assert _decision(cloud, "arms:GetTraceApp", OTHER, user="alice") == "allow"


def test_detached_grant_stops_allowing(cloud: LocalCloud, rm: Any, alice: str) -> None:
    group = _group(rm)
    _attach(rm, "IMSUser", alice, group, "AliyunARMSReadOnlyAccess")
    cloud.add_resource_to_group(SHOP, group)
    rm.detach_policy(rm_models.DetachPolicyRequest(
        policy_type="System", policy_name="AliyunARMSReadOnlyAccess", principal_type="IMSUser",
        principal_name=alice, resource_group_id=group))
    assert _decision(cloud, "arms:GetTraceApp", SHOP, user="alice") == "deny"


def test_account_scoped_ram_read_only_lets_the_users_key_list_users(cloud: LocalCloud, ram: Any, rm: Any,
                                                                    alice: str) -> None:
    key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="alice")).body.access_key
    client = RamClient(cloud.config(key.access_key_id, key.access_key_secret))
    with pytest.raises(ClientException) as denied:
        client.list_users(ram_models.ListUsersRequest())
    assert (denied.value.code, denied.value.status_code) == ("NoPermission", 403)
    _attach(rm, "IMSUser", alice, cloud.account.account_id, "AliyunRAMReadOnlyAccess")
    users = client.list_users(ram_models.ListUsersRequest()).body.users.user
    assert [u.user_name for u in users] == ["alice"]


def test_group_scoped_ram_read_only_does_not_let_the_user_list_users(cloud: LocalCloud, ram: Any, rm: Any,
                                                                     alice: str) -> None:
    key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="alice")).body.access_key
    _attach(rm, "IMSUser", alice, _group(rm), "AliyunRAMReadOnlyAccess")
    with pytest.raises(ClientException) as denied:
        RamClient(cloud.config(key.access_key_id, key.access_key_secret)).list_users(ram_models.ListUsersRequest())
    assert denied.value.code == "NoPermission"


def test_custom_policy_allows_read_trace_app_only_on_its_app(cloud: LocalCloud, ram: Any, rm: Any,
                                                             alice: str) -> None:
    document = json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": SHOP}]})
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="arms-shop-read", policy_document=document))
    _attach(rm, "IMSUser", alice, cloud.account.account_id, "arms-shop-read", "Custom")
    assert _decision(cloud, "arms:ReadTraceApp", SHOP, user="alice") == "allow"
    assert _decision(cloud, "arms:ReadTraceApp", OTHER, user="alice") == "deny"
    assert _decision(cloud, "arms:EditTraceApp", SHOP, user="alice") == "deny"


def test_grant_to_a_ram_group_reaches_its_members(cloud: LocalCloud, ram: Any, rm: Any, alice: str) -> None:
    ram.create_group(ram_models.CreateGroupRequest(group_name="sre"))
    ram.add_user_to_group(ram_models.AddUserToGroupRequest(group_name="sre", user_name="alice"))
    group = _group(rm)
    cloud.add_resource_to_group(SHOP, group)
    _attach(rm, "IMSGroup", f"sre@group.{cloud.account.default_domain}", group, "AliyunARMSReadOnlyAccess")
    assert _decision(cloud, "arms:GetTraceApp", SHOP, user="alice") == "allow"
    assert _decision(cloud, "arms:GetTraceApp", OTHER, user="alice") == "deny"


def test_grant_to_a_role_reaches_its_sessions(cloud: LocalCloud, ram: Any, rm: Any) -> None:
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"RAM": [f"acs:ram::{cloud.account.account_id}:root"]}}]}
    ram.create_role(ram_models.CreateRoleRequest(role_name="auditor", assume_role_policy_document=json.dumps(trust)))
    group = _group(rm)
    cloud.add_resource_to_group(SHOP, group)
    principal = f"auditor@role.{cloud.account.alias}.onaliyunservice.com"
    _attach(rm, "ServiceRole", principal, group, "AliyunARMSReadOnlyAccess")
    assert _decision(cloud, "arms:GetTraceApp", SHOP, role="auditor") == "allow"
    assert _decision(cloud, "arms:GetTraceApp", OTHER, role="auditor") == "deny"
