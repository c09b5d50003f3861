"""Shared fixtures: one in-process localcloud per test session, reset before every test.

Tests reach localcloud only through the official SDK clients over HTTP (or its admin
routes / Python API for clock and setup). Nothing here mocks an SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from localcloud import LocalCloud


@pytest.fixture(scope="session")
def repo_root(request: pytest.FixtureRequest) -> Path:
    """The repository's root (pytest's rootdir: where pyproject.toml is)."""
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
def ram(cloud: LocalCloud):  # type: ignore[no-untyped-def]
    from alibabacloud_ram20150501.client import Client

    return Client(cloud.config())


@pytest.fixture
def ims(cloud: LocalCloud):  # type: ignore[no-untyped-def]
    from alibabacloud_ims20190815.client import Client

    return Client(cloud.config())


@pytest.fixture
def kms(cloud: LocalCloud):  # type: ignore[no-untyped-def]
    from alibabacloud_kms20160120.client import Client

    return Client(cloud.config())


@pytest.fixture
def rm(cloud: LocalCloud):  # type: ignore[no-untyped-def]
    from alibabacloud_resourcemanager20200331.client import Client

    return Client(cloud.config())


@pytest.fixture
def sts(cloud: LocalCloud):  # type: ignore[no-untyped-def]
    from alibabacloud_sts20150401.client import Client

    return Client(cloud.config())


@pytest.fixture
def make_user(cloud: LocalCloud, ram) -> Callable[..., tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Create a RAM user with system policies attached; returns (access_key_id, secret)."""
    from alibabacloud_ram20150501 import models

    def factory(name: str, *system_policies: str) -> tuple[str, str]:
        ram.create_user(models.CreateUserRequest(user_name=name))
        for policy in system_policies:
            ram.attach_policy_to_user(
                models.AttachPolicyToUserRequest(policy_type="System", policy_name=policy, user_name=name)
            )
        key = ram.create_access_key(models.CreateAccessKeyRequest(user_name=name)).body.access_key
        return key.access_key_id, key.access_key_secret

    return factory
