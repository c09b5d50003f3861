"""The fixtures of rampart's functional tests, defined in ``fixtures/`` by group.

They are imported here rather than listed in ``pytest_plugins``: pytest refuses
``pytest_plugins`` in a conftest below the rootdir (docs.pytest.org, deprecations,
"pytest_plugins in non-top-level conftest files"), and importing them here keeps them
visible to this directory's tests only.
"""

from __future__ import annotations

from tests.functional.rampart.fixtures.adapters import (
    adapters_fixture,
    calls_served_fixture,
    count_calls_fixture,
    fast_policy_fixture,
    make_waits_fixture,
    settings_for_fixture,
)
from tests.functional.rampart.fixtures.cli import (
    environment_fixture,
    escrowed_fixture,
    event_file_fixture,
    make_cli_fixture,
    make_terminal_fixture,
    person_fixture,
    write_catalog_fixture,
)
from tests.functional.rampart.fixtures.engine import (
    build_engine_fixture,
    event_fixture,
    example_catalog_fixture,
    identities_of_fixture,
    secrets_of_fixture,
)
from tests.functional.rampart.fixtures.functions import deploy_fixture, repo_files_fixture, samples_fixture
from tests.functional.rampart.fixtures.hostile import fresh_fixture, hostile_site_fixture
from tests.functional.rampart.fixtures.least_privilege import stage_fixture
from tests.functional.rampart.fixtures.notify import configure_notify_fixture, notify_records_fixture
from tests.functional.rampart.fixtures.races import make_races_fixture

__all__ = [
    "adapters_fixture",
    "build_engine_fixture",
    "calls_served_fixture",
    "configure_notify_fixture",
    "count_calls_fixture",
    "deploy_fixture",
    "environment_fixture",
    "escrowed_fixture",
    "event_file_fixture",
    "event_fixture",
    "example_catalog_fixture",
    "fast_policy_fixture",
    "fresh_fixture",
    "hostile_site_fixture",
    "identities_of_fixture",
    "make_cli_fixture",
    "make_races_fixture",
    "make_terminal_fixture",
    "make_waits_fixture",
    "notify_records_fixture",
    "person_fixture",
    "repo_files_fixture",
    "samples_fixture",
    "secrets_of_fixture",
    "settings_for_fixture",
    "stage_fixture",
    "write_catalog_fixture",
]
