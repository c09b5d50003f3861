"""What the cold-start bench (``rampart_dev.bench.cold``) deploys on a localcloud subprocess, and
the first event it sends each function.

Not ``rampart_dev.devstack``'s deployment, on purpose: a cold start is timed from the first import to
the first answer, so nothing may run in the server meanwhile (devstack deploys robots, a dead-letter
function and a running lifecycle queue), and the functions get their credentials in the environment
as FC passes a role's, which lets the bench run the built code outside localcloud's FC. It deploys:

- ``rampart init`` with the example catalog (the SLS audit trail, the custom policies);
- a RAM user ``rampart-bench-fc`` with an AccessKey: the functions' credentials, passed in the
  ``ALIBABA_CLOUD_*`` variables as FC passes the role's (AdministratorAccess here: the
  bench times imports and one call, and least privilege is proven by the functional tests);
- fresh random signing secrets for the generic HR and generic ticket contracts, stored in KMS
  under the names the functions' environment gives (``rampart.config.SOURCE_SECRET_ENV``);
- ``rampart-lifecycle`` registered in localcloud's FC (admin route) with its queue paused, so
  a receiver's async hand-off is accepted (202) exactly as in production but nothing runs in
  the server while the next cold start is timed; :func:`teardown` drops the queued calls.

Every event is new (its id carries a tag unique in the run), so FC never answers 409.
Everything goes through rampart's own adapters: this module imports no SDK itself. It never
prints or logs a secret; :attr:`BenchStack.secret_values` lists them so the bench can check
that no child printed one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rampart import config
from rampart.events import format_time
from rampart.secret import Secret

from rampart_dev.bench.calls import Admin

REPO = Path(__file__).resolve().parents[3]
EVENTS = REPO / "events"
BENCH_USER = "rampart-bench-fc"
LIFECYCLE = config.DEFAULT_LIFECYCLE_FUNCTION
HR_SECRET_NAME = "rampart-webhook/generic-hr"  # noqa: S105 - a secret's name
TICKET_SECRET_NAME = "rampart-webhook/ticket-generic"  # noqa: S105 - a secret's name
SOURCE_IP = "203.0.113.10"


class FunctionsAdmin(Admin):
    """localcloud's FC admin routes the bench needs besides registering (pause, forget)."""

    def pause(self) -> None:
        self.call("POST", "/functions/pause", {})

    def forget_functions(self) -> None:
        """Drops queued calls and forgets every function (nothing queued runs at shutdown)."""
        self.call("DELETE", "/functions")


@dataclass(frozen=True, slots=True)
class BenchStack:
    env: Mapping[str, str] = field(repr=False)
    """The functions' environment, credentials included (never printed)."""
    hr_secret: Secret
    ticket_secret: Secret
    secret_values: tuple[str, ...] = field(repr=False)


def deploy(info: Mapping[str, Any], admin: FunctionsAdmin) -> BenchStack:
    from rampart.adapters import build
    from rampart.adapters.sls import SlsAuditSink
    from rampart.catalog import load_catalog
    from rampart.model import Attachment, PolicyRef, PolicyType
    from rampart.operations import initialise

    base = {config.ENV_ENDPOINT: str(info["endpoint"]), config.ENV_REGION: str(info["region"])}
    root = config.Settings.from_env(base, access_key_id=info["access_key_id"], access_key_secret=info["access_key_secret"])
    adapters = build(root)
    initialise(adapters.identities, SlsAuditSink(root), load_catalog(root.catalog_path))
    adapters.identities.create_user(BENCH_USER, "rampart cold-start bench", "the functions' credentials")
    adapters.identities.attach(BENCH_USER, Attachment(PolicyRef(PolicyType.SYSTEM, "AdministratorAccess")))
    key = adapters.identities.create_access_key(BENCH_USER)
    hr_secret, ticket_secret = Secret(secrets.token_hex(24)), Secret(secrets.token_hex(24))
    for name, secret in ((HR_SECRET_NAME, hr_secret), (TICKET_SECRET_NAME, ticket_secret)):
        adapters.secrets.put(name, Secret(json.dumps({"secret": secret.reveal()})), {})
    env = {
        **base,
        config.ENV_LIFECYCLE_FUNCTION: LIFECYCLE,
        config.ENV_GENERIC_HR_SECRET_NAME: HR_SECRET_NAME,
        config.ENV_TICKET_SECRET_NAME: TICKET_SECRET_NAME,
    }
    admin.register({"name": LIFECYCLE, "handler": "functions/lifecycle/index.handler", "env": env,
                    "code_root": str(REPO), "timeout": 120})
    admin.pause()
    env[config.ENV_FC_ACCOUNT_ID] = str(info["account_id"])  # FC sets it (localcloud refuses FC_* in a spec)
    env[config.ENV_ACCESS_KEY_ID] = key.access_key_id
    env[config.ENV_ACCESS_KEY_SECRET] = key.secret.reveal()
    values = (key.secret.reveal(), str(info["access_key_secret"]), hr_secret.reveal(), ticket_secret.reveal())
    return BenchStack(env, hr_secret, ticket_secret, values)


def teardown(admin: FunctionsAdmin) -> None:
    admin.forget_functions()


# --- the first events ----------------------------------------------------------------------


def _sample(*parts: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EVENTS.joinpath(*parts).read_text("utf-8"))
    return data


def _signed_http(path: str, secret: Secret, payload: Mapping[str, Any], now: datetime) -> bytes:
    """The FC 3.0 HTTP trigger event of a request signed with rampart's contract."""
    from rampart.fc.http_trigger import http_event

    from rampart_dev import hr_senders

    request = hr_senders.generic(secret, hr_senders.compact(payload), now)
    return json.dumps(http_event("POST", path, request.body, now, headers=request.headers,
                                 source_ip=SOURCE_IP)).encode()


def hr_joiner(stack: BenchStack, now: datetime, tag: str) -> bytes:
    """``events/hr/generic/joiner.json`` with a new event id, signed now."""
    payload = {**_sample("hr", "generic", "joiner.json"), "event_id": f"bench-hr-{tag}", "occurred_at": format_time(now)}
    return _signed_http("/hr/generic", stack.hr_secret, payload, now)


def ticket_grant(stack: BenchStack, now: datetime, tag: str) -> bytes:
    """``events/ticket/generic-grant.json`` (a 2-hour break-glass grant) with a new id, signed now."""
    payload = {**_sample("ticket", "generic-grant.json"), "event_id": f"bench-ticket-{tag}",
               "occurred_at": format_time(now)}
    return _signed_http("/ticket/generic", stack.ticket_secret, payload, now)


def lifecycle_joiner(stack: BenchStack, now: datetime, tag: str) -> bytes:
    """``events/mq/cloudevent-single.json`` for a new person (an SRE: arms-full, console)."""
    event = _sample("mq", "cloudevent-single.json")
    ident = f"bench-joiner-{tag}"
    slug = tag.replace("_", "-")
    person = {**event["data"]["person"], "person_id": f"BENCH-{slug}", "display_name": f"Bench {slug}",
              "email": f"bench.{slug}@example.com"}
    stamp = format_time(now)
    event.update(id=ident, time=stamp, aliyunpublishtime=stamp)
    event["data"].update(event_id=ident, correlation_id=ident, occurred_at=stamp, person=person)
    return json.dumps(event, ensure_ascii=False).encode()


def sweeper_timer(stack: BenchStack, now: datetime, tag: str) -> bytes:
    """``events/fc/timer-reference.json`` fired now."""
    event = {**_sample("fc", "timer-reference.json"), "triggerTime": format_time(now.replace(microsecond=0))}
    return json.dumps(event).encode()


FIRST_EVENTS: Mapping[str, Callable[[BenchStack, datetime, str], bytes]] = {
    "hr_webhook": hr_joiner,
    "ticket_webhook": ticket_grant,
    "lifecycle": lifecycle_joiner,
    "sweeper": sweeper_timer,
}
"""Each function's representative first event (function folder name -> builder)."""
