"""``CloudState.snapshot()``: plain, comparable data that a read leaves equal and a write does not
(the tests of refused requests compare one before with one after)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram

from localcloud import LocalCloud
from tests.functional.localcloud.types import MakeUser


def test_a_snapshot_is_plain_data_that_reads_leave_equal(cloud: LocalCloud, ram: Any, kms: Any, make_user: MakeUser) -> None:
    key_id, secret = make_user("reader", "AliyunRAMReadOnlyAccess")
    kms.create_secret(kms_models.CreateSecretRequest(secret_name="s1", secret_data="v", version_id="v1"))
    before = cloud.state.snapshot()
    json.dumps(before)  # plain data only
    assert set(before) == {"account_alias", "ram", "kms", "rm", "sts", "sls", "tablestore"}
    assert "reader" in before["ram"]["users"] and "s1" in before["kms"]["secrets"]
    Ram(cloud.config(key_id, secret)).get_user(ram_models.GetUserRequest(user_name="reader"))  # stamps last_used
    kms.get_secret_value(kms_models.GetSecretValueRequest(secret_name="s1"))
    cloud.state.clock.advance(3600)
    assert cloud.state.snapshot() == before


def test_every_kind_of_write_shows_in_the_snapshot(cloud: LocalCloud, ram: Any, kms: Any) -> None:
    ram.create_user(ram_models.CreateUserRequest(user_name="bob"))
    steps: list[Callable[[], Any]] = [
        lambda: ram.update_user(ram_models.UpdateUserRequest(user_name="bob", new_display_name="Bob")),
        lambda: ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
            policy_type="System", policy_name="AliyunECSReadOnlyAccess", user_name="bob")),
        lambda: ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="bob")),
        lambda: kms.create_secret(kms_models.CreateSecretRequest(secret_name="s2", secret_data="v", version_id="v1")),
        lambda: kms.put_secret_value(kms_models.PutSecretValueRequest(secret_name="s2", secret_data="w",
                                                                      version_id="v2")),
    ]
    for step in steps:
        before = cloud.state.snapshot()
        step()
        assert cloud.state.snapshot() != before
