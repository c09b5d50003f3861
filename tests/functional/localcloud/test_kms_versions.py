"""KMS secret versions: PutSecretValue, GetSecretValue, stages and ListSecretVersionIds (§B.3)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_tea_openapi.exceptions import ClientException

NAME = "app/db"


@pytest.fixture
def secret(kms: Kms) -> str:
    kms.create_secret(models.CreateSecretRequest(secret_name=NAME, secret_data="one", version_id="v1"))
    return NAME


def _error(call: Callable[[], object]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _put(kms: Kms, version: str, data: str | None = None, stages: list[str] | None = None) -> list[str]:
    request = models.PutSecretValueRequest(
        secret_name=NAME, version_id=version, secret_data=data if data is not None else f"data-{version}",
        version_stages=json.dumps(stages) if stages is not None else None,
    )
    return list(kms.put_secret_value(request).body.version_stages.version_stage)


def _stages(kms: Kms, *, include_deprecated: bool = True) -> dict[str, list[str]]:
    request = models.ListSecretVersionIdsRequest(
        secret_name=NAME, include_deprecated="true" if include_deprecated else "false", page_size=100
    )
    versions = kms.list_secret_version_ids(request).body.version_ids.version_id
    return {v.version_id: list(v.version_stages.version_stage) for v in versions}


def _value(kms: Kms, **kw: str) -> models.GetSecretValueResponseBody:
    return kms.get_secret_value(models.GetSecretValueRequest(secret_name=NAME, **kw)).body


# --- PutSecretValue ------------------------------------------------------------------------


def test_new_version_becomes_current_and_old_current_previous(kms: Kms, secret: str) -> None:
    assert _put(kms, "v2") == ["ACSCurrent"]
    assert _stages(kms) == {"v1": ["ACSPrevious"], "v2": ["ACSCurrent"]}


def test_third_version_leaves_the_first_without_stages(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _put(kms, "v3")
    assert _stages(kms) == {"v1": [], "v2": ["ACSPrevious"], "v3": ["ACSCurrent"]}


def test_get_secret_value_follows_the_stages(kms: Kms, secret: str) -> None:
    _put(kms, "v2", "two")
    _put(kms, "v3", "three")
    assert (_value(kms).secret_data, _value(kms).version_id) == ("three", "v3")
    assert _value(kms, version_stage="ACSPrevious").secret_data == "two"
    assert _value(kms, version_id="v1").secret_data == "one"
    assert _value(kms, version_id="v1").version_stages.version_stage == []


def test_same_version_and_same_data_is_idempotent(kms: Kms, secret: str) -> None:
    _put(kms, "v2", "two")
    assert _put(kms, "v2", "two") == ["ACSCurrent"]
    assert _stages(kms) == {"v1": ["ACSPrevious"], "v2": ["ACSCurrent"]}


def test_same_version_with_other_data_is_rejected(kms: Kms, secret: str) -> None:
    error = _error(lambda: _put(kms, "v1", "changed"))
    assert (error.code, error.status_code) == ("Rejected.ResourceExist", 409)
    assert _value(kms).secret_data == "one"


def test_custom_stages_leave_acs_current_in_place(kms: Kms, secret: str) -> None:
    assert _put(kms, "v2", stages=["ACSPending"]) == ["ACSPending"]
    assert _stages(kms) == {"v1": ["ACSCurrent"], "v2": ["ACSPending"]}
    assert _value(kms, version_stage="ACSPending").version_id == "v2"


def test_custom_stage_moves_to_the_newest_version_that_names_it(kms: Kms, secret: str) -> None:
    _put(kms, "v2", stages=["canary"])
    _put(kms, "v3", stages=["canary", "ACSCurrent"])
    assert _stages(kms) == {"v1": ["ACSPrevious"], "v2": [], "v3": ["canary", "ACSCurrent"]}


def test_binary_version_keeps_its_data_type(kms: Kms, secret: str) -> None:
    kms.put_secret_value(models.PutSecretValueRequest(secret_name=NAME, version_id="v2", secret_data="AAE=",
                                                      secret_data_type="binary"))
    assert (_value(kms).secret_data, _value(kms).secret_data_type) == ("AAE=", "binary")


def test_a_secret_keeps_at_most_ten_versions(kms: Kms, secret: str) -> None:
    for n in range(2, 12):
        _put(kms, f"v{n}")
    stages = _stages(kms)
    assert len(stages) == 10
    assert "v1" not in stages
    assert (stages["v11"], stages["v10"]) == (["ACSCurrent"], ["ACSPrevious"])


def test_more_than_eight_stage_labels_is_rejected(kms: Kms, secret: str) -> None:
    _put(kms, "v2", stages=[f"s{i}" for i in range(6)])  # ACSCurrent + 6 custom = 7 labels
    _put(kms, "v3", stages=["s6"])  # 8 labels
    error = _error(lambda: _put(kms, "v4", stages=["s7"]))
    assert (error.code, error.status_code) == ("Rejected.LimitExceeded", 400)


def test_put_on_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: _put(kms, "v1"))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_put_with_oversized_data_is_rejected(kms: Kms, secret: str) -> None:
    error = _error(lambda: _put(kms, "v2", "x" * 30_721))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_put_with_malformed_version_stages_is_rejected(kms: Kms, secret: str) -> None:
    request = models.PutSecretValueRequest(secret_name=NAME, version_id="v2", secret_data="x", version_stages="[1]")
    error = _error(lambda: kms.put_secret_value(request))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_put_accepts_the_secret_arn(kms: Kms, secret: str) -> None:
    arn = kms.describe_secret(models.DescribeSecretRequest(secret_name=NAME)).body.arn
    kms.put_secret_value(models.PutSecretValueRequest(secret_name=arn, version_id="v2", secret_data="two"))
    assert _value(kms).secret_data == "two"


# --- GetSecretValue -----------------------------------------------------------------------


def test_unknown_version_answers_resource_not_found(kms: Kms, secret: str) -> None:
    error = _error(lambda: _value(kms, version_id="v9"))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_stage_no_version_has_answers_resource_not_found(kms: Kms, secret: str) -> None:
    error = _error(lambda: _value(kms, version_stage="ACSPrevious"))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_version_and_stage_must_agree(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    error = _error(lambda: _value(kms, version_id="v2", version_stage="ACSPrevious"))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_get_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.get_secret_value(models.GetSecretValueRequest(secret_name="nope")))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_dry_run_answers_dry_run_operation_error(kms: Kms, secret: str) -> None:
    error = _error(lambda: _value(kms, dry_run="true"))
    assert (error.code, error.status_code) == ("DryRunOperationError", 400)
    assert "one" not in str(error.data)


# --- UpdateSecretVersionStage -------------------------------------------------------------


def _update(kms: Kms, stage: str, move_to: str | None = None, remove_from: str | None = None) -> None:
    kms.update_secret_version_stage(models.UpdateSecretVersionStageRequest(
        secret_name=NAME, version_stage=stage, move_to_version=move_to, remove_from_version=remove_from))


def test_moving_acs_current_back_makes_the_former_current_previous(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _put(kms, "v3")
    _update(kms, "ACSCurrent", move_to="v1")
    assert _stages(kms) == {"v1": ["ACSCurrent"], "v2": [], "v3": ["ACSPrevious"]}
    assert _value(kms).secret_data == "one"


def test_moving_acs_current_with_remove_from_is_the_same_move(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _update(kms, "ACSCurrent", move_to="v1", remove_from="v2")
    assert _stages(kms) == {"v1": ["ACSCurrent"], "v2": ["ACSPrevious"]}


def test_acs_previous_can_be_moved(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _put(kms, "v3")
    _update(kms, "ACSPrevious", move_to="v1")
    assert _stages(kms) == {"v1": ["ACSPrevious"], "v2": [], "v3": ["ACSCurrent"]}


@pytest.mark.parametrize("stage", ["ACSCurrent", "ACSPrevious"])
def test_system_stage_cannot_just_be_removed(kms: Kms, secret: str, stage: str) -> None:
    _put(kms, "v2")
    holder = "v2" if stage == "ACSCurrent" else "v1"
    error = _error(lambda: _update(kms, stage, remove_from=holder))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_custom_stage_can_be_added_and_removed(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _update(kms, "blue", move_to="v1")
    assert _stages(kms)["v1"] == ["ACSPrevious", "blue"]
    _update(kms, "blue", remove_from="v1")
    assert _stages(kms)["v1"] == ["ACSPrevious"]


def test_custom_stage_moves_between_versions(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _update(kms, "blue", move_to="v1")
    _update(kms, "blue", move_to="v2", remove_from="v1")
    assert _stages(kms) == {"v1": ["ACSPrevious"], "v2": ["ACSCurrent", "blue"]}


def test_neither_move_to_nor_remove_from_is_rejected(kms: Kms, secret: str) -> None:
    error = _error(lambda: _update(kms, "blue"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_remove_from_a_version_without_the_stage_is_rejected(kms: Kms, secret: str) -> None:
    error = _error(lambda: _update(kms, "blue", remove_from="v1"))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_move_to_an_unknown_version_answers_resource_not_found(kms: Kms, secret: str) -> None:
    error = _error(lambda: _update(kms, "ACSCurrent", move_to="v9"))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_missing_version_stage_answers_missing_parameter(kms: Kms, secret: str) -> None:
    error = _error(lambda: kms.update_secret_version_stage(
        models.UpdateSecretVersionStageRequest(secret_name=NAME, move_to_version="v1")))
    assert (error.code, error.status_code) == ("MissingParameter", 400)


def test_ninth_stage_label_is_rejected(kms: Kms, secret: str) -> None:
    _put(kms, "v2", stages=[f"s{i}" for i in range(7)])  # ACSCurrent + 7 custom = 8 labels
    error = _error(lambda: _update(kms, "s7", move_to="v1"))
    assert (error.code, error.status_code) == ("Rejected.LimitExceeded", 400)


# --- ListSecretVersionIds -----------------------------------------------------------------


def test_deprecated_versions_are_listed_only_on_request(kms: Kms, secret: str) -> None:
    _put(kms, "v2")
    _put(kms, "v3")
    assert list(_stages(kms, include_deprecated=False)) == ["v2", "v3"]
    assert list(_stages(kms, include_deprecated=True)) == ["v1", "v2", "v3"]


def test_version_ids_are_paged(kms: Kms, secret: str) -> None:
    for n in range(2, 6):
        _put(kms, f"v{n}")
    request = models.ListSecretVersionIdsRequest(secret_name=NAME, include_deprecated="true", page_number=2,
                                                 page_size=2)
    body = kms.list_secret_version_ids(request).body
    assert (body.total_count, body.page_number, body.page_size) == (5, 2, 2)
    assert [v.version_id for v in body.version_ids.version_id] == ["v3", "v4"]


def test_version_ids_page_size_defaults_to_twenty(kms: Kms, secret: str) -> None:
    body = kms.list_secret_version_ids(models.ListSecretVersionIdsRequest(secret_name=NAME)).body
    assert (body.page_number, body.page_size, body.total_count) == (1, 20, 1)
    assert body.version_ids.version_id[0].create_time.endswith("Z")


def test_version_ids_of_unknown_secret_answer_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: kms.list_secret_version_ids(models.ListSecretVersionIdsRequest(secret_name="nope")))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)
