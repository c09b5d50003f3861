"""The catalog's rules for ticket grants, checked by the ticket receiver before the hand-off.

A grant the catalog refuses (a profile it does not define, a high-risk profile asked for
without a time limit or beyond its ``max_duration``, an approver the profile does not allow,
a ticket that is not approved, a requester who approved their own request, an approver who
is the grantee) is answered 422 at once, and nothing is enqueued: the source's user sees the
refusal in their own tool instead of a 202 followed by a refusal only the audit log shows.

This module must never hold a rule of its own: it calls the functions the engine and the CLI
use (``rampart.planning.precheck`` -> ``check_grant``, and
``desired_checks.check_not_grantee``), so a webhook can never be stricter or looser than the
engine about the catalog. The engine still checks every event again when it applies it (the
catalog or the clock may have moved on). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rampart.model import Catalog, EventKind, LifecycleEvent
from rampart.planning import check_not_grantee, precheck


def check_grants(catalog: Catalog, events: Sequence[LifecycleEvent], now: datetime) -> None:
    """Raise the first refusal (``PolicyRefused`` or ``UnknownProfile``, answered 422) among
    the grants in ``events``; revocations and HR events pass untouched."""
    grants = [event for event in events if event.kind is EventKind.GRANT]
    precheck(catalog, grants, now)
    for event in grants:
        if event.approval is not None:
            check_not_grantee(event.approval.ticket_id, event.approval.approver, (event.person_id, event.user_name or ""))
