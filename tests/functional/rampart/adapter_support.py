"""Helpers for the adapter tests: rampart's adapters on localcloud's root key, a retry policy
that records its waits instead of sleeping, and a count of the calls localcloud served.

Call counting is done by localcloud itself: a ``latency`` fault of 0 ms on every action of a
service fires on (and logs) every request that service receives, so the fault log is the
server's own list of the calls that reached it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rampart.adapters.clients import Clients
from rampart.adapters.kms import KmsSecrets
from rampart.adapters.ram import RamIdentities
from rampart.adapters.retry import RetryPolicy
from rampart.config import Settings

from localcloud import LocalCloud

SERVICES = ("ram", "kms", "resourcemanager", "sts")


@dataclass
class Waits:
    """Sleep stand-in: records each wait and returns at once (the cloud does not care)."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, delay: float) -> None:
        self.seconds.append(delay)


def settings_for(cloud: LocalCloud, access_key_id: str | None = None, secret: str | None = None) -> Settings:
    info = cloud.info()
    return Settings.from_env(
        {},
        access_key_id=access_key_id or info["access_key_id"],
        access_key_secret=secret or info["access_key_secret"],
        endpoint=cloud.endpoint,
    )


def fast_policy(waits: Waits, seed: int = 1) -> RetryPolicy:
    return RetryPolicy.seeded(seed, sleep=waits)


def adapters(cloud: LocalCloud, waits: Waits | None = None) -> tuple[Clients, RamIdentities, KmsSecrets]:
    policy = fast_policy(waits if waits is not None else Waits())
    clients = Clients(settings_for(cloud), policy=policy)
    return clients, RamIdentities(clients, policy=policy), KmsSecrets(clients, policy=policy)


def count_calls(cloud: LocalCloud) -> None:
    """From now on every request to SERVICES (IMS counts as ram) is logged by localcloud."""
    cloud.faults.clear()
    for service in SERVICES:
        cloud.faults.add(service, "latency", "*", latency_ms=0)


def calls_served(cloud: LocalCloud) -> Counter[str]:
    return Counter(f"{entry.service}:{entry.action}" for entry in cloud.faults.log())
