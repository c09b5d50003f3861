"""RAM's wire layer (API 2015-05-01): parse parameters, call the backend, serialise.

Response shapes: ram20150501==1.3.0 models (wire-protocol.md §1.3). Lists are wrapped
(``{"Users": {"User": [...]}}``). No rule lives here. The actions are declared by domain in
:mod:`localcloud.ram.wire`; importing those modules registers them on :data:`service`.
"""

from __future__ import annotations

from localcloud.ram.wire import groups, mfa, policies, roles, users
from localcloud.ram.wire.common import service

__all__ = ["groups", "mfa", "policies", "roles", "service", "users"]
