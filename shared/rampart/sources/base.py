"""The contract every inbound source implements (pure: no I/O, no SDK, ``now`` injected).

A receiver function turns FC's HTTP trigger event into an :class:`InboundRequest`, hands it
to a :class:`Source`, and answers with the :class:`Inbound` it gets back: either events to
hand off (keyed by the source's own delivery id, which becomes the FC async task id so a
redelivery meets FC's 409), or an immediate reply (a URL-verification challenge), or a
:class:`SourceError` (``rampart.errors``, re-exported here) carrying the HTTP status to
answer (401 bad/missing signature, stale timestamp or replay; 400 malformed payload naming
the fields; 413 oversize; 422 unknown person or profile). Verification always runs on the
raw body bytes before any parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from rampart.errors import SourceError
from rampart.model import LifecycleEvent

__all__ = ["MAX_BODY_BYTES", "Inbound", "InboundRequest", "Reply", "Source", "SourceError"]

MAX_BODY_BYTES = 256 * 1024
"""Bodies above this are refused with 413 before anything else is read."""


@dataclass(frozen=True, slots=True)
class InboundRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    """Header names lower-cased; FC joins repeated values with commas."""
    query: Mapping[str, str]
    body: bytes
    """The raw body exactly as sent (FC's base64 already decoded)."""
    source_ip: str = ""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: str
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass(frozen=True, slots=True)
class Inbound:
    events: tuple[LifecycleEvent, ...] = ()
    delivery_id: str = ""
    """The source's own id for this delivery (Feishu event_id, Jira X-Atlassian-Webhook-Identifier,
    CloudEvent id ...): the async task id, so a redelivery is answered as already accepted."""
    reply: Reply | None = None
    """Answer this at once (challenge, encrypted success ack) instead of the default 202."""
    ignored: str = ""
    """Why a well-formed, authentic delivery carries no lifecycle event (e.g. an unrelated
    event type): answered 200 so the source does not retry it."""


class Source(Protocol):
    name: str

    def parse(self, request: InboundRequest, now: datetime) -> Inbound: ...
