"""Setting FC's async concurrency: ``serve --fc-concurrency N``, ``LocalCloud(fc_concurrency=N)``,
``GET``/``PUT /_localcloud/functions/concurrency``, and a function's ``reserved_concurrency``
(FC 3.0's ``reservedConcurrency``); every bad value is refused and changes nothing."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from localcloud import LocalCloud
from localcloud.__main__ import _parser
from localcloud.fc.functions import FunctionConfigError
from tests.functional.localcloud.types import Admin

FUNCS = "tests/functional/localcloud/fcfuncs"
BAD_VALUES: list[Any] = [0, -1, 301, 2.5, "4", True, None, [4]]


def test_the_admin_route_reports_the_default_and_the_current_load(cloud: LocalCloud, admin: Admin) -> None:
    status, body = admin("GET", "/functions/concurrency")
    assert status == 200
    assert body == {"concurrency": 16, "running": 0, "queued": 0}


def test_the_admin_route_sets_the_limit_and_a_reset_returns_to_the_configured_one(cloud: LocalCloud, admin: Admin) -> None:
    status, body = admin("PUT", "/functions/concurrency", {"concurrency": 300})
    assert (status, body["concurrency"]) == (200, 300)
    status, body = admin("PUT", "/functions/concurrency", {"concurrency": 1})
    assert (status, body["concurrency"]) == (200, 1)
    assert cloud.functions.concurrency == 1
    status, _ = admin("DELETE", "/functions")
    assert status == 200
    assert admin("GET", "/functions/concurrency")[1]["concurrency"] == 16


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_admin_route_refuses_a_bad_limit_and_keeps_the_old_one(cloud: LocalCloud, admin: Admin, value: Any) -> None:
    admin("PUT", "/functions/concurrency", {"concurrency": 5})
    status, body = admin("PUT", "/functions/concurrency", {"concurrency": value})
    assert status == 400
    assert "from 1 to 300" in body["error"]
    assert cloud.functions.concurrency == 5


@pytest.mark.parametrize("body", [{}, {"concurrency": 4, "per_function": 2}, {"workers": 4}])
def test_the_admin_route_refuses_a_body_without_exactly_the_limit(cloud: LocalCloud, admin: Admin, body: dict[str, Any]) -> None:
    status, answer = admin("PUT", "/functions/concurrency", body)
    assert status == 400
    assert '"concurrency"' in answer["error"]
    assert cloud.functions.concurrency == 16


def test_the_python_api_sets_and_refuses_like_the_route(cloud: LocalCloud) -> None:
    assert cloud.functions.set_concurrency(7) == 7
    for value in BAD_VALUES:
        with pytest.raises(FunctionConfigError, match="from 1 to 300"):
            cloud.functions.set_concurrency(value)
    assert cloud.functions.concurrency == 7


def test_localcloud_takes_the_limit_at_construction_and_refuses_a_bad_one() -> None:
    with LocalCloud(fc_concurrency=3) as other:
        assert other.functions.concurrency == 3
        other.functions.set_concurrency(9)
        other.functions.reset()
        assert other.functions.concurrency == 3
    for value in (0, 301, "8", False):
        with pytest.raises(FunctionConfigError, match="from 1 to 300"):
            LocalCloud(fc_concurrency=value)  # type: ignore[arg-type]


def test_reserved_concurrency_is_registered_and_listed(cloud: LocalCloud, admin: Admin) -> None:
    status, body = admin(
        "POST", "/functions", {"name": "capped", "handler": f"{FUNCS}/basic.echo", "reserved_concurrency": 3}
    )
    assert (status, body["reserved_concurrency"]) == (200, 3)
    admin("POST", "/functions", {"name": "free", "handler": f"{FUNCS}/basic.echo"})
    listed = {f["name"]: f["reserved_concurrency"] for f in admin("GET", "/functions")[1]["functions"]}
    assert listed == {"capped": 3, "free": None}


@pytest.mark.parametrize("value", [0, -2, 301, 1.5, "2", True, [1]])
def test_a_bad_reserved_concurrency_is_refused_and_registers_nothing(cloud: LocalCloud, admin: Admin, value: Any) -> None:
    status, body = admin(
        "POST", "/functions", {"name": "capped", "handler": f"{FUNCS}/basic.echo", "reserved_concurrency": value}
    )
    assert status == 400
    assert "reservedConcurrency" in body["error"] and "from 1 to 300" in body["error"]
    with pytest.raises(FunctionConfigError, match="reservedConcurrency"):
        cloud.functions.register("capped", f"{FUNCS}/basic.echo", reserved_concurrency=value)
    assert cloud.functions.specs() == []


def test_the_serve_flag_parses_and_defaults_to_sixteen() -> None:
    assert _parser().parse_args(["serve"]).fc_concurrency == 16
    assert _parser().parse_args(["serve", "--fc-concurrency", "1"]).fc_concurrency == 1
    assert _parser().parse_args(["serve", "--fc-concurrency", "300"]).fc_concurrency == 300


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "from 1 to 300, got 0"), ("301", "from 1 to 300, got 301"), ("-4", "from 1 to 300, got -4"),
     ("2.5", "'2.5' is not a whole number"), ("many", "'many' is not a whole number"), ("", "'' is not a whole number")],
)
def test_the_serve_flag_refuses_a_bad_value(value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(["serve", "--fc-concurrency", value])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_serve_runs_with_the_flag_and_refuses_a_bad_one(repo_root: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "localcloud", "serve", "--fc-concurrency", "0"],
                         cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "--fc-concurrency must be a whole number from 1 to 300, got 0" in bad.stderr
    assert bad.stdout == ""
    process = subprocess.Popen([sys.executable, "-m", "localcloud", "serve", "--fc-concurrency", "5"],
                               cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        answer = requests.get(f"http://{info['endpoint']}/_localcloud/functions/concurrency", timeout=30).json()
        assert answer == {"concurrency": 5, "running": 0, "queued": 0}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0


# --- passed through by `rampart dev` and the chaos campaign ----------------------------------


def _rampart(*argv: str) -> tuple[int, str]:
    from rampart.cli import main
    from rampart_dev.cli_dev import register

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, environ={}, extra_verbs=[register])
    return code, err.getvalue()


@pytest.mark.parametrize("value", ["0", "301", "-1", "2.5", "lots"])
def test_rampart_dev_refuses_a_bad_fc_concurrency(value: str) -> None:
    code, err = _rampart("dev", "--fc-concurrency", value, "--endpoint", "127.0.0.1:9")
    assert code == 2 and err.startswith("rampart: error: rampart dev:") and "--fc-concurrency" in err


def test_rampart_dev_sets_a_running_localclouds_fc_concurrency(cloud: LocalCloud, tmp_path: Path) -> None:
    # the catalog is missing, so rampart dev stops right after setting up: the limit is already set
    code, err = _rampart("dev", "--endpoint", cloud.endpoint, "--port", "0", "--fc-concurrency", "7",
                         "--catalog", str(tmp_path / "missing.yaml"))
    assert code != 0 and "missing.yaml" in err
    assert cloud.functions.concurrency == 7


def test_rampart_dev_leaves_a_running_localclouds_limit_alone_without_the_flag(cloud: LocalCloud, tmp_path: Path) -> None:
    cloud.functions.set_concurrency(9)
    code, _ = _rampart("dev", "--endpoint", cloud.endpoint, "--port", "0", "--catalog", str(tmp_path / "missing.yaml"))
    assert code != 0
    assert cloud.functions.concurrency == 9


def test_rampart_dev_starts_its_embedded_localcloud_with_the_limit() -> None:
    from rampart_dev.cli_dev import _embedded_localcloud

    for given, expected in ((None, 16), (4, 4)):
        embedded = _embedded_localcloud(given)
        try:
            assert embedded.functions.concurrency == expected
        finally:
            embedded.stop()


def test_the_chaos_campaign_takes_the_limit_and_refuses_a_bad_one(capsys: pytest.CaptureFixture[str]) -> None:
    from tools.chaos import parse

    assert parse([]).fc_concurrency == 16
    assert parse(["--fc-concurrency", "32"]).fc_concurrency == 32
    for value in ("0", "301", "many"):
        with pytest.raises(SystemExit) as exited:
            parse(["--fc-concurrency", value])
        assert exited.value.code == 2
        assert "--fc-concurrency" in capsys.readouterr().err
