"""SLS's indexing delay (localcloud.sls.models._indexing): a log is queryable a moment after PutLogs.

Through ``LogClient`` and the admin route; the clock, not sleeping, moves past the delay.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from aliyun.log import GetHistogramsRequest, GetLogsRequest, LogItem, PutLogsRequest

from localcloud import LocalCloud
from tests.functional.localcloud.types import Admin, SlsRaw

PROJECT, STORE = "audit-trail", "events"


@pytest.fixture
def sls(cloud: LocalCloud, sls_raw: SlsRaw) -> Any:
    return sls_raw.indexed_logstore(PROJECT, STORE, ["action", "user"])


def _put(sls: Any, user: str) -> None:
    sls.put_logs(PutLogsRequest(PROJECT, STORE, "t", "fc", [LogItem(int(time.time()), [("action", "x"), ("user", user)])]))


def _users(sls: Any, query: str = "action: x") -> list[str]:
    now = int(time.time())
    response = sls.get_logs(GetLogsRequest(PROJECT, STORE, now - 600, now + 600, query=query))
    return [log.get_contents()["user"] for log in response.get_logs()]


def _count(sls: Any) -> int:
    now = int(time.time())
    return int(sls.get_histograms(GetHistogramsRequest(PROJECT, STORE, now - 600, now + 600, query="action: x")).get_total_count())


def test_by_default_a_log_is_queryable_at_once(cloud: LocalCloud, sls: Any, admin: Admin) -> None:
    assert admin("GET", "/sls/index-delay") == (200, {"seconds": 0.0, "pending_writes": 0})
    _put(sls, "alice")
    assert _users(sls) == ["alice"]


def test_with_a_delay_a_log_is_queryable_only_once_the_clock_passes_it(cloud: LocalCloud, sls: Any, admin: Admin) -> None:
    _put(sls, "before")
    assert admin("POST", "/sls/index-delay", {"seconds": 3}) == (200, {"seconds": 3.0, "pending_writes": 0})
    _put(sls, "alice")
    _put(sls, "bob")
    assert admin("GET", "/sls/index-delay")[1]["pending_writes"] == 2
    assert _users(sls) == ["before"]  # written, accepted, not yet indexed
    assert _count(sls) == 1
    assert _users(sls, "user: alice") == []
    admin("POST", "/clock", {"advance": 2})
    assert _users(sls) == ["before"]
    admin("POST", "/clock", {"advance": 1.5})
    assert _users(sls) == ["before", "alice", "bob"]
    assert _count(sls) == 3
    assert admin("GET", "/sls/index-delay")[1]["pending_writes"] == 0


def test_a_changed_delay_applies_to_later_writes_only(cloud: LocalCloud, sls: Any, admin: Admin) -> None:
    admin("POST", "/sls/index-delay", {"seconds": 60})
    _put(sls, "slow")
    admin("POST", "/sls/index-delay", {"seconds": 0})
    _put(sls, "fast")
    assert _users(sls) == ["fast"]
    admin("POST", "/clock", {"advance": 61})
    assert sorted(_users(sls)) == ["fast", "slow"]


def test_the_delay_is_per_write_across_logstores(cloud: LocalCloud, sls: Any, admin: Admin, sls_raw: SlsRaw) -> None:
    sls.create_logstore(PROJECT, "other")
    sls.create_index(PROJECT, "other", sls_raw.index_config(["action", "user"], []))
    admin("POST", "/sls/index-delay", {"seconds": 5})
    sls.put_logs(PutLogsRequest(PROJECT, "other", "t", "fc", [LogItem(int(time.time()), [("action", "x"), ("user", "o")])]))
    admin("POST", "/clock", {"advance": 3})
    _put(sls, "alice")
    admin("POST", "/clock", {"advance": 2.5})
    now = int(time.time())
    other = sls.get_logs(GetLogsRequest(PROJECT, "other", now - 600, now + 600, query="action: x")).get_logs()
    assert [log.get_contents()["user"] for log in other] == ["o"]
    assert _users(sls) == []  # written 2.5 s ago, 5 s delay


def test_reset_forgets_pending_writes_and_keeps_the_setting(cloud: LocalCloud, sls: Any, admin: Admin, sls_raw: SlsRaw) -> None:
    admin("POST", "/sls/index-delay", {"seconds": 30})
    _put(sls, "gone")
    assert admin("GET", "/sls/index-delay") == (200, {"seconds": 30.0, "pending_writes": 1})
    cloud.reset()
    assert admin("GET", "/sls/index-delay") == (200, {"seconds": 30.0, "pending_writes": 0})
    client = sls_raw.indexed_logstore(PROJECT, STORE, ["action", "user"])
    admin("POST", "/sls/index-delay", {"seconds": 0})
    _put(client, "new")
    assert _users(client) == ["new"]


def test_a_deleted_and_recreated_logstore_does_not_inherit_pending_writes(cloud: LocalCloud, sls: Any, admin: Admin, sls_raw: SlsRaw) -> None:
    admin("POST", "/sls/index-delay", {"seconds": 30})
    _put(sls, "old")
    sls.delete_logstore(PROJECT, STORE)
    admin("POST", "/sls/index-delay", {"seconds": 0})
    sls.create_logstore(PROJECT, STORE)
    sls.create_index(PROJECT, STORE, sls_raw.index_config(["action", "user"], []))
    _put(sls, "new")
    assert _users(sls) == ["new"]


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": 601}, {"seconds": "3"}, {"seconds": True},
                                  {"seconds": None}])
def test_a_bad_setting_is_refused_and_changes_nothing(cloud: LocalCloud, body: dict[str, Any], admin: Admin) -> None:
    admin("POST", "/sls/index-delay", {"seconds": 2})
    status, answer = admin("POST", "/sls/index-delay", body)
    assert status == 400
    assert "seconds" in answer["error"]
    assert admin("GET", "/sls/index-delay")[1]["seconds"] == 2.0


def test_serve_takes_the_delay_and_refuses_a_bad_one() -> None:
    bad = subprocess.run([sys.executable, "-m", "localcloud", "serve", "--sls-index-delay", "-1"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "--sls-index-delay must be from 0 to 600 seconds" in bad.stderr
    assert bad.stdout == ""
