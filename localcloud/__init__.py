"""localcloud: a faithful local Alibaba Cloud (RAM, IMS, KMS, ResourceManager, STS ...)
that the official SDKs, unchanged, talk to over HTTP on 127.0.0.1.

``from localcloud import LocalCloud`` for the in-process server; ``python -m localcloud
serve`` for a separate process. See localcloud/README.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localcloud.app import LocalCloud

__all__ = ["LocalCloud"]


def __getattr__(name: str) -> Any:
    if name == "LocalCloud":
        from localcloud.app import LocalCloud

        return LocalCloud
    raise AttributeError(name)
