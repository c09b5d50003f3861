"""KMS DeleteSecret and RestoreSecret: recovery window, forced delete, expiry on the clock (§B.3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.core.clock import parse_iso

NAME = "app/db"
DAY = 86_400


@pytest.fixture
def secret(kms: Kms) -> str:
    kms.create_secret(models.CreateSecretRequest(secret_name=NAME, secret_data="one", version_id="v1"))
    return NAME


def _error(call: Callable[[], object]) -> ClientException:
    with pytest.raises(ClientException) as info:
        call()
    return info.value


def _delete(kms: Kms, **kw: str) -> models.DeleteSecretResponseBody:
    return kms.delete_secret(models.DeleteSecretRequest(secret_name=NAME, **kw)).body


def _describe(kms: Kms) -> models.DescribeSecretResponseBody:
    return kms.describe_secret(models.DescribeSecretRequest(secret_name=NAME)).body


def test_delete_schedules_deletion_thirty_days_out(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    body = _delete(kms)
    planned = parse_iso(body.planned_delete_time)
    assert body.secret_name == NAME
    assert abs(planned - (cloud.now() + timedelta(days=30))) < timedelta(seconds=5)
    assert _describe(kms).planned_delete_time == body.planned_delete_time


@pytest.mark.parametrize("days", ["7", "30"])
def test_recovery_window_of_7_to_30_days_is_accepted(cloud: LocalCloud, kms: Kms, secret: str, days: str) -> None:
    planned = parse_iso(_delete(kms, recovery_window_in_days=days).planned_delete_time)
    assert abs(planned - (cloud.now() + timedelta(days=int(days)))) < timedelta(seconds=5)


@pytest.mark.parametrize("days", ["6", "31", "0", "ten"])
def test_recovery_window_outside_7_to_30_days_is_rejected(kms: Kms, secret: str, days: str) -> None:
    error = _error(lambda: _delete(kms, recovery_window_in_days=days))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)
    assert _describe(kms).planned_delete_time is None


def test_pending_secret_value_cannot_be_read(kms: Kms, secret: str) -> None:
    _delete(kms)
    error = _error(lambda: kms.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Rejected.ResourceInDeleteWindow", 409)


def test_pending_secret_cannot_get_a_new_version(kms: Kms, secret: str) -> None:
    _delete(kms)
    request = models.PutSecretValueRequest(secret_name=NAME, version_id="v2", secret_data="two")
    error = _error(lambda: kms.put_secret_value(request))
    assert (error.code, error.status_code) == ("Rejected.ResourceInDeleteWindow", 409)


def test_deleting_a_pending_secret_again_is_rejected(kms: Kms, secret: str) -> None:
    _delete(kms)
    error = _error(lambda: _delete(kms))
    assert (error.code, error.status_code) == ("Rejected.ResourceInDeleteWindow", 409)


def test_restore_within_the_window_brings_the_secret_back(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    _delete(kms, recovery_window_in_days="7")
    cloud.clock_advance(6 * DAY)
    assert kms.restore_secret(models.RestoreSecretRequest(secret_name=NAME)).body.secret_name == NAME
    assert _describe(kms).planned_delete_time is None
    assert kms.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)).body.secret_data == "one"


def test_restoring_a_secret_that_is_not_deleted_answers_resource_in_use(kms: Kms, secret: str) -> None:
    error = _error(lambda: kms.restore_secret(models.RestoreSecretRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Rejected.ResourceInUse", 409)


def test_secret_is_gone_once_the_window_passes(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    _delete(kms)
    cloud.clock_advance(29 * DAY)
    assert _describe(kms).planned_delete_time is not None
    cloud.clock_advance(2 * DAY)
    error = _error(lambda: _describe(kms))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_expired_secret_cannot_be_restored(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    _delete(kms, recovery_window_in_days="7")
    cloud.clock_advance(8 * DAY)
    error = _error(lambda: kms.restore_secret(models.RestoreSecretRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_expired_name_can_be_reused(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    _delete(kms)
    cloud.clock_advance(31 * DAY)
    kms.create_secret(models.CreateSecretRequest(secret_name=NAME, secret_data="fresh", version_id="v1"))
    assert kms.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)).body.secret_data == "fresh"


def test_expired_secret_leaves_the_list(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    _delete(kms)
    cloud.clock_advance(31 * DAY)
    assert kms.list_secrets(models.ListSecretsRequest()).body.total_count == 0


def test_forced_delete_removes_the_secret_at_once(cloud: LocalCloud, kms: Kms, secret: str) -> None:
    body = _delete(kms, force_delete_without_recovery="true")
    assert abs(parse_iso(body.planned_delete_time) - cloud.now()) < timedelta(seconds=5)
    error = _error(lambda: _describe(kms))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_force_deleted_secret_cannot_be_restored(kms: Kms, secret: str) -> None:
    _delete(kms, force_delete_without_recovery="true")
    error = _error(lambda: kms.restore_secret(models.RestoreSecretRequest(secret_name=NAME)))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_force_deleted_name_can_be_reused_at_once(kms: Kms, secret: str) -> None:
    _delete(kms, force_delete_without_recovery="true")
    kms.create_secret(models.CreateSecretRequest(secret_name=NAME, secret_data="again", version_id="v1"))
    assert kms.get_secret_value(models.GetSecretValueRequest(secret_name=NAME)).body.secret_data == "again"


def test_pending_secret_can_still_be_force_deleted(kms: Kms, secret: str) -> None:
    _delete(kms)
    _delete(kms, force_delete_without_recovery="true")
    error = _error(lambda: _describe(kms))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)


def test_delete_accepts_the_secret_arn(kms: Kms, secret: str) -> None:
    arn = _describe(kms).arn
    assert kms.delete_secret(models.DeleteSecretRequest(secret_name=arn)).body.secret_name == NAME


def test_deleting_an_unknown_secret_answers_resource_not_found(kms: Kms) -> None:
    error = _error(lambda: _delete(kms))
    assert (error.code, error.status_code) == ("Forbidden.ResourceNotFound", 404)
