"""``make build``: the code directories ``s deploy`` uploads, and the one layer of pinned SDKs.

Layout (s.yaml's ``code`` and ``layers`` point here; tests/e2e/test_deploy.py checks both agree)::

    build/<function>/index.py      functions/<function>/index.py, the handler ``index.handler``
    build/<function>/rampart/      shared/rampart, without bench-only modules and caches
    build/<function>/catalog.yaml  the catalog (s.yaml: RAMPART_CATALOG=/code/catalog.yaml)
    build/layer/python/            requirements.txt, pinned by constraints.txt, as wheels for
                                   FC's linux x86_64 CPython 3.10 (FC adds /opt/python to the path)

Why a layer: the SDKs are the same for the four functions and change rarely; published once
(``s cli fc3 layer publish``, deploy/README.md), they keep each function's upload to rampart's
own few hundred kilobytes. Why two pip steps: some of Alibaba's packages are published as
source only (alibabacloud-tea, the darabonba utilities, aliyun-log-python-sdk, ...), and pip
refuses sources when it installs for another platform, so they are first built here into
pure-Python wheels (``pip wheel``; they are ``py3-none-any``), then everything is installed
for the target with ``--only-binary=:all:`` and those wheels as ``--find-links``. Binary
packages (cryptography, aiohttp, ...) come from the index as manylinux cp310 wheels.

``--no-deps`` skips pip entirely (tests; a code-only rebuild). The catalog is loaded before it
is copied, so a broken catalog never ships. Never reads credentials; prints progress only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = ("hr_webhook", "ticket_webhook", "lifecycle", "sweeper")
PACKAGE = REPO / "shared" / "rampart"
DEFAULT_CATALOG = PACKAGE / "catalog" / "example.yaml"
LAYER = "layer"
LAYER_SITE = "python"
"""FC's Python runtimes put ``/opt/python`` on the import path; a layer's zip is unpacked in ``/opt``
(https://alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/create-a-custom-layer-1)."""
CATALOG_NAME = "catalog.yaml"
HANDLER_FILE = "index.py"
EXCLUDED = ("__pycache__", "*.pyc", "*.pyo")
"""Not shipped: byte code (FC compiles its own). Dev-only code lives in ``shared/rampart_dev``, never copied."""
TARGET = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--only-binary=:all:")


class BuildError(Exception):
    """A build step failed; the message says which and why."""


def say(text: str) -> None:
    print(f"build: {text}", flush=True)


def copy_function(function: str, out: Path, catalog: Path) -> Path:
    """``out/<function>/``, made afresh: the handler, the rampart package, the catalog."""
    source = REPO / "functions" / function / HANDLER_FILE
    if not source.is_file():
        raise BuildError(f"{source.relative_to(REPO)} is missing")
    target = out / function
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(source, target / HANDLER_FILE)
    shutil.copytree(PACKAGE, target / "rampart", ignore=shutil.ignore_patterns(*EXCLUDED))
    shutil.copy2(catalog, target / CATALOG_NAME)
    return target


def check_catalog(catalog: Path) -> None:
    """Load the catalog as the functions will (``RampartError`` names what is wrong)."""
    if not catalog.is_file():
        raise BuildError(f"catalog {catalog} does not exist")
    sys.path.insert(0, str(REPO / "shared"))
    try:
        from rampart.catalog import load_catalog
        from rampart.errors import RampartError

        try:
            load_catalog(catalog)
        except RampartError as exc:
            raise BuildError(f"catalog {catalog}: {exc}") from exc
    finally:
        sys.path.remove(str(REPO / "shared"))


def pip(args: Sequence[str]) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    say("$ " + " ".join(command[1:]))
    done = subprocess.run(command, cwd=REPO, check=False)
    if done.returncode != 0:
        raise BuildError(f"pip exited with {done.returncode}")


def build_layer(out: Path, python_version: str) -> Path:
    """``out/layer/python/`` made afresh with the pinned runtime dependencies for FC."""
    wheels = out / ".wheels"
    layer = out / LAYER
    if layer.exists():
        shutil.rmtree(layer)
    site = layer / LAYER_SITE
    site.mkdir(parents=True)
    requirements = ("-r", "requirements.txt", "-c", "constraints.txt")
    say("building wheels of source-only packages (pure Python) ...")
    pip(["wheel", "--quiet", *requirements, "--wheel-dir", str(wheels)])
    say(f"installing the layer for linux x86_64 CPython {python_version} ...")
    pip(["install", "--quiet", "--no-compile", "--target", str(site), *requirements, *TARGET,
         "--python-version", python_version, "--find-links", str(wheels)])
    report_unpinned(site)
    return site


def report_unpinned(site: Path) -> None:
    """Distributions the target needs that constraints.txt (a freeze of the dev machine's
    Python) does not pin, e.g. backports only older Pythons install: named, so a reviewer sees them."""
    pinned = set()
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].split("==", 1)[0].strip()
        if name:
            pinned.add(_normal(name))
    installed = {_normal(p.name.split("-", 1)[0]): p.name for p in site.glob("*.dist-info")}
    extra = sorted(v.removesuffix(".dist-info") for k, v in installed.items() if k not in pinned)
    say(f"layer: {len(installed)} distributions")
    if extra:
        say("not pinned by constraints.txt (needed on the target Python only): " + ", ".join(extra))


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build", help="output directory (default: build/)")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG,
                        help="the catalog to ship (default: the example catalog)")
    parser.add_argument("--no-deps", action="store_true", help="skip pip: code directories only")
    parser.add_argument("--python-version", default="3.10", help="the FC runtime's Python (default: 3.10)")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    try:
        say(f"catalog {args.catalog}")
        check_catalog(args.catalog)
        for function in FUNCTIONS:
            target = copy_function(function, out, args.catalog)
            say(f"{function}: {target}")
        if args.no_deps:
            say("--no-deps: the layer is not built")
        else:
            say(f"layer: {build_layer(out, args.python_version)}")
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
