"""rampart.engine against localcloud: what it reads, and how many calls localcloud served for it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from rampart.adapters.kms import access_key_secret_value
from rampart.engine import (
    CALLS_ABSENT,
    CALLS_PER_ACCESS_KEY_SECRET,
    CALLS_PRESENT,
    find_user_for_person,
    observe,
    users_for_person,
)
from rampart.errors import UnknownPerson
from rampart.model import (
    ACCOUNT,
    AccessMode,
    Attachment,
    LifecycleState,
    Marker,
    PolicyRef,
    PolicyType,
    Scope,
    SecretKind,
)
from rampart.naming import marker_tags, secret_name, secret_tags
from rampart.secret import Secret

from localcloud import LocalCloud
from tests.functional.rampart.test_adapters_identities import READ, bind_mfa, resource_group
from tests.functional.rampart.types import AdaptersFor, CallsServed, CountCalls

PREFIX = "rampart-tb-alice-"
DOC = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "arms:*", "Resource": "*",
                  "Condition": {"DateLessThan": {"acs:CurrentTime": "2099-01-01T00:00:00Z"}}}]})
EVERY_READ = Counter({
    "ram:GetUser": 1, "ram:ListTagResources": 1, "ram:ListAccessKeys": 1, "ram:GetLoginProfile": 1,
    "ram:GetUserMFAInfo": 1, "ram:ListPoliciesForUser": 1, "resourcemanager:ListPolicyAttachments": 1,
    "ram:ListGroupsForUser": 1, "kms:ListSecrets": 1, "ram:ListPolicies": 1,
})
KEY_VERSIONS = Counter({"kms:ListSecretVersionIds": 1})  # the AccessKey secret's ACSCurrent, never its value
ONCE_PER_ADAPTER = Counter({"ram:GetDefaultDomain": 1, "sts:GetCallerIdentity": 1})  # IMS counts as ram


def test_an_absent_user_costs_one_call(cloud: LocalCloud, adapters: AdaptersFor, calls_served: CallsServed, count_calls: CountCalls) -> None:
    _, ids, secrets = adapters()
    count_calls()
    assert observe(ids, secrets, "nobody", timebound_prefix=PREFIX) is None
    assert calls_served() == Counter({"ram:GetUser": 1})
    assert sum(calls_served().values()) == CALLS_ABSENT


def test_a_fresh_user_is_observed_empty_and_unmanaged(cloud: LocalCloud, adapters: AdaptersFor, calls_served: CallsServed, count_calls: CountCalls) -> None:
    _, ids, secrets = adapters()
    facts = ids.create_user("alice", "Alice", "")
    count_calls()
    observed = observe(ids, secrets, "alice", timebound_prefix=PREFIX)
    assert observed is not None
    assert (observed.user_name, observed.user_id, observed.display_name) == ("alice", facts.user_id, "Alice")
    assert observed.marker is None and observed.tags == {}
    assert observed.keys == () and not observed.has_login_profile and observed.mfa_serial is None
    assert observed.attachments == frozenset() and observed.groups == frozenset()
    assert observed.secrets == () and observed.timebound_policies == ()
    assert calls_served() == EVERY_READ + ONCE_PER_ADAPTER


def test_a_fully_loaded_user_is_observed_whole_in_eleven_calls(cloud: LocalCloud, ram: Any, rm: Any, adapters: AdaptersFor, calls_served: CallsServed, count_calls: CountCalls) -> None:
    _, ids, secrets = adapters()
    ids.create_user("alice", "Alice", "")
    marker = Marker("p-1", LifecycleState.ACTIVE, datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                    frozenset({"arms-readonly"}), access=AccessMode.PROGRAMMATIC)
    ids.tag_user("alice", {**marker_tags(marker), "department": "ops"})
    key = ids.create_access_key("alice")
    secrets.put(secret_name("rampart", "alice", SecretKind.ACCESS_KEY), access_key_secret_value(key),
                secret_tags("alice", "p-1", "bob", SecretKind.ACCESS_KEY), version_id=key.access_key_id)
    ids.create_login_profile("alice", Secret("Initial-Passw0rd!x"),
                             reset_required=True, mfa_required=True)
    serial = bind_mfa(cloud, ram, "alice")
    group = resource_group(rm, "apps")
    ids.attach("alice", Attachment(READ))
    ids.attach("alice", Attachment(READ, Scope(group)))
    ids.create_policy(PREFIX + "arms-full-1", DOC, "")
    ids.attach("alice", Attachment(PolicyRef(PolicyType.CUSTOM, PREFIX + "arms-full-1")))
    ram.create_group(ram_models.CreateGroupRequest(group_name="oncall"))
    ids.add_to_group("alice", "oncall")
    ids.default_domain()
    ids.attachments("alice")  # the once-per-adapter reads are done now

    count_calls()
    observed = observe(ids, secrets, "alice", timebound_prefix=PREFIX)
    assert observed is not None
    assert observed.marker == marker
    assert observed.tags["department"] == "ops"
    assert [(k.access_key_id, k.active) for k in observed.keys] == [(key.access_key_id, True)]
    assert observed.has_login_profile and observed.mfa_serial == serial
    assert observed.attachments == {
        Attachment(READ, ACCOUNT), Attachment(READ, Scope(group)),
        Attachment(PolicyRef(PolicyType.CUSTOM, PREFIX + "arms-full-1")),
    }
    assert observed.groups == {"oncall"}
    [escrowed] = observed.secrets
    assert (escrowed.kind, escrowed.access_key_id, escrowed.pending_deletion) == (
        SecretKind.ACCESS_KEY, key.access_key_id, False)
    assert observed.timebound_policies == (PREFIX + "arms-full-1",)
    assert calls_served() == EVERY_READ + KEY_VERSIONS
    assert sum(calls_served().values()) == CALLS_PRESENT + CALLS_PER_ACCESS_KEY_SECRET
    assert key.secret.reveal() not in repr(observed)


def test_users_for_person_lists_every_user_tagged_with_the_person(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, _ = adapters()
    for user, person in (("alice", "p-1"), ("alice-api", "p-1"), ("bob", "p-2")):
        ids.create_user(user, user, "")
        ids.tag_user(user, {"rampart:person": person})
    assert users_for_person(ids, "p-1") == ["alice", "alice-api"]
    assert users_for_person(ids, "p-9") == []


def test_find_user_for_person_prefers_the_console_user_of_a_split_pair(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, _ = adapters()
    assert find_user_for_person(ids, "p-1") is None
    ids.create_user("alice-api", "Alice", "")
    ids.tag_user("alice-api", {"rampart:person": "p-1"})
    assert find_user_for_person(ids, "p-1") == "alice-api"
    ids.create_user("alice", "Alice", "")
    ids.tag_user("alice", {"rampart:person": "p-1"})
    assert find_user_for_person(ids, "p-1") == "alice"


def test_find_user_for_person_refuses_to_guess_between_unrelated_users(cloud: LocalCloud, adapters: AdaptersFor) -> None:
    _, ids, _ = adapters()
    for user in ("alice", "asmith"):
        ids.create_user(user, user, "")
        ids.tag_user(user, {"rampart:person": "p-1"})
    with pytest.raises(UnknownPerson) as caught:
        find_user_for_person(ids, "p-1")
    assert "alice, asmith" in str(caught.value)
