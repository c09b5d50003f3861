"""Bulk joiners from a CSV file (``rampart import CSV``): validated first, then run
concurrently under a client-side limit on cloud API calls.

The CSV format
--------------

UTF-8 (a spreadsheet's byte-order mark is fine), comma-separated, RFC 4180 quoting (a cell
holding a comma, a quote or a line break is quoted; a quote inside is doubled). The first
row is the header; one row per person after it; blank lines are ignored::

    person_id,display_name,email,user_name,manager,access,department,title,location,employment_type,cost_center
    E1001,Alice Wong,alice.wong@example.com,,E0001,,Engineering,SRE,Hangzhou,full-time,CC-42
    E1002,"O'Brien, Seán",sean.obrien@example.com,,E0001,console,Sales,,Dublin,full-time,CC-7
    S0001,Billing exporter,,billing-export,E1001,programmatic,Applications,,,service-account,CC-42

=================  ========  ===============================================================
column             required  meaning (an empty cell means "not given")
=================  ========  ===============================================================
``person_id``      yes       HR id: 1-64 of letters, digits, ``_ . : @ -``; once per file
``display_name``   yes       the person's name as HR has it (1-128 printable characters; made
                             RAM-safe by ``rampart.naming.display_name_for``)
``email``          no        used to derive the logon name (its local part)
``user_name``      no        explicit logon name (RAM's rule: 1-64 of letters, digits,
                             ``. - _``); else derived; never the same as another row's
``manager``        no        the manager's person id (tagged on the KMS secret)
``access``         no        ``console`` or ``programmatic``; empty: the catalog's rules or
                             its default decide (one access mode per RAM user)
anything else      no        an HR attribute the catalog rules match on (``department``,
                             ``title``, ``location``, ``employment_type``, ``cost_center``
                             ...): a letter, then letters, digits, ``_ . -``; at most 64
=================  ========  ===============================================================

Known column names are matched case-insensitively; cells are trimmed; a row has one cell per
column (extra empty cells at its end are ignored); at most 5,000 rows (RAM's users per
account) and 16 MB. Each row becomes
a joiner :class:`~rampart.model.LifecycleEvent` exactly as if it came from an event file:

- ``source``: ``import:<file name>``; ``correlation_id``: ``import:<file hash>`` (one per
  import, so its audit records are found together); ``actor``: the operator, if given;
- ``event_id``: ``import:<first 16 hex of the file's SHA-256>:<person id>`` (a hash of the
  person id when it holds ``@``): deterministic, so re-running the same file makes the same
  events;
- ``occurred_at``: ``as_of`` if given, else the file's modification time (whole seconds,
  UTC). Not "now": re-running the same file then changes nothing (each person's plan is
  empty: all no-op), and an old file run again after someone left is *stale* for that person
  rather than a joiner that resurrects a leaver.

Validation before any cloud call: the header (required columns, no duplicates, attribute
names), then every row (the event schema, the access mode, a derivable logon name, no person
id or explicit logon name twice, every occurrence refused). Any invalid row and the import
does not start: the report lists every bad line with its reason and fix; ``skip_invalid=True``
imports the valid rows and reports the others as skipped. A problem of the whole file (the
header, no rows, too many rows) refuses the import even then.

Concurrency and the rate limit
------------------------------

``concurrency`` worker threads each run one person's event through ``engine.handle`` (the
same engine, plan and audit as a single event); a :class:`rampart.adapters.ratelimit.RateLimiter` of
``rate_per_second`` is installed in ``rampart.adapters.retry`` for the import, so every cloud API call
of every worker (retries included) takes a token: it limits calls, not people. Rows that
could race for one logon name (``john.smith`` twice, or ``john.smith`` and ``john.smith2``)
run one after another in one worker, since two at once could both find the name free
(``rampart.operations.group_rows``). A person's failure never stops the others; the report
lists each failure with its reason and counts ok, noop, failed, refused, stale (and held,
which joiners never are). Audit writes (SLS) are not RAM API calls and are not limited.
Ctrl-C stops it: people in flight finish, nobody new starts, the report says interrupted.

The report (:class:`ImportReport`, ``as_dict()`` for ``--json``): ``ok`` and a one-line
``reason``, ``counts``, ``invalid`` (line, person, column, problem, fix), ``failures`` and
``people`` (line, person id, event id, result, users, reason), the calls made and the rates.

Never logs or returns a secret: the report holds only the engine's results, which never do.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from rampart.adapters import retry
from rampart.adapters.ratelimit import DEFAULT_RATE, RateLimiter
from rampart.model import AuditResult, LifecycleEvent
from rampart.operations._bulk_csv import ImportRow, ParsedFile, RowProblem, group_rows, read_csv
from rampart.redact import redact_text

if TYPE_CHECKING:
    from rampart.engine import EventResult

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_RATE",
    "ImportReport",
    "Outcome",
    "PersonOutcome",
    "RowProblem",
    "import_csv",
    "progress_bar",
]

DEFAULT_CONCURRENCY = 8
"""Workers for the CLI's default: at the default 20 calls/s, 8 workers keep the limiter busy
while each waits 50-100 ms per call on a real regional endpoint (the benchmark, at 20 ms,
uses more to reach a higher R)."""
Progress = Callable[[int, int], None]


class Handler(Protocol):
    def handle(self, event: LifecycleEvent) -> EventResult: ...


class Outcome(Enum):
    OK = "ok"
    NOOP = "noop"
    FAILED = "failed"
    REFUSED = "refused"
    STALE = "stale"
    HELD = "held"


_OUTCOMES = {
    AuditResult.OK: Outcome.OK,
    AuditResult.CONVERGED: Outcome.OK,
    AuditResult.NOOP: Outcome.NOOP,
    AuditResult.SKIPPED: Outcome.NOOP,
    AuditResult.STALE: Outcome.STALE,
    AuditResult.HELD: Outcome.HELD,
    AuditResult.REFUSED: Outcome.REFUSED,
    AuditResult.FAILED: Outcome.FAILED,
}
NOT_OK = (Outcome.FAILED, Outcome.REFUSED, Outcome.HELD)


@dataclass(frozen=True, slots=True)
class PersonOutcome:
    line: int
    person_id: str
    event_id: str
    outcome: Outcome
    users: tuple[str, ...] = ()
    reason: str = ""
    error_type: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "person_id": self.person_id, "event_id": self.event_id,
                "result": self.outcome.value, "users": list(self.users), "reason": self.reason,
                "error_type": self.error_type}


@dataclass(frozen=True, slots=True)
class ImportReport:
    file: str
    source: str
    sha256: str
    as_of: datetime
    rows: int
    """Data rows in the file."""
    started: bool
    """False: validation refused the file and nothing was sent to the cloud."""
    invalid: tuple[RowProblem, ...] = ()
    outcomes: tuple[PersonOutcome, ...] = ()
    """One per person imported, in file order."""
    concurrency: int = 1
    rate_per_second: float = DEFAULT_RATE
    seconds: float = 0.0
    api_calls: int = 0
    """Cloud API calls made (every attempt through ``rampart.adapters.retry``, SLS not included)."""
    interrupted: bool = False
    counts: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        counts = {o.value: 0 for o in Outcome}
        for item in self.outcomes:
            counts[item.outcome.value] += 1
        counts["skipped_invalid"] = len({p.line for p in self.invalid}) if self.started else 0
        object.__setattr__(self, "counts", counts)

    @property
    def ok(self) -> bool:
        """Started, finished, and no person failed, was refused or held (noop and stale are fine)."""
        return self.started and not self.interrupted and not self.failures

    @property
    def failures(self) -> tuple[PersonOutcome, ...]:
        return tuple(o for o in self.outcomes if o.outcome in NOT_OK)

    @property
    def people_per_second(self) -> float:
        return len(self.outcomes) / self.seconds if self.seconds > 0 else 0.0

    @property
    def calls_per_second(self) -> float:
        return self.api_calls / self.seconds if self.seconds > 0 else 0.0

    @property
    def reason(self) -> str:
        """One line for the CLI: why the import is not ok ("" when it is)."""
        if not self.started:
            lines = sorted({p.line for p in self.invalid})
            first = "; ".join(str(p) for p in self.invalid[:3])
            more = f" (+{len(self.invalid) - 3} more)" if len(self.invalid) > 3 else ""
            whole = any(p.whole_file for p in self.invalid)
            advice = "fix the file" if whole else "fix them, or skip them with --skip-invalid"
            return (f"import refused, nothing was changed: {len(lines)} invalid line(s) in {self.file}: {first}{more}"
                    f" ({advice})")
        if self.interrupted:
            return f"import interrupted after {len(self.outcomes)} of {self.rows} people"
        if self.failures:
            failed = self.failures[0]
            return (f"{len(self.failures)} of {len(self.outcomes)} people not imported; first: line {failed.line} "
                    f"({failed.person_id}): {failed.outcome.value}: {failed.reason}")
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "source": self.source, "sha256": self.sha256, "as_of": self.as_of.isoformat(),
            "rows": self.rows, "started": self.started, "ok": self.ok, "reason": self.reason,
            "interrupted": self.interrupted, "counts": dict(self.counts),
            "invalid": [p.as_dict() for p in self.invalid],
            "failures": [o.as_dict() for o in self.failures],
            "people": [o.as_dict() for o in self.outcomes],
            "concurrency": self.concurrency,
            "rate_per_second": None if math.isinf(self.rate_per_second) else self.rate_per_second,
            "seconds": round(self.seconds, 3), "api_calls": self.api_calls,
            "people_per_second": round(self.people_per_second, 2), "calls_per_second": round(self.calls_per_second, 2),
        }


# --- running -------------------------------------------------------------------------------


def _outcome(row: ImportRow, result: EventResult) -> PersonOutcome:
    outcome = _OUTCOMES.get(result.result, Outcome.FAILED)
    failed_user = next((u for u in result.users if u.result is AuditResult.FAILED), None)
    reason = result.error or (failed_user.error if failed_user is not None else "")
    return PersonOutcome(row.line, row.person_id, row.event.event_id, outcome,
                         tuple(u.user_name for u in result.users), reason, result.error_type)


def _run_one(engine: Handler, row: ImportRow) -> PersonOutcome:
    try:
        return _outcome(row, engine.handle(row.event))
    except Exception as exc:  # a bug or an unforeseen error: this person fails, the import goes on
        return PersonOutcome(row.line, row.person_id, row.event.event_id, Outcome.FAILED, (),
                             redact_text(f"{type(exc).__name__}: {exc}"), type(exc).__name__)


def _check(concurrency: int, rate_per_second: float) -> None:
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if not rate_per_second > 0:
        raise ValueError(f"rate_per_second must be positive (math.inf: no limit), not {rate_per_second}")


def import_csv(
    path: str | Path,
    engine: Handler,
    *,
    concurrency: int,
    rate_per_second: float,
    progress: Progress | None,
    skip_invalid: bool = False,
    as_of: datetime | None = None,
    actor: str = "",
    burst: int = 1,
    clock: Callable[[], float] = time.monotonic,
) -> ImportReport:
    """Import the CSV file's people as joiners (format and behaviour: the module docstring).

    ``progress(done, total)`` is called from the calling thread after each person.
    Raises ``EventError`` only when the file cannot be read; every other problem is in the
    report (a problem of the whole file, such as a missing column, refuses the import even
    with ``skip_invalid``). ``rate_per_second=math.inf`` runs without a limit (calls are
    still counted). Ctrl-C ends it early: people in flight finish, the report says
    ``interrupted``.
    """
    _check(concurrency, rate_per_second)
    parsed = read_csv(path, as_of=as_of, actor=actor)
    base = _report_base(parsed, concurrency, rate_per_second)
    if parsed.unusable or (parsed.problems and not skip_invalid):
        return ImportReport(**base, started=False, invalid=parsed.problems)
    limiter = RateLimiter(rate_per_second, burst=burst)
    started = clock()
    prefetch = getattr(engine, "prefetch_tombstones", None)
    if callable(prefetch):
        prefetch()  # one audit query for the whole file instead of one per joiner
    outcomes, interrupted = _run(engine, parsed.rows, concurrency, limiter, progress)
    return ImportReport(
        **base, started=True, invalid=parsed.problems, outcomes=tuple(sorted(outcomes, key=lambda o: o.line)),
        seconds=clock() - started, api_calls=limiter.taken, interrupted=interrupted,
    )


def _report_base(parsed: ParsedFile, concurrency: int, rate: float) -> dict[str, Any]:
    return {"file": str(parsed.path), "source": parsed.source, "sha256": parsed.sha256, "as_of": parsed.as_of,
            "rows": parsed.row_count, "concurrency": concurrency, "rate_per_second": rate}


def _run(
    engine: Handler, rows: Sequence[ImportRow], concurrency: int, limiter: RateLimiter, progress: Progress | None
) -> tuple[list[PersonOutcome], bool]:
    """(outcomes, interrupted). Ctrl-C stops the import: people in flight finish, no one new
    starts. Any other exception (from ``progress``) stops it the same way and is raised."""
    total = len(rows)
    done: queue.Queue[PersonOutcome] = queue.Queue()
    stop = threading.Event()
    outcomes: list[PersonOutcome] = []

    def work(group: list[ImportRow]) -> None:
        for row in group:
            if stop.is_set():
                return
            done.put(_run_one(engine, row))

    groups = group_rows(rows)
    interrupted = False
    with retry.rate_limited(limiter):
        pool = ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(groups))), thread_name_prefix="rampart-import")
        try:
            futures = [pool.submit(work, group) for group in groups]
            while len(outcomes) < total:
                try:
                    outcomes.append(done.get(timeout=0.5))
                except queue.Empty:
                    if all(f.done() for f in futures) and done.empty():
                        break  # a worker died outside _run_one (should not happen): do not hang
                    continue
                if progress is not None:
                    progress(len(outcomes), total)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
    while not done.empty():
        outcomes.append(done.get())
    return outcomes, interrupted


# --- the progress bar ------------------------------------------------------------------------


def progress_bar(
    stream: IO[str],
    *,
    width: int = 30,
    clock: Callable[[], float] = time.monotonic,
    limiter: RateLimiter | None = None,
) -> Progress:
    """A ``progress`` callback drawing ``[#####.....] 512/1000 people, 18.9 calls/s, ETA 25s``.

    On a terminal the line is redrawn in place; otherwise (a log file, CI) a line is written
    at every 10% and at the end. Calls per second come from ``limiter``, or the one installed
    in ``rampart.adapters.retry`` while the import runs. The clock starts when the bar is made.
    """
    started = clock()
    tty = bool(getattr(stream, "isatty", lambda: False)())
    last_decile = [-1]

    def draw(done: int, total: int) -> None:
        filled = width if total <= 0 else min(width, done * width // total)
        elapsed = clock() - started
        source = limiter if limiter is not None else retry.rate_limiter()
        rate = source.observed_rate() if isinstance(source, RateLimiter) else 0.0
        eta = _eta(elapsed, done, total)
        text = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} people, {rate:.1f} calls/s, ETA {eta}"
        if tty:
            stream.write("\r" + text + ("\n" if done >= total else ""))
        else:
            decile = 10 if total <= 0 else done * 10 // total
            if decile == last_decile[0] and done < total:
                return
            last_decile[0] = decile
            stream.write(text + "\n")
        stream.flush()

    return draw


def _eta(elapsed: float, done: int, total: int) -> str:
    if done >= total:
        return "0s"
    if done <= 0 or elapsed <= 0:
        return "--"
    seconds = round(elapsed / done * (total - done))
    return f"{seconds}s" if seconds < 60 else f"{seconds // 60}m{seconds % 60:02d}s"
