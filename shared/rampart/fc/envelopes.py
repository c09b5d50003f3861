"""What the lifecycle function receives, unwrapped into events: rampart's own async hand-off,
EventBridge CloudEvents (single, or a JSON array in event-streaming mode), RocketMQ and MNS
messages delivered through EventBridge, and MNS topic triggers (JSON and STREAM).

Shapes (../shared/reference/webhook-formats.md §6, alibaba-platform.md §D.5), told apart as
§6.4's handler rule says:

- a JSON **array**: an event-streaming batch; each element is a CloudEvent or, with
  ``eventSchema: RawData``, only its ``data``;
- an object with ``specversion``: one **CloudEvent** (``id``, ``source``, ``type`` required;
  ``data`` an object, a JSON string, or ``data_base64``);
- an object with ``TopicOwner``: an **MNS topic** trigger in JSON format (``Message``, ``MessageId``);
- ``{"body": ..., "attrs": ...}``: an MNS topic trigger in **STREAM** format as the
  Serverless Devs template shows it (the docs say STREAM is the raw body; a raw body that
  is our JSON is read directly, see below);
- ``{"rampart": 1, ...}``: rampart's **hand-off** (below); an object with ``event_id``: one
  rampart **event** (the format of ``rampart.events``).

Inside a CloudEvent or a RawData element, ``data`` is read as: a **RocketMQ** message
(``body`` a string, ids in ``systemProperties.UNIQ_KEY`` or ``msgId``), an **MNS queue**
message (``messageBody``, ``messageId``), a hand-off, an event, or a list of events. A
message body is JSON text, or base64 of it (MNS clients may base64-encode bodies).

The hand-off payload (what the receivers send with FC async invoke, or publish to a queue)::

    {"rampart": 1, "delivery_id": "ticket-jira-8f2c41", "events": [<event dict>, ...]}

Output: one :class:`ItemResult` per event, or one per element that could not be read, with
the element's ``index`` in the batch, so the lifecycle function applies what it can and
reports the rest. An event id already seen in the batch is dropped (EventBridge may resend
with the same id; FC retries whole batches), which makes duplicates harmless here too.
Nothing here verifies a signature: these invocations are authenticated by Alibaba Cloud
(trigger plus RAM role); the receivers verified the webhooks before handing them off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rampart.events import MAX_EVENTS_PER_FILE, event_to_dict
from rampart.model import LifecycleEvent
from rampart.sources import build_event, check_size, decode_base64, decode_json, json_type
from rampart.sources.base import SourceError

HANDOFF_VERSION = 1
MAX_ENVELOPE_BYTES = 32 * 1024 * 1024
"""FC 3.0's synchronous payload limit (UNCONFIRMED for EventBridge batches); a larger event
is refused whole with 413."""
MAX_BATCH_ITEMS = 10_000


@dataclass(frozen=True, slots=True)
class ItemResult:
    index: int
    """The element's position in the batch (0 for a single envelope)."""
    delivery_id: str
    """The message's own id (RocketMQ UNIQ_KEY/msgId, MNS MessageId, CloudEvent id, or the
    hand-off's delivery id), for the report; empty when none could be read."""
    event: LifecycleEvent | None = None
    error: SourceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def handoff_payload(events: Sequence[LifecycleEvent], delivery_id: str = "") -> bytes:
    """The receivers' async payload: compact UTF-8 JSON, the inverse of the parser here."""
    if not events:
        raise ValueError("a hand-off carries at least one event")
    if len(events) > MAX_EVENTS_PER_FILE:
        raise ValueError(f"a hand-off carries at most {MAX_EVENTS_PER_FILE} events")
    payload: dict[str, Any] = {"rampart": HANDOFF_VERSION}
    if delivery_id:
        payload["delivery_id"] = delivery_id
    payload["events"] = [event_to_dict(event) for event in events]
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def parse_handoff(raw: bytes) -> tuple[str, list[LifecycleEvent]]:
    """Strictly a hand-off payload: (delivery id, events); any problem is a SourceError."""
    check_size(raw, MAX_ENVELOPE_BYTES)
    data = decode_json(raw, what="hand-off")
    if not isinstance(data, dict) or "rampart" not in data:
        raise SourceError(400, "hand-off: not a rampart hand-off payload (no 'rampart' key)")
    delivery_id = _handoff_delivery(data, "hand-off")
    events: list[LifecycleEvent] = []
    for item in _handoff_items(data, "hand-off"):
        if isinstance(item, SourceError):
            raise item
        events.append(item)
    return delivery_id, events


def parse_envelope(raw: bytes) -> list[ItemResult]:
    """Every event in a lifecycle invocation, in order, duplicates dropped.

    Raises only when nothing can be read: oversize (413) or not JSON at all (400).
    """
    check_size(raw, MAX_ENVELOPE_BYTES)
    data = _decode_message(raw, "event")
    if isinstance(data, list):
        if len(data) > MAX_BATCH_ITEMS:
            raise SourceError(413, f"batch holds {len(data)} elements; at most {MAX_BATCH_ITEMS}")
        elements = [(index, element, f"[{index}]") for index, element in enumerate(data)]
    else:
        elements = [(0, data, "event")]
    results: list[ItemResult] = []
    seen: set[str] = set()
    for index, element, where in elements:
        for result in _element(index, element, where):
            if result.event is not None:
                if result.event.event_id in seen:
                    continue
                seen.add(result.event.event_id)
            results.append(result)
    return results


def failures(results: Sequence[ItemResult]) -> list[ItemResult]:
    return [result for result in results if not result.ok]


# --- one element -------------------------------------------------------------------------


def _peek_id(element: Mapping[str, Any]) -> str:
    """The envelope's id before anything else is read, so even a refused element names it."""
    inner = element.get("data")
    data: Mapping[str, Any] = inner if isinstance(inner, dict) else element
    found = data.get("systemProperties")
    props: Mapping[str, Any] = found if isinstance(found, dict) else {}
    for value in (props.get("UNIQ_KEY"), data.get("msgId"), data.get("messageId"), element.get("MessageId")):
        if _optional_id(value):
            return _optional_id(value)
    if "specversion" in element:
        return _optional_id(element.get("id"))
    return _optional_id(element.get("delivery_id")) if "rampart" in element else ""


def _element(index: int, element: Any, where: str) -> list[ItemResult]:
    delivery_id = _peek_id(element) if isinstance(element, dict) else ""
    try:
        if not isinstance(element, dict):
            if isinstance(element, list):
                raise SourceError(400, f"{where}: a nested array is not an event envelope")
            raise SourceError(400, f"{where}: must be an object, not {json_type(element)}")
        delivery_id, items = _unwrap(element, where)
        out = []
        for item in items:
            if isinstance(item, SourceError):
                out.append(ItemResult(index, delivery_id, error=item))
            else:
                out.append(ItemResult(index, delivery_id, event=item))
        if not out:
            raise SourceError(400, f"{where}: carries no event")
        return out
    except SourceError as exc:
        return [ItemResult(index, delivery_id, error=exc)]


_Items = list["LifecycleEvent | SourceError"]


def _unwrap(element: Mapping[str, Any], where: str) -> tuple[str, _Items]:
    if "specversion" in element:
        return _cloudevent(element, where)
    if "TopicOwner" in element or ("Message" in element and "MessageId" in element):
        message = _string(element, "Message", where)
        msg_id = _optional_id(element.get("MessageId"))
        return _message(message, f"{where}.Message", msg_id)
    if element.get("version") == "v1" and "rawPath" in element:
        raise SourceError(400, f"{where}: an HTTP trigger request; send webhooks to hr_webhook or ticket_webhook")
    if "triggerTime" in element and "triggerName" in element:
        raise SourceError(400, f"{where}: a timer trigger event; it belongs to the sweeper function")
    return _payload(element, where, "")


def _cloudevent(element: Mapping[str, Any], where: str) -> tuple[str, _Items]:
    for key in ("specversion", "id", "source", "type"):
        value = element.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SourceError(400, f"{where}.{key}: a CloudEvent needs it as a non-empty string")
    ce_id = element["id"].strip()[:200]
    if "data" in element:
        data = element["data"]
        if isinstance(data, str):
            data = _decode_message(data, f"{where}.data")
    elif "data_base64" in element:
        encoded = _string(element, "data_base64", where)
        data = _decode_message(decode_base64(encoded, what=f"{where}.data_base64"), f"{where}.data_base64")
    else:
        raise SourceError(400, f"{where}.data: the CloudEvent carries no data")
    if isinstance(data, list):
        return ce_id, _events(data, f"{where}.data")
    if not isinstance(data, dict):
        raise SourceError(400, f"{where}.data: must be an object, not {json_type(data)}")
    return _payload(data, f"{where}.data", ce_id)


def _payload(data: Mapping[str, Any], where: str, envelope_id: str) -> tuple[str, _Items]:
    """``data`` of a CloudEvent, a RawData element, or a bare top-level object."""
    if "rampart" in data:
        return envelope_id or _handoff_delivery(data, where), list(_handoff_items(data, where))
    if "event_id" in data and "kind" in data:
        return envelope_id, [_event(data, where)]
    if "messageBody" in data:  # MNS queue via EventBridge
        message = _string(data, "messageBody", where)
        return _message(message, f"{where}.messageBody", _optional_id(data.get("messageId")) or envelope_id)
    if "body" in data:  # RocketMQ via EventBridge, or an MNS topic STREAM template
        message = _string(data, "body", where)
        properties = data.get("systemProperties")
        props = properties if isinstance(properties, dict) else {}
        msg_id = _optional_id(props.get("UNIQ_KEY")) or _optional_id(data.get("msgId"))
        return _message(message, f"{where}.body", msg_id or envelope_id)
    raise SourceError(
        400,
        f"{where}: neither a rampart event (event_id, kind), a hand-off (rampart), "
        "a RocketMQ message (body) nor an MNS message (messageBody, Message)",
    )


def _message(text: str, where: str, msg_id: str) -> tuple[str, _Items]:
    data = _decode_message(text, where)
    if isinstance(data, list):
        return msg_id, _events(data, where)
    if not isinstance(data, dict):
        raise SourceError(400, f"{where}: must hold a JSON object, not {json_type(data)}")
    if "rampart" in data:
        return msg_id or _handoff_delivery(data, where), list(_handoff_items(data, where))
    if "event_id" in data:
        return msg_id, [_event(data, where)]
    raise SourceError(400, f"{where}: holds neither a rampart event (event_id) nor a hand-off (rampart)")


def _decode_message(data: bytes | str, where: str) -> Any:
    """JSON text, or base64 of JSON text (MNS bodies may be base64-encoded by the sender)."""
    try:
        return decode_json(data, what=where)
    except SourceError as first:
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
        stripped = text.strip()
        if not stripped or stripped[0] in '{["' or len(stripped) % 4:
            raise first from None
        try:
            return decode_json(decode_base64(stripped, what=where), what=where)
        except SourceError:
            raise first from None


# --- hand-off and events -----------------------------------------------------------------


def _handoff_delivery(data: Mapping[str, Any], where: str) -> str:
    value = data.get("delivery_id", "")
    if not isinstance(value, str):
        raise SourceError(400, f"{where}.delivery_id: must be a string, not {json_type(value)}")
    return value[:200]


def _handoff_items(data: Mapping[str, Any], where: str) -> Iterator[LifecycleEvent | SourceError]:
    version = data.get("rampart")
    if version != HANDOFF_VERSION or isinstance(version, bool):
        raise SourceError(400, f"{where}.rampart: hand-off version {version!r} is not {HANDOFF_VERSION}")
    unknown = sorted(str(k)[:40] for k in data if k not in ("rampart", "delivery_id", "events"))
    if unknown:
        raise SourceError(400, f"{where}: unknown hand-off keys {', '.join(unknown[:5])}")
    events = data.get("events")
    if not isinstance(events, list) or not events:
        raise SourceError(400, f"{where}.events: must be a non-empty array of events")
    yield from _events(events, f"{where}.events")


def _events(items: list[Any], where: str) -> _Items:
    if len(items) > MAX_EVENTS_PER_FILE:
        raise SourceError(400, f"{where}: {len(items)} events; at most {MAX_EVENTS_PER_FILE}")
    out: _Items = []
    for i, item in enumerate(items):
        try:
            out.append(_event(item, f"{where}[{i}]"))
        except SourceError as exc:
            out.append(exc)
    return out


def _event(data: Any, where: str) -> LifecycleEvent:
    if not isinstance(data, dict):
        raise SourceError(400, f"{where}: an event must be an object, not {json_type(data)}")
    return build_event(data, where=where)


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise SourceError(400, f"{where}.{key}: must be a string, not {json_type(value)}")
    return value


def _optional_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value).strip()[:200]
