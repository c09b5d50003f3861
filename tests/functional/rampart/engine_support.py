"""Builds rampart's engine on localcloud for functional tests: the real adapters (official
SDKs over HTTP), the example catalog with its resource group made real, SLS audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as Rm
from rampart.adapters.kms import KmsSecrets
from rampart.adapters.ram import RamIdentities
from rampart.adapters.sls import SlsAuditSink
from rampart.catalog import load_catalog
from rampart.config import EXAMPLE_CATALOG
from rampart.engine import Breaker, Engine
from rampart.events import parse_event
from rampart.model import Catalog, LifecycleEvent, Scope

from localcloud import LocalCloud
from tests.functional.rampart.adapter_support import Waits, adapters, settings_for


def example_catalog(cloud: LocalCloud) -> Catalog:
    """The shipped catalog, with arms-readonly-rg pointed at a resource group that exists."""
    catalog = load_catalog(EXAMPLE_CATALOG)
    group = Rm(cloud.config()).create_resource_group(
        rm_models.CreateResourceGroupRequest(name="arms-demo", display_name="ARMS demo")
    ).body.resource_group.id
    profiles = dict(catalog.profiles)
    profiles["arms-readonly-rg"] = replace(profiles["arms-readonly-rg"], scope=Scope(group))
    return replace(catalog, profiles=profiles)


def build_engine(cloud: LocalCloud, catalog: Catalog, *, with_breaker: bool = True, **options: Any) -> Engine:
    _, identities, secrets = adapters(cloud, Waits())
    sink = SlsAuditSink(settings_for(cloud))
    sink.ensure()
    for spec in {p.name: p for prof in catalog.profiles.values() for p in prof.custom_policies}.values():
        identities.ensure_policy(spec.name, spec.document, spec.description)  # idempotent: a second engine is a new instance
    breaker = Breaker(sink, catalog.options, cloud.now) if with_breaker else None
    return Engine(identities, secrets, catalog, sink=sink, clock=cloud.now, breaker=breaker, **options)


def event(kind: str, event_id: str, when: datetime | None = None, **fields: Any) -> LifecycleEvent:
    data: dict[str, Any] = {
        "event_id": event_id,
        "kind": kind,
        "occurred_at": (when or datetime.now(timezone.utc)).isoformat(),
        "source": "test",
    }
    data.update(fields)
    return parse_event(data)


def identities_of(engine: Engine) -> RamIdentities:
    return engine._identities  # type: ignore[return-value]


def secrets_of(engine: Engine) -> KmsSecrets:
    return engine._secrets  # type: ignore[return-value]
