"""What the hostile-input tests of the webhook receivers share (test_hostile_receivers.py,
test_hostile_tickets.py): one deployment per module on localcloud (``Site``), a delivery that
records whether localcloud's state changed, each source's sender (signing and encrypting any
body with the deployment's secrets), valid sample payloads with fresh ids, and the hostile
strategies.

"State" is ``CloudState.snapshot()`` (RAM, KMS, ResourceManager, STS and SLS, log records
included, so a refusal that wrote an audit record would show) plus the FC async task list.
"""

from __future__ import annotations

import json
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rampart.events import format_time
from rampart.fc.http_trigger import http_event
from rampart.secret import Secret
from rampart.sources.hr.dingtalk import DingTalkCrypto
from rampart.sources.signing import sign_body, signed_headers
from rampart_dev import hr_senders

from localcloud import LocalCloud
from tests.functional.rampart.functions_support import EVENTS, JIRA, TICKET, Deployment, deploy, samples

HOSTILE = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
FEW = settings(HOSTILE, max_examples=20)

HR_SOURCES = ("generic", "feishu", "bamboohr", "dingtalk")
TICKET_SOURCES = ("jira", "ticket")
PATHS = {"generic": "/hr/generic", "feishu": "/hr/feishu", "bamboohr": "/hr/bamboohr", "dingtalk": "/hr/dingtalk",
         "jira": "/ticket/jira", "ticket": "/ticket/generic"}
FUNCTION = {**{s: "hr_webhook" for s in HR_SOURCES}, **{s: "ticket_webhook" for s in TICKET_SOURCES}}
WINDOW = {s: timedelta(minutes=5) for s in PATHS} | {"jira": timedelta(hours=1)}
"""How old a signed time may be: the 5-minute replay window; Jira's body timestamp, max_age."""
REFUSALS = frozenset({400, 401, 404, 405, 413, 422})


# --- the deployment (one per module: hypothesis runs many examples against it) ----------------


@dataclass
class Answer:
    status: int
    body: Any
    text: str
    changed: bool


class Site:
    """The deployment and its two receivers (not a dataclass: hypothesis prints the fixture in
    a falsifying example, and this one holds the whole deployment)."""

    def __init__(self, cloud: LocalCloud, deployment: Deployment, demo: dict[str, Any]) -> None:
        self.cloud = cloud
        self.deployment = deployment
        self.demo = demo
        self.offset = [timedelta(0)]
        """Added to localcloud's clock for the receivers (a replay arriving later)."""
        self.modules: dict[str, ModuleType] = {}

    def __repr__(self) -> str:
        return "Site()"

    def now(self) -> datetime:
        return self.cloud.now() + self.offset[0]

    def state(self) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        tasks = sorted((t.function, t.task_id, t.status.value) for t in self.cloud.functions.tasks())
        return self.cloud.state.snapshot(), tasks

    def deliver(self, function: str, event: bytes | dict[str, Any]) -> Answer:
        raw = event if isinstance(event, bytes) else json.dumps(event).encode()
        context = self.deployment.context()  # STS AssumeRole (cached) happens before the snapshot
        before = self.state()
        answer = self.modules[function].handler(raw, context)
        changed = self.state() != before
        text = answer["body"]
        assert isinstance(text, str) and not answer["isBase64Encoded"]
        assert "Traceback" not in text and 'File "' not in text
        self.deployment.assert_clean(text)
        return Answer(answer["statusCode"], json.loads(text), text, changed)


def deployed(server: LocalCloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A module's site: localcloud reset, rampart deployed, lifecycle functions paused, the two
    receivers loaded once (warm instances) with the site's clock. Cleans up afterwards."""
    server.faults.clear()
    server.functions.reset()
    server.reset()
    server.state.clock.reset()
    deployment = deploy(server, tmp_path_factory.mktemp("hostile"))
    deployment.assert_clean("")  # collects the escrowed values once
    server.functions.pause()
    made = Site(server, deployment, samples().demo_config())
    made.modules = {f: deployment.receiver(f, clock=made.now) for f in ("hr_webhook", "ticket_webhook")}
    try:
        yield made
    finally:
        server.functions.reset()
        server.reset()


def checked(site: Site, capsys: pytest.CaptureFixture[str]) -> Iterator[Site]:
    """A test's site: the receivers' clock back at localcloud's; afterwards no log line of the
    test holds a stack trace or a secret."""
    site.offset[0] = timedelta(0)
    yield site
    site.offset[0] = timedelta(0)
    logged = capsys.readouterr().err
    assert "Traceback" not in logged
    site.deployment.assert_clean(logged)


def refused(answer: Answer, *statuses: int) -> str:
    """The refusal's error text, after checking the common properties."""
    assert answer.status in (statuses or REFUSALS), (answer.status, answer.text)
    assert not answer.changed, f"a {answer.status} refusal changed localcloud's state: {answer.text}"
    assert isinstance(answer.body, dict) and isinstance(answer.body.get("error"), str), answer.text
    error: str = answer.body["error"]
    assert error.strip()
    return error


# --- signed requests ---------------------------------------------------------------------------


def payload(source: str) -> dict[str, Any]:
    """A valid payload of ``source`` with fresh ids (a new delivery every time)."""
    unique = uuid.uuid4().hex
    if source == "jira":
        data: dict[str, Any] = json.loads((EVENTS / "ticket" / "jira-issue-approved.json").read_text("utf-8"))
        return data
    if source == "ticket":
        data = json.loads((EVENTS / "ticket" / "generic-grant.json").read_text("utf-8"))
        data["event_id"] = unique
        return data
    name = {"generic": "joiner.json", "feishu": "user-created.json", "bamboohr": "employee-created.json",
            "dingtalk": "user-add-org.json"}[source]
    data = json.loads((EVENTS / "hr" / source / name).read_text("utf-8"))
    if source == "generic":
        data["event_id"] = f"hostile-{unique}"
    elif source == "feishu":
        data["header"]["event_id"] = unique
    elif source == "bamboohr":
        data["data"]["employeeId"] = str(int(unique[:12], 16))
    else:
        data["eventId"] = unique
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def signed(site: Site, source: str, body: bytes, *, at: datetime | None = None,
           identifier: str = "", secret: str | None = None) -> dict[str, Any]:
    """The FC HTTP trigger event for ``body`` sent by ``source``'s sender at ``at`` (now), signed
    (and for Feishu and DingTalk encrypted) with the deployment's secret, or ``secret``."""
    when = at or site.now()
    demo = site.demo
    headers: dict[str, str] = {"Content-Type": "application/json"}
    query: dict[str, str] = {}
    if source == "generic":
        request = hr_senders.generic(Secret(secret or demo["generic"]["secret"]), body, when)
        headers, body = request.headers, request.body
    elif source == "feishu":
        request = hr_senders.feishu_request(Secret(secret or demo["feishu"]["encrypt_key"]), body, when,
                                            nonce="hostile0nce", iv=b"0123456789abcdef")
        headers, body = request.headers, request.body
    elif source == "bamboohr":
        request = hr_senders.bamboohr_request(Secret(secret or demo["bamboohr"]["private_key"]), body, when)
        headers, body = request.headers, request.body
    elif source == "dingtalk":
        ding = demo["dingtalk"]
        crypto = DingTalkCrypto(Secret(secret or ding["token"]), Secret(ding["aes_key"]), ding["owner_key"])
        request = hr_senders.dingtalk_request(crypto, body, when, nonce="n0nce123", random16=b"r" * 16)
        headers, query, body = request.headers, request.query, request.body
    elif source == "jira":
        headers["X-Hub-Signature"] = sign_body(Secret(secret or str(JIRA["secret"])), body)
        headers["X-Atlassian-Webhook-Identifier"] = identifier or str(uuid.uuid4())
    else:
        headers |= signed_headers(Secret(secret or TICKET["secret"]), int(when.timestamp()), body)
    return http_event("POST", PATHS[source], body, site.now(), headers=headers, query=query)


JIRA_SAMPLE_TIME = 1740819600000
TICKET_SAMPLE_TIME = "2025-03-01T17:05:00+08:00"
"""The samples' own times, replaced by the sending time (a mutation of them is kept)."""


def valid(site: Site, source: str, data: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """A signed delivery of ``data`` (a fresh valid payload by default); Jira's body time is now."""
    data = data if data is not None else payload(source)
    at = kwargs.get("at") or site.now()
    if source == "jira" and data.get("timestamp") == JIRA_SAMPLE_TIME:
        data["timestamp"] = int(at.timestamp() * 1000)
    if source == "ticket" and data.get("occurred_at") == TICKET_SAMPLE_TIME:
        data["occurred_at"] = format_time(at)
    return signed(site, source, encode(data), **kwargs)


# --- strategies ---------------------------------------------------------------------------------

SAFE = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
TRICKS = st.sampled_from([
    "../", "..%2f", "%2e%2e", "/", "\\", "\x00", "\n", "\r\n", "\t", " ", "#", "?", "*", "!", "$(", "`", "'", '"',
    "<", ">", "|", ";", ",", "+", "=", "~", "\u202e", "\u200b", "\ufeff", "\uff41", "é", "ß", "李", "😀", "\x7f", "\x1b[0m",
])
"""Characters no RAM logon name and no rampart person id may hold (``@ : . _ -`` are allowed)."""


def _inside(pieces: tuple[str, str, str]) -> str:
    return "".join(pieces)


bad_ids = st.one_of(
    st.tuples(SAFE, TRICKS, SAFE).map(_inside),
    st.text(string.ascii_lowercase + string.digits, min_size=65, max_size=300),
)
"""Invalid as a logon name and as a person id: a bad character inside (so trimming does not
save it), or more than 64 characters."""
bad_person_ids = bad_ids | st.tuples(st.sampled_from(["-", ".", "_", "@", ":"]), SAFE).map("".join)
"""Person ids must also start with a letter or digit (a leading ``-`` reads as an option)."""
bad_display_names = st.tuples(
    SAFE, st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp"]), SAFE).map(_inside) | st.text(
    string.ascii_letters, min_size=129, max_size=400)
"""A control character inside a name, or more than RAM's 128 characters."""

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
junk = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths_of(value, (*prefix, index))
    return out


def put(data: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
