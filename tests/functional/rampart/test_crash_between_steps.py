"""An instance that dies between two steps of an event (the chaos campaign kills lifecycle
instances at random points; Function Compute ends one at its timeout): the retry must finish
the same work, and every change already made must be on record.

Bugs the campaign found, reproduced here (a fault that stops an event right after a step was
applied leaves the same state a kill does):

- a joiner stopped between CreateUser and the marker (IMS TagResources) left a user with no
  marker; the retry took it for someone else's user and created ``<name>2``, leaving the first
  one behind. CreateUser now carries the person in RAM's Comments, and the retry finishes it;
- the audit records were written once, at the end of the event: a step applied before the
  instance died was never recorded, and the retry, finding the change made, did not record it
  either. A write-ahead ``plan`` record goes first and each applied step is written at once;
- a leaver redelivered after it removed the person (or a mover or grant older than it) was
  refused as an unknown person, retried and dead-lettered; it is now stale (skipped).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as Ram
from rampart.adapters.sls import SlsAuditSink
from rampart.fc.lifecycle import FAILED_RESULTS
from rampart.model import AuditResult
from rampart.naming import created_for, creation_comment

from localcloud import LocalCloud
from tests.functional.rampart.types import EngineBuilder, EventFactory, ExampleCatalog, SettingsFor

PERSON = {"person_id": "E77", "display_name": "Crash Test", "email": "crash.test@example.com",
          "attributes": {"department": "Engineering"}}


def users(cloud: LocalCloud) -> list[str]:
    body = Ram(cloud.config()).list_users(ram_models.ListUsersRequest(max_items=1000)).body
    return sorted(str(u.user_name) for u in body.users.user or [])


def test_the_creation_comment_names_the_person_and_nothing_else_does() -> None:
    assert created_for(creation_comment("E77")) == "E77"
    for other in ("", "managed by someone", "managed by rampart for person ", "x" * 200,
                  creation_comment("E" * 200)):
        assert created_for(other) == ""


def test_a_joiner_that_died_before_its_marker_is_finished_by_the_retry(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    catalog = example_catalog()
    engine = build_engine(catalog)
    joiner = event("joiner", "j-77", person=PERSON)
    cloud.faults.add("ram", "error", "TagResources", code="InvalidParameter", status=400, count=1)
    first = engine.handle(joiner)
    assert first.result in FAILED_RESULTS and users(cloud) == ["crash.test"]
    cloud.faults.clear()
    again = engine.handle(joiner)  # FC's retry (a new instance would do the same: nothing is cached)
    assert again.result is AuditResult.OK, again.error
    assert users(cloud) == ["crash.test"]  # not crash.test2
    notes = [n for u in again.as_dict()["users"] for n in u["notes"]]
    assert any("finishing crash.test" in n for n in notes)


def test_a_user_someone_else_made_is_still_not_taken_over(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    Ram(cloud.config()).create_user(ram_models.CreateUserRequest(user_name="crash.test", comments=creation_comment("E1")))
    result = build_engine(example_catalog()).handle(event("joiner", "j-77", person=PERSON))
    assert result.result is AuditResult.OK
    assert users(cloud) == ["crash.test", "crash.test2"]


def test_a_step_applied_before_the_event_failed_is_on_record(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog, settings_for: SettingsFor) -> None:
    engine = build_engine(example_catalog())
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    cloud.faults.add("ram", "error", "TagResources", code="InvalidParameter", status=400, count=1)
    engine.handle(event("joiner", "j-78", person=PERSON, correlation_id="corr-78"))
    rows = SlsAuditSink(settings_for()).by_correlation("corr-78", since,
                                                            datetime.now(timezone.utc) + timedelta(minutes=5), limit=100)
    assert ("create-user", "ok") in {(r.action, r.result.value) for r in rows}


def test_an_event_after_the_person_was_removed_is_stale_not_refused(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    """A redelivered leaver (FC retries, duplicate MQ messages) or a mover or grant older than the
    leaver that removed the person is skipped as stale, so it is not retried into the dead
    letters; an event newer than the removal still needs a joiner first (refused)."""
    engine = build_engine(example_catalog())
    t0 = datetime.now(timezone.utc) - timedelta(minutes=10)
    assert engine.handle(event("joiner", "j-79", t0, person=PERSON)).result is AuditResult.OK
    leaver = event("leaver", "l-79", t0 + timedelta(minutes=2), person_id="E77", immediate=True)
    assert engine.handle(leaver).result is AuditResult.OK and users(cloud) == []
    assert engine.handle(leaver).result is AuditResult.STALE
    older = event("mover", "m-79", t0 + timedelta(minutes=1), person=PERSON)
    assert engine.handle(older).result is AuditResult.STALE
    newer = event("mover", "m-80", t0 + timedelta(minutes=3), person=PERSON)
    refused = engine.handle(newer)
    assert refused.result is AuditResult.REFUSED and refused.error_type == "UnknownPerson"


def test_a_ticket_naming_a_removed_user_is_stale_when_older_than_the_leaver(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    """A ticket's grant names the RAM user, not the person: approved before the leaver and
    delivered after it deleted the user, it is stale (skipped); dated after the removal, or naming
    a user that never existed, it is refused as an unknown user."""
    engine = build_engine(example_catalog())
    t0 = datetime.now(timezone.utc) - timedelta(minutes=10)
    assert engine.handle(event("joiner", "j-81", t0, person=PERSON)).result is AuditResult.OK
    leaver = event("leaver", "l-81", t0 + timedelta(minutes=2), person_id="E77", immediate=True)
    assert engine.handle(leaver).result is AuditResult.OK and users(cloud) == []

    def grant(event_id: str, minutes: int, user_name: str = "crash.test") -> object:
        return event("grant", event_id, t0 + timedelta(minutes=minutes), user_name=user_name, profile="arms-readonly",
                     approval={"ticket_id": event_id, "status": "approved", "requester": "x", "approver": "cto"})

    stale = engine.handle(grant("g-81", 1))  # type: ignore[arg-type]
    assert stale.result is AuditResult.STALE, stale.as_dict()
    assert "crash.test was removed by a leaver" in stale.as_dict()["error"]
    for late in (grant("g-82", 3), grant("g-83", 1, user_name="never.existed")):
        refused = engine.handle(late)  # type: ignore[arg-type]
        assert refused.result is AuditResult.REFUSED and refused.error_type == "UnknownPerson", refused.as_dict()
    assert users(cloud) == []


class Killed(BaseException):
    """An instance dying: nothing after it runs, not even the engine's final audit flush."""


def test_a_leaver_killed_right_after_delete_user_still_leaves_its_tombstone(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog, settings_for: SettingsFor) -> None:
    """The tombstone (the ``removal`` record a late joiner is checked against) is written ahead,
    with the plan: an instance killed between DeleteUser and the read-back, or the final flush,
    must not let a joiner dated before the leaver create the person again; and the leaver's
    own retry is stale (skipped), not refused into the dead letters."""
    catalog = example_catalog()
    engine = build_engine(catalog)
    t0 = datetime.now(timezone.utc) - timedelta(minutes=10)
    assert engine.handle(event("joiner", "j-84", t0, person=PERSON)).result is AuditResult.OK
    identities = engine._identities
    real_delete = identities.delete_user

    def delete_then_die(user_name: str) -> None:
        real_delete(user_name)
        raise Killed

    identities.delete_user = delete_then_die  # type: ignore[method-assign]
    leaver = event("leaver", "l-84", t0 + timedelta(minutes=2), person_id="E77", immediate=True)
    try:
        engine.handle(leaver)
    except Killed:
        pass
    else:  # pragma: no cover - the leaver must reach DeleteUser
        raise AssertionError("the leaver never deleted the user")
    assert users(cloud) == []
    fresh = build_engine(catalog)  # the next instance: nothing cached
    late = fresh.handle(event("joiner", "j-83", t0 + timedelta(minutes=1), person=PERSON))
    assert late.result is AuditResult.STALE and users(cloud) == [], late.as_dict()
    sink = SlsAuditSink(settings_for())

    def certificates() -> list[dict[str, object]]:
        rows = sink.by_action("leaver-certificate", t0 - timedelta(days=1), datetime.now(timezone.utc) + timedelta(minutes=5))
        return [json.loads(r.detail) for r in rows if r.target == "crash.test"]

    assert certificates() == []  # the killed instance never got to its read-back
    assert fresh.handle(leaver).result is AuditResult.STALE  # FC's retry: stale, and it certifies
    [late_certificate] = certificates()
    assert late_certificate["late"] is True and late_certificate["person_id"] == "E77"
    assert "delete-user" in late_certificate["removed"] and late_certificate["removed_count"]  # type: ignore[operator]
    assert fresh.handle(leaver).result is AuditResult.STALE and len(certificates()) == 1  # only once


def test_no_user_is_deleted_while_its_tombstone_cannot_be_written(cloud: LocalCloud, build_engine: EngineBuilder, event: EventFactory, example_catalog: ExampleCatalog) -> None:
    """SLS refusing the write-ahead records (they go to stderr for replay) stops a deletion
    before anything changes: a tombstone on stderr cannot stop a late joiner. FC's retry, with
    SLS back, deletes the user."""
    engine = build_engine(example_catalog())
    t0 = datetime.now(timezone.utc) - timedelta(minutes=10)
    assert engine.handle(event("joiner", "j-85", t0, person=PERSON)).result is AuditResult.OK
    leaver = event("leaver", "l-85", t0 + timedelta(minutes=2), person_id="E77", immediate=True)
    cloud.faults.add("sls", "error", "PutLogs", code="InternalServerError", status=500, count=1000)
    held = engine.handle(leaver)
    assert held.result is AuditResult.FAILED and "tombstone of crash.test could not be written" in held.error
    assert users(cloud) == ["crash.test"]
    assert [o for u in held.users for o in u.outcomes] == []  # nothing was changed
    cloud.faults.clear()
    assert engine.handle(leaver).result is AuditResult.OK and users(cloud) == []
