"""SLS projects and logstores through ``aliyun.log.LogClient``: round trips, rules, error codes."""

from __future__ import annotations

from typing import Any

import pytest
from aliyun.log import LogException

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from tests.functional.localcloud.types import SlsRaw


@pytest.fixture
def sls(cloud: LocalCloud) -> Any:
    info = cloud.info()
    return log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")


def _refused(call: Any, *args: Any) -> LogException:
    with pytest.raises(LogException) as info:
        call(*args)
    return info.value


# --- projects ---------------------------------------------------------------------------


def test_created_project_is_described_by_get_project(cloud: LocalCloud, sls: Any) -> None:
    sls.create_project("audit-trail", "rampart audit")
    project = sls.get_project("audit-trail")
    assert (project.get_projectname(), project.get_description(), project.get_status()) == (
        "audit-trail", "rampart audit", "Normal")
    assert (project.get_owner(), project.get_region()) == (cloud.account.account_id, cloud.account.region)


def test_list_project_pages_with_offset_and_size(sls: Any) -> None:
    for name in ("proj-a", "proj-b", "proj-c"):
        sls.create_project(name, "")
    first = sls.list_project(offset=0, size=2)
    rest = sls.list_project(offset=2, size=2)
    assert (first.get_count(), first.get_total(), rest.get_count()) == (2, 3, 1)
    names = [p["projectName"] for p in first.get_projects() + rest.get_projects()]
    assert names == ["proj-a", "proj-b", "proj-c"]


def test_list_project_filters_by_name_part(sls: Any) -> None:
    sls.create_project("audit-one", "")
    sls.create_project("metrics-one", "")
    listed = sls.list_project(project_name_pattern="audit")
    assert [p["projectName"] for p in listed.get_projects()] == ["audit-one"]


def test_list_project_size_over_500_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls._send, "GET", None, None, "/", {"offset": "0", "size": "501"}, {})
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_creating_an_existing_project_is_project_already_exist(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    error = _refused(sls.create_project, "audit-trail", "")
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectAlreadyExist", 400)


def test_missing_project_is_project_not_exist(sls: Any) -> None:
    error = _refused(sls.get_project, "no-such-project")
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectNotExist", 404)


def test_error_carries_the_request_id_header(sls: Any) -> None:
    error = _refused(sls.get_project, "no-such-project")
    assert len(error.get_request_id()) == 24


def test_deleted_project_is_gone(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    sls.delete_project("audit-trail")
    assert _refused(sls.get_project, "audit-trail").get_error_code() == "ProjectNotExist"


def test_project_name_with_upper_case_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls.create_project, "Audit", "")
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_project_description_over_512_characters_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls.create_project, "audit-trail", "x" * 513)
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_update_project_changes_the_description(sls: Any) -> None:
    sls.create_project("audit-trail", "old")
    sls.update_project("audit-trail", "new")
    assert sls.get_project("audit-trail").get_description() == "new"


# --- logstores --------------------------------------------------------------------------


def test_created_logstore_is_described_by_get_logstore(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    sls.create_logstore("audit-trail", "events", ttl=90, shard_count=3, append_meta=True)
    store = sls.get_logstore("audit-trail", "events")
    assert (store.logstore_name, store.ttl, store.shard_count, store.append_meta) == ("events", 90, 3, True)


def test_list_logstore_has_count_and_total_and_pages(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    for name in ("ls-a", "ls-b", "ls-c"):
        sls.create_logstore("audit-trail", name)
    listed = sls.list_logstore("audit-trail", offset=1, size=1)
    assert (listed.get_count(), listed.get_total(), listed.get_logstores()) == (1, 3, ["ls-b"])


def test_list_logstores_request_lists_every_name(sls: Any) -> None:
    from aliyun.log import ListLogstoresRequest

    sls.create_project("audit-trail", "")
    sls.create_logstore("audit-trail", "events")
    listed = sls.list_logstores(ListLogstoresRequest("audit-trail"))
    assert (listed.count, listed.total, listed.logstores) == (1, 1, ["events"])


def test_creating_an_existing_logstore_is_logstore_already_exist(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    sls.create_logstore("audit-trail", "events")
    error = _refused(sls.create_logstore, "audit-trail", "events")
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreAlreadyExist", 400)


def test_missing_logstore_is_logstore_not_exist(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    error = _refused(sls.get_logstore, "audit-trail", "events")
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreNotExist", 404)


def test_logstore_in_a_missing_project_is_project_not_exist(sls: Any) -> None:
    error = _refused(sls.create_logstore, "no-such-project", "events")
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectNotExist", 404)


def test_logstore_name_with_a_dot_is_logstore_info_invalid(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    error = _refused(sls.create_logstore, "audit-trail", "bad.name")
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreInfoInvalid", 400)


def test_ttl_above_3650_days_is_logstore_info_invalid(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    error = _refused(lambda: sls.create_logstore("audit-trail", "events", ttl=3651))
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreInfoInvalid", 400)


def test_max_split_shard_above_64_is_logstore_info_invalid(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    error = _refused(lambda: sls.create_logstore("audit-trail", "events", auto_split=True, max_split_shard=65))
    assert error.get_error_code() == "LogStoreInfoInvalid"


def test_update_logstore_changes_ttl_but_not_shard_count(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    sls.create_logstore("audit-trail", "events", ttl=30, shard_count=2)
    sls.update_logstore("audit-trail", "events", ttl=180, shard_count=5)
    store = sls.get_logstore("audit-trail", "events")
    assert (store.ttl, store.shard_count) == (180, 2)


def test_deleted_logstore_is_gone(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    sls.create_logstore("audit-trail", "events")
    sls.delete_logstore("audit-trail", "events")
    assert _refused(sls.get_logstore, "audit-trail", "events").get_error_code() == "LogStoreNotExist"


def test_logstore_201_in_one_project_is_project_quota_exceed(sls: Any) -> None:
    sls.create_project("audit-trail", "")
    for index in range(200):
        sls.create_logstore("audit-trail", f"ls-{index:03d}")
    error = _refused(sls.create_logstore, "audit-trail", "one-too-many")
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectQuotaExceed", 400)


def test_projects_and_logs_survive_a_restart_with_a_state_file(tmp_path: Any, sls_raw: SlsRaw) -> None:
    import time

    from aliyun.log import GetLogsRequest, LogItem, PutLogsRequest

    path = tmp_path / "state.db"
    with LocalCloud(state_file=path) as first:
        info = first.info()
        client = log_client(first, info["access_key_id"], info["access_key_secret"], source="h")
        client.create_project("audit-trail", "")
        client.create_logstore("audit-trail", "events")
        client.create_index("audit-trail", "events", sls_raw.index_config(["k"]))
        now = int(time.time())
        client.put_logs(PutLogsRequest("audit-trail", "events", "", "", [LogItem(now, [("k", "v")])]))
    with LocalCloud(state_file=path) as second:
        client = log_client(second, info["access_key_id"], info["access_key_secret"], source="h")
        found = client.get_logs(GetLogsRequest("audit-trail", "events", now - 5, now + 5))
        assert [log.get_contents()["k"] for log in found.get_logs()] == ["v"]
