"""localcloud/README.md lists every action localcloud serves (docs match the code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import LocalCloud
from localcloud.app import pop_services
from localcloud.pop.service import Service


@pytest.fixture(scope="module")
def readme(repo_root: Path) -> str:
    return (repo_root / "localcloud" / "README.md").read_text()


@pytest.mark.parametrize("service", pop_services(), ids=lambda s: s.host_id)
def test_every_served_pop_action_is_documented(service: Service, readme: str) -> None:
    missing = sorted(name for name in service.actions if name not in readme)
    assert not missing, f"{service.host_id} actions missing from localcloud/README.md: {missing}"


def test_every_admin_route_is_documented(cloud: LocalCloud, readme: str) -> None:
    routes = sorted(path for _, path in cloud.admin._routes)
    missing = [path for path in routes if path not in readme]
    assert routes and not missing, f"admin routes missing from localcloud/README.md: {missing}"
