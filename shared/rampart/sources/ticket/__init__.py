"""Ticketing tools: an approved request becomes a grant or a revocation (Jira, the generic
contract for ServiceNow and others), checked against the catalog's grant rules.
"""

from __future__ import annotations

from rampart.sources.ticket._grants import check_grants

__all__ = [
    "check_grants",
]
