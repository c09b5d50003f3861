"""The SLS AuditSink through the official ``aliyun.log`` SDK against localcloud: init, one
PutLogs per event, the port's reads (typed records, exact matches only, paging), refusals, the
stderr fallback and its replay, and a scan that no registered secret reaches SLS or a log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from rampart import logs
from rampart.adapters.sls import AUDIT_FIELDS, IndexState, SlsAuditSink
from rampart.audit import REPLAY_MARK, AuditAction, AuditTrail, Delivery, replay
from rampart.config import Settings
from rampart.errors import CloudError, PermissionDenied
from rampart.model import AuditRecord, AuditResult, NewUser, Step, StepKind
from rampart.redact import SecretRegistry
from rampart.secret import Secret

from localcloud import LocalCloud
from localcloud.sls.client import log_client

PROJECT, LOGSTORE = "rampart-audit-test", "lifecycle"
LIVE = "Zq8vR2mK9pLx4TnB7wYc3HdF6sJa1E"


def root_keys(cloud: LocalCloud) -> tuple[str, str]:
    info = cloud.info()
    return info["access_key_id"], info["access_key_secret"]


def settings_for(cloud: LocalCloud, access_key_id: str | None = None, secret: str | None = None) -> Settings:
    info = cloud.info()
    return Settings.from_env(
        {}, access_key_id=access_key_id or info["access_key_id"], access_key_secret=secret or info["access_key_secret"],
        endpoint=cloud.endpoint, region=info["region"], sls_project=PROJECT, sls_logstore=LOGSTORE,
    )


@pytest.fixture
def sink(cloud: LocalCloud) -> SlsAuditSink:
    made = SlsAuditSink(settings_for(cloud))
    made.ensure()
    return made


def trail(cloud: LocalCloud, event_id: str = "e-1", **fields: str) -> AuditTrail:
    """Records stamped by localcloud's clock: PutLogs refuses times outside [now-168h, now+15min]."""
    return AuditTrail(correlation_id=f"c-{event_id}", event_id=event_id, source="hr:generic", clock=cloud.now,
                      actor="hr-bot", **fields)


def around(cloud: LocalCloud) -> tuple[datetime, datetime]:
    now = cloud.now()
    return now - timedelta(hours=1), now + timedelta(seconds=1)


def of_event(cloud: LocalCloud, sink: SlsAuditSink, event_id: str = "e-1") -> list[AuditRecord]:
    return sink.by_event(event_id, *around(cloud))


def raw_logs(cloud: LocalCloud, search: str) -> list[dict[str, object]]:
    """The logs as SLS holds them, read with the SDK itself (not through the adapter)."""
    since, until = around(cloud)
    found = log_client(cloud, *root_keys(cloud)).get_log(
        PROJECT, LOGSTORE, int(since.timestamp()), int(until.timestamp()) + 1, query=search)
    return [log.get_contents() | {"__time__": log.get_time(), "__source__": log.get_source()}
            for log in found.get_logs()]


STEP = Step(StepKind.CREATE_USER, "alice", NewUser("Alice", "p-1", "", "managed by rampart"), reason="joiner")


# --- rampart init -------------------------------------------------------------------------


def test_ensure_creates_the_project_and_logstore_once(cloud: LocalCloud) -> None:
    sink = SlsAuditSink(settings_for(cloud))
    first, second = sink.ensure(), sink.ensure()
    assert (first.project_created, first.logstore_created) == (True, True)
    assert (second.project_created, second.logstore_created) == (False, False)


def test_ensure_creates_the_index_then_updates_it(cloud: LocalCloud) -> None:
    sink = SlsAuditSink(settings_for(cloud))
    assert [sink.ensure().index, sink.ensure().index] == [IndexState.CREATED, IndexState.UPDATED]


def test_ensure_replaces_a_foreign_index_with_ramparts(cloud: LocalCloud) -> None:
    from aliyun.log import IndexConfig, IndexLineConfig

    sink = SlsAuditSink(settings_for(cloud))
    sink.ensure()
    client = log_client(cloud, *root_keys(cloud))
    client.update_index(PROJECT, LOGSTORE, IndexConfig(line_config=IndexLineConfig(token_list=[" "])))
    assert sink.ensure().index is IndexState.UPDATED
    keys = client.get_index_config(PROJECT, LOGSTORE).get_index_config().key_config_list
    assert set(keys) == set(AUDIT_FIELDS) and keys["duration_ms"].index_type == "long"


def test_ensure_without_permission_to_create_the_index_is_permission_denied(
    cloud: LocalCloud, make_user: Callable[..., tuple[str, str]]
) -> None:
    SlsAuditSink(settings_for(cloud)).ensure()
    key_id, secret = make_user("auditor", "AliyunLogReadOnlyAccess")
    with pytest.raises(PermissionDenied) as info:
        SlsAuditSink(settings_for(cloud, key_id, secret)).ensure()
    assert (info.value.action, info.value.code) == ("CreateIndex", "Unauthorized")


def test_a_logstore_without_an_index_cannot_be_queried(cloud: LocalCloud) -> None:
    client = log_client(cloud, *root_keys(cloud))
    client.create_project(PROJECT, "")
    client.create_logstore(PROJECT, LOGSTORE)
    with pytest.raises(CloudError) as info:
        SlsAuditSink(settings_for(cloud)).every_record(*around(cloud))
    assert (info.value.action, info.value.code, info.value.status) == ("GetLogs", "IndexConfigNotExist", 400)


# --- write and query ----------------------------------------------------------------------


def test_an_events_records_are_written_in_one_putlogs_and_read_back_whole(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    cloud.faults.add("sls", "latency", "PutLogs", latency_ms=0)  # logs every PutLogs localcloud serves
    t = trail(cloud)
    t.step(STEP, AuditResult.OK, request_ids=["r-1", "r-2"], duration_ms=31)
    t.removal("alice")
    t.outcome(AuditResult.OK, {"kind": "joiner"})
    written = t.records
    assert t.flush(sink) is Delivery.WRITTEN
    assert [entry.action for entry in cloud.faults.log()] == ["PutLogs"]
    assert of_event(cloud, sink) == list(written)
    rows = raw_logs(cloud, 'event_id: "e-1"')
    assert [{k: row[k] for k, _ in r.contents()} for r, row in zip(written, rows, strict=True)] == [
        dict(r.contents()) for r in written
    ]
    assert {(row["__topic__"], row["__source__"]) for row in rows} == {("rampart", "rampart")}
    assert [int(row["__time__"]) for row in rows] == [int(r.time.timestamp()) for r in written]


def test_query_pages_through_more_than_one_page(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    t = trail(cloud)
    for _ in range(230):
        t.step(STEP, AuditResult.OK)
    t.flush(sink)
    assert len(sink.by_action("create-user", *around(cloud), limit=1000)) == 230
    assert len(sink.by_action("create-user", *around(cloud), limit=120)) == 120


def test_removals_are_counted_in_one_query(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    cloud.faults.add("sls", "latency", "GetLogs", latency_ms=0)  # logs every GetLogs localcloud serves
    for event in ("e-1", "e-2", "e-3"):
        t = trail(cloud, event)
        t.add(AuditAction.REMOVAL, AuditResult.OK if event != "e-2" else AuditResult.FAILED, target=f"u-{event}")
        t.outcome(AuditResult.OK)
        t.flush(sink)
    assert sink.count_removals(*around(cloud)) == 2
    assert [entry.action for entry in cloud.faults.log()] == ["GetLogs"]
    assert sink.count_removals(cloud.now() - timedelta(hours=3), cloud.now() - timedelta(hours=2)) == 0


def test_records_outside_the_window_are_not_returned(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    t = trail(cloud)
    t.outcome(AuditResult.OK)
    t.flush(sink)
    cloud.clock_advance(7200)
    assert of_event(cloud, sink) == []


# --- the port's reads: typed records, exact matches only -------------------------------------


def removal(cloud: LocalCloud, sink: SlsAuditSink, user: str, person: str, correlation: str,
            result: AuditResult = AuditResult.OK) -> None:
    t = AuditTrail(correlation_id=correlation, event_id=f"e-{correlation}", source="hr:generic", clock=cloud.now,
                   person_id=person)
    t.add(AuditAction.REMOVAL, result, target=user)
    t.flush(sink)


def test_removals_are_narrowed_to_exact_matches_of_person_user_and_event(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    """A phrase search finds ``alice/ops`` for ``alice`` (``/`` and a space split tokens): the
    adapter keeps only the records whose fields equal the values."""
    removal(cloud, sink, "alice", "p 1", "c-1")
    removal(cloud, sink, "alice/ops", "p 1 x", "c-1 x")
    removal(cloud, sink, "alice", "p 1", "c-2", AuditResult.FAILED)
    window = around(cloud)
    assert len(raw_logs(cloud, 'target: "alice"')) == 3  # SLS finds the near miss too
    assert len(sink.removals(*window)) == 2
    assert [r.target for r in sink.removals(*window, user_name="alice")] == ["alice"]
    assert [r.target for r in sink.removals(*window, person_id="p 1")] == ["alice"]
    assert [r.target for r in sink.removals(*window, user_name="alice", correlation_id="c-1")] == ["alice"]
    assert sink.removals(*window, user_name="alice", correlation_id="c-1 x") == []
    assert sink.removals(*window, user_name="alice", correlation_id="c-2") == []  # a failed removal is none
    assert [r.correlation_id for r in sink.by_correlation("c-1", *window)] == ["c-1"]
    assert all(isinstance(r, AuditRecord) and r.result is AuditResult.OK for r in sink.removals(*window))


def test_a_read_pages_past_the_near_misses_to_the_exact_match(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    t = AuditTrail(correlation_id="c-1", event_id="e-1", source="hr:generic", clock=cloud.now)
    for _ in range(150):
        t.add(AuditAction.REMOVAL, AuditResult.OK, target="alice/ops")
    t.add(AuditAction.REMOVAL, AuditResult.OK, target="alice")
    t.flush(sink)
    assert len(raw_logs(cloud, 'action: removal and result: ok and target: "alice"')) == 100  # one page of near misses
    assert [r.target for r in sink.removals(*around(cloud), user_name="alice", limit=1)] == ["alice"]


def test_a_log_rampart_did_not_write_is_skipped(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    from aliyun.log import LogItem, PutLogsRequest

    item = LogItem(timestamp=int(cloud.now().timestamp()), contents=[("action", "removal"), ("target", "alice")])
    log_client(cloud, *root_keys(cloud)).put_logs(PutLogsRequest(PROJECT, LOGSTORE, "other", "", [item]))
    removal(cloud, sink, "alice", "p-1", "c-1")
    assert [r.correlation_id for r in sink.removals(*around(cloud), user_name="alice")] == ["c-1"]
    assert len(raw_logs(cloud, "*")) == 2 and len(sink.every_record(*around(cloud))) == 1


def test_outcomes_are_split_into_held_and_the_rest(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    for event, result in (("e-1", AuditResult.HELD), ("e-2", AuditResult.OK), ("e-3", AuditResult.STALE)):
        t = trail(cloud, event)
        t.step(STEP, AuditResult.OK)
        t.outcome(result)
        t.flush(sink)
    assert [r.event_id for r in sink.outcomes(*around(cloud), held=True)] == ["e-1"]
    assert [r.event_id for r in sink.outcomes(*around(cloud), held=False)] == ["e-2", "e-3"]


def test_a_users_trail_is_newest_first_by_target_or_person(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    for event, target in (("e-1", "alice"), ("e-2", "alice/ops"), ("e-3", "p-1")):
        t = trail(cloud, event, person_id="p-1" if event == "e-3" else "")
        t.outcome(AuditResult.OK)
        t.add(AuditAction.HANDOVER, AuditResult.OK, target=target)
        t.flush(sink)
        cloud.clock_advance(1)
    window = (cloud.now() - timedelta(hours=1), cloud.now() + timedelta(seconds=1))
    assert [r.event_id for r in sink.user_trail("alice", *window)] == ["e-1"]
    assert [(r.event_id, r.action) for r in sink.user_trail("alice", *window, person_id="p-1", limit=3)] == [
        ("e-3", "handover"), ("e-3", "event"), ("e-1", "handover")]
    assert [r.target for r in sink.handovers("alice", *window)] == ["alice"]


def test_releases_are_the_successful_breaker_releases(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    t = trail(cloud)
    t.add(AuditAction.BREAKER_RELEASE, AuditResult.OK, target="breaker")
    t.add(AuditAction.BREAKER_RELEASE, AuditResult.FAILED, target="breaker")
    t.flush(sink)
    assert [r.result for r in sink.releases(*around(cloud))] == [AuditResult.OK]


# --- refusals -----------------------------------------------------------------------------


def test_a_ram_denial_is_permission_denied_with_the_request_id(
    cloud: LocalCloud, sink: SlsAuditSink, make_user: Callable[..., tuple[str, str]]
) -> None:
    key_id, secret = make_user("auditor", "AliyunLogReadOnlyAccess")
    reader = SlsAuditSink(settings_for(cloud, key_id, secret))
    t = trail(cloud)
    record = t.outcome(AuditResult.OK)
    with pytest.raises(PermissionDenied) as info:
        reader.write([record])
    error = info.value
    assert (error.service, error.action, error.code) == ("sls", "PutLogs", "Unauthorized")
    assert error.request_id and "log:PostLogStoreLogs" in error.message
    assert secret not in str(error)
    assert reader.by_event("e-1", *around(cloud)) == []  # reading is allowed


def test_a_missing_project_is_a_cloud_error(cloud: LocalCloud) -> None:
    sink = SlsAuditSink(settings_for(cloud), project="no-such-project")
    with pytest.raises(CloudError) as info:
        sink.removals(*around(cloud), person_id="p-1")  # a tombstone lookup fails closed: it raises
    assert (info.value.code, info.value.action) == ("ProjectNotExist", "GetLogs")


# --- fallback and replay -------------------------------------------------------------------


def test_an_sls_fault_sends_the_records_to_stderr_and_replay_delivers_them(
    cloud: LocalCloud, sink: SlsAuditSink
) -> None:
    cloud.faults.add("sls", "throttle", "PutLogs", count=1)
    t, err = trail(cloud), io.StringIO()
    t.step(STEP, AuditResult.OK)
    t.outcome(AuditResult.OK)
    assert t.flush(sink, stream=err) is Delivery.DEFERRED
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and all(json.loads(line)[REPLAY_MARK] for line in lines)
    assert of_event(cloud, sink) == []
    report = replay(lines, sink)
    assert (report.sent, report.already_stored, report.unreadable) == (2, 0, 0)
    assert [record.action for record in of_event(cloud, sink)] == ["create-user", "event"]


def test_a_dropped_putlogs_is_stored_once_after_replay(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    cloud.faults.add("sls", "drop", "PutLogs", count=1)  # stored, then the connection closes
    t, err = trail(cloud), io.StringIO()
    t.outcome(AuditResult.OK)
    assert t.flush(sink, stream=err) is Delivery.DEFERRED
    report = replay(err.getvalue().splitlines(), sink)
    assert (report.sent, report.already_stored) == (0, 1)
    assert len(of_event(cloud, sink)) == 1


# --- no secret anywhere --------------------------------------------------------------------


def test_a_registered_secret_never_reaches_sls_or_a_log_line(cloud: LocalCloud, sink: SlsAuditSink) -> None:
    registry = SecretRegistry()
    out = io.StringIO()
    package_logger = logging.getLogger("rampart")
    before = (package_logger.level, package_logger.propagate)
    handler = logs.configure(out, "DEBUG", logger="rampart")
    log = logging.getLogger("rampart.test")
    try:
        with registry.scope(), logs.bind(correlation_id="c-1"):
            registry.register(Secret(LIVE))
            escrow = json.dumps({"AccessKeyId": "LTAI5tExample", "AccessKeySecret": LIVE})
            log.info("created key, cloud echoed %s", LIVE, extra={"payload": escrow, "display": f"x{LIVE}x"})
            t = trail(cloud)
            t.step(STEP, AuditResult.OK, detail=f"name={LIVE}")
            t.add("create-access-key", AuditResult.FAILED, error_code="Weird", detail={"SecretData": escrow})
            t.outcome(AuditResult.FAILED, f"KMS refused AccessKeySecret={LIVE} ({json.dumps(LIVE)})")
            assert t.flush(sink) is Delivery.WRITTEN
            cloud.faults.add("sls", "throttle", "PutLogs", count=1)
            t2, err = trail(cloud, "e-2"), io.StringIO()
            t2.outcome(AuditResult.FAILED, f"again {LIVE}")
            assert t2.flush(sink, stream=err) is Delivery.DEFERRED
            replay(err.getvalue().splitlines(), sink)
    finally:
        package_logger.removeHandler(handler)
        package_logger.setLevel(before[0])
        package_logger.propagate = before[1]
    rows = raw_logs(cloud, "*")
    assert len(rows) == 4 and len(sink.every_record(*around(cloud))) == 4
    assert LIVE not in json.dumps(rows) + err.getvalue() + out.getvalue()
    assert "created key, cloud echoed ***" in out.getvalue()
