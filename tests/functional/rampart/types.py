"""The types rampart's functional tests annotate their fixtures with (no logic: aliases only)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeAlias

from rampart.adapters.kms import KmsSecrets
from rampart.adapters.ram import RamIdentities
from rampart.engine import Engine
from rampart.model import Catalog

from tests.functional.rampart.fixtures import (
    adapters,
    cli,
    engine,
    functions,
    hostile,
    least_privilege,
    notify,
    race_checks,
    races,
)

Waits: TypeAlias = adapters.Waits
SettingsFor: TypeAlias = adapters.SettingsFor
AdaptersFor: TypeAlias = adapters.AdaptersFor
FastPolicy: TypeAlias = adapters.FastPolicy
MakeWaits: TypeAlias = Callable[[], adapters.Waits]
CountCalls: TypeAlias = Callable[[], None]
CallsServed: TypeAlias = Callable[[], Counter[str]]

EngineBuilder: TypeAlias = engine.EngineBuilder
EventFactory: TypeAlias = engine.EventFactory
ExampleCatalog: TypeAlias = Callable[[], Catalog]
IdentitiesOf: TypeAlias = Callable[[Engine], RamIdentities]
SecretsOf: TypeAlias = Callable[[Engine], KmsSecrets]

Cli: TypeAlias = cli.Cli
Run: TypeAlias = cli.Run
FakeTerminal: TypeAlias = cli.FakeTerminal
CliFactory: TypeAlias = cli.CliFactory
MakeTerminal: TypeAlias = Callable[[], cli.FakeTerminal]
CatalogWriter: TypeAlias = cli.CatalogWriter
Environment: TypeAlias = Callable[[Path], dict[str, str]]
Escrowed: TypeAlias = Callable[[], Iterator[tuple[str, str]]]
EventFile: TypeAlias = Callable[[Path, str, Any], str]
PersonFactory: TypeAlias = cli.PersonFactory
MakeUser: TypeAlias = Callable[..., tuple[str, str]]
"""tests/conftest.py's ``make_user``: (user name, *system policies) -> (AccessKey id, secret)."""

Deployment: TypeAlias = functions.Deployment
Deploy: TypeAlias = functions.Deploy
RepoFiles: TypeAlias = functions.RepoFiles

Robot: TypeAlias = notify.Robot
ConfigureNotify: TypeAlias = notify.ConfigureNotify
NotifyRecords: TypeAlias = notify.NotifyRecords
Site: TypeAlias = hostile.Site
Stage: TypeAlias = least_privilege.Stage
Races: TypeAlias = races.Races
State: TypeAlias = race_checks.State
MakeRaces: TypeAlias = races.MakeRaces
