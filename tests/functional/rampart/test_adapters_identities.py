"""RamIdentities against localcloud through the official RAM, IMS, ResourceManager and STS SDKs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_resourcemanager20200331 import models as rm_models
from rampart.adapters.clients import Clients
from rampart.adapters.ram import RamIdentities
from rampart.adapters.retry import is_already_exists, is_not_found
from rampart.errors import CloudError
from rampart.model import ACCOUNT, Attachment, PasswordPolicy, PolicyRef, PolicyType, Scope
from rampart.secret import Secret

from localcloud import LocalCloud
from localcloud.ram.models import totp
from tests.functional.rampart.types import AdaptersFor

READ = PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")
FULL = PolicyRef(PolicyType.SYSTEM, "AliyunARMSFullAccess")
DOC = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "arms:ReadTraceApp", "Resource": "*"}]})
PASSWORD = Secret("Initial-Passw0rd!x")


@pytest.fixture
def clients(cloud: LocalCloud, adapters: AdaptersFor) -> Clients:
    return adapters()[0]


@pytest.fixture
def ids(cloud: LocalCloud, adapters: AdaptersFor) -> RamIdentities:
    return adapters()[1]


def resource_group(rm: Any, name: str) -> str:
    request = rm_models.CreateResourceGroupRequest(name=name, display_name=name)
    return str(rm.create_resource_group(request).body.resource_group.id)


def bind_mfa(cloud: LocalCloud, ram: Any, user: str) -> str:
    """A virtual MFA device bound with the two consecutive codes an authenticator app shows."""
    device = ram.create_virtual_mfadevice(
        ram_models.CreateVirtualMFADeviceRequest(virtual_mfadevice_name=user)
    ).body.virtual_mfadevice
    step = totp.time_step(cloud.now())
    ram.bind_mfadevice(ram_models.BindMFADeviceRequest(
        user_name=user, serial_number=device.serial_number,
        authentication_code_1=totp.hotp(device.base_32string_seed, step - 1),
        authentication_code_2=totp.hotp(device.base_32string_seed, step),
    ))
    return str(device.serial_number)


# --- users --------------------------------------------------------------------------------


def test_create_get_update_and_delete_a_user(ids: RamIdentities) -> None:
    created = ids.create_user("alice", "Alice Smith", "managed by rampart")
    assert created.user_name == "alice" and created.user_id and created.display_name == "Alice Smith"
    assert ids.get_user("alice") == created
    ids.update_user("alice", "Alice Jones")
    facts = ids.get_user("alice")
    assert facts is not None and facts.display_name == "Alice Jones"
    ids.delete_user("alice")
    assert ids.get_user("alice") is None


def test_get_user_answers_none_for_an_absent_user(ids: RamIdentities) -> None:
    assert ids.get_user("nobody") is None


def test_creating_an_existing_user_raises_an_already_exists_cloud_error(ids: RamIdentities) -> None:
    ids.create_user("alice", "Alice", "")
    with pytest.raises(CloudError) as caught:
        ids.create_user("alice", "Alice", "")
    assert caught.value.code == "EntityAlreadyExists.User" and is_already_exists(caught.value.code)
    assert caught.value.request_id and caught.value.status == 409


def test_deleting_an_absent_user_raises_a_not_found_cloud_error(ids: RamIdentities) -> None:
    with pytest.raises(CloudError) as caught:
        ids.delete_user("nobody")
    assert is_not_found(caught.value.code)


def test_default_domain_and_password_policy(ids: RamIdentities, cloud: LocalCloud) -> None:
    assert ids.default_domain() == f"{cloud.info()['account_alias']}.onaliyun.com"
    assert ids.principal_name("alice") == f"alice@{ids.default_domain()}"
    assert ids.password_policy() == PasswordPolicy(8, True, True, True, True)


# --- tags ---------------------------------------------------------------------------------


def test_tag_untag_and_read_user_tags(ids: RamIdentities) -> None:
    ids.create_user("alice", "Alice", "")
    ids.tag_user("alice", {"rampart:person": "p-1", "rampart:state": "active", "department": "ops"})
    assert ids.user_tags("alice") == {"rampart:person": "p-1", "rampart:state": "active", "department": "ops"}
    ids.tag_user("alice", {"rampart:state": "disabled"})
    ids.untag_user("alice", ["department"])
    assert ids.user_tags("alice") == {"rampart:person": "p-1", "rampart:state": "disabled"}
    ids.untag_user("alice", [])  # nothing to remove: no call, no error


def test_twenty_tags_are_written_in_one_call_and_read_back(ids: RamIdentities) -> None:
    ids.create_user("alice", "Alice", "")
    tags = {f"k{i:02d}": f"v{i}" for i in range(20)}
    ids.tag_user("alice", tags)
    assert ids.user_tags("alice") == tags


def test_users_tagged_finds_every_user_with_the_pair_across_pages(ids: RamIdentities) -> None:
    for i in range(105):  # ListTagResources pages at 100 rows
        ids.create_user(f"u{i:03d}", "U", "")
        ids.tag_user(f"u{i:03d}", {"rampart:person": "p-same" if i % 2 == 0 else f"p-{i}"})
    found = ids.users_tagged("rampart:person", "p-same")
    assert found == [f"u{i:03d}" for i in range(0, 105, 2)]
    assert ids.users_tagged("rampart:person", "p-none") == []


# --- keys, login profile, MFA -------------------------------------------------------------


def test_access_keys_created_listed_deactivated_and_deleted(ids: RamIdentities) -> None:
    ids.create_user("alice", "Alice", "")
    key = ids.create_access_key("alice")
    assert key.access_key_id and isinstance(key.secret, Secret) and key.created_at.tzinfo is not None
    assert key.secret.reveal() not in repr(key)
    [observed] = ids.access_keys("alice")
    assert (observed.access_key_id, observed.active) == (key.access_key_id, True)
    ids.set_access_key_active("alice", key.access_key_id, False)
    assert [k.active for k in ids.access_keys("alice")] == [False]
    ids.delete_access_key("alice", key.access_key_id)
    assert ids.access_keys("alice") == []


def test_a_new_access_key_authenticates_against_the_cloud(ids: RamIdentities, cloud: LocalCloud) -> None:
    from alibabacloud_sts20150401.client import Client as Sts

    ids.create_user("alice", "Alice", "")
    key = ids.create_access_key("alice")
    identity = Sts(cloud.config(key.access_key_id, key.secret.reveal())).get_caller_identity().body
    assert identity.arn.endswith("user/alice")


def test_login_profile_created_updated_and_deleted(ids: RamIdentities, ram: Any) -> None:
    ids.create_user("alice", "Alice", "")
    assert ids.has_login_profile("alice") is False
    ids.create_login_profile("alice", PASSWORD, reset_required=True, mfa_required=True)
    assert ids.has_login_profile("alice") is True
    profile = ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name="alice")).body.login_profile
    assert (profile.password_reset_required, profile.mfabind_required) == (True, True)
    ids.update_login_profile("alice", Secret("Another-Passw0rd!y"), reset_required=False)
    profile = ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name="alice")).body.login_profile
    assert profile.password_reset_required is False
    ids.delete_login_profile("alice")
    assert ids.has_login_profile("alice") is False


def test_a_weak_password_is_refused_without_echoing_it(ids: RamIdentities) -> None:
    ids.create_user("alice", "Alice", "")
    with pytest.raises(CloudError) as caught:
        ids.create_login_profile("alice", Secret("weakpass"), reset_required=True, mfa_required=True)
    assert caught.value.code == "InvalidParameter.Password.TooWeak"
    assert "weakpass" not in str(caught.value)


def test_mfa_serial_unbind_and_delete(ids: RamIdentities, ram: Any, cloud: LocalCloud) -> None:
    ids.create_user("alice", "Alice", "")
    assert ids.mfa_serial("alice") is None
    serial = bind_mfa(cloud, ram, "alice")
    assert ids.mfa_serial("alice") == serial
    assert ids.unbind_mfa("alice") == serial
    assert ids.mfa_serial("alice") is None
    assert ids.unbind_mfa("alice") is None
    ids.delete_mfa(serial)
    with pytest.raises(CloudError) as caught:
        ids.delete_mfa(serial)
    assert is_not_found(caught.value.code)


# --- policies and grants ------------------------------------------------------------------


def test_attach_and_detach_at_account_scope_through_ram(ids: RamIdentities, ram: Any) -> None:
    ids.create_user("alice", "Alice", "")
    ids.attach("alice", Attachment(READ))
    assert ids.attachments("alice") == {Attachment(READ, ACCOUNT)}
    listed = ram.list_policies_for_user(ram_models.ListPoliciesForUserRequest(user_name="alice")).body.policies.policy
    assert [p.policy_name for p in listed] == [READ.name]
    ids.detach("alice", Attachment(READ))
    assert ids.attachments("alice") == set()


def test_attach_and_detach_at_resource_group_scope_through_resource_manager(ids: RamIdentities, rm: Any) -> None:
    ids.create_user("alice", "Alice", "")
    group = resource_group(rm, "arms-apps")
    grant = Attachment(READ, Scope(group))
    ids.attach("alice", grant)
    assert ids.attachments("alice") == {grant}
    ids.detach("alice", grant)
    assert ids.attachments("alice") == set()
    with pytest.raises(CloudError) as caught:
        ids.detach("alice", grant)
    assert is_not_found(caught.value.code)


def test_an_account_scope_grant_made_through_resource_manager_is_one_account_attachment(
    ids: RamIdentities, clients: Clients, rm: Any
) -> None:
    ids.create_user("alice", "Alice", "")
    ids.attach("alice", Attachment(READ))  # RAM
    for policy in (READ, FULL):  # ResourceManager at account scope: READ twice over, FULL only here
        rm.attach_policy(rm_models.AttachPolicyRequest(
            policy_type="System", policy_name=policy.name, principal_type="IMSUser",
            principal_name=ids.principal_name("alice"), resource_group_id=clients.account_id(),
        ))
    assert ids.attachments("alice") == {Attachment(READ), Attachment(FULL)}
    ids.detach("alice", Attachment(READ))
    ids.detach("alice", Attachment(FULL))
    assert ids.attachments("alice") == set()


def test_detach_without_an_observation_falls_back_to_resource_manager(cloud: LocalCloud, rm: Any, adapters: AdaptersFor) -> None:
    _, first, _ = adapters()
    first.create_user("alice", "Alice", "")
    rm.attach_policy(rm_models.AttachPolicyRequest(
        policy_type="System", policy_name=FULL.name, principal_type="IMSUser",
        principal_name=first.principal_name("alice"), resource_group_id=cloud.info()["account_id"],
    ))
    fresh = adapters()[1]  # has observed nothing
    fresh.detach("alice", Attachment(FULL))
    assert fresh.attachments("alice") == set()
    with pytest.raises(CloudError) as caught:
        fresh.detach("alice", Attachment(FULL))
    assert is_not_found(caught.value.code)


def test_custom_policies_listed_by_prefix_read_and_deleted_with_their_versions(ids: RamIdentities, ram: Any) -> None:
    ids.create_policy("rampart-tb-alice-1", DOC, "time-bound")
    ids.create_policy("rampart-tb-alice-2", DOC, "")
    ids.create_policy("other-policy", DOC, "")
    assert sorted(ids.policy_names("rampart-tb-alice-")) == ["rampart-tb-alice-1", "rampart-tb-alice-2"]
    assert json.loads(ids.policy_document(PolicyRef(PolicyType.CUSTOM, "rampart-tb-alice-1"))) == json.loads(DOC)
    for _ in range(2):
        ram.create_policy_version(ram_models.CreatePolicyVersionRequest(
            policy_name="rampart-tb-alice-1", policy_document=DOC, set_as_default=False
        ))
    ids.delete_policy("rampart-tb-alice-1")
    assert ids.policy_names("rampart-tb-alice-") == ["rampart-tb-alice-2"]
    with pytest.raises(CloudError) as caught:
        ids.delete_policy("rampart-tb-alice-1")
    assert is_not_found(caught.value.code)


def test_a_system_policy_document_can_be_read(ids: RamIdentities) -> None:
    document = json.loads(ids.policy_document(READ))
    assert document["Version"] == "1" and document["Statement"]


def test_groups_joined_listed_and_left(ids: RamIdentities, ram: Any) -> None:
    ids.create_user("alice", "Alice", "")
    for group in ("arms-readers", "oncall"):
        ram.create_group(ram_models.CreateGroupRequest(group_name=group))
        ids.add_to_group("alice", group)
    assert ids.groups("alice") == {"arms-readers", "oncall"}
    with pytest.raises(CloudError) as caught:
        ids.add_to_group("alice", "oncall")
    assert is_already_exists(caught.value.code)
    ids.remove_from_group("alice", "oncall")
    assert ids.groups("alice") == {"arms-readers"}


def test_a_fully_loaded_user_is_torn_down_in_rams_order(
    ids: RamIdentities, ram: Any, rm: Any, cloud: LocalCloud
) -> None:
    ids.create_user("alice", "Alice", "")
    ram.create_group(ram_models.CreateGroupRequest(group_name="oncall"))
    ids.add_to_group("alice", "oncall")
    key = ids.create_access_key("alice")
    ids.create_login_profile("alice", PASSWORD, reset_required=True, mfa_required=True)
    serial = bind_mfa(cloud, ram, "alice")
    group = resource_group(rm, "apps")
    ids.attach("alice", Attachment(READ))
    ids.attach("alice", Attachment(READ, Scope(group)))
    with pytest.raises(CloudError) as caught:
        ids.delete_user("alice")
    assert caught.value.code.startswith("DeleteConflict.User")

    ids.set_access_key_active("alice", key.access_key_id, False)
    ids.delete_access_key("alice", key.access_key_id)
    ids.delete_login_profile("alice")
    assert ids.unbind_mfa("alice") == serial
    ids.delete_mfa(serial)
    for attachment in ids.attachments("alice"):
        ids.detach("alice", attachment)
    ids.remove_from_group("alice", "oncall")
    ids.delete_user("alice")
    assert ids.get_user("alice") is None
