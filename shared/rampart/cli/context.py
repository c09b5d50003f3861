"""What a CLI command runs on, built lazily from the environment: nothing is read, imported
or called before a verb needs it (``rampart replay`` never loads the catalog, ``rampart plan``
never asks STS who is calling).

The engine is assembled by ``rampart.engine.build_engine``, as the lifecycle function
assembles it: the adapters on the settings' credentials, the SLS audit sink, the circuit
breaker on that sink (shared with ``held`` and ``release``), the lock lease of the settings,
the catalog at ``settings.catalog_path`` and the real UTC clock (``rampart.clock.utcnow``;
tests pass localcloud's).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rampart.clock import Clock
from rampart.config import Settings
from rampart.model import Catalog
from rampart.operations import Operator, Terminal

if TYPE_CHECKING:
    from rampart.adapters import Adapters
    from rampart.adapters.kms import KmsSecrets
    from rampart.adapters.ledger import TablestoreLedger
    from rampart.adapters.ram import RamIdentities
    from rampart.adapters.sls import SlsAuditSink
    from rampart.engine import Breaker, Engine


class Runtime:
    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None,
        clock: Clock,
        catalog: str | None = None,
        force: bool = False,
        stdin: IO[str],
        terminal: Terminal,
    ) -> None:
        self._environ = environ
        self._catalog_path = catalog
        self.clock = clock
        self.force = force
        self.stdin = stdin
        self.terminal = terminal

    @cached_property
    def settings(self) -> Settings:
        overrides = {"catalog_path": Path(self._catalog_path)} if self._catalog_path else {}
        return Settings.from_env(self._environ, **overrides)

    @cached_property
    def catalog(self) -> Catalog:
        from rampart.catalog import load_catalog

        return load_catalog(self.settings.catalog_path)

    @cached_property
    def adapters(self) -> Adapters:
        from rampart.adapters import build

        return build(self.settings)

    @property
    def identities(self) -> RamIdentities:
        return self.adapters.identities

    @property
    def secrets(self) -> KmsSecrets:
        return self.adapters.secrets

    @cached_property
    def sink(self) -> SlsAuditSink:
        from rampart.adapters.sls import SlsAuditSink

        return SlsAuditSink(self.settings)

    @cached_property
    def ledger(self) -> TablestoreLedger | None:
        """The ledger (``RAMPART_OTS_INSTANCE``), None when none is configured."""
        from rampart.adapters.ledger import TablestoreLedger
        from rampart.config import LedgerSettings

        configured = LedgerSettings.from_env(self._environ)
        return None if configured is None else TablestoreLedger(self.settings, configured, clock=self.clock)

    @cached_property
    def breaker(self) -> Breaker:
        from rampart.engine import build_breaker

        return build_breaker(self.sink, self.catalog, self.clock)

    @cached_property
    def engine(self) -> Engine:
        from rampart.engine import build_engine

        return build_engine(self.settings, self.identities, self.secrets, self.catalog, self.clock, sink=self.sink,
                            breaker=self.breaker, force=self.force)

    @cached_property
    def operator(self) -> Operator:
        """Who runs the command (STS GetCallerIdentity, once)."""
        return Operator(self.identities.caller_arn())

    @staticmethod
    def token() -> str:
        """The random part of a CLI event id (``cli-<verb>-<token>``)."""
        return uuid.uuid4().hex[:16]
