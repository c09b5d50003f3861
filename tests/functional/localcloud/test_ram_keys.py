"""RAM AccessKeys: two per user, secret shown once, Inactive and deleted keys refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401.client import Client as Sts
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import Admin, MakeUser, RawPop


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def new_key(ram: Ram, user: str) -> m.CreateAccessKeyResponseBodyAccessKey:
    return ram.create_access_key(m.CreateAccessKeyRequest(user_name=user)).body.access_key


@pytest.fixture
def alice(ram: Ram) -> str:
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    return "alice"


def test_create_access_key_returns_an_active_key_with_its_secret(ram: Ram, alice: str) -> None:
    key = new_key(ram, alice)
    assert key.status == "Active" and len(key.access_key_secret) == 30
    assert key.access_key_id.startswith("LTAI") and key.create_date.endswith("Z")


def test_third_access_key_is_refused(ram: Ram, alice: str) -> None:
    new_key(ram, alice)
    new_key(ram, alice)
    expect_error("LimitExceeded.User.AccessKey", 409, lambda: new_key(ram, alice))


def test_access_key_for_unknown_user_is_refused(ram: Ram) -> None:
    expect_error("EntityNotExist.User", 404, lambda: new_key(ram, "ghost"))


def test_list_access_keys_is_wrapped_and_carries_no_secret(cloud: LocalCloud, ram: Ram, alice: str, raw_pop: RawPop) -> None:
    key = new_key(ram, alice)
    account = cloud.account
    query = {"UserName": alice}
    headers = raw_pop.signed_headers(cloud.endpoint, "ListAccessKeys", "2015-05-01", query,
                                    account.root_access_key_id, account.root_access_key_secret)
    status, body = raw_pop.post(cloud.endpoint, query, headers)
    assert status == 200
    assert body["AccessKeys"]["AccessKey"] == [
        {"AccessKeyId": key.access_key_id, "Status": "Active", "CreateDate": key.create_date}
    ]


def test_user_without_user_name_creates_its_own_key(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("selfie", "AliyunRAMFullAccess")
    Ram(cloud.config(ak, sk)).create_access_key(m.CreateAccessKeyRequest())
    keys = ram.list_access_keys(m.ListAccessKeysRequest(user_name="selfie")).body.access_keys.access_key
    assert len(keys) == 2


def test_inactive_key_is_refused_and_reactivated_key_works(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("toggle")
    ram.update_access_key(m.UpdateAccessKeyRequest(user_name="toggle", user_access_key_id=ak, status="Inactive"))
    expect_error("InvalidAccessKeyId.Inactive", 400, lambda: Sts(cloud.config(ak, sk)).get_caller_identity())
    ram.update_access_key(m.UpdateAccessKeyRequest(user_name="toggle", user_access_key_id=ak, status="Active"))
    assert Sts(cloud.config(ak, sk)).get_caller_identity().body.arn.endswith("user/toggle")


def test_deleted_key_is_refused_and_unlisted(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("gone")
    ram.delete_access_key(m.DeleteAccessKeyRequest(user_name="gone", user_access_key_id=ak))
    expect_error("InvalidAccessKeyId.NotFound", 404, lambda: Sts(cloud.config(ak, sk)).get_caller_identity())
    assert ram.list_access_keys(m.ListAccessKeysRequest(user_name="gone")).body.access_keys.access_key == []


def test_update_access_key_status_must_be_active_or_inactive(ram: Ram, alice: str) -> None:
    key = new_key(ram, alice)
    expect_error("InvalidParameter", 400, lambda: ram.update_access_key(
        m.UpdateAccessKeyRequest(user_name=alice, user_access_key_id=key.access_key_id, status="Disabled")))


@pytest.mark.parametrize("action", ["update", "delete", "last_used"])
def test_unknown_access_key_is_not_found(ram: Ram, alice: str, action: str) -> None:
    calls: dict[str, Callable[[], Any]] = {
        "update": lambda: ram.update_access_key(
            m.UpdateAccessKeyRequest(user_name=alice, user_access_key_id="LTAI5tNOPE", status="Inactive")),
        "delete": lambda: ram.delete_access_key(
            m.DeleteAccessKeyRequest(user_name=alice, user_access_key_id="LTAI5tNOPE")),
        "last_used": lambda: ram.get_access_key_last_used(
            m.GetAccessKeyLastUsedRequest(user_name=alice, user_access_key_id="LTAI5tNOPE")),
    }
    expect_error("EntityNotExist.User.AccessKey", 404, calls[action])


def test_another_users_key_is_not_found_under_this_user(ram: Ram, alice: str) -> None:
    ram.create_user(m.CreateUserRequest(user_name="bob"))
    bobs = new_key(ram, "bob")
    expect_error("EntityNotExist.User.AccessKey", 404, lambda: ram.delete_access_key(
        m.DeleteAccessKeyRequest(user_name=alice, user_access_key_id=bobs.access_key_id)))


def test_last_used_date_follows_the_clock_of_the_last_request(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> None:
    ak, sk = make_user("user1")
    request = m.GetAccessKeyLastUsedRequest(user_name="user1", user_access_key_id=ak)
    assert ram.get_access_key_last_used(request).body.access_key_last_used.last_used_date is None
    cloud.clock_advance(86400 * 3)
    Sts(cloud.config(ak, sk)).get_caller_identity()
    last = ram.get_access_key_last_used(request).body.access_key_last_used.last_used_date
    assert last[:10] == cloud.now().strftime("%Y-%m-%d")


# --- localcloud's own record: GET /_localcloud/ram/access-key-history --------------------------


def history(admin: Admin, user: str | None = None) -> list[dict[str, Any]]:
    status, body = admin("GET", "/ram/access-key-history" + (f"?user={user}" if user else ""))
    assert status == 200, body
    return list(body["Users"])


def test_key_history_records_every_key_and_the_most_held_at_once(cloud: LocalCloud, ram: Ram, alice: str, admin: Admin) -> None:
    first = new_key(ram, alice)
    [record] = history(admin, alice)
    assert record["Peak"] == 1 and record["PeakKeys"] == [first.access_key_id]
    second = new_key(ram, alice)
    ram.delete_access_key(m.DeleteAccessKeyRequest(user_name=alice, user_access_key_id=first.access_key_id))
    third = new_key(ram, alice)
    [record] = history(admin, alice)
    assert record["Peak"] == 2 and record["PeakKeys"] == [first.access_key_id, second.access_key_id]
    keys = {k["AccessKeyId"]: k for k in record["Keys"]}
    assert list(keys) == [first.access_key_id, second.access_key_id, third.access_key_id]
    assert keys[first.access_key_id]["Deleted"] and keys[third.access_key_id]["Deleted"] is None
    text = json.dumps(history(admin))
    assert all(k.access_key_secret not in text for k in (first, second, third))


def test_key_history_outlives_the_user_and_a_new_user_of_that_name_starts_afresh(
        cloud: LocalCloud, ram: Ram, alice: str, admin: Admin) -> None:
    old = new_key(ram, alice)
    ram.delete_access_key(m.DeleteAccessKeyRequest(user_name=alice, user_access_key_id=old.access_key_id))
    ram.delete_user(m.DeleteUserRequest(user_name=alice))
    ram.create_user(m.CreateUserRequest(user_name=alice))
    new = new_key(ram, alice)
    gone, again = history(admin, alice)
    assert gone["UserId"] != again["UserId"]
    assert [k["AccessKeyId"] for k in gone["Keys"]] == [old.access_key_id] and gone["Keys"][0]["Deleted"]
    assert [k["AccessKeyId"] for k in again["Keys"]] == [new.access_key_id] and again["Peak"] == 1
    assert history(admin, "nobody") == []


def test_key_history_is_not_cloud_state(cloud: LocalCloud, ram: Ram, alice: str, admin: Admin) -> None:
    """The record is localcloud's, for tests: not in the state snapshot that tests compare."""
    before = cloud.state.snapshot()
    with pytest.raises(ClientException):
        ram.create_access_key(m.CreateAccessKeyRequest(user_name="nobody"))
    assert cloud.state.snapshot() == before and history(admin) == []
    new_key(ram, alice)
    assert "_key_history" not in json.dumps(cloud.state.snapshot())
