"""The CLI's exit codes, one-line errors, redacted output and step texts. Pure."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest
from rampart.cli.output import Output, one_line, result_exit_code, worst
from rampart.cli.render import step_text
from rampart.errors import (
    BreakerOpen,
    CatalogError,
    CloudError,
    PermissionDenied,
    PolicyRefused,
    RampartError,
    StaleEvent,
    UnknownPerson,
)
from rampart.events import EventErrors
from rampart.model import ACCOUNT, AuditResult, NewPolicy, PolicyAttachment, PolicyRef, PolicyType, Step, StepKind, Tags
from rampart.naming import TagLimitError
from rampart.redact import SecretRegistry


def test_the_worst_code_wins_failed_then_held_then_refused() -> None:
    assert worst([]) == 0
    assert worst([0, 2, 3]) == 3
    assert worst([2, 3, 1, 0]) == 1
    assert worst([0, 2]) == 2


@pytest.mark.parametrize(("result", "failure", "code"), [
    (AuditResult.OK, None, 0), (AuditResult.NOOP, None, 0), (AuditResult.STALE, StaleEvent("old"), 0),
    (AuditResult.HELD, BreakerOpen("held"), 3), (AuditResult.FAILED, CloudError("ram", "A", "C", "m"), 1),
    (AuditResult.REFUSED, PolicyRefused("no"), 2), (AuditResult.REFUSED, EventErrors([("a", "bad", ""), ("b", "worse", "")]), 2),
    (AuditResult.REFUSED, PermissionDenied("ram", "A", "NoPermission", "m"), 1),
    (AuditResult.REFUSED, TagLimitError("too many tags"), 1), (AuditResult.REFUSED, None, 2),
])
def test_an_event_result_maps_to_an_exit_code(result: AuditResult, failure: RampartError | None, code: int) -> None:
    assert result_exit_code(result, failure) == code


def test_errors_take_their_class_s_exit_code() -> None:
    assert result_exit_code(AuditResult.REFUSED, CatalogError("c.yaml", "", "bad")) == 2
    assert result_exit_code(AuditResult.REFUSED, UnknownPerson("no E1")) == 2

    class SomethingElse(RampartError):
        pass

    assert result_exit_code(AuditResult.REFUSED, SomethingElse("odd")) == 1


def test_a_many_line_error_becomes_one_line() -> None:
    assert one_line("cat.yaml: 2 problems\n  a: bad\n  b: worse\n") == "cat.yaml: 2 problems; a: bad; b: worse"


def test_fail_writes_one_line_and_in_json_mode_an_error_document() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = Output(out, err, json_mode=True).fail(CatalogError("c.yaml", "profiles.x", "is bad", "fix it"), 2)
    assert code == 2
    assert err.getvalue() == "rampart: error: c.yaml: profiles.x: is bad (fix it)\n"
    assert json.loads(out.getvalue()) == {"ok": False, "error": "c.yaml: profiles.x: is bad (fix it)",
                                          "error_type": "CatalogError", "exit_code": 2}


def test_every_output_path_masks_a_live_secret() -> None:
    registry = SecretRegistry()
    with registry.scope():
        registry.add("Sup3r-Secret-Value!")
        out, err = io.StringIO(), io.StringIO()
        human = Output(out, err, json_mode=False)
        human.line("oops Sup3r-Secret-Value! here")
        human.progress("AccessKeySecret=abc123456")
        human.fail(RampartError("bad Sup3r-Secret-Value!"), 1)
        machine = Output(out, err, json_mode=True)
        machine.data({"note": "Sup3r-Secret-Value!", "Password": "x" * 12})
    text = out.getvalue() + err.getvalue()
    assert "Sup3r-Secret-Value!" not in text and "abc123456" not in text and "x" * 12 not in text


def test_step_texts_name_what_the_step_acts_on_and_never_a_document() -> None:
    attach = Step(StepKind.ATTACH_POLICY, "dana", PolicyAttachment(PolicyRef(PolicyType.SYSTEM, "ReadOnlyAccess")))
    assert step_text(attach) == "System:ReadOnlyAccess @ account"
    until = datetime(2026, 1, 1, tzinfo=timezone.utc)
    create = Step(StepKind.CREATE_POLICY, "dana", NewPolicy("rampart-tb-x", PolicyRef(PolicyType.SYSTEM, "ReadOnlyAccess"), "p",
                                                            until, ACCOUNT, "", '{"Statement": []}'))
    assert "Statement" not in step_text(create)
    tags = Step(StepKind.TAG_USER, "dana", Tags.of({"rampart:state": "active"}))
    assert step_text(tags) == "rampart:state=active"
