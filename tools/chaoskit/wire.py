"""How the chaos campaign's events reach rampart, as the real sources send them.

Each :class:`~tools.chaoskit.story.Event` becomes a body once (:func:`body_for`); every
delivery of it signs that body afresh at send time with the DEMO secrets
(events/hr/demo-config.json, events/ticket/demo-config.json), as a source redelivering a
webhook does. A webhook answered 5xx, or not answered, is sent again with a growing back-off
(HR systems and Jira retry); an EventBridge target that failed is invoked again. Everything
answered is kept (:attr:`Sender.answers`) for the secret scan.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from rampart.secret import Secret
from rampart.sources.signing import sign_body, signed_headers
from rampart_dev import hr_senders

from tools.chaoskit.story import Channel, Event

FEISHU_DEPARTMENT = "od-4e6ac4d14bcd5071a37a39de902c7141"
"""The one department the demo Feishu configuration maps (to Engineering)."""
FEISHU_TOKEN_KEY = "verification_token"  # noqa: S105 - a configuration key
SEND_TRIES = 8
LIFECYCLE = "rampart-lifecycle"


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _compact(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def rampart_event(ev: Event) -> dict[str, Any]:
    """rampart's own event JSON (generic HR contract, MQ CloudEvent data)."""
    p = ev.person
    data: dict[str, Any] = {"event_id": ev.event_id, "kind": ev.kind, "occurred_at": _iso(ev.occurred_at),
                            "source": "hr:generic", "actor": "chaos-hr", "correlation_id": ev.event_id}
    if ev.kind == "leaver":
        data["person_id"] = p.person_id
        if ev.immediate:
            data["immediate"] = True
        return data
    attributes = {"department": ev.department, "title": ev.title, "cost_center": f"CC-{p.index % 7}"}
    if p.programmatic:
        attributes["employment_type"] = "service-account"
    data["person"] = {"person_id": p.person_id, "display_name": f"Chaos Person {p.index}", "email": p.email,
                      "attributes": attributes, "manager": "E0001"}
    return data


def _feishu(ev: Event, config: dict[str, Any]) -> dict[str, Any]:
    p = ev.person
    status = {"is_frozen": False, "is_resigned": ev.kind == "leaver", "is_activated": True, "is_exited": False,
              "is_unjoin": False}
    obj = {"user_id": p.person_id, "open_id": f"ou_{p.person_id.lower()}", "name": f"Chaos Person {p.index}",
           "enterprise_email": p.email, "job_title": ev.title or p.title, "status": status,
           "department_ids": [FEISHU_DEPARTMENT], "employee_type": 1}
    event: dict[str, Any] = {"object": obj}
    if ev.kind == "mover":
        event["old_object"] = {"job_title": p.title}
    elif ev.kind == "leaver":
        event["old_object"] = {"status": {**status, "is_resigned": False}}
    kind = "contact.user.created_v3" if ev.kind == "joiner" else "contact.user.updated_v3"
    header = {"event_id": ev.event_id, "event_type": kind, "create_time": str(_ms(ev.occurred_at)),
              "token": config[FEISHU_TOKEN_KEY], "app_id": "cli_chaos", "tenant_key": "chaos"}
    return {"schema": "2.0", "header": header, "event": event}


def _jira(ev: Event) -> dict[str, Any]:
    p = ev.person
    fields: dict[str, Any] = {
        "summary": f"Request access: {ev.profile} for {p.person_id}",
        "status": {"id": "10002", "name": "Approved"},
        "reporter": {"accountId": f"acct-{p.person_id}", "displayName": p.person_id, "emailAddress": p.email},
        "customfield_10010": {"requestType": {"id": "25", "name": "Request access"}},
        "customfield_10050": p.person_id,
        "customfield_10051": {"id": "10020", "value": ev.profile},
    }
    if ev.duration:
        fields["customfield_10052"] = ev.duration
    return {
        "timestamp": _ms(ev.occurred_at), "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
        "user": {"accountId": "chaos-approver", "displayName": "Chaos Approver", "emailAddress": "approver@example.com"},
        "issue": {"id": str(10000 + p.index), "key": f"OPS-{p.index}", "fields": fields},
        "changelog": {"id": "1", "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "10001",
                                            "fromString": "Waiting for approval", "to": "10002", "toString": "Approved"}]},
    }


def _ticket(ev: Event) -> dict[str, Any]:
    p = ev.person
    return {"ticket_id": f"RITM{p.index:07d}", "action": "grant", "user": p.user, "profile": ev.profile,
            "duration": ev.duration, "status": "approved", "requester": p.user, "approver": "security-oncall",
            "occurred_at": _iso(ev.occurred_at), "event_id": ev.event_id}


def _cloudevent(ev: Event) -> dict[str, Any]:
    return {"id": f"ce-{ev.event_id}", "source": "rampart.hr", "specversion": "1.0", "type": "rampart:Lifecycle:Event",
            "datacontenttype": "application/json; charset=utf-8", "subject": "rampart/events",
            "time": _iso(ev.occurred_at), "aliyuneventbusname": "rampart", "aliyunregionid": "cn-hangzhou",
            "data": rampart_event(ev)}


def body_for(ev: Event, config: dict[str, dict[str, Any]]) -> bytes:
    """The body the source sends (Feishu: the plaintext, encrypted at send time)."""
    builders = {Channel.HR_GENERIC: lambda: rampart_event(ev), Channel.FEISHU: lambda: _feishu(ev, config["hr:feishu"]),
                Channel.JIRA: lambda: _jira(ev), Channel.TICKET: lambda: _ticket(ev), Channel.MQ: lambda: _cloudevent(ev)}
    return _compact(builders[ev.channel]())


class Sender:
    """Signs and sends deliveries; thread-safe; counts what happened."""

    def __init__(self, url: str, config: dict[str, dict[str, Any]], fc: Any, seed: int) -> None:
        self.url = url
        self.config = config
        self._fc = fc
        self._seed = seed
        self._lock = threading.Lock()
        self.answers: list[str] = []
        self.counts: Counter[str] = Counter()
        self.refused: list[str] = []

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def signed(self, ev: Event, body: bytes, now: datetime, rng: random.Random) -> hr_senders.SignedRequest:
        if ev.channel is Channel.HR_GENERIC:
            return hr_senders.generic(Secret(self.config["hr:generic"]["secret"]), body, now)
        if ev.channel is Channel.FEISHU:
            nonce = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
            return hr_senders.feishu_request(Secret(self.config["hr:feishu"]["encrypt_key"]), body, now,
                                             nonce=nonce, iv=rng.randbytes(16))
        if ev.channel is Channel.JIRA:
            headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Atlassian Webhook HTTP Client",
                       "X-Atlassian-Webhook-Identifier": f"chaos-{ev.event_id}", "X-Atlassian-Webhook-Flow": "Primary",
                       "X-Hub-Signature": sign_body(Secret(self.config["ticket:jira"]["secret"]), body)}
            return hr_senders.SignedRequest(body, headers)
        secret = Secret(self.config["ticket:generic"]["secret"])
        headers = {"Content-Type": "application/json", **signed_headers(secret, int(now.timestamp()), body)}
        return hr_senders.SignedRequest(body, headers)

    def deliver(self, ev: Event, body: bytes, copy: int) -> str:
        """One delivery (with the source's own retries); the final outcome."""
        rng = random.Random(f"{self._seed}:{ev.event_id}:{copy}")
        for attempt in range(SEND_TRIES):
            outcome = self._invoke(ev, body) if ev.channel is Channel.MQ else self._post(ev, body, rng)
            if outcome != "retry":
                self._count(outcome)
                return outcome
            self._count("retried")
            time.sleep(min(0.1 * 2 ** attempt, 3.0) * (0.5 + rng.random()))
        self._count("gave-up")
        with self._lock:
            self.refused.append(f"{ev.event_id} (copy {copy}): no answer after {SEND_TRIES} tries")
        return "gave-up"

    def _invoke(self, ev: Event, body: bytes) -> str:
        from rampart.errors import RampartError

        try:
            self._fc.invoke_async(LIFECYCLE, body)
        except RampartError:
            return "retry"  # EventBridge retries a failed target
        return "enqueued"

    def _post(self, ev: Event, body: bytes, rng: random.Random) -> str:
        request = self.signed(ev, body, datetime.now(timezone.utc), rng)
        query = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in request.query.items())
        http = urllib.request.Request(self.url + ev.channel.value + (f"?{query}" if query else ""),  # noqa: S310
                                      data=request.body, headers=request.headers, method="POST")
        try:
            with urllib.request.urlopen(http, timeout=120) as answer:  # noqa: S310 - the dev server on loopback
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, OSError):
            return "retry"
        text = raw.decode("utf-8", "replace")
        with self._lock:
            self.answers.append(text)
        if status >= 500:
            return "retry"
        if status >= 400:
            with self._lock:
                self.refused.append(f"{ev.event_id} via {ev.channel.value}: HTTP {status} {text[:200]}")
            return "refused"
        try:
            said = json.loads(text).get("status", "ok")
        except (ValueError, AttributeError):
            said = "ok"
        return str(said)


def event_ids(payload: str) -> str:
    """The event ids a lifecycle payload carries (hand-off or CloudEvent), for the report."""
    try:
        data = json.loads(payload)
    except ValueError:
        return "?"
    events = data.get("events") or [data.get("data") or {}] if isinstance(data, dict) else []
    return ",".join(str(e.get("event_id", "?")) for e in events if isinstance(e, dict)) or "?"
