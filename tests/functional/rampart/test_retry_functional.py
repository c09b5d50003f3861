"""rampart.adapters.retry through the adapters against localcloud's injected faults (official SDKs)."""

from __future__ import annotations

import traceback
from typing import Any
from urllib.parse import quote

import pytest
from alibabacloud_ram20150501 import models as ram_models
from rampart.adapters.clients import Clients
from rampart.adapters.kms import access_key_secret_value
from rampart.adapters.ram import RamIdentities
from rampart.adapters.retry import is_already_exists, is_not_found
from rampart.config import Settings
from rampart.errors import CloudError, PermissionDenied
from rampart.model import Attachment, SecretKind
from rampart.naming import secret_name, secret_tags
from rampart.secret import Secret

from localcloud import LocalCloud
from tests.functional.rampart.test_adapters_identities import READ
from tests.functional.rampart.types import AdaptersFor, FastPolicy, MakeWaits, SettingsFor


def kinds(cloud: LocalCloud) -> list[str]:
    return [entry.kind for entry in cloud.faults.log()]


def rendered(error: BaseException) -> str:
    """Everything a log line, a traceback or a repr could show of ``error`` and its chain."""
    parts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen), str(getattr(seen, "message", ""))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def test_a_throttled_create_user_is_retried_after_the_retry_after(cloud: LocalCloud, adapters: AdaptersFor, make_waits: MakeWaits) -> None:
    waits = make_waits()
    _, ids, _ = adapters(waits)
    cloud.faults.add("ram", "throttle", "CreateUser", count=2)
    assert ids.create_user("alice", "Alice", "").user_name == "alice"
    assert kinds(cloud) == ["throttle", "throttle"]
    assert len(waits.seconds) == 2 and all(w >= 1.0 for w in waits.seconds)  # x-acs-retry-after: 1000 ms


def test_5xx_answers_are_retried(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, secrets = adapters()
    cloud.faults.add("ram", "error", "ListAccessKeys", count=2)  # ServiceUnavailable 503
    cloud.faults.add("resourcemanager", "error", "ListPolicyAttachments", code="InternalError", status=500, count=1)
    cloud.faults.add("kms", "throttle", "ListSecrets", code="Rejected.Throttling", status=429, retry_after_ms=5, count=1)
    ids.create_user("alice", "Alice", "")
    assert ids.access_keys("alice") == []
    assert ids.attachments("alice") == set()
    assert secrets.for_user("alice") == []
    assert kinds(cloud) == ["error", "error", "error", "throttle"]


def test_a_fault_that_outlasts_the_attempts_is_raised_with_its_code(cloud: LocalCloud, adapters: AdaptersFor, make_waits: MakeWaits) -> None:
    waits = make_waits()
    _, ids, _ = adapters(waits)
    cloud.faults.add("ram", "error", "GetUser")
    with pytest.raises(CloudError) as caught:
        ids.get_user("alice")
    assert caught.value.code == "ServiceUnavailable" and caught.value.status == 503
    assert len(cloud.faults.log()) == 6 and len(waits.seconds) == 5


def test_a_dropped_create_user_converges_as_already_exists(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, _ = adapters()
    cloud.faults.add("ram", "drop", "CreateUser", count=1)
    with pytest.raises(CloudError) as caught:
        ids.create_user("alice", "Alice", "")
    assert caught.value.code == "EntityAlreadyExists.User" and is_already_exists(caught.value.code)
    assert ids.get_user("alice") is not None
    assert [(e.kind, e.response_status) for e in cloud.faults.log()] == [("drop", 200)]


def test_a_dropped_delete_converges_as_not_found(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, _ = adapters()
    ids.create_user("alice", "Alice", "")
    ids.attach("alice", Attachment(READ))
    cloud.faults.add("ram", "drop", "DetachPolicyFromUser", count=1)
    with pytest.raises(CloudError) as caught:
        ids.detach("alice", Attachment(READ))
    assert is_not_found(caught.value.code)
    cloud.faults.add("ram", "drop", "DeleteUser", count=1)
    with pytest.raises(CloudError) as caught:
        ids.delete_user("alice")
    assert caught.value.code == "EntityNotExist.User"
    assert ids.get_user("alice") is None


def test_a_dropped_secret_write_is_completed_by_the_retry(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    secrets = adapters()[2]
    name = secret_name("rampart", "alice", SecretKind.PASSWORD)
    cloud.faults.add("kms", "drop", "CreateSecret", count=1)
    version = secrets.put(name, Secret("Initial-Passw0rd!x"), secret_tags("alice", "p-1", "", SecretKind.PASSWORD))
    assert secrets.read(name).reveal() == "Initial-Passw0rd!x"
    assert version.startswith("v-")


def test_a_dropped_create_access_key_never_leaves_two_keys(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    """The lost answer's key (its secret never seen) is deleted before the retry makes the
    next, so the user never holds two keys; a key the user had before is kept."""
    _, ids, _ = adapters()
    ids.create_user("alice", "Alice", "")
    cloud.faults.add("ram", "drop", "CreateAccessKey", count=1)
    key = ids.create_access_key("alice")
    assert [k.access_key_id for k in ids.access_keys("alice")] == [key.access_key_id]
    assert [e.kind for e in cloud.faults.log()] == ["drop"]
    cloud.faults.add("ram", "drop", "CreateAccessKey", count=1)
    second = ids.create_access_key("alice")  # a rotation's second key: the first stays
    assert {k.access_key_id for k in ids.access_keys("alice")} == {key.access_key_id, second.access_key_id}


def test_a_permission_error_is_permission_denied(cloud: LocalCloud, make_user: Any, fast_policy: FastPolicy, make_waits: MakeWaits, settings_for: SettingsFor) -> None:
    ak, sk = make_user("reader", "AliyunRAMReadOnlyAccess")
    policy = fast_policy(make_waits())
    ids = RamIdentities(Clients(settings_for(ak, sk), policy=policy), policy=policy)
    assert ids.get_user("reader") is not None
    with pytest.raises(PermissionDenied) as caught:
        ids.create_user("mallory", "M", "")
    assert caught.value.code == "NoPermission" and caught.value.request_id


def test_no_secret_appears_in_any_cloud_error(cloud: LocalCloud, ram: Any, adapters: AdaptersFor, fast_policy: FastPolicy, make_waits: MakeWaits) -> None:
    waits = make_waits()
    _, ids, secrets = adapters(waits)
    ids.create_user("alice", "Alice", "")
    key = ids.create_access_key("alice")
    name = secret_name("rampart", "alice", SecretKind.ACCESS_KEY)
    value = access_key_secret_value(key)
    tags = secret_tags("alice", "p-1", "bob", SecretKind.ACCESS_KEY)
    password = Secret("Initial-Passw0rd!x")
    errors: list[CloudError] = []

    def attempt(fn: Any) -> None:
        with pytest.raises(CloudError) as caught:
            fn()
        errors.append(caught.value)

    cloud.faults.add("kms", "error", "CreateSecret", code="InvalidParameter", status=400, count=1)
    attempt(lambda: secrets.put(name, value, tags))
    cloud.faults.add("kms", "error", "CreateSecret", count=6)  # 503 past every attempt
    attempt(lambda: secrets.put(name, value, tags))
    cloud.faults.add("kms", "drop", "CreateSecret", count=6)
    attempt(lambda: secrets.put(name, value, tags))
    cloud.faults.add("ram", "error", "CreateLoginProfile", code="InvalidParameter.Password.TooWeak", status=400,
                     count=1)
    attempt(lambda: ids.create_login_profile("alice", password, reset_required=True, mfa_required=True))
    cloud.faults.add("ram", "drop", "CreateLoginProfile", count=6)
    attempt(lambda: ids.create_login_profile("alice", password, reset_required=True, mfa_required=True))
    # Nothing listening: the SDK's own error quotes the URL, with Password=... in its query.
    policy = fast_policy(waits)
    dead_settings = Settings.from_env({}, access_key_id="LTAI5tDead", access_key_secret="dead-secret",
                                      endpoint="127.0.0.1:9")
    dead = Clients(dead_settings, policy=policy)
    attempt(lambda: RamIdentities(dead, policy=policy).create_login_profile(
        "alice", password, reset_required=True, mfa_required=True))
    with pytest.raises(Exception) as raw:  # the same call straight through the SDK, to show what is at stake
        dead.ram().create_login_profile(ram_models.CreateLoginProfileRequest(user_name="alice", password=password.reveal()))
    assert quote(password.reveal()) in str(raw.value)

    assert [e.code for e in errors] == ["InvalidParameter", "ServiceUnavailable", "NetworkError",
                                        "InvalidParameter.Password.TooWeak", "NetworkError", "NetworkError"]
    for error in errors:
        text = rendered(error)
        for secret in (key.secret.reveal(), password.reveal(), "dead-secret"):
            assert secret not in text and quote(secret) not in text, (error.code, text)
