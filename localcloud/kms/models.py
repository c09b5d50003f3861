"""KMS Secrets Manager's state and rules (../shared/reference/alibaba-platform.md §B)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localcloud.state import CloudState


class KmsBackend:
    def __init__(self, state: CloudState) -> None:
        self._state = state
        self.secrets: dict[str, Any] = {}
