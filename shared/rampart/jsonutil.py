"""Strict JSON reading shared by the catalog, event files and webhook bodies."""

from __future__ import annotations

from typing import Any


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` refusing a key given twice: a verifier and a parser (or a human
    and a machine) could otherwise each read a different value."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key[:40]!r} is given twice")
        out[key] = value
    return out
