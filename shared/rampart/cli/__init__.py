"""The ``rampart`` command line: ``python -m rampart VERB ...`` (or ``bin/rampart``).

:func:`main` is the whole program; it takes its streams, environment, clock and terminal as
arguments, so tests run it in-process against localcloud exactly as a person would.

Contract, for every verb:

- ``--json``: one JSON document on stdout (``ok`` says how it went); human text otherwise.
- exit codes: ``0`` done (also: nothing to do, or a stale event skipped); ``1`` failed (a cloud
  call, a permission, a step); ``2`` bad input or configuration (arguments, event file,
  catalog, credentials missing, a request the catalog refuses); ``3`` held by the circuit
  breaker (leaver events wait for ``rampart release``); ``130`` interrupted. An error's code is
  its class's ``exit_code`` (``rampart.errors``), inherited by its subclasses.
- on failure exactly one line ``rampart: error: <reason> (<what to do>)`` on stderr, never a
  traceback (``--debug`` adds one, redacted); with ``--json`` also ``{"ok": false, "error": ...}``
  on stdout.
- progress (sweep, drift, import) and warnings go to stderr; results to stdout.
- no secret value is ever written to stdout or stderr: every text and JSON document passes
  ``rampart.redact`` on its way out, and the only verb that shows a credential (``handover``)
  writes it to the controlling terminal itself.

Configuration comes from the environment through ``rampart.config.Settings.from_env``
(``ALIBABA_CLOUD_*``, ``RAMPART_*``); ``--catalog`` beats ``RAMPART_CATALOG``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO

from rampart.cli.context import Runtime
from rampart.cli.output import EXIT_FAILED, EXIT_INTERRUPTED, Output, one_line
from rampart.cli.parser import UsageError, Verb, build_parser
from rampart.clock import Clock, utcnow
from rampart.errors import RampartError
from rampart.operations import Terminal, open_terminal
from rampart.redact import redact_text

__all__ = ["main"]


class _HumanFormatter(logging.Formatter):
    """Warnings from the library as ``rampart: warning: ...`` (redacted), not JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(f"rampart: {record.levelname.lower()}: {one_line(record.getMessage())}")


@contextlib.contextmanager
def _logging_to(stream: IO[str], debug: bool) -> Iterator[None]:
    """The ``rampart`` logger writes to ``stream`` while the command runs, then is restored
    (in-process callers, such as tests, keep their own logging)."""
    logger = logging.getLogger("rampart")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_HumanFormatter())
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.handlers, logger.level, logger.propagate = saved[0], saved[1], saved[2]


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock = utcnow,
    terminal: Terminal = open_terminal,
    extra_verbs: Sequence[Callable[[Verb], None]] = (),
) -> int:
    """Run one ``rampart`` command; returns the exit code (see the module docstring)."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    out_stream = sys.stdout if stdout is None else stdout
    err_stream = sys.stderr if stderr is None else stderr
    in_stream = sys.stdin if stdin is None else stdin
    wants_json = "--json" in args_in
    output = Output(out_stream, err_stream, json_mode=wants_json)
    debug = "--debug" in args_in
    # Everything the libraries print (argparse help, the audit spill) lands in these streams.
    with contextlib.redirect_stdout(out_stream), contextlib.redirect_stderr(err_stream), _logging_to(err_stream, debug):
        try:
            parser = build_parser(extra_verbs)
            try:
                args = parser.parse_args(args_in)
            except SystemExit as exc:  # --help, --version
                return int(exc.code or 0)
            output = Output(out_stream, err_stream, json_mode=bool(args.json))
            runtime = Runtime(environ=environ, clock=clock, catalog=args.catalog, force=getattr(args, "force", False),
                              stdin=in_stream, terminal=terminal)
            if args.run is None:
                raise UsageError("no command given", hint="see rampart --help")
            return int(args.run(args, runtime, output))
        except KeyboardInterrupt:
            return output.fail(RampartError("interrupted"), EXIT_INTERRUPTED)
        except BrokenPipeError:
            return EXIT_FAILED
        except RampartError as exc:
            if debug:
                err_stream.write(redact_text(traceback.format_exc()))
            return output.fail(exc, exc.exit_code)
        except Exception as exc:  # a bug: still one line, and no secret in it
            if debug:
                err_stream.write(redact_text(traceback.format_exc()))
            reason = RampartError(f"internal error: {type(exc).__name__}: {exc}", hint="run again with --debug and report it")
            return output.fail(reason, EXIT_FAILED)
