"""``rampart dev``: rampart's four functions on a local Alibaba Cloud, behind FC 3.0's HTTP
trigger, on loopback (``rampart_dev.devstack`` deploys, ``rampart_dev.devserver`` serves).

Without ``--endpoint`` an embedded localcloud runs in this process (localcloud is a dev-only
part of the checkout, imported only here, only then); with ``--endpoint HOST:PORT`` a running
``python -m localcloud serve`` is used, with its root key from its loopback ``info`` route
(never from the environment, so real credentials are never sent to it). That server runs the
functions in its own process, so it must be able to import rampart: start it with
``PYTHONPATH=shared``.

Output: deployment progress on stderr; on stdout first one JSON line
``{"url", "endpoint", "functions", ...}`` once the server listens (scripts read it), then one
JSON line per request and timer firing. SIGTERM or SIGINT stops it cleanly (exit 0).
``--fc-concurrency N`` sets how many async invocations localcloud runs at once, as FC scales
out (the embedded one's, or the running one's through its admin route).
No secret value is ever written: the lines carry names, statuses and ids only.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from rampart.cli.context import Runtime
from rampart.cli.output import EXIT_OK, Output
from rampart.cli.parser import Verb, positive, seconds
from rampart.errors import ConfigError
from rampart.redact import dumps


def _emit(out: Output) -> Any:
    lock = threading.Lock()

    def emit(entry: dict[str, Any]) -> None:
        with lock:
            out.stdout.write(dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
            out.stdout.flush()

    return emit


def _json_logs(out: Output) -> None:
    """The functions' and the deployment's logs as JSON lines on stderr (the embedded functions
    run in this process), instead of the CLI's one-line warnings; ``main`` restores them."""
    from rampart import logs

    logger = logging.getLogger("rampart")
    logger.handlers = [h for h in logger.handlers if isinstance(h, logs.JsonLogHandler)]
    logs.configure(out.stderr)


FC_CONCURRENCY_LIMIT = 300
"""localcloud's bound for ``--fc-concurrency`` (FC 3.0's reservedConcurrency bound; localcloud/README.md)."""


def _embedded_localcloud(fc_concurrency: int | None = None) -> Any:
    """An in-process localcloud, started (localcloud lives beside ``shared/`` in the checkout);
    ``fc_concurrency``: how many FC async invocations it runs at once (None: its default, 16)."""
    from rampart_dev.devstack import REPO

    try:
        from localcloud import LocalCloud
    except ImportError:
        if not (REPO / "localcloud" / "__init__.py").is_file():
            raise ConfigError("localcloud is not importable here",
                              hint="run rampart dev from the repository checkout, or pass --endpoint HOST:PORT") from None
        sys.path.insert(0, str(REPO))
        from localcloud import LocalCloud
    if fc_concurrency is None:
        return LocalCloud().start()
    return LocalCloud(fc_concurrency=fc_concurrency).start()


def _set_fc_concurrency(admin: Any, fc_concurrency: int | None) -> None:
    """Set a running localcloud's FC async concurrency (None: leave the one it was started with)."""
    if fc_concurrency is not None:
        admin.call("PUT", "/functions/concurrency", {"concurrency": fc_concurrency})


def _stop_on_signals(stop: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    saved: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        saved[signum] = signal.signal(signum, lambda *_: stop.set())
    return saved


def cmd_dev(args: argparse.Namespace, rt: Runtime, out: Output, *, stop: threading.Event | None = None) -> int:
    from rampart.adapters import build

    from rampart_dev.admin import Admin
    from rampart_dev.devcloud import DevCloud
    from rampart_dev.devserver import DevServer
    from rampart_dev.devstack import DEAD_LETTER_FUNCTION, LifecycleRuntime, deploy

    stop = stop or threading.Event()
    emit = _emit(out)
    workdir = Path(tempfile.mkdtemp(prefix="rampart-dev-"))
    cloud: Any = None
    server: DevServer | None = None
    saved = _stop_on_signals(stop)
    _json_logs(out)
    try:
        fc_concurrency = getattr(args, "fc_concurrency", None)
        if args.endpoint:
            admin = Admin(args.endpoint)
            _set_fc_concurrency(admin, fc_concurrency)
        else:
            cloud = _embedded_localcloud(fc_concurrency)
            admin = Admin(cloud.endpoint)
            out.progress(f"rampart dev: embedded localcloud at {cloud.endpoint}")
        catalog = Path(args.catalog) if getattr(args, "catalog", None) else None
        lifecycle = LifecycleRuntime(getattr(args, "isolation", None), getattr(args, "lifecycle_timeout", None),
                                     getattr(args, "lock_lease", None))
        deployment = deploy(admin, workdir, catalog=catalog, progress=lambda text: out.progress(f"rampart dev: {text}"),
                            lifecycle=lifecycle)
        target = deployment.target
        fc = DevCloud(build(target.settings(deployment.catalog), account_id=target.account_id).clients)
        server = DevServer(fc, account_id=target.account_id, region=target.region, port=args.port,
                           sweep_every=args.sweep_every, clock=rt.clock, log=emit).start()
        emit({"url": server.url, "endpoint": target.endpoint, "account_id": target.account_id,
              "region": target.region, "functions": [*deployment.functions, DEAD_LETTER_FUNCTION],
              "catalog": str(deployment.catalog), "sweep_every": args.sweep_every})
        stop.wait()
        emit({"event": "stopping"})
        return EXIT_OK
    finally:
        if server is not None:
            server.stop()
        if cloud is not None:
            cloud.stop()
        for signum, handler in saved.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(signum, handler)
        shutil.rmtree(workdir, ignore_errors=True)


def _port(text: str) -> int:
    value = positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (0-65535)")
    return value


def _fc_concurrency(text: str) -> int:
    value = positive(text)
    if not 1 <= value <= FC_CONCURRENCY_LIMIT:
        raise argparse.ArgumentTypeError(f"{value} is not from 1 to {FC_CONCURRENCY_LIMIT}")
    return value


def _endpoint(text: str) -> str:
    host, colon, port = text.rpartition(":")
    if not colon or not host or "/" in text or not port.isdigit() or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:41234)")
    return text



def register(verb: Verb) -> None:
    """Adds ``rampart dev`` to the CLI (``python -m rampart_dev``, what ``bin/rampart`` runs)."""
    p = verb("dev", cmd_dev, "serve the four functions on a local cloud behind FC's HTTP trigger (development)")
    p.add_argument("--endpoint", type=_endpoint, metavar="HOST:PORT",
                   help="a running `python -m localcloud serve` (default: an embedded one)")
    p.add_argument("--port", type=_port, default=8080, metavar="N", help="HTTP port on 127.0.0.1 (8080; 0: a free one)")
    p.add_argument("--sweep-every", type=seconds, default=60.0, metavar="S",
                   help="fire the sweeper's timer every S seconds (60; 0: never)")
    p.add_argument("--isolation", choices=("inline", "process"), default=None,
                   help="how localcloud runs the lifecycle function (default: localcloud's, inline)")
    p.add_argument("--fc-concurrency", type=_fc_concurrency, default=None, metavar="N",
                   help=f"FC async invocations localcloud runs at once, 1-{FC_CONCURRENCY_LIMIT} (default: an embedded "
                        "localcloud's 16; with --endpoint, the one it was started with)")
    p.add_argument("--lifecycle-timeout", type=positive, default=None, metavar="S",
                   help="the lifecycle and sweeper functions' timeout (default: s.yaml's 120 s)")
    p.add_argument("--lock-lease", type=positive, default=None, metavar="S",
                   help="RAMPART_LOCK_LEASE_SECONDS for them: must exceed the timeout (default: 180 s)")
