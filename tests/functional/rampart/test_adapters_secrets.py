"""KmsSecrets against localcloud through the official KMS SDK."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import pytest
from alibabacloud_kms20160120 import models as kms_models
from rampart.adapters.kms import KmsSecrets, access_key_secret_value
from rampart.adapters.retry import is_not_found
from rampart.errors import CloudError
from rampart.model import ObservedSecret, SecretKind
from rampart.naming import key_version_id, secret_name, secret_tags
from rampart.ports import NewAccessKey
from rampart.secret import Secret

from localcloud import LocalCloud
from tests.functional.rampart.types import AdaptersFor, CallsServed, CountCalls

KEY = NewAccessKey("LTAI5tExampleKeyId0001", Secret("example-secret-value-0001"), datetime.now(timezone.utc))


@pytest.fixture
def secrets(cloud: LocalCloud, adapters: AdaptersFor) -> KmsSecrets:
    return adapters()[2]


def key_secret(user: str = "alice", key: NewAccessKey = KEY) -> tuple[str, Secret, dict[str, str]]:
    name = secret_name("rampart", user, SecretKind.ACCESS_KEY)
    tags = secret_tags(user, "p-1", "bob", SecretKind.ACCESS_KEY)
    return name, access_key_secret_value(key), tags


def put_key(secrets: KmsSecrets, user: str = "alice", key: NewAccessKey = KEY) -> str:
    """As the applier escrows a key: a version of the user's AccessKey secret named after it."""
    name, value, tags = key_secret(user, key)
    assert secrets.put(name, value, tags, version_id=key.access_key_id) == key.access_key_id
    return name


def versions(kms: Any, name: str) -> list[tuple[str, list[str]]]:
    body = kms.list_secret_version_ids(kms_models.ListSecretVersionIdsRequest(secret_name=name)).body
    return [(v.version_id, list(v.version_stages.version_stage)) for v in body.version_ids.version_id]


def test_the_naming_scheme_has_one_stable_access_key_secret_per_user() -> None:
    assert secret_name("rampart", "alice", SecretKind.ACCESS_KEY) == "rampart/alice/access-key"
    assert secret_name("rampart", "alice", SecretKind.ACCESS_KEY, "LTAI5tX") == "rampart/alice/access-key"
    assert secret_name("rampart", "alice.b_c-d", SecretKind.PASSWORD) == "rampart/alice.b_c-d/console-password"
    assert secret_tags("alice", "p-1", "bob", SecretKind.ACCESS_KEY) == {
        "rampart:managed-by": "rampart", "rampart:user": "alice", "rampart:person": "p-1",
        "rampart:manager": "bob", "rampart:kind": "access-key",
    }
    assert key_version_id(KEY.access_key_id) == KEY.access_key_id
    with pytest.raises(ValueError, match="VersionId"):
        key_version_id("x" * 65)


def test_the_access_key_value_is_exactly_the_id_and_the_secret() -> None:
    value = access_key_secret_value(KEY)
    assert json.loads(value.reveal()) == {"AccessKeyId": KEY.access_key_id, "AccessKeySecret": KEY.secret.reveal()}
    assert KEY.secret.reveal() not in repr(value) + str(value)


def test_put_creates_the_secret_with_its_tags_and_read_returns_it(secrets: KmsSecrets, kms: Any) -> None:
    name, value, tags = key_secret()
    version = secrets.put(name, value, tags, version_id=KEY.access_key_id)
    assert version == KEY.access_key_id
    assert secrets.read(name) == value
    assert versions(kms, name) == [(KEY.access_key_id, ["ACSCurrent"])]
    described = kms.describe_secret(kms_models.DescribeSecretRequest(secret_name=name, fetch_tags="true")).body
    assert described.secret_type == "Generic"
    assert {t.tag_key: t.tag_value for t in described.tags.tag} == tags


def test_put_again_adds_a_new_current_version(secrets: KmsSecrets, kms: Any) -> None:
    name = secret_name("rampart", "alice", SecretKind.PASSWORD)
    tags = secret_tags("alice", "p-1", "", SecretKind.PASSWORD)
    first = secrets.put(name, Secret("First-Passw0rd!"), tags)
    second = secrets.put(name, Secret("Second-Passw0rd!"), tags)
    assert first != second
    assert secrets.read(name).reveal() == "Second-Passw0rd!"
    assert dict(versions(kms, name)) == {first: ["ACSPrevious"], second: ["ACSCurrent"]}


def test_a_new_key_becomes_acscurrent_and_the_old_one_acsprevious(secrets: KmsSecrets, kms: Any) -> None:
    name = put_key(secrets)
    new = NewAccessKey("LTAI5tExampleKeyId0002", Secret("example-secret-value-0002"), KEY.created_at)
    assert put_key(secrets, key=new) == name
    assert dict(versions(kms, name)) == {KEY.access_key_id: ["ACSPrevious"], new.access_key_id: ["ACSCurrent"]}
    assert secrets.read(name) == access_key_secret_value(new)
    assert secrets.for_user("alice") == [
        ObservedSecret(name, SecretKind.ACCESS_KEY, new.access_key_id, False, KEY.access_key_id)]


def test_writing_a_key_version_again_is_our_own_lost_write(secrets: KmsSecrets, kms: Any, cloud: LocalCloud) -> None:
    name = put_key(secrets)
    new = NewAccessKey("LTAI5tExampleKeyId0002", Secret("example-secret-value-0002"), KEY.created_at)
    cloud.faults.add("kms", "drop", "PutSecretValue", count=1)  # applied, then the answer is lost
    put_key(secrets, key=new)
    put_key(secrets, key=new)
    assert dict(versions(kms, name)) == {KEY.access_key_id: ["ACSPrevious"], new.access_key_id: ["ACSCurrent"]}


def test_for_user_reads_versions_never_values(secrets: KmsSecrets, cloud: LocalCloud, calls_served: CallsServed, count_calls: CountCalls) -> None:
    put_key(secrets)
    count_calls()
    [found] = secrets.for_user("alice")
    assert (found.access_key_id, found.previous_access_key_id) == (KEY.access_key_id, None)
    assert calls_served() == Counter({"kms:ListSecrets": 1, "kms:ListSecretVersionIds": 1})


def test_put_on_a_secret_pending_deletion_restores_it_first(secrets: KmsSecrets) -> None:
    name, value, tags = key_secret()
    secrets.put(name, value, tags)
    secrets.schedule_deletion(name, 7)
    assert [s.pending_deletion for s in secrets.for_user("alice")] == [True]
    secrets.put(name, Secret("replacement-value"), tags)
    assert secrets.read(name).reveal() == "replacement-value"
    assert [s.pending_deletion for s in secrets.for_user("alice")] == [False]


def test_reading_an_absent_secret_raises_not_found(secrets: KmsSecrets) -> None:
    with pytest.raises(CloudError) as caught:
        secrets.read("rampart/nobody/console-password")
    assert is_not_found(caught.value.code)


def test_for_user_lists_only_that_users_secrets_with_kind_key_and_deletion_state(secrets: KmsSecrets) -> None:
    name = put_key(secrets)
    password = secret_name("rampart", "alice", SecretKind.PASSWORD)
    secrets.put(password, Secret("Initial-Passw0rd!"), secret_tags("alice", "p-1", "bob", SecretKind.PASSWORD))
    # bob's secret names alice as his manager: a tag *value* "alice" that the exact check must ignore
    other = NewAccessKey("LTAI5tOtherKeyId00002", Secret("other-secret"), KEY.created_at)
    bob_name, bob_value, _ = key_secret("bob", other)
    secrets.put(bob_name, bob_value, secret_tags("bob", "p-2", "alice", SecretKind.ACCESS_KEY),
                version_id=other.access_key_id)
    secrets.schedule_deletion(password, 7)
    assert secrets.for_user("alice") == [
        ObservedSecret(name, SecretKind.ACCESS_KEY, KEY.access_key_id, False),
        ObservedSecret(password, SecretKind.PASSWORD, None, True),
    ]
    assert [s.name for s in secrets.for_user("bob")] == [bob_name]
    assert secrets.for_user("carol") == []


def test_for_user_reads_every_page(secrets: KmsSecrets) -> None:
    tags = secret_tags("alice", "p-1", "bob", SecretKind.PASSWORD)
    for i in range(103):  # ListSecrets pages at 100
        secrets.put(f"rampart/alice/paged-{i:03d}", Secret(f"s-{i}"), tags)
    found = secrets.for_user("alice")
    assert len(found) == 103 and len({s.name for s in found}) == 103


def test_schedule_deletion_and_restore_are_idempotent(secrets: KmsSecrets, kms: Any, cloud: LocalCloud) -> None:
    name, value, tags = key_secret()
    secrets.put(name, value, tags)
    secrets.schedule_deletion(name, 7)
    secrets.schedule_deletion(name, 7)  # already scheduled: converged
    described = kms.describe_secret(kms_models.DescribeSecretRequest(secret_name=name)).body
    assert described.planned_delete_time
    secrets.restore(name)
    secrets.restore(name)  # not scheduled any more: converged
    assert secrets.read(name) == value


def test_a_secret_is_gone_after_its_recovery_window(secrets: KmsSecrets, cloud: LocalCloud) -> None:
    name, value, tags = key_secret()
    secrets.put(name, value, tags)
    secrets.schedule_deletion(name, 7)
    cloud.clock_advance(8 * 86400)
    assert secrets.for_user("alice") == []
    with pytest.raises(CloudError) as caught:
        secrets.schedule_deletion(name, 7)
    assert is_not_found(caught.value.code)


def test_no_secret_value_appears_in_a_kms_error(secrets: KmsSecrets, cloud: LocalCloud) -> None:
    name, value, tags = key_secret()
    cloud.faults.add("kms", "error", "CreateSecret", code="InvalidParameter", status=400, message="rejected")
    with pytest.raises(CloudError) as caught:
        secrets.put(name, value, tags)
    rendered = f"{caught.value!s} {caught.value!r} {caught.value.__cause__!s}"
    assert KEY.secret.reveal() not in rendered
