"""``python -m localcloud serve [--host] [--port] [--state FILE] [--latency-ms N] [--sls-index-delay S]
[--fc-concurrency N] [--region] [--alias]``.

The first line on stdout is one JSON object (endpoint, host, port, region, account id and
alias, the root AccessKey); then it serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from localcloud.fc.functions import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, FunctionConfigError, validate_concurrency
from localcloud.state import DEFAULT_REGION, Account, StateFileError


def _concurrency(text: str) -> int:
    try:
        return validate_concurrency(int(text), "--fc-concurrency")
    except ValueError as exc:  # int() and FunctionConfigError alike
        message = str(exc) if isinstance(exc, FunctionConfigError) else f"{text!r} is not a whole number"
        raise argparse.ArgumentTypeError(message) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description="a local Alibaba Cloud")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every service on one loopback port")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port (default: 0, a free port)")
    serve.add_argument("--state", metavar="FILE", help="persist state in this SQLite file (mode 0600)")
    serve.add_argument("--latency-ms", type=float, default=0.0, help="add this latency to every cloud call")
    serve.add_argument("--sls-index-delay", type=float, default=0.0, metavar="S",
                       help="seconds before a log written to SLS is queryable (real SLS: about 3; default: 0)")
    serve.add_argument("--fc-concurrency", type=_concurrency, default=DEFAULT_CONCURRENCY, metavar="N",
                       help=f"FC async invocations run at once, 1-{MAX_CONCURRENCY} (default: {DEFAULT_CONCURRENCY})")
    serve.add_argument("--region", default=DEFAULT_REGION, help=f"region id (default: {DEFAULT_REGION})")
    serve.add_argument("--alias", help="account alias (default: the account id)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from localcloud.app import LocalCloud
    from localcloud.sls.models import MAX_DELAY_SECONDS

    if args.latency_ms < 0:
        print("--latency-ms must not be negative", file=sys.stderr)
        return 2
    if not 0 <= args.sls_index_delay <= MAX_DELAY_SECONDS:
        print(f"--sls-index-delay must be from 0 to {MAX_DELAY_SECONDS:g} seconds", file=sys.stderr)
        return 2
    try:
        cloud = LocalCloud(
            args.host,
            args.port,
            state_file=args.state,
            latency_ms=args.latency_ms,
            sls_index_delay=args.sls_index_delay,
            fc_concurrency=args.fc_concurrency,
            account=Account.generate(args.region, args.alias),
        )
    except StateFileError as exc:
        print(f"localcloud: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"localcloud: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    cloud.start()
    print(json.dumps(cloud.info()), flush=True)
    stop.wait()
    cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
