"""localcloud's record of every secret it issued, and the scan that asks whether a text holds one
(``POST /_localcloud/secrets/scan``): the answer names the kind and owner, never the value."""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as Sts

from localcloud import LocalCloud
from tests.functional.localcloud.types import Admin, MakeUser

PASSWORD = "Kx7#qL2!vR9$mT4w"


def scan(admin: Admin, texts: dict[str, str]) -> dict[str, Any]:
    status, body = admin("POST", "/secrets/scan", {"texts": texts})
    assert status == 200, body
    return body


def _issue_all(cloud: LocalCloud, ram: Ram, make_user: MakeUser) -> tuple[str, str, str, str]:
    """A key (deleted), a console password, and STS credentials of a role (assumed by a user
    with a key of its own: the root may not call AssumeRole)."""
    ram.create_user(ram_models.CreateUserRequest(user_name="alice"))
    key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="alice")).body.access_key
    ram.create_login_profile(ram_models.CreateLoginProfileRequest(user_name="alice", password=PASSWORD))
    account = cloud.account.account_id
    trust = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"RAM": [f"acs:ram::{account}:root"]}}]}
    ram.create_role(ram_models.CreateRoleRequest(role_name="worker", assume_role_policy_document=json.dumps(trust)))
    assumer = Sts(cloud.config(*make_user("assumer", "AliyunSTSAssumeRoleAccess")))
    creds = assumer.assume_role(sts_models.AssumeRoleRequest(
        role_arn=f"acs:ram::{account}:role/worker", role_session_name="s1")).body.credentials
    ram.delete_access_key(ram_models.DeleteAccessKeyRequest(user_name="alice", user_access_key_id=key.access_key_id))
    return str(key.access_key_secret), PASSWORD, str(creds.access_key_secret), str(creds.security_token)


def test_every_issued_secret_is_found_by_kind_and_owner_and_never_echoed(
        cloud: LocalCloud, ram: Ram, make_user: MakeUser, admin: Admin) -> None:
    key_secret, password, sts_secret, token = _issue_all(cloud, ram, make_user)
    answer = scan(admin, {
        "a log": f"created key, secret={key_secret} (a deleted key's secret still counts)",
        "an HTTP answer": json.dumps({"Password": password}),
        "a trace": f"x{sts_secret}y and {token}",
        "clean": "nothing to see",
    })
    found = sorted((f["text"], f["kind"], f["owner"]) for f in answer["found"])
    assert found == [
        ("a log", "ram-access-key-secret", "user alice"),
        ("a trace", "sts-access-key-secret", "role worker"),
        ("a trace", "sts-security-token", "role worker"),
        ("an HTTP answer", "ram-console-password", "user alice"),
    ]
    assert answer["issued"] == {"ram-access-key-secret": 2, "ram-console-password": 1,
                                "sts-access-key-secret": 1, "sts-security-token": 1}
    text = json.dumps(answer)
    assert all(value not in text for value in (key_secret, password, sts_secret, token))


def test_a_changed_password_is_recorded_and_a_short_one_is_not_looked_for(cloud: LocalCloud, ram: Ram, admin: Admin) -> None:
    ram.create_user(ram_models.CreateUserRequest(user_name="bob"))
    ram.create_login_profile(ram_models.CreateLoginProfileRequest(user_name="bob", password="Ab1!xyz9"))
    ram.update_login_profile(ram_models.UpdateLoginProfileRequest(user_name="bob", password=PASSWORD))
    answer = scan(admin, {"log": f"Ab1!xyz9 then {PASSWORD}"})
    assert [(f["kind"], f["length"]) for f in answer["found"]] == [("ram-console-password", len(PASSWORD))]
    assert answer["issued"] == {"ram-console-password": 2}


def test_the_record_is_not_state_and_reset_empties_it(cloud: LocalCloud, ram: Ram, make_user: MakeUser, admin: Admin) -> None:
    key_secret, *_ = _issue_all(cloud, ram, make_user)
    before = cloud.state.snapshot()
    assert scan(admin, {"log": key_secret})["found"] and cloud.state.snapshot() == before
    assert key_secret not in json.dumps(before)
    assert admin("POST", "/reset")[0] == 200
    assert scan(admin, {"log": key_secret}) == {"found": [], "issued": {}}


def test_a_scan_without_texts_is_refused(cloud: LocalCloud, admin: Admin) -> None:
    for body in (None, {}, {"texts": ["a"]}, {"texts": {"a": 1}}):
        status, answer = admin("POST", "/secrets/scan", body)
        assert status == 400 and '"texts" is required' in answer["error"], (body, answer)
    assert admin("GET", "/secrets/issued") == (200, {"issued": {}})
