"""RAM's wire layer (API 2015-05-01): parse parameters, call the backend, serialise.

Response shapes: ram20150501==1.3.0 models (wire-protocol.md §1.3). Lists are wrapped
(``{"Users": {"User": [...]}}``). No rule lives here. The actions are declared by domain in
private modules (``_users``, ``_groups``, ``_policies``, ``_roles``, ``_mfa``; ``_common`` holds
the service object and parameter helpers); importing them registers them on :data:`service`.
"""

from __future__ import annotations

from localcloud.ram.responses import _groups, _mfa, _policies, _roles, _users
from localcloud.ram.responses._common import service

__all__ = ["service"]

_DOMAINS = (_groups, _mfa, _policies, _roles, _users)
"""Imported for their registrations on :data:`service`."""
