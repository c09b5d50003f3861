"""The webhook receivers' logic (``hr_webhook``, ``ticket_webhook``): one FC 3.0 HTTP trigger
event in, one HTTP answer out, within the source's deadline.

    trigger event -> InboundRequest (fc_http) -> route by path -> Source.parse(raw body, now)
      -> immediate reply | ignored (200) | hand-off (202, or 200 "duplicate") | sync apply

- **Hand-off** (the default): the events go to the lifecycle function with FC async invoke,
  ``envelopes.handoff_payload(events, delivery_id)``, the task id derived from the source's
  own delivery id (``task_id_for``): a redelivery meets FC's 409 and is answered 200
  ``duplicate``. Nothing is applied here, so the answer comes in well under every source's
  deadline (Feishu 1 s for the challenge, 3 s otherwise; webhook-formats.md).
- **Sync apply** (``RAMPART_SYNC_APPLY=1``, small deployments): the engine applies each event
  before the answer: 200 when all applied (or stale: nothing to do), 202 when a leaver is
  held by the circuit breaker, 422 when the engine refused (unknown person or profile, a
  catalog policy), 400 for another refusal of the event, 502 when a cloud call failed (the
  source retries; the engine is idempotent).
- **Refusals**: a ``SourceError`` answers its status (401 signature, stale or replayed; 400
  malformed, naming the fields; 413 oversize; 404 a path no source serves here; 405 not a
  POST) and nothing is enqueued. A ticket grant the catalog refuses (unknown or high-risk
  profile, over ``max_duration``, not approved, self-approval) is 422 before the hand-off
  (``rampart.sources.ticket``, the engine's own rules). Any other rampart error answers its
  class's ``http_status`` (``rampart.errors``); anything else a bare 500 with the request id
  and no text.

Every answer body is built from messages that never hold the request body, a secret or a
stack trace (``fc_http.answer_from``); the log line of a refusal names the status and the
source only. Only the SDKs actually used are imported, lazily (``rampart.fc.runtime``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rampart.errors import RampartError, SourceError, http_status
from rampart.fc import http_trigger as fc_http
from rampart.fc.runtime import Instance, Session
from rampart.model import AuditResult, EventKind, LifecycleEvent
from rampart.sources.base import Inbound

if TYPE_CHECKING:  # the engine (and the catalog's YAML) loads only for a synchronous apply
    from rampart.engine import EventResult

HR_ROUTES: Mapping[str, str] = {
    "/hr/generic": "hr:generic",
    "/hr/feishu": "hr:feishu",
    "/hr/bamboohr": "hr:bamboohr",
    "/hr/dingtalk": "hr:dingtalk",
}
TICKET_ROUTES: Mapping[str, str] = {
    "/ticket/jira": "ticket:jira",
    "/ticket/generic": "ticket:generic",
}
REFUSAL_STATUSES = frozenset({422, 502})
"""The statuses a refused event answers as its error's class says (``rampart.errors``): 422 the
event is well-formed but the catalog or the account says no; 502 a cloud call failed. Any
other refusal is the event's fault: 400."""

_log = logging.getLogger("rampart.fc.receiver")


def route(path: str, routes: Mapping[str, str]) -> str:
    """The source serving ``path`` (a trailing slash is ignored); 404 otherwise."""
    key = path.rstrip("/") or "/"
    name = routes.get(key)
    if name is None:
        raise SourceError(404, f"nothing is served at {path[:80]!r}", hint=f"POST to one of {', '.join(routes)}")
    return name


def receive(event: bytes, context: Any, instance: Instance, routes: Mapping[str, str]) -> dict[str, Any]:
    """The answer for one HTTP trigger event (never raises)."""
    with instance.invocation(context) as request_id:
        try:
            trigger = fc_http.parse_http_event(event)
            request = trigger.request
            name = route(request.path, routes)
            if request.method != "POST":
                raise SourceError(405, f"{request.method} is not accepted; webhooks are POSTed")
            session = instance.session(context)
            inbound = instance.source(name, session).parse(request, instance.now())
            answer = _accept(inbound, session, instance)
            _log.info("delivery answered", extra={"source": name, "status": answer["statusCode"],
                                                  "delivery_id": inbound.delivery_id,
                                                  "events": [e.event_id for e in inbound.events]})
            return answer
        except RampartError as exc:
            status = http_status(exc)
            _log.warning("delivery refused", extra={"status": status, "error_type": type(exc).__name__})
            return fc_http.answer_from(exc)
        except Exception as exc:  # a bug or an outage: no text, only an id to find the log by
            _log.error("delivery failed", extra={"error_type": type(exc).__name__}, exc_info=True)
            return fc_http.answer(500, {"error": "internal error", "request_id": request_id})


def _accept(inbound: Inbound, session: Session, instance: Instance) -> dict[str, Any]:
    if not inbound.events:
        return fc_http.answer_from(inbound)
    if any(event.kind is EventKind.GRANT for event in inbound.events):
        from rampart.sources.ticket import check_grants

        check_grants(session.catalog, inbound.events, instance.now())  # 422 before anything is enqueued
    if instance.function_settings.sync_apply:
        return _apply(inbound, session)
    from rampart.adapters.fc import task_id_for
    from rampart.fc.envelopes import handoff_payload

    delivery_id = inbound.delivery_id or inbound.events[0].event_id
    accepted = session.invoker.submit(
        instance.function_settings.lifecycle_function,
        handoff_payload(inbound.events, delivery_id),
        task_id=task_id_for(delivery_id),
    )
    return fc_http.answer_from(inbound, already_accepted=not accepted)


def _apply(inbound: Inbound, session: Session) -> dict[str, Any]:
    results = [_handle(session, event) for event in inbound.events]
    status = sync_status(results)
    if status == 200 and inbound.reply is not None:
        return fc_http.answer_from(inbound)
    word = {200: "applied", 202: "held", 422: "refused"}.get(status, "failed")
    return fc_http.answer(status, {
        "status": word,
        "delivery_id": inbound.delivery_id,
        "events": [{"event_id": r.event_id, "result": r.result.value, "error_type": r.error_type, "error": r.error}
                   for r in results],
    })


def _handle(session: Session, event: LifecycleEvent) -> EventResult:
    from rampart import logs

    with logs.bind(event.correlation_id or event.event_id, event_id=event.event_id):
        return session.engine.handle(event)


def refusal_status(error: BaseException | None) -> int:
    """The answer to one refused event: its error class's ``http_status`` when that is one of
    :data:`REFUSAL_STATUSES`, else 400."""
    status = http_status(error) if error is not None else 400
    return status if status in REFUSAL_STATUSES else 400


def sync_status(results: list[EventResult]) -> int:
    """The answer to a synchronously applied delivery: the worst of its events."""
    refused = [refusal_status(r.failure) for r in results if r.result is AuditResult.REFUSED]
    if any(r.result is AuditResult.FAILED for r in results) or 502 in refused:
        return 502
    if refused:
        return 422 if 422 in refused else 400
    if any(r.result is AuditResult.HELD for r in results):
        return 202
    return 200
