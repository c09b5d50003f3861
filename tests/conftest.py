"""Shared fixtures: one in-process localcloud per test session, reset before every test.

Tests reach localcloud only through the official SDK clients over HTTP (or its admin
routes / Python API for clock and setup). Nothing here mocks an SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_kms20160120.client import Client as KmsClient
from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_sts20150401.client import Client as StsClient

from localcloud import LocalCloud

# The repository root, recorded once pytest has found it (``config.rootpath``: the directory
# holding pyproject.toml), so module-level constants can name files before any fixture runs.
_ROOT: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    _ROOT[:] = [config.rootpath]


def repo_path(*parts: str) -> Path:
    """A path under the repository root, for module-level constants (parametrize lists,
    hypothesis strategies, sample bodies) that exist before fixtures do; tests use ``repo_root``."""
    if not _ROOT:
        raise RuntimeError("repo_path() is for test modules, imported once pytest is configured")
    return _ROOT[0].joinpath(*parts)


@pytest.fixture(scope="session")
def repo_root(request: pytest.FixtureRequest) -> Path:
    """The repository root (where pyproject.toml is), however pytest was started."""
    return request.config.rootpath


@pytest.fixture(scope="session")
def _server() -> Iterator[LocalCloud]:
    with LocalCloud() as cloud:
        yield cloud


@pytest.fixture
def cloud(_server: LocalCloud) -> Iterator[LocalCloud]:
    """A clean localcloud: no users, no secrets, no faults, no functions, the clock at real time,
    logs queryable at once (no SLS index delay)."""
    _server.faults.clear()
    _server.state.sls_indexing.set(0)
    _server.functions.reset()  # drops queued async calls, waits for running ones
    _server.reset()
    _server.state.clock.reset()
    yield _server


@pytest.fixture
def ram(cloud: LocalCloud) -> RamClient:
    return RamClient(cloud.config())


@pytest.fixture
def ims(cloud: LocalCloud) -> ImsClient:
    return ImsClient(cloud.config())


@pytest.fixture
def kms(cloud: LocalCloud) -> KmsClient:
    return KmsClient(cloud.config())


@pytest.fixture
def rm(cloud: LocalCloud) -> RmClient:
    return RmClient(cloud.config())


@pytest.fixture
def sts(cloud: LocalCloud) -> StsClient:
    return StsClient(cloud.config())


@pytest.fixture
def make_user(cloud: LocalCloud, ram: RamClient) -> Callable[..., tuple[str, str]]:
    """Create a RAM user with system policies attached; returns (access_key_id, secret)."""

    def factory(name: str, *system_policies: str) -> tuple[str, str]:
        ram.create_user(ram_models.CreateUserRequest(user_name=name))
        for policy in system_policies:
            ram.attach_policy_to_user(
                ram_models.AttachPolicyToUserRequest(policy_type="System", policy_name=policy, user_name=name)
            )
        key = ram.create_access_key(ram_models.CreateAccessKeyRequest(user_name=name)).body.access_key
        return key.access_key_id, key.access_key_secret

    return factory
