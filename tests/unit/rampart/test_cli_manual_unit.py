"""``rampart.operations``: the events the manual verbs build, and their refusals. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rampart.catalog import load_catalog
from rampart.config import EXAMPLE_CATALOG
from rampart.errors import EventError, PolicyRefused, UnknownProfile
from rampart.model import AccessMode, EventKind
from rampart.operations import Operator, approval_for, grant_event, join_events, leave_event, parse_until
from rampart.planning import precheck

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
OPS = Operator("acs:ram::123456789012:user/ops.lead")


@pytest.mark.parametrize(("arn", "name"), [
    ("acs:ram::123456789012:user/ops.lead", "ops.lead"),
    ("acs:ram::123456789012:assumed-role/rampart-admin/alice-session", "alice-session"),
    ("acs:ram::123456789012:root", "root"),
])
def test_the_operator_s_short_name_comes_from_the_arn(arn: str, name: str) -> None:
    assert Operator(arn).name == name


def test_until_takes_an_iso_time_with_offset_or_a_duration() -> None:
    assert parse_until("2026-03-01T18:00:00+08:00", NOW) == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert parse_until("PT4H", NOW) == NOW + timedelta(hours=4)
    with pytest.raises(EventError, match="--until"):
        parse_until("2026-03-01T18:00:00", NOW)
    with pytest.raises(EventError, match="--until"):
        parse_until("P1M", NOW)


def test_approval_needs_ticket_and_approver_together_and_never_the_grantee() -> None:
    assert approval_for(None, None, OPS, ["dana"]) is None
    assert approval_for("OPS-1", "cto", OPS, ["dana"]) == {
        "ticket_id": "OPS-1", "status": "approved", "requester": "ops.lead", "approver": "cto"}
    with pytest.raises(EventError, match="go together"):
        approval_for("OPS-1", None, OPS, ["dana"])
    with pytest.raises(PolicyRefused, match="own access"):
        approval_for("OPS-1", "Dana", OPS, ["dana"])


def test_join_is_a_joiner_then_one_grant_per_profile_by_person() -> None:
    events = join_events(person_id="E1", user_name="dana", display_name="Dana Lee", access=AccessMode.CONSOLE,
                         profiles=["arms-readonly", "arms-full", "arms-readonly"], operator=OPS, now=NOW, token="abc",
                         ticket="OPS-1", approver="cto")
    assert [(e.kind, e.profile) for e in events] == [
        (EventKind.JOINER, None), (EventKind.GRANT, "arms-readonly"), (EventKind.GRANT, "arms-full")]
    joiner, grant = events[0], events[2]
    assert joiner.event_id == "cli-join-abc" and joiner.source == "cli" and joiner.actor == OPS.arn
    assert joiner.person is not None and joiner.person.attributes == {} and joiner.person.access == (AccessMode.CONSOLE,)
    assert grant.event_id == "cli-join-abc.grant-arms-full" and grant.correlation_id == "cli-join-abc"
    assert grant.user_name is None and grant.person_id == "E1" and grant.occurred_at == joiner.occurred_at
    assert grant.approval is not None and grant.approval.requester == "ops.lead"


def test_argument_problems_name_the_argument() -> None:
    with pytest.raises(EventError, match="--display-name"):
        join_events(person_id="E1", user_name="dana", display_name="Dana (Ops)", access=AccessMode.CONSOLE,
                    profiles=[], operator=OPS, now=NOW, token="abc")
    with pytest.raises(EventError, match="PERSON_ID"):
        join_events(person_id="E 1", user_name="dana", display_name="Dana", access=AccessMode.CONSOLE,
                    profiles=[], operator=OPS, now=NOW, token="abc")


def test_precheck_refuses_before_anything_runs() -> None:
    catalog = load_catalog(EXAMPLE_CATALOG)
    unapproved = grant_event(user_name="dana", profile="arms-full", operator=OPS, now=NOW, token="t")
    with pytest.raises(PolicyRefused, match="needs an approved ticket"):
        precheck(catalog, [unapproved], NOW)
    with pytest.raises(UnknownProfile):
        precheck(catalog, [grant_event(user_name="dana", profile="nope", operator=OPS, now=NOW, token="t")], NOW)
    self_approved = grant_event(user_name="dana", profile="arms-full", operator=OPS, now=NOW, token="t",
                                ticket="OPS-1", approver="ops.lead")
    with pytest.raises(PolicyRefused, match="approved their own request"):
        precheck(catalog, [self_approved], NOW)
    too_long = grant_event(user_name="dana", profile="break-glass-admin", operator=OPS, now=NOW, token="t",
                           until=NOW + timedelta(hours=5), ticket="INC-1", approver="cto")
    with pytest.raises(PolicyRefused, match="max_duration"):
        precheck(catalog, [too_long], NOW)


def test_leave_by_person_or_by_user() -> None:
    by_person = leave_event(person_id="E1", user_name=None, immediate=True, operator=OPS, now=NOW, token="t")
    assert (by_person.person_id, by_person.user_name, by_person.immediate) == ("E1", None, True)
    by_user = leave_event(person_id="", user_name="legacy", immediate=False, operator=OPS, now=NOW, token="t")
    assert (by_user.person_id, by_user.user_name, by_user.immediate) == ("", "legacy", False)
