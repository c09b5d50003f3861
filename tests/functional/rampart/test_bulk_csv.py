"""The bulk-import CSV: validation before any cloud call, line numbers, deterministic events.

Pure: these tests read files from tmp_path and never touch localcloud.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rampart.errors import EventError
from rampart.events import parse_event
from rampart.model import AccessMode, EventKind
from rampart.naming import derive_user_name
from rampart.operations import ImportRow, event_id_for, group_rows, read_csv, source_for

HEADER = "person_id,display_name,email,user_name,manager,access,department,title"
AS_OF = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def write(tmp_path: Path, *lines: str, name: str = "people.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    text = "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def problems_by_line(parsed) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[int, list[str]] = {}
    for p in parsed.problems:
        out.setdefault(p.line, []).append(f"{p.column}: {p.problem}")
    return out


def test_each_row_becomes_a_joiner_event_with_its_attributes(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "E1001,Alice Wong,alice.wong@example.com,,E0001,,Engineering,SRE",
                 "S0001,Billing exporter,,billing-export,E1001,programmatic,Applications,")
    parsed = read_csv(path, as_of=AS_OF, actor="ops@example.com")
    assert parsed.problems == ()
    first, second = (row.event for row in parsed.rows)
    assert first.kind is EventKind.JOINER and first.occurred_at == AS_OF
    assert first.source == "import:people.csv" and first.actor == "ops@example.com"
    assert first.person is not None and dict(first.person.attributes) == {"department": "Engineering", "title": "SRE"}
    assert first.person.manager == "E0001" and first.person.access == ()
    assert second.person is not None and second.person.user_name == "billing-export"
    assert second.person.access == (AccessMode.PROGRAMMATIC,)
    assert "title" not in second.person.attributes  # an empty cell is "not given"
    assert first.correlation_id == second.correlation_id  # one per import


def test_the_events_pass_the_event_schema_unchanged(tmp_path: Path) -> None:
    from rampart.events import event_to_dict

    parsed = read_csv(write(tmp_path, HEADER, "E1,Ann Lee,ann@example.com,,,console,Sales,AE"), as_of=AS_OF)
    event = parsed.rows[0].event
    assert parse_event(event_to_dict(event)) == event


def test_bad_rows_are_listed_with_line_numbers_and_reasons(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "E1,Good Person,good@example.com,,,,Sales,",
                 "E2,Bad Mail,not-an-address,,,,Sales,",
                 "E3,Bad Access,c@example.com,,,both,Sales,",
                 "E 4,Bad Id,d@example.com,,,,Sales,",
                 "E5,,e@example.com,,,,Sales,",
                 "E6,Bad Logon,f@example.com,has space,,,Sales,",
                 "E7,Too Few,g@example.com")
    parsed = read_csv(path, as_of=AS_OF)
    found = problems_by_line(parsed)
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert found[3][0].startswith("email:")
    assert found[4][0].startswith("access:") and "'both' is not an access mode" in found[4][0]
    assert found[5][0].startswith("person_id:")
    assert found[6][0].startswith("display_name:")
    assert found[7][0].startswith("user_name:") and "RAM refuses" in found[7][0]
    assert "has 3 cells; the header has 8" in found[8][0]
    assert [row.person_id for row in parsed.rows] == ["E1"]
    assert all(p.fix for p in parsed.problems)


def test_a_problem_reads_as_one_line_naming_the_line_and_person(tmp_path: Path) -> None:
    parsed = read_csv(write(tmp_path, HEADER, "E2,Bad Mail,not-an-address,,,,Sales,"), as_of=AS_OF)
    text = str(parsed.problems[0])
    assert text.startswith("line 2 (E2): email: ") and "\n" not in text


def test_duplicate_person_ids_are_refused_on_every_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "E1,Ann Lee,ann@example.com,,,,Sales,",
                 "E2,Bo Chen,bo@example.com,,,,Sales,",
                 "E1,Ann Lee Again,ann2@example.com,,,,Sales,")
    parsed = read_csv(path, as_of=AS_OF)
    assert parsed.invalid_lines == (2, 4)
    assert "also on line(s) 4" in parsed.problems[0].problem
    assert [row.person_id for row in parsed.rows] == ["E2"]


def test_the_same_explicit_logon_name_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "E1,Ann Lee,,ann,,,Sales,",
                 "E2,Ann Other,,ANN,,,Sales,")
    assert read_csv(path, as_of=AS_OF).invalid_lines == (2, 3)


@pytest.mark.parametrize(("header", "missing"), [
    ("display_name,email,department", "person_id"),
    ("person_id,email,department", "display_name"),
])
def test_a_missing_required_column_refuses_the_file(tmp_path: Path, header: str, missing: str) -> None:
    parsed = read_csv(write(tmp_path, header, "a,b,c"), as_of=AS_OF)
    assert parsed.rows == ()
    assert [(p.line, p.column) for p in parsed.problems] == [(1, missing)]
    assert f"required column {missing} is missing" in parsed.problems[0].problem


def test_header_problems_are_all_reported(tmp_path: Path) -> None:
    parsed = read_csv(write(tmp_path, "person_id,display_name,Department,department,,9lives", "E1,A,x,y,,z"),
                      as_of=AS_OF)
    problems = [p.problem for p in parsed.problems]
    assert all(p.line == 1 for p in parsed.problems)
    assert any("given twice" in p for p in problems)
    assert any("has no name" in p for p in problems)
    assert any("'9lives' is not an attribute name" in p for p in problems)
    assert parsed.rows == ()


def test_known_columns_match_case_insensitively_and_cells_are_trimmed(tmp_path: Path) -> None:
    parsed = read_csv(write(tmp_path, " Person_ID , Display_Name ,EMAIL", " E1 ,  Ann Lee , ann@example.com "),
                      as_of=AS_OF)
    person = parsed.rows[0].event.person
    assert person is not None and (person.person_id, person.display_name, person.email) == ("E1", "Ann Lee", "ann@example.com")


def test_unicode_names_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "person_id,display_name,email,department",
                 "E1,José Müller,,Engineering",
                 "E2,王小明,xiaoming.wang@example.com,Engineering",
                 "E3,\"O'Brien, Seán\",,Sales", bom=True)
    parsed = read_csv(path, as_of=AS_OF)
    assert parsed.problems == ()
    persons = [row.event.person for row in parsed.rows]
    assert [p.display_name for p in persons if p] == ["José Müller", "王小明", "O'Brien, Seán"]
    assert [derive_user_name(p) for p in persons if p] == ["jose.muller", "xiaoming.wang", "obrien.sean"]


def test_a_name_with_no_ascii_and_no_email_takes_the_person_id_as_logon(tmp_path: Path) -> None:
    parsed = read_csv(write(tmp_path, "person_id,display_name", "CN-0042,王小明"), as_of=AS_OF)
    assert [row.logon for row in parsed.rows] == ["cn-0042"]


def test_a_quoted_cell_spanning_lines_keeps_the_line_numbers_right(tmp_path: Path) -> None:
    path = write(tmp_path, "person_id,display_name,email,title",
                 'E1,Ann Lee,ann@example.com,"Senior',
                 'Engineer"',
                 "E2,Bo Chen,not-an-address,SRE")
    parsed = read_csv(path, as_of=AS_OF)
    assert parsed.invalid_lines == (4,)
    assert parsed.rows[0].line == 2


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    parsed = read_csv(write(tmp_path, HEADER, "", "E1,Ann Lee,ann@example.com,,,,Sales,", ",,,,,,,"), as_of=AS_OF)
    assert (parsed.row_count, parsed.problems) == (1, ())


def test_an_empty_file_and_a_header_alone_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in read_csv(empty, as_of=AS_OF).problems[0].problem
    assert "no rows" in read_csv(write(tmp_path, HEADER), as_of=AS_OF).problems[0].problem


def test_a_file_that_is_not_utf8_or_not_there_raises(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"person_id,display_name\nE1,Jos\xe9\n")
    with pytest.raises(EventError, match="not UTF-8 \\(line 2"):
        read_csv(latin, as_of=AS_OF)
    with pytest.raises(EventError, match="cannot be read"):
        read_csv(tmp_path / "nope.csv", as_of=AS_OF)


def test_event_ids_are_deterministic_per_file_and_person(tmp_path: Path) -> None:
    lines = (HEADER, "E1,Ann Lee,ann@example.com,,,,Sales,", "ext@corp,Bo Chen,bo@example.com,,,,Sales,")
    first = read_csv(write(tmp_path, *lines, name="a.csv"), as_of=AS_OF)
    again = read_csv(write(tmp_path, *lines, name="b.csv"), as_of=AS_OF)
    changed = read_csv(write(tmp_path, *lines, "E3,Cy Dee,cy@example.com,,,,Sales,", name="c.csv"), as_of=AS_OF)
    ids = [row.event.event_id for row in first.rows]
    assert ids == [row.event.event_id for row in again.rows]
    assert ids[0] == f"import:{first.sha256[:16]}:E1" == event_id_for(first.sha256, "E1")
    assert ids[1].startswith(f"import:{first.sha256[:16]}:p-")  # '@' is not allowed in an event id
    assert not set(ids) & {row.event.event_id for row in changed.rows}


def test_occurred_at_defaults_to_the_file_modification_time(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "E1,Ann Lee,ann@example.com,,,,Sales,")
    stamp = datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=timezone.utc).timestamp()
    os.utime(path, (stamp, stamp))
    assert read_csv(path).rows[0].event.occurred_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def test_the_source_names_the_file_within_the_event_rules() -> None:
    assert source_for(Path("/x/HR export (March) 2026.csv")) == "import:HR_export_March_2026.csv"
    assert len(source_for(Path("a" * 200 + ".csv"))) == 64


def _rows(tmp_path: Path, *people: str) -> list[ImportRow]:
    lines = [f"E{i},{name},,,,,," for i, name in enumerate(people)]
    return list(read_csv(write(tmp_path, HEADER, *lines), as_of=AS_OF).rows)


def test_rows_that_could_race_for_one_logon_name_are_grouped(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "John Smith", "Ann Lee", "John Smith", "john.smith2", "Person1", "Person2", "person12")
    groups = [[row.event.person.display_name for row in g if row.event.person] for g in group_rows(rows)]
    assert groups == [
        ["John Smith", "John Smith", "john.smith2"],  # same name, and a collision candidate of it
        ["Ann Lee"],
        ["Person1", "person12"],  # person12 is person1 + "2": a candidate of person1
        ["Person2"],  # person2's candidates (person22 ...) are nobody else's name
    ]


def test_a_broken_header_makes_the_whole_file_unusable(tmp_path: Path) -> None:
    assert read_csv(write(tmp_path, "display_name,email", "Ann,a@example.com"), as_of=AS_OF).unusable
    assert not read_csv(write(tmp_path, HEADER, "E1,Ann,bad,,,,Sales,"), as_of=AS_OF).unusable


def test_a_long_operator_arn_is_cut_to_the_event_limit(tmp_path: Path) -> None:
    arn = "acs:ram::1234567890123456:assumed-role/" + "r" * 64 + "/" + "s" * 64
    parsed = read_csv(write(tmp_path, HEADER, "E1,Ann,ann@example.com,,,,Sales,"), as_of=AS_OF, actor=arn)
    assert parsed.problems == ()
    assert parsed.rows[0].event.actor == arn[:128]
