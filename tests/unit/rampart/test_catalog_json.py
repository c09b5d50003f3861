"""The catalog as the functions load it: ``catalog_json`` (what ``make build`` writes) gives the
same catalog as the YAML, refuses what it cannot carry, and YAML goes through libyaml where built."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from rampart.catalog import catalog_json, load_catalog
from rampart.catalog._reading import _unique_key_loader
from rampart.config import EXAMPLE_CATALOG
from rampart.errors import CatalogError


def test_the_json_of_the_example_loads_to_the_same_catalog(tmp_path: Path) -> None:
    text = catalog_json(EXAMPLE_CATALOG)
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    assert load_catalog(path) == dataclasses.replace(load_catalog(EXAMPLE_CATALOG), source=str(path))
    assert json.loads(text) == yaml.safe_load(EXAMPLE_CATALOG.read_text(encoding="utf-8"))


def test_a_broken_catalog_is_refused_before_any_json_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("profiles:\n  x:\n    description: d\n    policies: []\n    surprise: 1\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        catalog_json(bad)
    with pytest.raises(CatalogError, match="unknown format"):
        catalog_json(tmp_path / "catalog.toml")


def test_a_key_given_twice_is_refused_in_json_and_yaml(tmp_path: Path) -> None:
    doubled = tmp_path / "catalog.json"
    doubled.write_text('{"profiles": {}, "profiles": {}}', encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(doubled)
    twice = tmp_path / "catalog.yaml"
    twice.write_text("profiles: {}\nprofiles: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="given twice"):
        load_catalog(twice)


def test_yaml_is_parsed_by_libyaml_where_pyyaml_has_it() -> None:
    loader = _unique_key_loader()
    assert issubclass(loader, yaml.SafeLoader if not yaml.__with_libyaml__ else yaml.CSafeLoader)
    assert _unique_key_loader() is loader  # made once
