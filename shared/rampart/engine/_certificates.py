"""Leaver certificates: after a full offboarding, a read-back (the user gone, every secret of
it pending deletion) and then the certificate, listing what was removed.

A certificate is also written *late*: for a removal whose instance died after DeleteUser,
before the read-back (killed, timed out), the leaver's next delivery (FC's retry, a
redelivery) finds the person gone and is stale; for each user its write-ahead ``removal``
record names with no certificate it runs the same read-back, then writes the certificate
listing what the plan removed, marked ``late``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from rampart.audit import AuditAction, AuditTrail
from rampart.engine._observe import observe
from rampart.engine._results import Target
from rampart.errors import RampartError
from rampart.model import AuditResult, LifecycleEvent
from rampart.planning import timebound_prefix, whole_seconds
from rampart.ports import AuditSink, Identities, Secrets

_log = logging.getLogger("rampart.engine")


def certify(
    identities: Identities, secrets: Secrets, event: LifecycleEvent, target: Target, removed: dict[str, list[str]],
    trail: AuditTrail,
) -> dict[str, Any] | None:
    """Read back: the user must be gone and every secret of it pending deletion. Returns the
    certificate's (redacted) detail, or None when the read-back found something left."""
    left = observe(identities, secrets, target.user_name, timebound_prefix=timebound_prefix(target.user_name))
    live = [s.name for s in secrets.for_user(target.user_name) if not s.pending_deletion]
    if left is not None or live:
        trail.add("leaver-verify", AuditResult.FAILED, target=target.user_name,
                  detail={"user_still_exists": left is not None, "live_secrets": live})
        return None
    person_id = target.observed.marker.person_id if target.observed and target.observed.marker else event.person_id
    record = trail.leaver_certificate(target.user_name, person_id, removed)
    detail = json.loads(record.detail)
    return detail if isinstance(detail, dict) else None


def certify_late(
    identities: Identities, secrets: Secrets, sink: AuditSink | None, clock: Callable[[], datetime],
    event: LifecycleEvent, trail: AuditTrail,
) -> None:
    """The late certificates of a stale leaver (module docstring). Best effort: the event
    stays stale whatever happens here."""
    if sink is None:
        return
    since = whole_seconds(event.occurred_at) - timedelta(days=1)
    try:
        rows = sink.by_correlation(trail.correlation_id, since, clock() + timedelta(minutes=15), limit=1000)
        certified = {r.target for r in rows if r.action == AuditAction.LEAVER_CERTIFICATE.value}
        for row in rows:
            if row.action != AuditAction.REMOVAL.value or row.target in certified:
                continue
            detail = json.loads(row.detail or "{}")
            if not isinstance(detail, dict) or detail.get("kind") != "delete":
                continue
            user = row.target
            certified.add(user)
            gone = identities.get_user(user) is None
            if gone and not [s for s in secrets.for_user(user) if not s.pending_deletion]:
                trail.leaver_certificate(user, row.person_id or event.person_id,
                                         detail.get("removing") or {}, late=True)
    except (RampartError, ValueError) as exc:
        _log.warning("no late leaver certificate", extra={"event_id": event.event_id, "error": str(exc)})
