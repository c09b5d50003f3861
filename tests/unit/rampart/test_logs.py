"""rampart.logs: one redacted JSON line per record, with the fields bound per invocation."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rampart import logs
from rampart.redact import SecretRegistry
from rampart.secret import Secret

LOGGER = "rampart_tests_logs"
"""Not under ``rampart``: configuring it leaves the package's logger to other tests."""
LIVE = "Zq8vR2mK9pLx4TnB7wYc3HdF6sJa1E"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logs.configure(out, "DEBUG", logger=LOGGER)
    yield out
    logging.getLogger(LOGGER).removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_time_level_logger_message_and_correlation_id(stream: io.StringIO) -> None:
    logging.getLogger(LOGGER).info("user %s created", "alice")
    [line] = lines(stream)
    assert line["level"] == "INFO"
    assert line["logger"] == LOGGER
    assert line["message"] == "user alice created"
    assert line["correlation_id"] == ""
    when = datetime.fromisoformat(line["time"])
    assert when.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - when) < timedelta(minutes=1)


def test_an_injected_clock_stamps_the_line() -> None:
    out = io.StringIO()
    fixed = datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
    handler = logs.configure(out, logger=LOGGER, clock=lambda: fixed)
    try:
        logging.getLogger(LOGGER).warning("x")
    finally:
        logging.getLogger(LOGGER).removeHandler(handler)
    assert json.loads(out.getvalue())["time"] == "2024-05-01T10:00:00.123+00:00"


def test_bound_fields_appear_on_every_line_inside_the_block_only(stream: io.StringIO) -> None:
    log = logging.getLogger(LOGGER)
    with logs.bind(correlation_id="c-1", event_id="e-9"):
        log.info("one")
        with logs.bind(step="create-user"):
            log.info("two")
        log.info("three")
    log.info("four")
    one, two, three, four = lines(stream)
    assert (one["correlation_id"], one["event_id"]) == ("c-1", "e-9")
    assert (two["correlation_id"], two["event_id"], two["step"]) == ("c-1", "e-9", "create-user")
    assert "step" not in three
    assert four["correlation_id"] == "" and "event_id" not in four


def test_bound_fields_do_not_leak_between_threads(stream: io.StringIO) -> None:
    seen: list[str] = []

    def other() -> None:
        seen.append(logs.correlation_id())

    with logs.bind(correlation_id="main"):
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
        assert logs.correlation_id() == "main"
    assert seen == [""]


def test_extra_fields_are_added_but_core_fields_cannot_be_overridden(stream: io.StringIO) -> None:
    with logs.bind(correlation_id="c-1", level="forged", time="forged"):
        logging.getLogger(LOGGER).info("x", extra={"user": "alice", "logger": "forged", "duration_ms": 12})
    [line] = lines(stream)
    assert line["user"] == "alice" and line["duration_ms"] == 12
    assert line["level"] == "INFO" and line["logger"] == LOGGER and line["time"] != "forged"


def test_credentials_in_the_message_and_fields_are_masked(stream: io.StringIO) -> None:
    log = logging.getLogger(LOGGER)
    log.info("SDK said AccessKeySecret=%s", "abcdef123456")
    log.info("creating", extra={"password": "hunter22", "request": {"SecurityToken": "tok123", "user": "bob"}})
    log.info("secret object %s", Secret("hunter33"))
    text = stream.getvalue()
    for value in ("abcdef123456", "hunter22", "tok123", "hunter33"):
        assert value not in text
    _, second, _ = lines(stream)
    assert second["password"] == "***" and second["request"] == {"SecurityToken": "***", "user": "bob"}


def test_a_registered_secret_is_masked_in_messages_fields_and_tracebacks(stream: io.StringIO) -> None:
    registry = SecretRegistry()
    registry.register(LIVE)
    log = logging.getLogger(LOGGER)
    try:
        log.info("display name is %s", LIVE, extra={"note": f'{{"x": "{LIVE}"}}'})
        try:
            raise ValueError(f"cloud echoed {LIVE}")
        except ValueError:
            log.exception("failed")
    finally:
        registry.clear()
    text = stream.getvalue()
    assert LIVE not in text
    assert "cloud echoed ***" in lines(stream)[1]["exc"]


def test_configuring_twice_keeps_one_handler_and_stops_propagation(stream: io.StringIO) -> None:
    other = io.StringIO()
    handler = logs.configure(other, logger=LOGGER)
    logger = logging.getLogger(LOGGER)
    try:
        logger.info("once")
        assert [h for h in logger.handlers if isinstance(h, logs.JsonLogHandler)] == [handler]
        assert logger.propagate is False
        assert len(other.getvalue().splitlines()) == 1
    finally:
        logger.removeHandler(handler)


def test_get_logger_places_a_name_under_rampart() -> None:
    assert logs.get_logger("functions.hr_webhook").name == "rampart.functions.hr_webhook"
    assert logs.get_logger("rampart.audit").name == "rampart.audit"
