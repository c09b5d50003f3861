"""Hostile input through the real webhook receivers (issue 6, deliverable 3; issue 5 "Bad requests").

Every webhook source (HR: generic, Feishu, BambooHR, DingTalk; tickets: Jira, generic) is driven
through ``functions/hr_webhook`` and ``functions/ticket_webhook`` as deployed on localcloud
(the ``hostile_site`` fixture, ``fixtures/hostile.py``: least-privilege receiver role, source secrets in KMS, the lifecycle
function registered in localcloud's FC, hand-off mode) with generated requests: malformed JSON,
wrong types, missing fields, huge bodies, unicode and control characters, hostile logon names and
person ids, forged signatures, expired timestamps, replays, profiles not in the catalog,
high-risk profiles and self-approval through a ticket.

The properties, for every request:

- the answer is never 5xx and never 2xx for invalid input (an authentic, well-formed delivery
  that carries no lifecycle event is answered 200 "ignored": that is not a refusal);
- its body is JSON; a refusal has an ``error`` text naming the problem (and the field);
- no stack trace ("Traceback", ``File "``) and no secret (the demo webhook secrets, the role's
  STS credentials, any escrowed credential) in the answer or in a log line;
- after a refusal localcloud is exactly as before: ``CloudState.snapshot()`` (RAM users,
  policies, tags and keys, KMS secrets, ResourceManager attachments, STS sessions and SLS
  logs, so a refusal writes no audit record either) and the FC async task list.

Lifecycle functions are paused for the whole module, so an accepted delivery stays a queued
task (the replay property needs one) and nothing else changes the state between two snapshots.
"""

from __future__ import annotations

import json
import string
from datetime import timedelta
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st
from rampart.fc.http_trigger import http_event
from rampart.sources.base import MAX_BODY_BYTES

from tests.functional.rampart.deployment_names import LIFECYCLE
from tests.functional.rampart.hostile_inputs import (
    FEW,
    FUNCTION,
    HOSTILE,
    PATHS,
    WINDOW,
    bad_display_names,
    bad_ids,
    bad_person_ids,
    encode,
    junk,
    paths_of,
    put,
)
from tests.functional.rampart.types import Site

# --- 1. the trigger event itself ----------------------------------------------------------------

trigger_junk = st.one_of(
    st.binary(max_size=300),
    junk.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"rawPath": junk, "body": junk, "isBase64Encoded": junk, "headers": junk,
                           "queryParameters": junk, "requestContext": junk}).map(lambda e: json.dumps(e).encode()),
)


@HOSTILE
@given(function=st.sampled_from(["hr_webhook", "ticket_webhook"]), event=trigger_junk)
def test_a_malformed_trigger_event_is_refused_and_changes_nothing(fresh: Site, function: str, event: bytes) -> None:
    fresh.deliver(function, event).refused(400, 404, 405, 413)


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "HEAD"]),
       path=st.sampled_from(["/", "/hr", "/hr/../ticket/jira", "/hr/%2e%2e/x", "/ticket/jira/..", "/hr/generic%00",
                             "/hr/workday", "/ticket/servicenow", "//hr/generic", "/hr/GENERIC"]))
def test_a_wrong_method_or_path_is_refused(fresh: Site, source: str, method: str, path: str) -> None:
    good = fresh.valid(source)
    wrong_method = dict(good, requestContext={**good["requestContext"],
                                              "http": {**good["requestContext"]["http"], "method": method}})
    assert fresh.deliver(FUNCTION[source], wrong_method).refused(405)
    wrong_path = dict(good, rawPath=path, requestContext={**good["requestContext"],
                                                           "http": {**good["requestContext"]["http"], "path": path}})
    assert "nothing is served" in fresh.deliver(FUNCTION[source], wrong_path).refused(404)


# --- 2. oversize ----------------------------------------------------------------------------------


@FEW
@given(source=st.sampled_from(list(PATHS)), extra=st.integers(1, 64 * 1024), fill=st.sampled_from("x{\"é\x00"),
       sign=st.booleans())
def test_an_oversize_body_is_413(fresh: Site, source: str, extra: int, fill: str, sign: bool) -> None:
    body = (fill * (MAX_BODY_BYTES + extra)).encode()[: MAX_BODY_BYTES + extra]
    event = fresh.signed(source, body) if sign else http_event("POST", PATHS[source], body, fresh.now())
    assert "more than" in fresh.deliver(FUNCTION[source], event).refused(413)


# --- 3. malformed, mistyped, missing: signed, so the parsers see them -----------------------------


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), body=st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    junk.map(encode),
    st.sampled_from([b"", b"{", b"[]", b"null", b"{\"a\":1,\"a\":2}", b"NaN", b"[" * 5000, b"{\"x\":1e999}",
                     b"\xef\xbb\xbf{}", b"{\"a\":\"\\ud800\"}"]),
))
def test_a_signed_body_that_is_not_a_payload_is_refused(fresh: Site, source: str, body: bytes) -> None:
    answer = fresh.deliver(FUNCTION[source], fresh.signed(source, body))
    event(f"{source}: {answer.status}")
    if answer.status == 200 and answer.body.get("status") == "ignored":
        assert not answer.changed  # authentic and well-formed, about something else (a Jira event type)
        return
    answer.refused(400, 401, 422)


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), data=st.data(), value=junk, delete=st.booleans())
def test_a_mutated_payload_is_refused_or_accepted_but_never_a_5xx(
    fresh: Site, source: str, data: st.DataObject, value: Any, delete: bool
) -> None:
    """Any field replaced by junk or removed: a refusal changes nothing; an answer that is not a
    refusal must be a well-formed acceptance (the junk may be valid there, e.g. a new name)."""
    body = fresh.payload(source)
    path = data.draw(st.sampled_from(paths_of(body)), label="path")
    put(body, path, value, delete=delete)
    answer = fresh.deliver(FUNCTION[source], fresh.valid(source, body))
    event(f"{source}: {answer.status}")
    if answer.status >= 400:
        answer.refused()
        return
    assert answer.status in (200, 202), answer.text
    assert isinstance(answer.body, dict)
    if source == "dingtalk":
        assert set(answer.body) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    else:
        assert answer.body.get("status") in ("accepted", "duplicate", "ignored"), answer.text
    if answer.body.get("status") == "ignored":
        assert not answer.changed


# --- 4. hostile names, ids and display names ------------------------------------------------------


def _with(site: Site, source: str, what: str, value: str) -> tuple[dict[str, Any], str]:
    """A payload of ``source`` with ``what`` (person_id, user_name, display_name) set to ``value``,
    and the field the refusal must name, in the sender's terms."""
    body = site.payload(source)
    places: dict[tuple[str, str], tuple[tuple[Any, ...], str]] = {
        ("generic", "person_id"): (("person", "person_id"), "person.person_id"),
        ("generic", "user_name"): (("person", "user_name"), "person.user_name"),
        ("generic", "display_name"): (("person", "display_name"), "person.display_name"),
        ("feishu", "person_id"): (("event", "object", "user_id"), "event.object.user_id"),
        ("feishu", "display_name"): (("event", "object", "name"), "event.object.name"),
        ("bamboohr", "person_id"): (("data", "employeeId"), "data.employeeId"),
        ("dingtalk", "person_id"): (("userId", 0), "userId[0]"),
        ("jira", "person_id"): (("issue", "fields", "customfield_10050"), "issue.fields.customfield_10050"),
        ("ticket", "user_name"): (("user",), "user"),
        ("ticket", "person_id"): (("person_id",), "person_id"),
    }
    path, named = places[(source, what)]
    put(body, path, value)
    return body, named


@HOSTILE
@given(case=st.sampled_from(["generic", "feishu", "bamboohr", "dingtalk", "jira", "ticket"]), value=bad_person_ids)
def test_a_hostile_person_id_is_400_naming_the_field(fresh: Site, case: str, value: str) -> None:
    body, named = _with(fresh, case, "person_id", value)
    error = fresh.deliver(FUNCTION[case], fresh.valid(case, body)).refused(400)
    assert named in error


@HOSTILE
@given(case=st.sampled_from(["generic", "ticket"]), value=bad_ids | st.just(""), edge=st.sampled_from(["", "\n", "\x00"]))
def test_a_hostile_logon_name_is_400_naming_the_field(fresh: Site, case: str, value: str, edge: str) -> None:
    """``edge``: a trailing newline or NUL, which the generic HR contract keeps as sent (the
    ticket contract trims values, so there it is only a bad name inside)."""
    body, named = _with(fresh, case, "user_name", value + edge if case == "generic" else value)
    error = fresh.deliver(FUNCTION[case], fresh.valid(case, body)).refused(400)
    assert named in error


@HOSTILE
@given(case=st.sampled_from(["generic", "feishu"]), value=bad_display_names)
def test_a_display_name_with_control_characters_is_400_naming_the_field(fresh: Site, case: str, value: str) -> None:
    body, named = _with(fresh, case, "display_name", value)
    error = fresh.deliver(FUNCTION[case], fresh.valid(case, body)).refused(400)
    assert named in error


# --- 5. forged signatures -------------------------------------------------------------------------

SIGNATURE_PLACES = {"generic": ("headers", "X-Rampart-Signature"), "feishu": ("headers", "X-Lark-Signature"),
                    "bamboohr": ("headers", "X-BambooHR-Signature"), "dingtalk": ("queryParameters", "msg_signature"),
                    "jira": ("headers", "X-Hub-Signature"), "ticket": ("headers", "X-Rampart-Signature")}
forged_values = st.one_of(
    st.just(""), st.text(max_size=80), st.text("0123456789abcdef", min_size=40, max_size=64),
    st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256=" + h),
)


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), forged=forged_values, drop=st.booleans())
def test_a_forged_or_missing_signature_is_401(fresh: Site, source: str, forged: str, drop: bool) -> None:
    event = fresh.valid(source)
    where, name = SIGNATURE_PLACES[source]
    if drop:
        del event[where][name]
    else:
        event[where][name] = forged
    error = fresh.deliver(FUNCTION[source], event).refused(401)
    assert "signature" in error


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), secret=st.text(min_size=1, max_size=40))
def test_a_delivery_signed_with_another_secret_is_401(fresh: Site, source: str, secret: str) -> None:
    own = {"generic": "rampart-demo-generic-hr-secret", "feishu": "rampart-demo-feishu-encrypt-key",
           "bamboohr": "rampart-demo-bamboohr-private-key", "dingtalk": "rampart-demo-dingtalk-token",
           "jira": fresh.jira["secret"], "ticket": fresh.ticket["secret"]}[source]
    if secret == own:
        return
    fresh.deliver(FUNCTION[source], fresh.valid(source, secret=secret)).refused(401)


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), where=st.integers(0, 10**6),
       swap=st.characters(codec="utf-8", exclude_categories=["Cs"]))
def test_a_tampered_body_is_401(fresh: Site, source: str, where: int, swap: str) -> None:
    """One character of the signed body changed (for Feishu and DingTalk: of the ciphertext,
    a base64 character). The body's length varies (ids, times), so ``where`` is taken modulo it."""
    event = fresh.valid(source)
    body: str = event["body"]
    if source in ("feishu", "dingtalk"):
        outer = json.loads(body)
        text = outer["encrypt"]
        index = where % len(text)
        alphabet = string.ascii_letters + string.digits + "+/"
        replacement = alphabet[(alphabet.index(text[index]) + 1 + ord(swap)) % len(alphabet)]
        if replacement == text[index]:
            replacement = alphabet[(alphabet.index(text[index]) + 1) % len(alphabet)]
        outer["encrypt"] = text[:index] + replacement + text[index + 1:]
        event["body"] = json.dumps(outer, separators=(",", ":"))
    else:
        index = where % len(body)
        replacement = swap if swap != body[index] else ("x" if body[index] != "x" else "y")
        event["body"] = body[:index] + replacement + body[index + 1:]
    fresh.deliver(FUNCTION[source], event).refused(400, 401)


# --- 6. expired timestamps and replays ------------------------------------------------------------


@HOSTILE
@given(source=st.sampled_from(list(PATHS)), seconds=st.integers(2, 10**8), future=st.booleans())
def test_a_delivery_signed_outside_the_window_is_401(fresh: Site, source: str, seconds: int, future: bool) -> None:
    window = WINDOW[source] if not (source == "jira" and future) else timedelta(minutes=5)
    skew = window + timedelta(seconds=seconds)
    at = fresh.now() + skew if future else fresh.now() - skew
    if source == "dingtalk" and at.timestamp() * 1000 < 10**11:
        return  # DingTalk tells seconds from milliseconds by magnitude: a 1973 time in ms is not one
    error = fresh.deliver(FUNCTION[source], fresh.valid(source, at=at)).refused(401)
    assert "timestamp" in error


@FEW
@given(source=st.sampled_from(list(PATHS)), later=st.integers(2, 10**6))
def test_a_replayed_delivery_is_a_duplicate_in_the_window_and_401_after_it(
    fresh: Site, source: str, later: int
) -> None:
    fresh.offset[0] = timedelta(0)
    event = fresh.valid(source)
    first = fresh.deliver(FUNCTION[source], event)
    assert first.status in (200, 202) and first.changed, first.text  # queued for the lifecycle function
    assert len(fresh.cloud.functions.tasks(LIFECYCLE)) >= 1
    again = fresh.deliver(FUNCTION[source], event)
    assert again.status == 200 and not again.changed, again.text
    if source != "dingtalk":
        assert again.body["status"] == "duplicate"
    fresh.offset[0] = WINDOW[source] + timedelta(seconds=later)
    assert "stale" in fresh.deliver(FUNCTION[source], event).refused(401)
