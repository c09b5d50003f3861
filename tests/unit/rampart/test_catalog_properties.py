"""Property: whatever junk replaces any value of the example catalog, parsing either succeeds
or raises CatalogError naming a path, never another exception."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.catalog import CatalogErrors, parse_catalog
from rampart.config import EXAMPLE_CATALOG
from rampart.errors import CatalogError

EXAMPLE = yaml.safe_load(EXAMPLE_CATALOG.read_text())


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


PATHS = _paths(EXAMPLE)
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300)
@given(st.sampled_from(PATHS), junk)
def test_corrupted_catalog_fails_only_with_catalog_error(path: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(EXAMPLE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        parse_catalog(data, "example.yaml")
    except CatalogError as exc:
        errors = exc.errors if isinstance(exc, CatalogErrors) else (exc,)
        assert all(error.file == "example.yaml" for error in errors)
        assert str(exc)
