"""Reads and validates a bulk-import CSV file (the format is documented in ``rampart.operations``).

Everything here is checked before the first cloud call: the file as a whole (readable, UTF-8,
a header with the required columns), then every row (each becomes a joiner event through the
event schema, so a row is valid exactly when the same person would be valid in an event
file). Problems are collected, never raised one at a time: the operator fixes the file once.

Pure apart from reading the file (its bytes and modification time): no SDK, no cloud.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rampart.errors import EventError
from rampart.events import ATTRIBUTE_NAME, EVENT_ID, MAX_ATTRIBUTES, EventErrors, format_time, parse_event
from rampart.model import AccessMode, LifecycleEvent
from rampart.naming import API_SUFFIX, MAX_USER_NAME, derive_user_name

PERSON_ID = "person_id"
DISPLAY_NAME = "display_name"
EMAIL = "email"
USER_NAME = "user_name"
MANAGER = "manager"
ACCESS = "access"
KNOWN_COLUMNS = (PERSON_ID, DISPLAY_NAME, EMAIL, USER_NAME, MANAGER, ACCESS)
REQUIRED_COLUMNS = (PERSON_ID, DISPLAY_NAME)

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ROWS = 5000
"""RAM allows 5,000 users per account (alibaba-platform.md §A.4): a longer file cannot succeed."""
HEADER_LINE = 1
MAX_ACTOR = 128
"""The event's ``actor`` limit (``rampart.events``)."""
_SOURCE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
_FIX_FORMAT = "see the CSV format in rampart/operations/_bulk.py"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one line of the file (line 1 is the header)."""

    line: int
    problem: str
    fix: str = ""
    column: str = ""
    person_id: str = ""
    whole_file: bool = False
    """The file as a whole cannot be imported (header, no rows, too many): never skippable."""

    def __str__(self) -> str:
        who = f" ({self.person_id})" if self.person_id else ""
        where = f" {self.column}:" if self.column else ""
        fix = f" ({self.fix})" if self.fix else ""
        return f"line {self.line}{who}:{where} {self.problem}{fix}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "person_id": self.person_id, "column": self.column,
                "problem": self.problem, "fix": self.fix, "whole_file": self.whole_file}


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    event: LifecycleEvent
    logon: str
    """The logon name the row starts from (before collision handling), lowercase."""

    @property
    def person_id(self) -> str:
        return self.event.person_id


@dataclass(frozen=True, slots=True)
class ParsedFile:
    path: Path
    sha256: str
    source: str
    as_of: datetime
    rows: tuple[ImportRow, ...]
    """The valid rows, in file order."""
    problems: tuple[RowProblem, ...]
    row_count: int
    """Data rows in the file (blank lines not counted)."""

    @property
    def invalid_lines(self) -> tuple[int, ...]:
        return tuple(sorted({p.line for p in self.problems}))

    @property
    def unusable(self) -> bool:
        """A problem of the whole file: the import cannot start, even skipping invalid rows."""
        return any(p.whole_file for p in self.problems)


# --- identifiers -------------------------------------------------------------------------


def source_for(path: Path) -> str:
    """``import:<file name>``, the name made to fit the event ``source`` rule (1-64 of
    letters, digits, ``_ . : / -``): other characters become ``_``."""
    name = _SOURCE_NAME.sub("_", path.name).strip("_.-") or "file"
    return f"import:{name}"[:64]


def event_id_for(file_sha256: str, person_id: str) -> str:
    """Deterministic: the same file and person always give the same id, so a re-run is
    recognisable (and, through FC, deduplicated). ``import:<file hash>:<person id>``, or a
    hash of the person id when it holds characters event ids do not (``@``)."""
    candidate = f"import:{file_sha256[:16]}:{person_id}"
    if EVENT_ID.match(candidate):
        return candidate
    return f"import:{file_sha256[:16]}:p-{hashlib.sha256(person_id.encode()).hexdigest()[:24]}"


def correlation_id_for(file_sha256: str) -> str:
    """One correlation id for the whole import: its audit records are found together."""
    return f"import:{file_sha256[:16]}"


def _owners(name: str) -> set[str]:
    """Names whose collision candidates start from ``name`` (long names are cut to make room
    for the suffix: ``rampart.naming.resolve_collision``)."""
    return {name} | {name[: MAX_USER_NAME - k].rstrip("._-") for k in (1, 2, 3) if len(name) > MAX_USER_NAME - k}


def _references(name: str) -> set[str]:
    """Names ``name`` could be a collision candidate of (``base`` + ``2`` .. ``999``)."""
    return {name[:-k] for k in (1, 2, 3) if len(name) > k and name[-k:].isdigit()}


def group_rows(rows: Sequence[ImportRow]) -> list[list[ImportRow]]:
    """Rows that could race for one logon name, together and in file order; the groups
    ordered by their first row. Two rows race when they start from the same name, or when
    one's name is a collision candidate of the other's (``john.smith`` and ``john.smith2``:
    if ``john.smith`` is taken, both want ``john.smith2``). A ``-api`` suffix (the split
    programmatic user) is ignored. Rows in different groups never want the same name."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    canonical = [r.logon[: -len(API_SUFFIX)] if r.logon.endswith(API_SUFFIX) else r.logon for r in rows]
    owner_of: dict[str, int] = {}
    for index, name in enumerate(canonical):
        for key in _owners(name):
            if key in owner_of:
                parent[find(index)] = find(owner_of[key])
            else:
                owner_of[key] = index
    for index, name in enumerate(canonical):
        for ref in _references(name):
            if ref in owner_of:
                parent[find(index)] = find(owner_of[ref])
    groups: dict[int, list[ImportRow]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(find(index), []).append(row)
    return sorted(groups.values(), key=lambda g: g[0].line)


# --- reading -----------------------------------------------------------------------------


def _read_text(path: Path) -> tuple[str, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EventError(f"CSV file {path} cannot be read: {exc.strerror}", hint="check the path") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise EventError(f"CSV file {path} is {len(raw)} bytes, more than {MAX_FILE_BYTES}", hint="split it")
    try:
        return raw.decode("utf-8-sig"), raw  # -sig: spreadsheets write a byte-order mark
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EventError(
            f"CSV file {path} is not UTF-8 (line {line}, byte {exc.start})", hint="save it as CSV UTF-8"
        ) from exc


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells); blank lines skipped. Quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise EventError(f"line {reader.line_num}: not valid CSV: {exc}", hint="check the quoting there") from exc
        if cells and any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def _header(cells: Sequence[str]) -> tuple[list[str], list[RowProblem]]:
    names: list[str] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells, start=1):
        raw = cell.strip()
        name = raw.lower() if raw.lower() in KNOWN_COLUMNS else raw
        names.append(name)
        if not raw:
            problems.append(RowProblem(HEADER_LINE, f"column {index} has no name", "name it or delete the column",
                                       whole_file=True))
            continue
        key = name.lower()
        if key in seen:
            problems.append(RowProblem(HEADER_LINE, f"column {raw!r} is given twice (columns {seen[key]} and {index})",
                                       "keep one", column=raw, whole_file=True))
        seen.setdefault(key, index)
        if name not in KNOWN_COLUMNS and not ATTRIBUTE_NAME.match(name):
            problems.append(RowProblem(HEADER_LINE, f"{raw!r} is not an attribute name",
                                       "use a letter, then letters, digits, _ . - (1-64)", column=raw, whole_file=True))
    for required in REQUIRED_COLUMNS:
        if required not in names:
            problems.append(RowProblem(HEADER_LINE, f"the required column {required} is missing",
                                       f"add a {required} column ({_FIX_FORMAT})", column=required, whole_file=True))
    attributes = [n for n in names if n and n not in KNOWN_COLUMNS]
    if len(attributes) > MAX_ATTRIBUTES:
        problems.append(RowProblem(HEADER_LINE, f"{len(attributes)} attribute columns; at most {MAX_ATTRIBUTES}",
                                   "keep only those the catalog rules use", whole_file=True))
    return names, problems


def _person(names: Sequence[str], cells: Sequence[str]) -> dict[str, Any]:
    person: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for name, cell in zip(names, cells[: len(names)], strict=False):  # extra empty cells are allowed
        value = cell.strip()
        if not value:
            continue  # an empty cell: the field or attribute is not given
        if name == ACCESS:
            person[ACCESS] = [value.lower()]
        elif name in KNOWN_COLUMNS:
            person[name] = value
        else:
            attributes[name] = value
    if attributes:
        person["attributes"] = attributes
    return person


def _column_of(path: str) -> str:
    """``person.attributes.department`` -> ``department``; ``person.email`` -> ``email``."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[:2] == ["person", "attributes"]:
        return ".".join(parts[2:])
    if len(parts) >= 2 and parts[0] == "person":
        return parts[1].split("[")[0]
    return path


def _row(
    line: int, names: Sequence[str], cells: Sequence[str], template: Mapping[str, Any], file_sha: str
) -> tuple[ImportRow | None, list[RowProblem]]:
    pid = cells[names.index(PERSON_ID)].strip() if PERSON_ID in names and names.index(PERSON_ID) < len(cells) else ""
    if len(cells) != len(names) and not (len(cells) > len(names) and not any(c.strip() for c in cells[len(names):])):
        return None, [RowProblem(line, f"has {len(cells)} cells; the header has {len(names)}",
                                 "quote cells that contain commas; one cell per column", person_id=pid)]
    person = _person(names, cells)
    access = person.get(ACCESS, [])
    modes = [m.value for m in AccessMode]
    if access and access[0] not in modes:
        return None, [RowProblem(line, f"{access[0]!r} is not an access mode",
                                 f"write {' or '.join(modes)}, or leave it empty (the catalog decides)", ACCESS, pid)]
    data = dict(template)
    data["event_id"] = event_id_for(file_sha, pid) if pid else "import:invalid"
    data["person"] = person
    try:
        event = parse_event(data)
    except EventErrors as exc:
        return None, [RowProblem(line, problem, fix, _column_of(path), pid) for path, problem, fix in exc.problems]
    assert event.person is not None
    try:
        user_name = derive_user_name(event.person)
    except EventError as exc:
        column = USER_NAME if event.person.user_name else ""
        return None, [RowProblem(line, exc.message, exc.hint, column, pid)]
    return ImportRow(line, event, user_name.lower()), []


def _duplicates(rows: Sequence[ImportRow]) -> list[RowProblem]:
    """Every occurrence of a repeated person id, or of an explicit logon name asked for twice."""
    def person_id(row: ImportRow) -> str:
        return row.person_id

    def logon(row: ImportRow) -> str:
        return (row.event.person.user_name or "").lower() if row.event.person is not None else ""

    problems: list[RowProblem] = []
    keys: tuple[tuple[str, Callable[[ImportRow], str]], ...] = (("person id", person_id), ("logon name", logon))
    for label, key in keys:
        lines: dict[str, list[int]] = {}
        for row in rows:
            value = key(row)
            if value:
                lines.setdefault(value, []).append(row.line)
        for row in rows:
            value = key(row)
            others = [n for n in lines.get(value, []) if n != row.line] if value else []
            if others:
                column = PERSON_ID if label == "person id" else USER_NAME
                problems.append(RowProblem(
                    row.line, f"{label} {value!r} is also on line(s) {', '.join(map(str, others))}",
                    "give each person one row" if label == "person id" else "give each person their own logon name",
                    column, row.person_id,
                ))
    return problems


def read_csv(path: str | Path, *, as_of: datetime | None = None, actor: str = "") -> ParsedFile:
    """The file's valid rows as joiner events, and every problem found.

    ``as_of``: the events' ``occurred_at`` (default: the file's modification time, see
    ``rampart.operations``). Raises :class:`EventError` only when the file cannot be read at all.
    """
    file = Path(path)
    text, raw = _read_text(file)
    sha = hashlib.sha256(raw).hexdigest()
    if as_of is None:
        as_of = datetime.fromtimestamp(file.stat().st_mtime, timezone.utc)
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(timezone.utc).replace(microsecond=0)
    source = source_for(file)
    records = _records(text)
    first = next(records, None)
    if first is None:
        problem = RowProblem(HEADER_LINE, "the file is empty", f"write a header row and one row per person ({_FIX_FORMAT})",
                             whole_file=True)
        return ParsedFile(file, sha, source, as_of, (), (problem,), 0)
    names, problems = _header(first[1])
    template: dict[str, Any] = {
        "kind": "joiner", "occurred_at": format_time(as_of), "source": source,
        "correlation_id": correlation_id_for(sha),
    }
    if actor:
        template["actor"] = actor[:MAX_ACTOR]  # an assumed-role ARN can be longer than the event allows
    rows: list[ImportRow] = []
    count = 0
    for line, cells in records:
        count += 1
        if count > MAX_ROWS:
            problems.append(RowProblem(line, f"more than {MAX_ROWS} rows", "split the file (RAM holds 5,000 users per account)",
                                       whole_file=True))
            break
        if any(p.whole_file for p in problems):
            continue  # a broken header: the rows cannot be read meaningfully
        row, found = _row(line, names, cells, template, sha)
        problems += found
        if row is not None:
            rows.append(row)
    if count == 0 and not problems:
        problems.append(RowProblem(HEADER_LINE, "the file has a header but no rows", "add one row per person",
                                   whole_file=True))
    duplicates = _duplicates(rows)
    problems += duplicates
    bad = {p.line for p in duplicates}
    valid = tuple(r for r in rows if r.line not in bad)
    return ParsedFile(file, sha, source, as_of, valid, tuple(sorted(problems, key=lambda p: p.line)), count)
