"""RAM's Marker/MaxItems paging: stable order, opaque markers that survive deletes and renames.

ListUsers, ListGroups, ListRoles, ListPolicies and ListUsersForGroup take ``Marker`` and
``MaxItems`` (1-1000, default 100) and answer ``IsTruncated`` plus ``Marker`` only when
truncated (ram20150501==1.3.0 models/_list_users_response_body.py). Entities page in creation
order (their ``serial``); the marker names the serial of the first entity of the next page, so
deleting or renaming entities between calls neither repeats nor skips the others.
UNCONFIRMED: RAM's own order and marker format are not documented.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from localcloud.core.errors import InvalidParameter

T = TypeVar("T")

MAX_ITEMS_LOW = 1
MAX_ITEMS_HIGH = 1000
MAX_ITEMS_DEFAULT = 100
_PREFIX = "lc1:"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    marker: str | None
    """The marker of the next page; None when this page is the last."""

    @property
    def is_truncated(self) -> bool:
        return self.marker is not None


def encode_marker(serial: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{serial}".encode()).decode("ascii").rstrip("=")


def decode_marker(marker: str) -> int:
    """The serial a marker names; a marker localcloud did not issue is refused.

    UNCONFIRMED: the code RAM answers for a forged marker; localcloud uses the common
    ``InvalidParameter``.
    """
    try:
        text = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidParameter('The parameter "Marker" is invalid.') from exc
    if not text.startswith(_PREFIX) or not text[len(_PREFIX):].isdigit():
        raise InvalidParameter('The parameter "Marker" is invalid.')
    return int(text[len(_PREFIX):])


def paginate(items: Sequence[T], serial_of: Callable[[T], int], marker: str | None, max_items: int) -> Page[T]:
    """One page of ``items`` (in any order), in serial order from ``marker`` on.

    UNCONFIRMED: the code for MaxItems outside 1-1000; localcloud uses the common ``InvalidParameter``.
    """
    if not MAX_ITEMS_LOW <= max_items <= MAX_ITEMS_HIGH:
        raise InvalidParameter(
            f'The parameter "MaxItems" must be between {MAX_ITEMS_LOW} and {MAX_ITEMS_HIGH}, not {max_items}.'
        )
    ordered = sorted(items, key=serial_of)
    if marker:
        start = decode_marker(marker)
        ordered = [item for item in ordered if serial_of(item) >= start]
    page = ordered[:max_items]
    if len(ordered) > max_items:
        return Page(page, encode_marker(serial_of(ordered[max_items])))
    return Page(page, None)
