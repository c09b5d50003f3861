"""One process-isolated FC instance: ``python -m localcloud.fc.runtime.worker <handler> <code root>``.

localcloud (:mod:`localcloud.fc.runtime.instances`) starts one of these per FC instance of a function
registered with ``isolation="process"``. It imports the handler once, as FC's runtime does when
an instance starts, then serves invocations one at a time over the pipe protocol of
:mod:`localcloud.fc.runtime.protocol` until its stdin closes (a warm instance is reused).

Each call runs through the same :class:`localcloud.fc.runtime.executor.Executor` as inline mode, so the
environment (the function's variables, the role's STS credentials, ``FC_*``,
``LOCALCLOUD_ENDPOINT``), the context, the captured log and the error body are built exactly
as inline. The protocol travels on private duplicates of the original stdin/stdout; fd 0 is
``/dev/null`` and fd 1 is stderr, so whatever the handler (or a subprocess it spawns) prints
goes to localcloud's stderr and can never corrupt the pipe.

This module never talks to localcloud over HTTP itself and never prints a protocol message
(they hold STS credentials) anywhere but the pipe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

from localcloud.fc.runtime.context import context_for
from localcloud.fc.runtime.executor import Executor, error_body
from localcloud.fc.runtime.loader import HandlerLoadError, load
from localcloud.fc.runtime.protocol import ProtocolError, b64, decode, encode, invocation_from, outcome_message


def _private_channels() -> tuple[IO[bytes], IO[bytes]]:
    """The protocol's stdin/stdout, moved out of the handler's reach."""
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel_in, channel_out


def _send(channel: IO[bytes], message: dict[str, Any]) -> None:
    channel.write(encode(message))
    channel.flush()


def serve(handler: str, code_root: str) -> int:
    channel_in, channel_out = _private_channels()
    pid = os.getpid()
    try:
        loaded = load(handler, Path(code_root))
    except HandlerLoadError as exc:
        _send(channel_out, {"ready": False, "pid": pid, "body": b64(error_body(exc))})
        return 1
    _send(channel_out, {"ready": True, "pid": pid})
    executor = Executor()
    for line in channel_in:
        try:
            invocation, env, event = invocation_from(decode(line))
        except ProtocolError as exc:
            print(f"localcloud fc worker {pid}: {exc}; exiting", file=sys.stderr)
            return 2
        outcome = executor.execute(
            loaded.function, event, context_for(invocation), env, timeout=invocation.spec.timeout
        )
        _send(channel_out, outcome_message(outcome))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m localcloud.fc.runtime.worker <handler> <code root>", file=sys.stderr)
        return 2
    return serve(args[0], args[1])


if __name__ == "__main__":
    sys.exit(main())
