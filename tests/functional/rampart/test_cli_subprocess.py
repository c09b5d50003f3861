"""The real program: ``bin/rampart`` and ``python -m rampart`` in a child process, its exit codes,
its one-line errors, and ``handover`` writing to a real controlling terminal (a pty)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from localcloud import LocalCloud
from tests.functional.rampart.types import CatalogWriter, CliFactory, Environment, Escrowed, MakeTerminal, MakeUser


@pytest.fixture
def env(cloud: LocalCloud, tmp_path: Path, environment: Environment, make_cli: CliFactory, make_terminal: MakeTerminal, write_catalog: CatalogWriter) -> dict[str, str]:
    catalog, _ = write_catalog(tmp_path)
    variables = environment(catalog)
    make_cli(variables, terminal=make_terminal()).ok("init")
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "RAMPART_PYTHON": sys.executable, **variables}


def _run(repo_root: Path, env: dict[str, str], *argv: str, stdin: int | None = None,
         start_new_session: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(repo_root / "bin" / "rampart"), *argv], env=env, capture_output=True, text=True, timeout=60, check=False,
                          stdin=stdin, start_new_session=start_new_session)


def test_the_wrapper_answers_bad_input_with_exit_2_and_one_line(env: dict[str, str], repo_root: Path) -> None:
    done = _run(repo_root, env, "status", "nobody")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "rampart: error: no RAM user nobody (check the name (rampart drift lists every user))\n"


def test_python_dash_m_rampart_prints_json_and_exits_0(env: dict[str, str], repo_root: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "rampart", "--json", "init"], capture_output=True, text=True,
                          timeout=60, check=False, env={**env, "PYTHONPATH": str(repo_root / "shared")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["policies"] == [{"name": "rampart-arms-readtraceapp", "change": "unchanged"}]


def test_a_permission_failure_is_exit_1_and_one_line(env: dict[str, str], make_user: MakeUser, repo_root: Path) -> None:
    ak, sk = make_user("auditor", "ReadOnlyAccess")
    done = _run(repo_root, {**env, "ALIBABA_CLOUD_ACCESS_KEY_ID": ak, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sk},
                "join", "E1", "--user", "eve", "--display-name", "Eve", "--access", "console")
    assert done.returncode == 1
    assert [line for line in done.stderr.splitlines() if line.startswith("rampart: error:")] == done.stderr.splitlines()[-1:]
    assert "NoPermission" in done.stderr and "Traceback" not in done.stderr


def _read_all(fd: int) -> bytes:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_handover_writes_to_the_controlling_terminal_not_to_stdout(cloud: LocalCloud, env: dict[str, str], escrowed: Escrowed, repo_root: Path) -> None:
    assert _run(repo_root, env, "join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console").returncode == 0
    password = dict(escrowed())["rampart/dana/console-password"]
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [str(repo_root / "bin" / "rampart"), "handover", "dana"], env=env, stdin=slave, capture_output=True, text=True, timeout=60,
            check=False, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # the pty becomes the controlling terminal
        )
        shown = _read_all(master).decode("utf-8", "replace")
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 0, done.stderr
    assert password in shown and "dana@" in shown
    assert password not in done.stdout and password not in done.stderr
    assert "shown on the terminal only" in done.stdout


def test_handover_without_a_terminal_is_refused(cloud: LocalCloud, env: dict[str, str], repo_root: Path) -> None:
    assert _run(repo_root, env, "join", "E1", "--user", "dana", "--display-name", "Dana", "--access", "console").returncode == 0
    done = _run(repo_root, env, "handover", "dana", stdin=subprocess.DEVNULL, start_new_session=True)
    assert done.returncode == 2
    assert done.stderr.startswith("rampart: error: no terminal to show the credential on (/dev/tty")
    assert done.stderr.count("\n") == 1
