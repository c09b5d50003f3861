"""`python -m localcloud serve`: the first-line contract, signals, persistence across restarts."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

from tests.conftest import repo_path

REPO = repo_path()


@contextmanager
def serve(*args: str) -> Iterator[tuple[dict[str, Any], subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "serve", *args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"localcloud printed nothing; stderr: {process.stderr.read() if process.stderr else ''}")
        yield json.loads(line), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


def _ram(info: dict[str, Any]) -> Ram:
    return Ram(Config(access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"],
                      endpoint=info["endpoint"], protocol="http", region_id=info["region"]))


def test_first_line_is_the_connection_json() -> None:
    with serve() as (info, _):
        assert set(info) == {"endpoint", "host", "port", "region", "account_id", "account_alias",
                             "access_key_id", "access_key_secret"}
        assert info["endpoint"] == f"127.0.0.1:{info['port']}"
        assert info["account_alias"] == info["account_id"]
        _ram(info).create_user(ram_models.CreateUserRequest(user_name="first-line"))


def test_sigterm_stops_cleanly() -> None:
    with serve() as (_, process):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_state_file_survives_a_restart_and_is_private(tmp_path: Path) -> None:
    state = tmp_path / "cloud.sqlite"
    with serve("--state", str(state)) as (info, _):
        ram = _ram(info)
        ram.create_user(ram_models.CreateUserRequest(user_name="persisted"))
        key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name="persisted")).body.access_key
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    with serve("--state", str(state)) as (again, _):
        assert (again["account_id"], again["access_key_id"]) == (info["account_id"], info["access_key_id"])
        ram = _ram(again)
        assert ram.get_user(ram_models.GetUserRequest(user_name="persisted")).body.user.user_name == "persisted"
        keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name="persisted")).body.access_keys
        assert [k.access_key_id for k in keys.access_key] == [key.access_key_id]


def test_state_file_that_is_not_localcloud_state_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("this is not a database")
    process = subprocess.run(
        [sys.executable, "-m", "localcloud", "serve", "--state", str(bogus)],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )
    assert process.returncode != 0
    assert "state" in process.stderr.lower()
    assert "Traceback" not in process.stderr


def test_sixteen_threads_hammering_get_user_see_no_error() -> None:
    with serve() as (info, _):
        ram = _ram(info)
        ram.create_user(ram_models.CreateUserRequest(user_name="hammered"))

        def worker(_: int) -> int:
            client = _ram(info)
            for _ in range(40):
                client.get_user(ram_models.GetUserRequest(user_name="hammered"))
            return 40

        with ThreadPoolExecutor(16) as pool:
            assert sum(pool.map(worker, range(16))) == 640


def test_port_in_use_is_a_clear_error() -> None:
    with serve() as (info, _):
        process = subprocess.run(
            [sys.executable, "-m", "localcloud", "serve", "--port", str(info["port"])],
            cwd=REPO, capture_output=True, text=True, timeout=30,
        )
        assert process.returncode == 1
        assert "cannot listen" in process.stderr


def test_unknown_user_over_cli_server_is_entity_not_exist() -> None:
    with serve() as (info, _):
        with pytest.raises(ClientException) as error:
            _ram(info).get_user(ram_models.GetUserRequest(user_name="nobody"))
        assert error.value.code == "EntityNotExist.User"
