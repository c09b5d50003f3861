"""An ids-only person record (DingTalk ``user_*_org``, BambooHR event webhooks) is refused for
joiners and movers before anything is planned: planned as is it would create a user named after
an id, or drop every rule-granted profile of a mover. A leaver needs only the ids."""

from __future__ import annotations

import pytest
from rampart.errors import EventError
from rampart.model import HR_RECORD_ATTRIBUTE, HR_RECORD_IDS_ONLY, EventKind, LifecycleState
from rampart.planning import desire
from rampart.sources.hr import IDS_ONLY, RECORD_ATTRIBUTE

from tests.unit.rampart.examples import NOW, arms_catalog, event, joiner, onboarded, person

IDS_ONLY_ATTRIBUTES = {HR_RECORD_ATTRIBUTE: HR_RECORD_IDS_ONLY}


def test_the_sources_mark_ids_only_records_with_the_planners_constant() -> None:
    assert (RECORD_ATTRIBUTE, IDS_ONLY) == (HR_RECORD_ATTRIBUTE, HR_RECORD_IDS_ONLY)


def test_an_ids_only_joiner_is_refused_with_what_to_do() -> None:
    ids_only = joiner(display_name="p-1", **IDS_ONLY_ATTRIBUTES)
    with pytest.raises(EventError) as refused:
        desire(ids_only, None, arms_catalog(), now=NOW, user_name="p-1")
    assert "by id only" in str(refused.value) and "p-1" in str(refused.value)
    assert "not supported yet" in (refused.value.hint or "")


def test_an_ids_only_mover_is_refused_and_keeps_the_rule_profiles() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    mover = event(EventKind.MOVER, person=person(display_name="p-1", **IDS_ONLY_ATTRIBUTES))
    with pytest.raises(EventError, match="by id only"):
        desire(mover, observed, catalog, now=NOW, user_name="alice")


def test_an_ids_only_leaver_still_offboards() -> None:
    catalog = arms_catalog()
    observed = onboarded(catalog)
    leaver = event(EventKind.LEAVER, person=person(display_name="p-1", **IDS_ONLY_ATTRIBUTES))
    result = desire(leaver, observed, catalog, now=NOW, user_name="alice")
    assert result.user.state in (LifecycleState.DISABLED, None)  # grace, or removed at once
