"""rampart.audit: the records of one event, one write, the stderr fallback and its replay.

The sink here is an in-memory implementation of rampart's own ``AuditSink`` port (not an
SDK: tests/unit/rampart/memory_audit.py); the SLS adapter is exercised against localcloud in tests/functional/rampart/test_audit_sls.py.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from rampart.adapters.sls import AUDIT_FIELDS
from rampart.audit import (
    REPLAY_MARK,
    AuditAction,
    AuditTrail,
    Delivery,
    parse_replay_lines,
    record_from_contents,
    replay,
)
from rampart.model import (
    Approval,
    AuditResult,
    EventKind,
    LifecycleEvent,
    Plan,
    PolicyAttachment,
    PolicyRef,
    PolicyType,
    Step,
    StepKind,
)
from rampart.redact import SecretRegistry

from tests.unit.rampart.memory_audit import MemorySink

T0 = datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=timezone.utc)
LIVE = "Zq8vR2mK9pLx4TnB7wYc3HdF6sJa1E"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=10)
        return self.now


def trail(clock: Clock | None = None, *, correlation_id: str = "c-1", event_id: str = "e-1", approver: str = "",
          person_id: str = "", registry: SecretRegistry | None = None) -> AuditTrail:
    return AuditTrail(clock=clock or Clock(), correlation_id=correlation_id, event_id=event_id, source="hr:generic",
                      actor="hr-bot", approver=approver, person_id=person_id, registry=registry)


STEP = Step(StepKind.ATTACH_POLICY, "alice", PolicyAttachment(PolicyRef(PolicyType.SYSTEM, "AliyunARMSReadOnlyAccess")),
            reason="rule engineering")


# --- records ------------------------------------------------------------------------------


def test_a_step_record_carries_the_step_and_the_events_context() -> None:
    t = trail(approver="bob")
    t.set_plan(Plan("e-1", "alice", (STEP,)))
    record = t.step(STEP, AuditResult.OK, request_ids=["r-1", "", "r-2"], duration_ms=42)
    assert (record.action, record.target, record.policy, record.scope) == (
        "attach-policy", "alice", "System:AliyunARMSReadOnlyAccess", "account")
    assert (record.correlation_id, record.event_id, record.source, record.actor, record.approver) == (
        "c-1", "e-1", "hr:generic", "hr-bot", "bob")
    assert record.plan_hash == Plan("e-1", "alice", (STEP,)).hash
    assert record.request_ids == ("r-1", "r-2")
    assert record.duration_ms == 42
    assert record.detail == "rule engineering"
    assert record.time.tzinfo is not None


def test_the_outcome_record_has_action_event() -> None:
    record = trail().outcome(AuditResult.STALE, "older than the last applied event")
    assert (record.action, record.result, record.detail) == ("event", AuditResult.STALE, "older than the last applied event")


def test_a_trail_for_an_event_takes_its_ids_source_actor_and_approver() -> None:
    event = LifecycleEvent("e-7", EventKind.GRANT, T0, "ticket:jira", "p-1", user_name="alice", profile="arms-full",
                           approval=Approval("T-1", "approved", "alice", "carol"), actor="jira", correlation_id="c-7")
    record = AuditTrail.for_event(event, Clock()).outcome(AuditResult.OK)
    assert (record.correlation_id, record.event_id, record.source, record.target, record.person_id) == (
        "c-7", "e-7", "ticket:jira", "alice", "p-1")
    assert (record.actor, record.approver) == ("jira", "carol")


def test_a_mapping_detail_is_stored_as_redacted_json() -> None:
    record = trail().add("handover", AuditResult.OK, detail={"operator": "ops1", "Password": "hunter22"})
    assert json.loads(record.detail) == {"operator": "ops1", "Password": "***"}


def test_credentials_in_any_field_are_masked_before_the_record_exists() -> None:
    registry = SecretRegistry()
    registry.register(LIVE)
    try:
        record = trail(registry=registry).add(
            "create-access-key", AuditResult.FAILED, error_code=f"X{LIVE}",
            detail=f"KMS refused: AccessKeySecret=abc12345 value {LIVE}",
        )
    finally:
        registry.clear()
    assert LIVE not in repr(record)
    assert "abc12345" not in record.detail


def test_the_leaver_certificate_lists_what_was_removed() -> None:
    record = trail(person_id="p-1").leaver_certificate(
        "alice", "p-1", {"access_keys": ["LTAI2", "LTAI1"], "secrets": ["rampart/alice/ak"], "groups": []})
    assert (record.action, record.target, record.person_id, record.result) == (
        "leaver-certificate", "alice", "p-1", AuditResult.OK)
    assert json.loads(record.detail) == {
        "certificate": "leaver", "user": "alice", "person_id": "p-1", "removed_count": 3,
        "removed": {"access_keys": ["LTAI1", "LTAI2"], "groups": [], "secrets": ["rampart/alice/ak"]},
    }


def test_record_contents_and_the_sls_index_fields_agree() -> None:
    assert tuple(name for name, _ in trail().outcome(AuditResult.OK).contents()) == AUDIT_FIELDS


def test_a_record_survives_its_contents_round_trip() -> None:
    record = trail().step(STEP, AuditResult.CONVERGED, error_code="EntityAlreadyExists.User", request_ids=["a", "b"])
    assert record_from_contents(dict(record.contents())) == record


# --- flush --------------------------------------------------------------------------------


def test_flush_writes_every_record_of_the_event_in_one_call() -> None:
    sink, t = MemorySink(), trail()
    t.step(STEP, AuditResult.OK)
    t.removal("alice")
    t.outcome(AuditResult.OK)
    assert t.flush(sink) is Delivery.WRITTEN
    assert [[r.action for r in batch] for batch in sink.writes] == [["attach-policy", "removal", "event"]]
    assert t.flush(sink) is Delivery.EMPTY
    assert len(sink.writes) == 1


def test_a_failing_sink_sends_the_records_to_stderr_marked_for_replay(caplog: pytest.LogCaptureFixture) -> None:
    sink, t, err = MemorySink(fail=ConnectionError("SLS down, AccessKeySecret=abcdef99")), trail(), io.StringIO()
    t.step(STEP, AuditResult.OK)
    expected = [*t.records, t.outcome(AuditResult.OK)]
    audit_logger = logging.getLogger("rampart.audit")
    audit_logger.addHandler(caplog.handler)  # whether or not "rampart" propagates to the root
    try:
        assert t.flush(sink, stream=err) is Delivery.DEFERRED
    finally:
        audit_logger.removeHandler(caplog.handler)
    lines = err.getvalue().splitlines()
    assert all(json.loads(line)[REPLAY_MARK] is True for line in lines)
    assert parse_replay_lines(lines) == (expected, 0)
    assert "abcdef99" not in caplog.text
    assert any("written to stderr for replay" in r.getMessage() for r in caplog.records)


def test_no_sink_at_all_also_defers_to_stderr() -> None:
    t, err = trail(), io.StringIO()
    t.outcome(AuditResult.OK)
    assert t.flush(None, stream=err) is Delivery.DEFERRED
    assert REPLAY_MARK in err.getvalue()


def test_a_closed_stderr_is_reported_as_lost_not_raised() -> None:
    t, err = trail(), io.StringIO()
    err.close()
    t.outcome(AuditResult.OK)
    assert t.flush(MemorySink(fail=OSError("down")), stream=err) is Delivery.LOST


# --- replay -------------------------------------------------------------------------------


def spilled(*trails: AuditTrail) -> list[str]:
    err = io.StringIO()
    for t in trails:
        t.flush(MemorySink(fail=RuntimeError("down")), stream=err)
    return err.getvalue().splitlines()


def test_replay_sends_one_write_per_event_from_a_mixed_log() -> None:
    clock = Clock()
    first, second = trail(clock), trail(clock, event_id="e-2", correlation_id="c-2")
    first.step(STEP, AuditResult.OK)
    first.outcome(AuditResult.OK)
    second.outcome(AuditResult.HELD)
    lines = spilled(first, second)
    noisy = ["2024-05-01T10:00:00Z 1-abc [INFO] unrelated", f"2024-05-01T10:00:01Z 1-abc {lines[0]}", *lines[1:],
             f'{{"{REPLAY_MARK}": true, "broken": ', "plain text"]
    sink = MemorySink()
    report = replay(noisy, sink)
    assert (report.sent, report.already_stored, report.unreadable) == (3, 0, 1)
    assert [[r.event_id for r in batch] for batch in sink.writes] == [["e-1", "e-1"], ["e-2"]]


def test_replay_skips_records_the_sink_already_holds() -> None:
    t = trail()
    t.step(STEP, AuditResult.OK)
    t.outcome(AuditResult.OK)
    lines = spilled(t)
    sink = MemorySink()
    sink.write([record_from_contents(json.loads(lines[0]))])  # the first one was stored, its answer lost
    report = replay(lines, sink)
    assert (report.sent, report.already_stored) == (1, 1)
    assert [r.action for r in sink.records] == ["attach-policy", "event"]


def test_replaying_twice_sends_nothing_the_second_time() -> None:
    t = trail()
    t.outcome(AuditResult.OK)
    lines, sink = spilled(t), MemorySink()
    replay(lines, sink)
    assert replay(lines, sink).sent == 0
    assert len(sink.records) == 1


def test_a_sink_failure_during_replay_propagates() -> None:
    t = trail()
    t.outcome(AuditResult.OK)
    with pytest.raises(RuntimeError):
        replay(spilled(t), MemorySink(fail=RuntimeError("still down")), skip_stored=False)


def test_actions_beyond_step_kinds_are_named() -> None:
    assert {a.value for a in AuditAction} == {"event", "removal", "leaver-certificate", "breaker-release", "handover", "ledger-import",
                                              "notify", "plan"}
