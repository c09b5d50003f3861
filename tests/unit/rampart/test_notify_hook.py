"""The after-event hook on plain data: one ``notify`` audit record per notification, a broken
configuration audited once per instance, nothing written when there is nothing to tell, and
no way for the hook or the lifecycle batch to fail because of a notification."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import cast

import pytest
from rampart.engine import Engine as RealEngine
from rampart.engine import EventResult
from rampart.errors import CloudError, ConfigError, PermissionDenied
from rampart.fc import lifecycle
from rampart.model import AuditResult, LifecycleEvent
from rampart.notify import Notice, NotifyKind, NotifyOutcome, NotifySetup, after_event, is_lasting

from tests.unit.rampart.memory_audit import MemorySink
from tests.unit.rampart.test_notify import created, event_result, joiner_event, leaver_event

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


class Recorder:
    """A sender that records notices and answers as told (rampart's own port, not an SDK)."""

    kind = NotifyKind.DINGTALK

    def __init__(self, ok: bool = True, code: str = "0") -> None:
        self.notices: list[Notice] = []
        self.ok, self.code = ok, code

    def send(self, notice: Notice) -> NotifyOutcome:
        self.notices.append(notice)
        return NotifyOutcome(self.kind, self.ok, self.code, "ok" if self.ok else "sign not match")


def run(setup: NotifySetup, event: LifecycleEvent, result: EventResult, sink: MemorySink) -> bool | None:
    return after_event(setup, event, result, default_domain=lambda: "myco.onaliyun.com", secret_prefix="rampart",
                       sink=sink, clock=lambda: NOW)


def test_a_sent_notification_is_one_ok_record_with_the_events_correlation_id() -> None:
    sink, sender = MemorySink(), Recorder()
    assert run(NotifySetup(sender), joiner_event(), event_result(created()), sink) is True
    [record] = sink.records
    assert (record.action, record.result, record.target, record.correlation_id) == ("notify", AuditResult.OK,
                                                                                    "alice", "c-join")
    assert json.loads(record.detail)["users"] == ["alice"] and len(sender.notices) == 1


def test_a_refused_notification_is_a_failed_record_with_the_robots_code() -> None:
    sink = MemorySink()
    assert run(NotifySetup(Recorder(ok=False, code="310000")), joiner_event(), event_result(created()), sink) is False
    [record] = sink.records
    assert (record.result, record.error_code) == (AuditResult.FAILED, "310000")


def test_nothing_to_tell_writes_nothing_and_sends_nothing() -> None:
    sink, sender = MemorySink(), Recorder()
    assert run(NotifySetup(sender), leaver_event(), event_result(), sink) is None
    assert sink.writes == [] and sender.notices == []


def test_a_configuration_error_is_audited_once() -> None:
    sink = MemorySink()
    setup = NotifySetup(None, ConfigError("KMS secret 'n' (notifications): kind must be one of dingtalk, feishu"))
    outcomes = [run(setup, joiner_event(), event_result(created()), sink) for _ in range(3)]
    assert outcomes == [False, False, False]
    [record] = sink.records
    assert (record.result, record.error_code) == (AuditResult.FAILED, "ConfigError")
    assert json.loads(record.detail)["notice_pending"] is True


def test_a_configuration_error_found_on_an_event_without_news_is_still_audited() -> None:
    sink = MemorySink()
    assert run(NotifySetup(None, ConfigError("bad")), leaver_event(), event_result(), sink) is None
    assert [r.error_code for r in sink.records] == ["ConfigError"]


def test_an_audit_sink_outage_does_not_reach_the_caller() -> None:
    sink = MemorySink(fail=RuntimeError("SLS down"))
    assert run(NotifySetup(Recorder()), joiner_event(), event_result(created()), sink) is True


def test_the_default_domain_not_read_is_a_failed_notification() -> None:
    sink, sender = MemorySink(), Recorder()

    def no_domain() -> str:
        raise CloudError("ims", "GetDefaultDomain", "ServiceUnavailable", "down", status=503)

    outcome = after_event(NotifySetup(sender), joiner_event(), event_result(created()), default_domain=no_domain,
                          secret_prefix="rampart", sink=sink, clock=lambda: NOW)
    assert outcome is False and sender.notices == []
    assert sink.records[0].error_code == "CloudError"


def test_a_sender_that_raises_never_reaches_the_caller() -> None:
    class Broken(Recorder):
        def send(self, notice: Notice) -> NotifyOutcome:
            raise RuntimeError("bug")

    assert run(NotifySetup(Broken()), joiner_event(), event_result(created()), MemorySink()) is False


@pytest.mark.parametrize(("error", "lasting"), [
    (ConfigError("bad json"), True),
    (PermissionDenied("kms", "GetSecretValue", "Forbidden.RAM", "denied", status=403), True),
    (CloudError("kms", "GetSecretValue", "Forbidden.ResourceNotFound", "no such secret", status=404), True),
    (CloudError("kms", "GetSecretValue", "Throttling.User", "slow down", status=400), False),
    (CloudError("kms", "GetSecretValue", "InternalFailure", "oops", status=503), False),
    (CloudError("kms", "GetSecretValue", "ConnectionError", "no answer"), False),
])
def test_only_configuration_and_permission_errors_are_kept_for_the_instance(error: CloudError, lasting: bool) -> None:
    assert is_lasting(error) is lasting


def test_a_notify_hook_that_raises_never_fails_the_batch_item() -> None:
    class Engine:
        def handle(self, event: LifecycleEvent) -> EventResult:
            return EventResult(event.event_id, event.correlation_id, "joiner", AuditResult.OK)

    def raising(event: LifecycleEvent, result: EventResult) -> bool | None:
        raise RuntimeError("bug in the hook")

    raw = json.dumps({"rampart": 1, "delivery_id": "d-1", "events": [{
        "event_id": "e-1", "kind": "joiner", "occurred_at": "2025-03-01T00:00:00Z", "source": "t",
        "person": {"person_id": "E1", "display_name": "A"}}]}).encode()
    report = lifecycle.run_batch(raw, lambda: cast(RealEngine, Engine()), raising)
    assert report.items[0].ok and report.items[0].notified is False
    assert json.loads(lifecycle.respond(report))["results"][0]["notified"] is False
