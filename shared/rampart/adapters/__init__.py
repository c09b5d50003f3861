"""The adapters behind ``rampart.ports``: the only code that touches the official SDKs.

- ``clients``: SDK clients built lazily from ``Settings``, one per service per process;
- ``identities``: RAM + IMS + ResourceManager (``Identities``);
- ``secrets``: KMS Secrets Manager (``Secrets``);
- ``invoker``: Function Compute 3.0 or 2.0 async invocation (``Invoker``);
- ``sls``: the SLS audit sink (``AuditSink``).

Importing this package imports no SDK; each SDK is imported when its client is first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rampart.adapters.clients import Clients, clients_for
from rampart.adapters.fc import FcInvoker, FcVersion
from rampart.adapters.kms import KmsSecrets
from rampart.adapters.ram import RamIdentities
from rampart.adapters.retry import DEFAULT_POLICY, RetryPolicy
from rampart.config import Settings

__all__ = ["Adapters", "Clients", "FcInvoker", "FcVersion", "KmsSecrets", "RamIdentities", "build", "clients_for"]


@dataclass(frozen=True, slots=True)
class Adapters:
    identities: RamIdentities
    secrets: KmsSecrets
    clients: Clients


def build(settings: Settings, *, account_id: str | None = None, policy: RetryPolicy = DEFAULT_POLICY) -> Adapters:
    """The identity and secret adapters on the process's shared clients for ``settings``."""
    clients = clients_for(settings, account_id=account_id)
    return Adapters(RamIdentities(clients, policy=policy), KmsSecrets(clients, policy=policy), clients)


if TYPE_CHECKING:  # mypy proves the adapters implement the ports; nothing runs

    from rampart.ports import Identities, Invoker, Secrets

    def _implements(i: RamIdentities, s: KmsSecrets, f: FcInvoker) -> tuple[Identities, Secrets, Invoker]:
        return i, s, f
