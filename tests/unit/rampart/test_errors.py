"""One error hierarchy: every class says its CLI exit code and its webhook answer (rampart.errors),
a subclass inherits its parent's, and the CLI and the receivers read them by class."""

from __future__ import annotations

import pytest
from rampart.catalog import CatalogErrors
from rampart.cli.output import EXIT_FAILED, EXIT_HELD, EXIT_INPUT, result_exit_code
from rampart.cli.parser import UsageError
from rampart.engine import EventResult, LockBusy
from rampart.errors import (
    BreakerOpen,
    CatalogError,
    CloudError,
    ConfigError,
    EventError,
    PermissionDenied,
    PolicyRefused,
    RampartError,
    SourceError,
    StaleEvent,
    UnknownPerson,
    UnknownProfile,
    exit_code,
    http_status,
)
from rampart.events import EventErrors
from rampart.fc.http_trigger import status_for
from rampart.fc.receiver import refusal_status, sync_status
from rampart.model import AuditResult
from rampart.sources import base

DOCUMENTED = [  # (class, exit code, HTTP status): the rampart.errors and rampart.cli docstrings
    (RampartError, 1, 500),
    (ConfigError, 2, 500),
    (CatalogError, 2, 500),
    (EventError, 2, 400),
    (UnknownPerson, 2, 422),
    (UnknownProfile, 2, 422),
    (PolicyRefused, 2, 422),
    (SourceError, 2, 400),
    (StaleEvent, 1, 500),
    (BreakerOpen, 3, 500),
    (CloudError, 1, 502),
    (PermissionDenied, 1, 502),
]


def _instance(cls: type[RampartError]) -> RampartError:
    if issubclass(cls, CloudError):
        return cls("ram", "CreateUser", "Code", "message")
    if issubclass(cls, CatalogError):
        return cls("c.yaml", "profiles.x", "is bad")
    if cls is SourceError:
        return SourceError(400, "malformed")
    return cls("message")


@pytest.mark.parametrize(("cls", "code", "status"), DOCUMENTED, ids=[c.__name__ for c, _, _ in DOCUMENTED])
def test_every_error_class_maps_to_its_documented_exit_code_and_status(
    cls: type[RampartError], code: int, status: int,
) -> None:
    assert (cls.exit_code, cls.http_status) == (code, status)
    error = _instance(cls)
    assert (exit_code(error), http_status(error), status_for(error)) == (code, status, status)


SUBCLASSES = [  # (subclass defined elsewhere, its parent in rampart.errors)
    (CatalogErrors, CatalogError), (EventErrors, EventError), (UsageError, ConfigError), (LockBusy, RampartError),
]


@pytest.mark.parametrize(("child", "parent"), SUBCLASSES, ids=[c.__name__ for c, _ in SUBCLASSES])
def test_a_subclass_inherits_its_parent_s_exit_code_and_status(
    child: type[RampartError], parent: type[RampartError],
) -> None:
    assert issubclass(child, parent)
    assert (child.exit_code, child.http_status) == (parent.exit_code, parent.http_status)


@pytest.mark.parametrize(("parent", "code", "status"), [(c, e, s) for c, e, s in DOCUMENTED if c is not SourceError])
def test_a_new_subclass_inherits_through_the_mro(parent: type[RampartError], code: int, status: int) -> None:
    child = type(f"Child{parent.__name__}", (parent,), {})
    grandchild = type(f"Grandchild{parent.__name__}", (child,), {})
    error = _instance(grandchild)
    assert (exit_code(error), http_status(error)) == (code, status)
    assert result_exit_code(AuditResult.REFUSED, error) == code


def test_a_subclass_overrides_only_what_it_says() -> None:
    class Overloaded(UnknownPerson):
        http_status = 503

    error = Overloaded("busy")
    assert (exit_code(error), http_status(error)) == (2, 503)


@pytest.mark.parametrize("status", [400, 401, 404, 405, 413, 422])
def test_a_source_error_answers_its_own_status(status: int) -> None:
    error = SourceError(status, "refused", hint="fix it")
    assert (error.status, error.http_status, status_for(error), exit_code(error)) == (status, status, status, 2)
    assert SourceError.http_status == 400  # the instance's status does not leak to the class
    assert base.SourceError is SourceError  # one class, re-exported where sources import it


def test_a_foreign_exception_is_500_and_exit_1() -> None:
    assert (http_status(KeyError("x")), exit_code(KeyError("x"))) == (500, EXIT_FAILED)
    assert (http_status(ValueError("x")), status_for(ValueError("x"))) == (500, 500)


def _result(result: AuditResult, failure: RampartError | None = None) -> EventResult:
    return EventResult("e1", "e1", "leaver", result, failure=failure)


@pytest.mark.parametrize(("results", "status"), [
    ([_result(AuditResult.OK)], 200),
    ([_result(AuditResult.STALE, StaleEvent("old"))], 200),
    ([_result(AuditResult.OK), _result(AuditResult.HELD, BreakerOpen("held"))], 202),
    ([_result(AuditResult.REFUSED, EventError("bad"))], 400),
    ([_result(AuditResult.REFUSED, CatalogError("c.yaml", "", "bad"))], 400),
    ([_result(AuditResult.REFUSED, EventErrors([("a", "bad", "")]))], 400),
    ([_result(AuditResult.REFUSED, UnknownPerson("no E1"))], 422),
    ([_result(AuditResult.REFUSED, EventError("bad")), _result(AuditResult.REFUSED, PolicyRefused("no"))], 422),
    ([_result(AuditResult.REFUSED, UnknownProfile("no x")), _result(AuditResult.HELD, BreakerOpen("h"))], 422),
    ([_result(AuditResult.REFUSED, PermissionDenied("ram", "A", "NoPermission", "m"))], 502),
    ([_result(AuditResult.REFUSED, UnknownPerson("no E1")), _result(AuditResult.REFUSED, CloudError("r", "A", "C", "m"))],
     502),
    ([_result(AuditResult.OK), _result(AuditResult.FAILED, LockBusy("busy"))], 502),
    ([_result(AuditResult.REFUSED)], 400),
])
def test_a_synchronous_delivery_answers_the_worst_of_its_events(results: list[EventResult], status: int) -> None:
    assert sync_status(results) == status


def test_a_refusal_s_status_comes_from_its_class() -> None:
    class NewRefusal(PolicyRefused):
        pass

    assert refusal_status(NewRefusal("no")) == 422
    assert refusal_status(SourceError(401, "unsigned")) == 400  # a source's own status is for its delivery only
    assert refusal_status(None) == 400


def test_the_event_result_carries_the_typed_error() -> None:
    failure = UnknownPerson("no RAM user is managed for person 'E1'", hint="send a joiner event first")
    result = _result(AuditResult.REFUSED, failure)
    assert result.failure is failure
    assert (result.error, result.error_type) == (str(failure), "UnknownPerson")
    assert result.as_dict()["error_type"] == "UnknownPerson" and result.as_dict()["error"] == str(failure)
    assert result_exit_code(result.result, result.failure) == EXIT_INPUT
    assert result_exit_code(AuditResult.HELD, BreakerOpen("h")) == EXIT_HELD
    assert (_result(AuditResult.OK).error, _result(AuditResult.OK).error_type) == ("", "")
