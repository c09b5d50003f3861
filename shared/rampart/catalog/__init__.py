"""The catalog: access profiles, the rules that map HR attributes to them, and options;
loaded, shape-checked, cross-checked and limited before anything reads it. Pure: no I/O
beyond reading the catalog file.
"""

from __future__ import annotations

from rampart.catalog._highrisk import (
    HIGH_RISK_SYSTEM_POLICIES,
    document_is_high_risk,
    high_risk_actions,
    is_high_risk,
)
from rampart.catalog._limits import MAX_DEPTH, MAX_EXPANDED, first_problem
from rampart.catalog._loader import (
    MAX_PROBLEMS,
    CatalogErrors,
    catalog_json,
    custom_policies,
    get_profile,
    load_catalog,
    parse_catalog,
    profiles_for,
    resolve_supersedes,
    superseded_by,
)

__all__ = [
    "HIGH_RISK_SYSTEM_POLICIES",
    "MAX_DEPTH",
    "MAX_EXPANDED",
    "MAX_PROBLEMS",
    "CatalogErrors",
    "catalog_json",
    "custom_policies",
    "document_is_high_risk",
    "first_problem",
    "get_profile",
    "high_risk_actions",
    "is_high_risk",
    "load_catalog",
    "parse_catalog",
    "profiles_for",
    "resolve_supersedes",
    "superseded_by",
]
