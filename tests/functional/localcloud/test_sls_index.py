"""SLS index APIs (CreateIndex, UpdateIndex, GetIndex, DeleteIndex) through ``aliyun.log.LogClient``,
and queries that go through the logstore's index."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from aliyun.log import (
    GetHistogramsRequest,
    GetLogsRequest,
    IndexConfig,
    IndexKeyConfig,
    IndexLineConfig,
    LogException,
    LogItem,
    PutLogsRequest,
)

from localcloud import LocalCloud
from localcloud.sls.client import log_client
from tests.functional.localcloud.types import MakeUser, SlsRaw

PROJECT, STORE = "audit-trail", "events"
TOKENS = [",", " ", "@", ":"]
INDEX = f"/logstores/{STORE}/index"


@pytest.fixture
def sls(cloud: LocalCloud) -> Any:
    info = cloud.info()
    client = log_client(cloud, info["access_key_id"], info["access_key_secret"], source="test-host")
    client.create_project(PROJECT, "")
    client.create_logstore(PROJECT, STORE, ttl=30)
    client.create_logstore(PROJECT, "other", ttl=30)
    return client


def _config(**keys: IndexKeyConfig) -> IndexConfig:
    return IndexConfig(line_config=IndexLineConfig(token_list=TOKENS), key_config_list=keys)


def _text(*tokens: str, case_sensitive: bool = False) -> IndexKeyConfig:
    return IndexKeyConfig(token_list=list(tokens or TOKENS), case_sensitive=case_sensitive, doc_value=True)


def _refused(call: Any, *args: Any, **kwargs: Any) -> LogException:
    with pytest.raises(LogException) as info:
        call(*args, **kwargs)
    return info.value


def _raw(sls_raw: SlsRaw, sls: Any, method: str, body: Any, store: str = STORE) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return sls_raw.send(sls, method, PROJECT, f"/logstores/{store}/index", data,
                       {"Content-Type": "application/json", "x-log-bodyrawsize": str(len(data))})


def _put(sls: Any, *logs: dict[str, str], topic: str = "") -> None:
    now = int(time.time())
    sls.put_logs(PutLogsRequest(PROJECT, STORE, topic, "host-1", [LogItem(now, list(log.items())) for log in logs]))


def _search(sls: Any, query: str = "*") -> list[dict[str, str]]:
    now = int(time.time())
    found = sls.get_logs(GetLogsRequest(PROJECT, STORE, now - 60, now + 60, query=query))
    return [{k: v for k, v in log.get_contents().items() if not k.startswith("__")} for log in found.get_logs()]


# --- CreateIndex / GetIndex ------------------------------------------------------------------


def test_created_index_is_returned_by_get_index(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text(" "), ms=IndexKeyConfig(index_type="long", doc_value=True)))
    got = sls.get_index_config(PROJECT, STORE).get_index_config()
    assert (got.line_config.token_list, got.line_config.case_sensitive) == (TOKENS, False)
    assert (got.key_config_list["user"].index_type, got.key_config_list["user"].token_list) == ("text", [" "])
    assert (got.key_config_list["ms"].index_type, got.key_config_list["ms"].doc_value) == ("long", True)


def test_get_index_answers_ttl_modify_time_mode_and_storage(cloud: LocalCloud, sls: Any, sls_raw: SlsRaw) -> None:
    cloud.clock_set(datetime(2026, 11, 28, 3, 42, 30, tzinfo=timezone.utc))
    sls.create_index(PROJECT, STORE, _config(user=_text()))
    body, _ = _raw(sls_raw, sls, "GET", b"")
    assert (body["ttl"], body["index_mode"], body["storage"]) == (30, "v2", "pg")
    assert body["lastModifyTime"] == 1795837350


def test_get_index_fills_in_the_documented_defaults(sls: Any, sls_raw: SlsRaw) -> None:
    _raw(sls_raw, sls, "POST", {"line": {"token": TOKENS}, "keys": {"user": {"type": "text", "token": TOKENS},
                                                            "ms": {"type": "long"}}})
    body, _ = _raw(sls_raw, sls, "GET", b"")
    assert body["line"] == {"token": TOKENS, "caseSensitive": False, "chn": False}
    assert body["keys"]["user"] == {"type": "text", "token": TOKENS, "caseSensitive": False, "chn": False,
                                    "alias": "", "doc_value": False}
    assert body["keys"]["ms"] == {"type": "long", "alias": "", "doc_value": False}


def test_second_create_index_is_index_already_exist(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    error = _refused(sls.create_index, PROJECT, STORE, _config())
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexAlreadyExist", 400)


def test_get_index_without_an_index_is_index_config_not_exist(sls: Any) -> None:
    error = _refused(sls.get_index_config, PROJECT, STORE)
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexConfigNotExist", 400)


@pytest.mark.parametrize("call", ["create_index", "update_index", "get_index_config", "delete_index"])
def test_index_apis_on_a_missing_logstore_are_logstore_not_exist(sls: Any, call: str) -> None:
    args = (PROJECT, "nowhere", _config()) if call in ("create_index", "update_index") else (PROJECT, "nowhere")
    error = _refused(getattr(sls, call), *args)
    assert (error.get_error_code(), error.get_resp_status()) == ("LogStoreNotExist", 404)


@pytest.mark.parametrize("call", ["create_index", "update_index", "get_index_config", "delete_index"])
def test_index_apis_on_a_missing_project_are_project_not_exist(sls: Any, call: str) -> None:
    args = ("no-such-project", STORE, _config()) if call in ("create_index", "update_index") else (
        "no-such-project", STORE)
    error = _refused(getattr(sls, call), *args)
    assert (error.get_error_code(), error.get_resp_status()) == ("ProjectNotExist", 404)


# --- the body's rules ------------------------------------------------------------------------


def test_index_without_line_or_keys_is_index_info_invalid(sls: Any) -> None:
    error = _refused(sls.create_index, PROJECT, STORE, IndexConfig())
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexInfoInvalid", 400)
    assert "line/keys" in error.get_error_message()


def test_full_text_index_without_token_is_index_info_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_raw, sls_raw, sls, "POST", {"line": {"caseSensitive": True}})
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexInfoInvalid", 400)
    assert "token" in error.get_error_message()


def test_text_field_without_token_is_index_info_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_raw, sls_raw, sls, "POST", {"keys": {"user": {"type": "text"}}})
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexInfoInvalid", 400)


def test_field_without_type_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls.create_index, PROJECT, STORE, _config(user=IndexKeyConfig(index_type=None)))  # type: ignore[arg-type]  # bad input
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "ParameterInvalid", "key config must has type", 400)


def test_unknown_field_type_is_index_info_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_raw, sls_raw, sls, "POST", {"keys": {"user": {"type": "keyword", "token": TOKENS}}})
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexInfoInvalid", 400)


def test_include_and_exclude_keys_together_are_index_info_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    line = {"token": TOKENS, "include_keys": ["a"], "exclude_keys": ["b"]}
    error = _refused(_raw, sls_raw, sls, "POST", {"line": line})
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexInfoInvalid", 400)


def test_index_body_that_is_not_json_is_post_body_invalid(sls: Any, sls_raw: SlsRaw) -> None:
    error = _refused(_raw, sls_raw, sls, "POST", b"{not json")
    assert (error.get_error_code(), error.get_resp_status()) == ("PostBodyInvalid", 400)


# --- UpdateIndex / DeleteIndex ---------------------------------------------------------------


def test_update_index_replaces_the_whole_configuration(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text(), action=_text()))
    sls.update_index(PROJECT, STORE, IndexConfig(key_config_list={"result": _text()}))
    got = sls.get_index_config(PROJECT, STORE).get_index_config()
    assert (got.line_config, list(got.key_config_list)) == (None, ["result"])


def test_update_index_without_an_index_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls.update_index, PROJECT, STORE, _config())
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "ParameterInvalid", "log store index is not created", 400)


def test_delete_index_removes_it(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    sls.delete_index(PROJECT, STORE)
    assert _refused(sls.get_index_config, PROJECT, STORE).get_error_code() == "IndexConfigNotExist"


def test_delete_index_without_an_index_is_parameter_invalid(sls: Any) -> None:
    error = _refused(sls.delete_index, PROJECT, STORE)
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)


def test_an_index_can_be_created_again_after_delete(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    sls.delete_index(PROJECT, STORE)
    sls.create_index(PROJECT, STORE, _config(user=_text()))
    assert list(sls.get_index_config(PROJECT, STORE).get_index_config().key_config_list) == ["user"]


def test_a_recreated_logstore_has_no_index(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    sls.delete_logstore(PROJECT, STORE)
    sls.create_logstore(PROJECT, STORE)
    assert _refused(sls.get_index_config, PROJECT, STORE).get_error_code() == "IndexConfigNotExist"


def test_index_survives_a_restart_with_a_state_file(tmp_path: Any) -> None:
    path = tmp_path / "state.db"
    with LocalCloud(state_file=path) as first:
        info = first.info()
        client = log_client(first, info["access_key_id"], info["access_key_secret"], source="h")
        client.create_project(PROJECT, "")
        client.create_logstore(PROJECT, STORE)
        client.create_index(PROJECT, STORE, _config(user=_text()))
        _put(client, {"user": "alice"})
    with LocalCloud(state_file=path) as second:
        client = log_client(second, info["access_key_id"], info["access_key_secret"], source="h")
        assert list(client.get_index_config(PROJECT, STORE).get_index_config().key_config_list) == ["user"]
        assert _search(client, "user: alice") == [{"user": "alice"}]


# --- authorization -------------------------------------------------------------------------


def test_read_only_user_gets_the_index_but_cannot_create_one(cloud: LocalCloud, sls: Any, make_user: MakeUser) -> None:
    sls.create_index(PROJECT, STORE, _config())
    ak, sk = make_user("reader", "AliyunLogReadOnlyAccess")
    reader = log_client(cloud, ak, sk, source="h")
    assert reader.get_index_config(PROJECT, STORE).get_index_config().line_config.token_list == TOKENS
    error = _refused(reader.create_index, PROJECT, "other", _config())
    resource = f"acs:log:{cloud.account.region}:{cloud.account.account_id}:project/{PROJECT}/logstore/other"
    assert (error.get_error_code(), error.get_resp_status()) == ("Unauthorized", 401)
    assert error.get_error_message() == f"denied by sts or ram, action: log:CreateIndex, resource: {resource}"


@pytest.mark.parametrize("action", ["log:UpdateIndex", "log:DeleteIndex"])
def test_index_changes_are_authorized_per_action_on_the_logstore(
    cloud: LocalCloud, ram: Ram, sls: Any, make_user: MakeUser, action: str
) -> None:
    sls.create_index(PROJECT, STORE, _config())
    sls.create_index(PROJECT, "other", _config())
    document = {"Version": "1", "Statement": [{"Effect": "Allow", "Action": [action],
                                               "Resource": [f"acs:log:*:*:project/{PROJECT}/logstore/{STORE}"]}]}
    ram.create_policy(ram_models.CreatePolicyRequest(policy_name="index-admin", policy_document=json.dumps(document)))
    ak, sk = make_user("indexer")
    ram.attach_policy_to_user(ram_models.AttachPolicyToUserRequest(
        policy_type="Custom", policy_name="index-admin", user_name="indexer"))
    client = log_client(cloud, ak, sk, source="h")

    def change(store: str) -> Any:
        if action == "log:UpdateIndex":
            return client.update_index(PROJECT, store, _config())
        return client.delete_index(PROJECT, store)

    change(STORE)
    assert _refused(change, "other").get_error_code() == "Unauthorized"


# --- queries go through the index ------------------------------------------------------------


def test_get_logs_without_an_index_is_index_config_not_exist(sls: Any) -> None:
    _put(sls, {"user": "alice"})
    error = _refused(_search, sls)
    assert (error.get_error_code(), error.get_error_message(), error.get_resp_status()) == (
        "IndexConfigNotExist", "logstore without index config", 400)


def test_get_histograms_without_an_index_is_index_config_not_exist(sls: Any) -> None:
    now = int(time.time())
    error = _refused(sls.get_histograms, GetHistogramsRequest(PROJECT, STORE, now - 60, now + 60))
    assert (error.get_error_code(), error.get_resp_status()) == ("IndexConfigNotExist", 400)


def test_get_logs_after_delete_index_is_index_config_not_exist(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    sls.delete_index(PROJECT, STORE)
    assert _refused(_search, sls).get_error_code() == "IndexConfigNotExist"


def test_logs_written_before_the_index_are_not_searchable(sls: Any) -> None:
    _put(sls, {"user": "early"})
    sls.create_index(PROJECT, STORE, _config(user=_text()))
    _put(sls, {"user": "late"})
    assert _search(sls) == [{"user": "late"}]


def test_an_updated_index_applies_to_logs_written_after_it(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text()))
    _put(sls, {"user": "Alice", "n": "1"})
    sls.update_index(PROJECT, STORE, _config(user=_text(case_sensitive=True)))
    _put(sls, {"user": "Alice", "n": "2"})
    assert [log["n"] for log in _search(sls, "user: alice")] == ["1"]
    assert [log["n"] for log in _search(sls, "user: Alice")] == ["1", "2"]


def test_a_field_without_a_field_index_cannot_be_searched_by_key(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text()))
    error = _refused(_search, sls, "action: login")
    assert (error.get_error_code(), error.get_resp_status()) == ("ParameterInvalid", 400)
    assert error.get_error_message().startswith("key (action) is not config as key value config")


def test_numeric_comparison_needs_a_long_or_double_field(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(ms=_text()))
    error = _refused(_search, sls, "ms > 10")
    assert (error.get_error_code(), error.get_error_message()) == (
        "ParameterInvalid", "key (ms) is not config as numberic column")


def test_long_field_compares_numerically(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(ms=IndexKeyConfig(index_type="long")))
    _put(sls, {"ms": "9"}, {"ms": "120"}, {"ms": "1500"})
    assert _search(sls, "ms > 100 and ms < 1000") == [{"ms": "120"}]
    assert _search(sls, "ms: 1500") == [{"ms": "1500"}]


def test_a_fields_own_delimiters_split_its_values(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text(" ")))
    _put(sls, {"user": "alice@example.com"})
    assert _search(sls, "user: alice") == []
    assert _search(sls, "user: alice@example.com") == [{"user": "alice@example.com"}]


def test_a_case_sensitive_field_matches_only_its_case(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config(user=_text(case_sensitive=True)))
    _put(sls, {"user": "Erin"})
    assert (_search(sls, "user: erin"), _search(sls, "user: Erin")) == ([], [{"user": "Erin"}])


def test_full_text_searches_every_field_through_the_line_index(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    _put(sls, {"msg": "disk full", "host": "db-1"})
    assert _search(sls, "full") == [{"msg": "disk full", "host": "db-1"}]


def test_without_a_full_text_index_only_text_fields_are_searched(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, IndexConfig(key_config_list={"user": _text(), "ms": IndexKeyConfig(index_type="long")}))
    _put(sls, {"user": "alice", "ms": "42", "msg": "hello"})
    assert [len(_search(sls, term)) for term in ("alice", "42", "hello")] == [1, 0, 0]


def test_exclude_keys_keep_a_field_out_of_the_full_text_index(sls: Any, sls_raw: SlsRaw) -> None:
    _raw(sls_raw, sls, "POST", {"line": {"token": TOKENS, "exclude_keys": ["secret_hint"]}})
    _put(sls, {"msg": "rotated", "secret_hint": "hunter"})
    assert (len(_search(sls, "rotated")), len(_search(sls, "hunter"))) == (1, 0)


def test_topic_is_indexed_without_delimiters(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    _put(sls, {"k": "v"}, topic="rampart audit")
    assert (len(_search(sls, "__topic__: rampart")), len(_search(sls, '__topic__: "rampart audit"'))) == (0, 1)


def test_tag_fields_need_their_own_field_index(sls: Any) -> None:
    sls.create_index(PROJECT, STORE, _config())
    _put(sls, {"k": "v"})
    assert _refused(_search, sls, "__tag__:__receive_time__: *").get_error_code() == "ParameterInvalid"
    sls.update_index(PROJECT, STORE, _config(**{"__tag__:__receive_time__": IndexKeyConfig(index_type="long")}))
    _put(sls, {"k": "w"})
    assert _search(sls, "__tag__:__receive_time__: *") == [{"k": "w"}]


def test_brackets_in_a_query_term_are_literal(sls: Any) -> None:
    """SLS's wildcards are only ``*`` and ``?``
    (https://www.alibabacloud.com/help/en/sls/user-guide/search-syntax): ``a[1]*`` is no
    character class, so it matches ``a[1]x`` and not ``a1x``."""
    sls.create_index(PROJECT, STORE, _config(user=_text(" ")))
    _put(sls, {"user": "a[1]x"}, {"user": "a1x"}, {"user": "a]x"})
    assert _search(sls, "user: a[1]*") == [{"user": "a[1]x"}]
    assert sorted(log["user"] for log in _search(sls, "user: a?x")) == ["a1x", "a]x"]
