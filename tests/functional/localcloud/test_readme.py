"""localcloud/README.md lists every action localcloud serves (docs match the code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud.app import pop_services

README = (Path(__file__).resolve().parents[3] / "localcloud" / "README.md").read_text()


@pytest.mark.parametrize("service", pop_services(), ids=lambda s: s.host_id)
def test_every_served_pop_action_is_documented(service) -> None:  # type: ignore[no-untyped-def]
    missing = sorted(name for name in service.actions if name not in README)
    assert not missing, f"{service.host_id} actions missing from localcloud/README.md: {missing}"


def test_every_admin_route_is_documented(cloud) -> None:  # type: ignore[no-untyped-def]
    routes = sorted(path for _, path in cloud.admin._routes)
    missing = [path for path in routes if path not in README]
    assert routes and not missing, f"admin routes missing from localcloud/README.md: {missing}"
