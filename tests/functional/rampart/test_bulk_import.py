"""rampart.operations.import_csv end to end on localcloud: concurrent joiners under a rate limit,
through the official SDKs (rampart's adapters), with the shipped catalog."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as Kms
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.adapters import retry
from rampart.engine import Engine
from rampart.operations import Outcome, import_csv, progress_bar

from localcloud import LocalCloud
from tests.functional.rampart.types import CallsServed, CountCalls, EngineBuilder, ExampleCatalog

HEADER = ["person_id", "display_name", "email", "manager", "access", "department", "title", "employment_type"]
RATE = 200.0
CONCURRENCY = 4


def people(count: int = 20) -> list[list[str]]:
    rows = []
    for i in range(count):
        department = ("Engineering", "Sales", "Applications", "Engineering")[i % 4]
        title = "SRE" if i % 8 == 3 else "Engineer"
        employment = "service-account" if i % 5 == 0 else "full-time"
        given = ("ann", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo")[i % 10]
        family = ("lee", "chen")[i // 10]
        rows.append([f"E{i:04d}", f"{given.title()} {family.title()}", f"{given}.{family}@example.com", "E0000", "",
                     department, title, employment])
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def engine(cloud: LocalCloud, build_engine: EngineBuilder, example_catalog: ExampleCatalog) -> Engine:
    return build_engine(example_catalog())


def _secrets(cloud: LocalCloud) -> dict[str, str]:
    kms = Kms(cloud.config())
    out: dict[str, str] = {}
    page = 1
    while True:
        body = kms.list_secrets(kms_models.ListSecretsRequest(page_size=100, page_number=page)).body
        items = body.secret_list.secret if body.secret_list else []
        for item in items:
            request = kms_models.GetSecretValueRequest(secret_name=item.secret_name)
            out[item.secret_name] = kms.get_secret_value(request).body.secret_data
        if not items or len(out) >= int(body.total_count or 0):
            return out
        page += 1


def test_an_import_onboards_everyone_with_one_escrowed_credential(cloud: LocalCloud, engine: Engine, tmp_path: Path, calls_served: CallsServed, count_calls: CountCalls) -> None:
    path = write_csv(tmp_path / "people.csv", people())
    seen: list[tuple[int, int]] = []
    count_calls()
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE,
                        progress=lambda done, total: seen.append((done, total)))
    assert report.ok, report.reason
    assert report.counts["ok"] == 20 and report.counts["failed"] == 0
    assert seen == [(n, 20) for n in range(1, 21)]
    # the limiter saw every call localcloud served (RAM, IMS, ResourceManager, KMS)
    assert report.api_calls == sum(calls_served().values())
    assert retry.rate_limiter() is None

    ram = Ram(cloud.config())
    secrets = _secrets(cloud)
    for outcome in report.outcomes:
        (user,) = outcome.users
        ram.get_user(ram_models.GetUserRequest(user_name=user))  # exists
        keys = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=user)).body.access_keys.access_key
        escrowed = [name for name in secrets if name.startswith(f"rampart/{user}/")]
        if outcome.person_id in {f"E{i:04d}" for i in range(0, 20, 5)}:  # service accounts: programmatic
            assert len(keys) == 1
            assert escrowed == [f"rampart/{user}/access-key"]
        else:
            assert keys == []
            ram.get_login_profile(ram_models.GetLoginProfileRequest(user_name=user))  # exists
            assert escrowed == [f"rampart/{user}/console-password"]
    rendered = json.dumps(report.as_dict())
    for value in secrets.values():
        for secret in (json.loads(value)["AccessKeySecret"],) if value.startswith("{") else (value,):
            assert secret not in rendered


def test_running_the_same_file_again_is_all_noop(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(8))
    first = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    again = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    assert first.counts["ok"] == 8
    assert again.ok and again.counts["noop"] == 8, again.as_dict()["people"]
    assert [o.event_id for o in again.outcomes] == [o.event_id for o in first.outcomes]


def test_an_invalid_row_stops_the_import_before_any_call(cloud: LocalCloud, engine: Engine, tmp_path: Path, calls_served: CallsServed, count_calls: CountCalls) -> None:
    rows = people(5)
    rows[3][2] = "not-an-address"
    path = write_csv(tmp_path / "people.csv", rows)
    count_calls()
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    assert not report.ok and not report.started
    assert [(p.line, p.person_id, p.column) for p in report.invalid] == [(5, "E0003", "email")]
    assert report.reason.startswith("import refused, nothing was changed: 1 invalid line(s)")
    assert "line 5 (E0003): email:" in report.reason
    assert sum(calls_served().values()) == 0
    assert report.as_dict()["invalid"][0]["line"] == 5


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    rows = people(5)
    rows[1][5] = ""
    rows[1][4] = "everything"
    path = write_csv(tmp_path / "people.csv", rows)
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None,
                        skip_invalid=True)
    assert report.ok, report.reason
    assert report.counts["ok"] == 4 and report.counts["skipped_invalid"] == 1
    assert [p.line for p in report.invalid] == [3]


def test_one_persons_failure_is_reported_and_the_rest_succeed(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(10))
    # The first CreateUser that reaches localcloud is refused for good (400 is not retried):
    # exactly one person, whichever worker gets there first.
    cloud.faults.add("ram", "error", "CreateUser", count=1, code="InvalidParameter", status=400)
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    assert not report.ok
    assert (report.counts["ok"], report.counts["failed"]) == (9, 1)
    (failed,) = report.failures
    assert failed.outcome is Outcome.FAILED and "CreateUser" in failed.reason and "InvalidParameter" in failed.reason
    assert report.reason.startswith("1 of 10 people not imported; first: line")
    ram = Ram(cloud.config())
    names = {u.user_name for u in ram.list_users(ram_models.ListUsersRequest()).body.users.user}
    assert len(names) == 9
    # the next run converges: the failed person is created, the others are untouched
    cloud.faults.clear()
    again = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    assert again.ok and (again.counts["ok"], again.counts["noop"]) == (1, 9)
    assert [o.person_id for o in again.outcomes if o.outcome is Outcome.OK] == [failed.person_id]


def test_people_with_the_same_name_get_distinct_users(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    rows = [[f"E{i}", "John Smith", "", "", "", "Sales", "", "full-time"] for i in range(4)]
    path = write_csv(tmp_path / "people.csv", rows)
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None)
    assert report.ok, report.reason
    assert sorted(u for o in report.outcomes for u in o.users) == [
        "john.smith", "john.smith2", "john.smith3", "john.smith4"]


def test_the_progress_bar_draws_people_rate_and_eta(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(4))
    stream = io.StringIO()
    import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=progress_bar(stream, width=10))
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("[##########] 4/4 people, ") and lines[-1].endswith("calls/s, ETA 0s")
    assert all("people" in line for line in lines)


def test_skip_invalid_never_skips_a_broken_header(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(3), header=["person_id", "name", *HEADER[2:]])
    report = import_csv(path, engine, concurrency=CONCURRENCY, rate_per_second=RATE, progress=None, skip_invalid=True)
    assert not report.started and not report.ok
    assert "required column display_name is missing" in report.reason and report.reason.endswith("(fix the file)")


def test_an_error_in_the_progress_callback_stops_the_import_and_is_raised(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(12))

    def broken(done: int, total: int) -> None:
        raise RuntimeError("the terminal went away")

    with pytest.raises(RuntimeError, match="terminal"):
        import_csv(path, engine, concurrency=2, rate_per_second=RATE, progress=broken)
    assert retry.rate_limiter() is None
    ram = Ram(cloud.config())
    made = ram.list_users(ram_models.ListUsersRequest()).body.users.user
    assert 1 <= len(made) < 12  # the people in flight finished; nobody new started


def test_ctrl_c_ends_the_import_with_a_report_of_who_was_done(cloud: LocalCloud, engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", people(12))

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    report = import_csv(path, engine, concurrency=2, rate_per_second=RATE, progress=interrupt)
    assert report.interrupted and not report.ok
    assert 1 <= len(report.outcomes) < 12
    assert report.reason == f"import interrupted after {len(report.outcomes)} of 12 people"
