"""``make build``: the code directories ``s deploy`` uploads, and the one layer of pinned SDKs.

Layout (s.yaml's ``code`` and ``layers`` point here; tests/e2e/test_deploy.py checks both agree)::

    build/<function>/index.py      functions/<function>/index.py, the handler ``index.handler``
    build/<function>/rampart/      shared/rampart (dev-only code lives in shared/rampart_dev, never copied)
    build/<function>/catalog.json  the catalog, validated, as JSON (s.yaml: RAMPART_CATALOG=/code/catalog.json)
    build/layer/python/            deploy/layer.txt, installed for FC's linux x86_64 CPython
                                   (FC adds /opt/python to the path)
    **/__pycache__/*.pyc           bytecode of every module, compiled by the runtime's own Python

Why bytecode, compiled here: each new FC instance starts from the uploaded package, and the code
directory may be read-only there, so without ``.pyc`` every cold start compiles the SDKs from
source (0.5-1.1 s per function, README "Benchmarks"). CPython uses a ``.pyc`` only if it was made
by the same minor version (PEP 3147's ``cpython-310`` tag), so the build compiles with the
runtime's interpreter (``python3.10`` for FC's python3.10, ``--python-version 3.12`` for
python3.12) and fails when it is missing rather than ship sources only. The ``.pyc`` files are
``unchecked-hash`` (PEP 552): CPython loads them without comparing the source's modification
time, which a zip upload does not keep.

Why a layer: the SDKs are the same for the four functions and change rarely; published once
(``s cli fc3 layer publish``, deploy/README.md), they keep each function's upload to rampart's
own few hundred kilobytes. The layer holds exactly deploy/layer.txt (``--no-deps``): what the
functions import, pinned; the file says what is left out and why, and tests/e2e/test_layer.py
imports and calls every SDK from the layer alone. Why two pip steps: some of Alibaba's packages
are published as source only (alibabacloud-tea, the darabonba utilities, aliyun-log-python-sdk,
...), and pip refuses sources when it installs for another platform, so they are first built
here into pure-Python wheels (``pip wheel``; they are ``py3-none-any``), then everything is
installed for the target with ``--only-binary=:all:`` and those wheels as ``--find-links``. The
install runs under the target interpreter, so the environment markers in the list
(``python_version``) are the runtime's; the wheels are built by the build's own Python (a bare
pyenv interpreter has no ``wheel`` package for legacy ``setup.py`` projects).

``--no-deps`` skips the layer (tests; a code-only rebuild); ``--reuse-layer`` keeps a layer
built before from the same list for the same Python (the bench). The catalog is validated before
it is written, so a broken catalog never ships. Never reads credentials; prints progress only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = ("hr_webhook", "ticket_webhook", "lifecycle", "sweeper")
PACKAGE = REPO / "shared" / "rampart"
DEFAULT_CATALOG = PACKAGE / "catalog" / "example.yaml"
LAYER_LIST = REPO / "deploy" / "layer.txt"
LAYER = "layer"
LAYER_SITE = "python"
"""FC's Python runtimes put ``/opt/python`` on the import path; a layer's zip is unpacked in ``/opt``
(https://alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/create-a-custom-layer-1)."""
LAYER_STAMP = ".layer-stamp"
"""Beside the layer, not in it: what the layer was built from (``--reuse-layer``)."""
CATALOG_NAME = "catalog.json"
HANDLER_FILE = "index.py"
EXCLUDED = ("__pycache__", "*.pyc", "*.pyo")
"""Not copied: whatever bytecode the dev machine made; the build compiles its own."""
RUNTIMES = ("3.10", "3.12")
"""FC's Python runtimes rampart supports (s.yaml ``runtime``)."""
TARGET = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--only-binary=:all:")
PYENV_ROOT = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


class BuildError(Exception):
    """A build step failed; the message says which and why."""


def say(text: str) -> None:
    print(f"build: {text}", flush=True)


def find_python(version: str, explicit: Path | None = None) -> Path:
    """The interpreter of the runtime's Python: ``explicit``, else pyenv's, else ``pythonX.Y`` on
    the PATH; each checked by asking it its version (a pyenv shim may exist without the version)."""
    candidates = [explicit] if explicit else [
        *sorted(PYENV_ROOT.glob(f"versions/{version}.*/bin/python{version}"), reverse=True),
        *[Path(p) for p in [shutil.which(f"python{version}")] if p],
    ]
    for candidate in candidates:
        try:
            done = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                  capture_output=True, text=True, timeout=60, check=False)
        except OSError:
            continue
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
        if explicit:
            raise BuildError(f"{explicit} is not Python {version} (it says {done.stdout.strip() or done.stderr[-200:]!r})")
    raise BuildError(f"no Python {version} interpreter found (looked in {PYENV_ROOT}/versions and for python{version} "
                     f"on the PATH): the build compiles bytecode with the runtime's own Python; install it "
                     f"(pyenv install {version}) or pass --python PATH")


def copy_function(function: str, out: Path, catalog_json: str) -> Path:
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
    (target / CATALOG_NAME).write_text(catalog_json, encoding="utf-8")
    return target


def catalog_as_json(catalog: Path) -> str:
    """The catalog validated as the functions will load it, as JSON (``RampartError`` names what is wrong)."""
    if not catalog.is_file():
        raise BuildError(f"catalog {catalog} does not exist")
    sys.path.insert(0, str(REPO / "shared"))
    try:
        from rampart.catalog import catalog_json
        from rampart.errors import RampartError

        try:
            return catalog_json(catalog)
        except RampartError as exc:
            raise BuildError(f"catalog {catalog}: {exc}") from exc
    finally:
        sys.path.remove(str(REPO / "shared"))


def run(python: Path, args: Sequence[str], what: str) -> None:
    command = [str(python), *args]
    say("$ " + " ".join(command))
    done = subprocess.run(command, cwd=REPO, check=False)
    if done.returncode != 0:
        raise BuildError(f"{what} exited with {done.returncode}")


def pip(python: Path, args: Sequence[str]) -> None:
    run(python, ["-m", "pip", "--disable-pip-version-check", *args], "pip")


def layer_stamp(python: Path, version: str) -> str:
    """What a layer is made of: the list, the target Python, the platform."""
    digest = hashlib.sha256(LAYER_LIST.read_bytes()).hexdigest()
    return f"{digest} python{version} {' '.join(TARGET)}\n"


def build_layer(out: Path, python: Path, version: str, reuse: bool) -> Path:
    """``out/layer/python/`` with exactly deploy/layer.txt for FC (made afresh unless ``reuse``
    finds one built from the same list for the same Python)."""
    layer, stamp = out / LAYER, out / LAYER_STAMP
    site = layer / LAYER_SITE
    wanted = layer_stamp(python, version)
    if reuse and site.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        say(f"layer: reusing {site} (same deploy/layer.txt, Python {version})")
        return site
    stamp.unlink(missing_ok=True)
    if layer.exists():
        shutil.rmtree(layer)
    site.mkdir(parents=True)
    wheels = out / ".wheels"
    listed = ("--no-deps", "-r", str(LAYER_LIST))
    say("building wheels of source-only packages (pure Python) ...")
    pip(Path(sys.executable), ["wheel", "--quiet", *listed, "--wheel-dir", str(wheels)])
    say(f"installing the layer for linux x86_64 CPython {version} ...")
    pip(python, ["install", "--quiet", "--no-compile", "--target", str(site), *listed, *TARGET,
                 "--python-version", version, "--find-links", str(wheels)])
    stamp.write_text(wanted, encoding="utf-8")
    return site


def compile_bytecode(python: Path, trees: Sequence[Path]) -> None:
    """Every module's ``.pyc``, by the runtime's Python, valid whatever the files' times (PEP 552)."""
    run(python, ["-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                 *map(str, trees)], "compileall")


def drop_bytecode(trees: Sequence[Path]) -> None:
    for tree in trees:
        for cache in sorted(tree.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)


def size_mb(tree: Path) -> float:
    return sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/build.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build", help="output directory (default: build/)")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG,
                        help="the catalog to ship (default: the example catalog)")
    parser.add_argument("--no-deps", action="store_true", help="skip the layer: code directories only")
    parser.add_argument("--reuse-layer", action="store_true",
                        help="keep a layer built before from the same deploy/layer.txt for the same Python")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="ship sources only (what FC would compile at every cold start; the bench's comparison)")
    parser.add_argument("--python-version", default=RUNTIMES[0], choices=RUNTIMES,
                        help=f"the FC runtime's Python (default: {RUNTIMES[0]})")
    parser.add_argument("--python", type=Path, help="that Python's interpreter (default: pyenv's, or pythonX.Y on the PATH)")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    try:
        python = find_python(args.python_version, args.python)
        say(f"Python {args.python_version}: {python}")
        say(f"catalog {args.catalog}")
        catalog = catalog_as_json(args.catalog)
        trees = [copy_function(function, out, catalog) for function in FUNCTIONS]
        for function, target in zip(FUNCTIONS, trees, strict=True):
            say(f"{function}: {target}")
        if args.no_deps:
            say("--no-deps: the layer is not built")
        else:
            site = build_layer(out, python, args.python_version, args.reuse_layer)
            trees.append(site)
            say(f"layer: {site}: {len(list(site.glob('*.dist-info')))} distributions, {size_mb(site):.1f} MB of sources")
        if args.no_bytecode:
            drop_bytecode(trees)
            say("--no-bytecode: sources only")
        else:
            compile_bytecode(python, trees)
            say(f"bytecode: compiled by Python {args.python_version} (unchecked-hash)")
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
