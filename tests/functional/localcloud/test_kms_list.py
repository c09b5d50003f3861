"""KMS ListSecrets: paging, FetchTags and Filters (§B.3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud


def _create(kms: Kms, name: str, tags: dict[str, str] | None = None, **kw: Any) -> None:
    tag_list = json.dumps([{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()])
    kms.create_secret(models.CreateSecretRequest(secret_name=name, secret_data="x", version_id="v1", tags=tag_list,
                                                 **kw))


def _error(call: Callable[[], object]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _names(kms: Kms, filters: list[dict[str, Any]] | None = None, **kw: Any) -> list[str]:
    request = models.ListSecretsRequest(filters=json.dumps(filters) if filters is not None else None, page_size=100,
                                        **kw)
    return [s.secret_name for s in kms.list_secrets(request).body.secret_list.secret]


@pytest.fixture
def fleet(kms: Kms) -> None:
    _create(kms, "alice", {"team": "red", "owner": "alice"}, description="key of alice")
    _create(kms, "bob", {"team": "blue"}, description="key of bob")
    _create(kms, "carol", {"team": "red"})


def test_empty_account_lists_nothing(kms: Kms) -> None:
    body = kms.list_secrets(models.ListSecretsRequest()).body
    assert (body.secret_list.secret, body.total_count, body.page_number, body.page_size) == ([], 0, 1, 10)


def test_list_pages_ten_by_default(kms: Kms) -> None:
    for n in range(12):
        _create(kms, f"s{n:02d}")
    first = kms.list_secrets(models.ListSecretsRequest()).body
    second = kms.list_secrets(models.ListSecretsRequest(page_number=2)).body
    assert (len(first.secret_list.secret), first.total_count) == (10, 12)
    assert [s.secret_name for s in second.secret_list.secret] == ["s10", "s11"]


def test_page_past_the_end_is_empty(kms: Kms, fleet: None) -> None:
    body = kms.list_secrets(models.ListSecretsRequest(page_number=5, page_size=2)).body
    assert (body.secret_list.secret, body.total_count) == ([], 3)


@pytest.mark.parametrize(("number", "size"), [(0, 10), (1, 0), (1, 101)])
def test_paging_out_of_range_is_rejected(kms: Kms, number: int, size: int) -> None:
    error = _error(lambda: kms.list_secrets(models.ListSecretsRequest(page_number=number, page_size=size)))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_page_size_of_100_is_accepted(kms: Kms, fleet: None) -> None:
    assert kms.list_secrets(models.ListSecretsRequest(page_size=100)).body.page_size == 100


def test_items_carry_name_type_and_times(kms: Kms, fleet: None) -> None:
    item = kms.list_secrets(models.ListSecretsRequest()).body.secret_list.secret[0]
    assert (item.secret_name, item.secret_type, item.tags, item.planned_delete_time) == ("alice", "Generic", None, None)
    assert item.create_time.endswith("Z") and item.update_time.endswith("Z")


def test_fetch_tags_adds_the_tags(kms: Kms, fleet: None) -> None:
    item = kms.list_secrets(models.ListSecretsRequest(fetch_tags="true")).body.secret_list.secret[0]
    assert [(t.tag_key, t.tag_value) for t in item.tags.tag] == [("team", "red"), ("owner", "alice")]


def test_pending_secrets_are_listed_with_their_planned_delete_time(kms: Kms, fleet: None) -> None:
    kms.delete_secret(models.DeleteSecretRequest(secret_name="bob"))
    items = {s.secret_name: s for s in kms.list_secrets(models.ListSecretsRequest()).body.secret_list.secret}
    assert items["bob"].planned_delete_time is not None
    assert items["alice"].planned_delete_time is None


def test_values_of_one_key_are_ored(kms: Kms, fleet: None) -> None:
    assert _names(kms, [{"Key": "SecretName", "Values": ["alice", "carol", "zed"]}]) == ["alice", "carol"]


def test_keys_are_anded(kms: Kms, fleet: None) -> None:
    filters = [{"Key": "TagValue", "Values": ["red"]}, {"Key": "SecretName", "Values": ["carol", "bob"]}]
    assert _names(kms, filters) == ["carol"]


def test_filter_by_tag_key(kms: Kms, fleet: None) -> None:
    assert _names(kms, [{"Key": "TagKey", "Values": ["owner"]}]) == ["alice"]


def test_filter_by_description(kms: Kms, fleet: None) -> None:
    assert _names(kms, [{"Key": "Description", "Values": ["key of bob"]}]) == ["bob"]


def test_filter_by_secret_type(kms: Kms, fleet: None) -> None:
    assert _names(kms, [{"Key": "SecretType", "Values": ["Generic"]}]) == ["alice", "bob", "carol"]
    assert _names(kms, [{"Key": "SecretType", "Values": ["RDS"]}]) == []


def test_filter_by_creator(cloud: LocalCloud, kms: Kms, fleet: None) -> None:
    assert _names(kms, [{"Key": "Creator", "Values": [cloud.account.account_id]}]) == ["alice", "bob", "carol"]


def test_total_count_counts_filtered_secrets(kms: Kms, fleet: None) -> None:
    request = models.ListSecretsRequest(filters=json.dumps([{"Key": "TagValue", "Values": ["red"]}]), page_size=1)
    body = kms.list_secrets(request).body
    assert (body.total_count, [s.secret_name for s in body.secret_list.secret]) == (2, ["alice"])


@pytest.mark.parametrize(
    "filters",
    [
        json.dumps([{"Key": "SecretName", "Values": ["a"]}] * 11),
        json.dumps([{"Key": "SecretName", "Values": [str(n) for n in range(11)]}]),
        json.dumps([{"Key": "Colour", "Values": ["red"]}]),
        json.dumps([{"Key": "SecretName", "Values": []}]),
        json.dumps({"Key": "SecretName", "Values": ["a"]}),
        "not json",
    ],
    ids=["11-filters", "11-values", "unknown-key", "no-values", "not-array", "bad-json"],
)
def test_invalid_filters_are_rejected(kms: Kms, filters: str) -> None:
    error = _error(lambda: kms.list_secrets(models.ListSecretsRequest(filters=filters)))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_ten_filters_of_ten_values_are_accepted(kms: Kms, fleet: None) -> None:
    filters = [{"Key": "SecretName", "Values": ["alice", *[f"x{n}" for n in range(9)]]}] * 10
    assert _names(kms, filters) == ["alice"]
