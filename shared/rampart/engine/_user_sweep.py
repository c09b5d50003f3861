"""The sweep's plan for one user: expired grants, grace-period deletions and (optionally) key
rotation, from what the user is now (``desire_sweep``), and the event the sweep applies it as.

The engine (``rampart.engine.Engine.sweep_user``) plans once without the lock, and only a user
with work to do is locked and planned again, so an idle sweep takes no lock.
"""

from __future__ import annotations

from datetime import datetime

from rampart.engine._observe import observe
from rampart.engine._results import UserResult
from rampart.model import AuditResult, Catalog, EventKind, LifecycleEvent, ObservedUser, Plan
from rampart.planning import Desired, desire_sweep, plan_rotation, timebound_prefix
from rampart.planning import plan as make_plan
from rampart.ports import Identities, Secrets

SweepPlan = tuple[ObservedUser, Desired, Plan]


def sweep_plan(
    identities: Identities, secrets: Secrets, catalog: Catalog, now: datetime, user_name: str, rotate: bool,
) -> UserResult | SweepPlan:
    """The user's sweep plan, or a skipped result for a user that is gone or not rampart's."""
    observed = observe(identities, secrets, user_name, timebound_prefix=timebound_prefix(user_name))
    if observed is None or observed.marker is None:
        return UserResult(user_name, Plan("sweep", user_name, ()), result=AuditResult.SKIPPED,
                          notes=("not managed by rampart",))
    desired = desire_sweep(observed, catalog, now)
    plan = make_plan(desired.user, observed, event_id=f"sweep-{now:%Y%m%dT%H%M%S}", options=catalog.options, now=now)
    if plan.is_noop and rotate:
        plan = plan_rotation(observed, catalog.options, now, event_id=f"rotate-{now:%Y%m%dT%H%M%S}")
    return observed, desired, plan


def sweep_event(user_name: str, observed: ObservedUser, plan: Plan, now: datetime) -> LifecycleEvent:
    """The sweep's work for the user as the event it is applied and audited as (a mover)."""
    assert observed.marker is not None  # sweep_plan skips users without one
    return LifecycleEvent(
        event_id=plan.event_id, kind=EventKind.MOVER, occurred_at=now, source="sweep",
        person_id=observed.marker.person_id, user_name=user_name, correlation_id=plan.event_id,
    )
