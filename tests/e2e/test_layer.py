"""The layer holds what the functions import, pinned: deploy/layer.txt against requirements.txt
and constraints.txt, and a smoke test that imports every SDK from the built layer alone (FC's
Python, no site-packages, no repo path, no bytecode written) and makes one call of each
against localcloud."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from localcloud import LocalCloud
from tests.conftest import repo_path

LAYER_LIST = repo_path("deploy", "layer.txt")
LEFT_OUT = {"pyyaml", "elasticsearch", "elastic-transport", "anyio", "sniffio", "dateparser", "regex", "pytz",
            "tablestore"}
"""What deploy/layer.txt says it leaves out (the smoke test proves the functions do without)."""
SDKS = ("alibabacloud_ram20150501", "alibabacloud_ims20190815", "alibabacloud_kms20160120",
        "alibabacloud_resourcemanager20200331", "alibabacloud_sts20150401", "alibabacloud_fc20230330",
        "alibabacloud_fc_open20210406", "aliyun", "cryptography", "marshmallow")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, list[tuple[str, str]]]:
    """name -> [(version, marker)] of each ``name==version[; marker]`` line."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, _, marker = line.partition(";")
        name, sep, version = requirement.partition("==")
        assert sep, f"{path.name}: {line!r} is not pinned with =="
        found.setdefault(_normal(name.strip()), []).append((version.strip(), marker.strip()))
    return found


def test_the_layer_list_pins_every_runtime_requirement_as_constraints_does(repo_root: Path) -> None:
    layer, constraints, required = (pins(LAYER_LIST), pins(repo_root / "constraints.txt"),
                                    pins(repo_root / "requirements.txt"))
    assert set(required) - LEFT_OUT <= set(layer)
    assert not set(layer) & LEFT_OUT
    for name, versions in layer.items():
        unmarked = [v for v, marker in versions if not marker]
        if unmarked:
            assert unmarked == [constraints[name][0][0]], name
            continue
        # a target-only line: a version for Pythons below the dev machine's, and the dev pin for the rest
        assert all("python_version" in marker for _, marker in versions), name
        dev = [v for v, marker in versions if ">=" in marker]
        assert dev in ([], [constraints.get(name, [("", "")])[0][0]]), name


def test_the_layer_holds_exactly_the_list(full_build: Path) -> None:
    site = full_build / "layer" / "python"
    installed = {_normal(p.name.split("-", 1)[0]) for p in site.glob("*.dist-info")}
    listed = set(pins(LAYER_LIST))
    assert installed == listed - {"async-timeout"} | ({"async-timeout"} & installed)
    assert "async-timeout" in installed  # aiohttp imports it below Python 3.11 (FC python3.10)
    assert not installed & LEFT_OUT


@pytest.fixture
def smoke(full_build: Path, runtime_python: str, cloud: LocalCloud) -> dict[str, Any]:
    site = full_build / "layer" / "python"
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    source = (Path(__file__).parent / "layer_child.py").read_text(encoding="utf-8")
    done = subprocess.run([runtime_python, "-S", "-B", "-c", source], input=json.dumps(cloud.info()),
                          capture_output=True, text=True, env=env, cwd=site, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["site"] = str(site)
    return result


def test_every_sdk_imports_from_the_layer_alone_and_answers_localcloud(smoke: dict[str, Any]) -> None:
    calls, files = smoke["calls"], smoke["files"]
    assert sorted(calls) == sorted(SDKS)
    for name in SDKS:
        assert files[name].startswith(smoke["site"] + os.sep), (name, files[name])
    assert [p for p in smoke["path"] if p not in ("", smoke["site"]) and not p.startswith(smoke["prefix"])] == []
    assert not any("site-packages" in p for p in smoke["path"])
    assert calls["alibabacloud_ram20150501"] == "layer-smoke"
    assert calls["alibabacloud_ims20190815"].endswith(".onaliyun.com")
    assert calls["alibabacloud_kms20160120"] == ["layer-smoke"]
    assert calls["alibabacloud_resourcemanager20200331"].startswith("error ")  # no such group: answered, typed
    assert re.fullmatch(r"\d+", calls["alibabacloud_sts20150401"])
    assert calls["alibabacloud_fc20230330"].startswith("error ")  # no such function
    assert calls["alibabacloud_fc_open20210406"].startswith("error ")
    assert calls["aliyun"] == "layer-smoke"
    assert calls["cryptography"] == 17 and calls["marshmallow"] == 1


def test_the_smoke_run_loaded_nothing_the_layer_leaves_out(smoke: dict[str, Any]) -> None:
    left_out_modules = {"yaml", "elasticsearch", "elastic_transport", "anyio", "sniffio", "dateparser", "regex", "pytz"}
    assert not set(smoke["modules"]) & left_out_modules
