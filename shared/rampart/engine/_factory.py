"""The one way an :class:`Engine` is assembled from settings, so the lifecycle functions
(``rampart.fc.runtime.Session.engine``) and the CLI (``rampart.cli.context.Runtime.engine``)
run the same engine: the per-user lock with the configured lease
(``rampart.config.Settings.lock_lease_seconds``), the circuit breaker on the audit sink with
the catalog's window and threshold, and the default tombstone wait.
"""

from __future__ import annotations

from datetime import timedelta

from rampart.clock import Clock
from rampart.config import Settings
from rampart.engine._breaker import Breaker
from rampart.engine._engine import Engine
from rampart.engine._lock import UserLocks
from rampart.model import Catalog
from rampart.ports import AuditSink, Identities, Secrets


def build_breaker(sink: AuditSink, catalog: Catalog, clock: Clock) -> Breaker:
    """The circuit breaker on ``sink``, with the catalog's window and maximum of removals."""
    return Breaker(sink, catalog.options, clock)


def build_engine(
    settings: Settings, identities: Identities, secrets: Secrets, catalog: Catalog, clock: Clock, *,
    sink: AuditSink, breaker: Breaker | None = None, force: bool = False,
) -> Engine:
    """The engine on the adapters' ports and ``sink``. ``breaker``: one the caller shares
    with other work (the CLI's ``held`` and ``release``); built by :func:`build_breaker` if
    not given. ``force``: the CLI's ``--force`` (the catalog's soft limits waived)."""
    locks = UserLocks(identities, clock, lease=timedelta(seconds=settings.lock_lease_seconds))
    return Engine(identities, secrets, catalog, sink=sink, clock=clock,
                  breaker=breaker if breaker is not None else build_breaker(sink, catalog, clock),
                  force=force, locks=locks)
