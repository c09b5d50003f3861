"""Where the CLI writes, and how: human lines or one JSON document, always redacted.

Every byte the CLI writes to stdout or stderr goes through :class:`Output`, which passes it
through ``rampart.redact`` (keys, ``key=value`` patterns and every live secret value): the
verbs never hold a secret value, and this is the second line of defence if one slipped in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from rampart.errors import RampartError
from rampart.model import AuditResult
from rampart.redact import dumps, redact_text

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_HELD = 3
EXIT_INTERRUPTED = 130

_SEVERITY = (EXIT_FAILED, EXIT_HELD, EXIT_INPUT, EXIT_INTERRUPTED)
"""Which code wins when a command did several things: a failure first, then held, then refused."""


def one_line(text: str) -> str:
    """Several lines (a catalog with many problems) joined into one with ``; ``."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def worst(codes: Iterable[int]) -> int:
    found = set(codes)
    for code in _SEVERITY:
        if code in found:
            return code
    return EXIT_OK


def result_exit_code(result: AuditResult, failure: RampartError | None = None) -> int:
    """The exit code of an event's result; a refusal's is its error class's (``rampart.errors``)."""
    if result in (AuditResult.OK, AuditResult.NOOP, AuditResult.CONVERGED, AuditResult.STALE, AuditResult.SKIPPED):
        return EXIT_OK
    if result is AuditResult.HELD:
        return EXIT_HELD
    if result is AuditResult.REFUSED:
        return failure.exit_code if failure is not None else EXIT_INPUT
    return EXIT_FAILED


class Output:
    def __init__(self, stdout: IO[str], stderr: IO[str], *, json_mode: bool) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.json = json_mode

    def line(self, text: str = "") -> None:
        """A line of the human output (nothing in ``--json`` mode)."""
        if not self.json:
            self.stdout.write(redact_text(text) + "\n")

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    def data(self, value: Any) -> None:
        """The JSON document (only in ``--json`` mode)."""
        if self.json:
            self.stdout.write(dumps(value, ensure_ascii=False, indent=2) + "\n")
            self.stdout.flush()

    def progress(self, text: str) -> None:
        """A progress line on stderr (both modes: stdout stays one document)."""
        self.stderr.write(redact_text(text) + "\n")
        self.stderr.flush()

    def warn(self, text: str) -> None:
        self.stderr.write(redact_text(f"rampart: warning: {one_line(text)}") + "\n")

    def reason(self, text: str) -> None:
        """The one-line reason of a non-zero exit (the verb already wrote its results)."""
        self.stderr.write(redact_text(f"rampart: error: {one_line(text)}") + "\n")
        self.stderr.flush()

    def fail(self, error: RampartError, code: int) -> int:
        """An error that ended the command: one line on stderr (and the JSON error document)."""
        message = one_line(str(error))
        if self.json:
            self.stdout.write(dumps({"ok": False, "error": message, "error_type": type(error).__name__,
                                     "exit_code": code}, ensure_ascii=False, indent=2) + "\n")
        self.reason(message)
        return code
