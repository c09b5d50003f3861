"""The ledger's records: what rampart decided about a person, kept in a store only its worker
role may write (``rampart.ports.Ledger``), never in tags that any tag-writer can forge.

Frozen data, no I/O (see ``rampart.model``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from rampart.model._state import Marker


@dataclass(frozen=True, slots=True)
class Removal:
    """A person's removal: when the leaver was applied, by which event, and its certificate."""

    at: datetime
    event_id: str
    certificate_id: str = ""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person's row: each RAM user's marker (state, event time, grants, revocations, grace),
    their removal if they left, the credentials already handed over, and the row's version.

    ``version`` is the compare-and-swap token: a record read at version N is saved only if the
    row is still at N (``Ledger.save``), so two writers never both win."""

    person_id: str
    users: Mapping[str, Marker] = field(default_factory=lambda: MappingProxyType({}))
    removal: Removal | None = None
    handed_over: frozenset[str] = frozenset()
    """``<user name>/<secret version>``: each handed over once (``rampart handover``)."""
    version: int = 0
    """0: never saved."""

    def __post_init__(self) -> None:
        if not isinstance(self.users, MappingProxyType):
            object.__setattr__(self, "users", MappingProxyType(dict(self.users)))

    def with_user(self, user_name: str, marker: Marker | None) -> PersonRecord:
        """This record with ``user_name``'s marker set (None: the user is gone)."""
        users = dict(self.users)
        if marker is None:
            users.pop(user_name, None)
        else:
            users[user_name] = marker
        return replace(self, users=MappingProxyType(users))


@dataclass(frozen=True, slots=True)
class Lease:
    """A held lease: ``fence`` grows by one with every new holder, so a write carrying an older
    fence is recognisably late (a fencing token)."""

    key: str
    owner: str
    fence: int
    expires_at: datetime
