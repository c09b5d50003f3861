"""DingTalk contact events over HTTP push (hr:dingtalk): the SHA-1 signature over sorted
token/timestamp/nonce/encrypt, WeCom-style AES with a 32-byte PKCS#7 block and the owner key,
the encrypted "success" reply, and user_add/modify/leave_org.

Payloads come from events/hr/dingtalk/ (reference/: verbatim from webhook-formats.md §2,
including the official repository's vector); demo secrets from events/hr/demo-config.json."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest
from rampart.events import parse_time
from rampart.fc.http_trigger import to_inbound
from rampart.model import EventKind
from rampart.secret import Secret
from rampart.sources.base import MAX_BODY_BYTES, InboundRequest, SourceError
from rampart.sources.hr import IDS_ONLY, RECORD_ATTRIBUTE
from rampart.sources.hr.dingtalk import DingTalkCrypto, DingTalkSource
from rampart_dev.hr_senders import compact, dingtalk_request

from tests.conftest import repo_path

HR = repo_path("events", "hr")


def _samples() -> ModuleType:
    if "hr_build_samples" not in sys.modules:
        spec = importlib.util.spec_from_file_location("hr_build_samples", HR / "build_samples.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["hr_build_samples"] = module
        spec.loader.exec_module(module)
    return sys.modules["hr_build_samples"]


SAMPLES = _samples()
CONFIG = SAMPLES.demo_config()["dingtalk"]
AT = parse_time(SAMPLES.demo_config()["signed_at"])
TOKEN, AES_KEY, OWNER = Secret(CONFIG["token"]), Secret(CONFIG["aes_key"]), CONFIG["owner_key"]
CRYPTO = DingTalkCrypto(TOKEN, AES_KEY, OWNER)
VECTOR = json.loads((HR / "dingtalk" / "reference" / "vector.json").read_text("utf-8"))


def source(**kwargs: Any) -> DingTalkSource:
    return DingTalkSource(TOKEN, AES_KEY, OWNER, rng=random.Random(7), **kwargs)


SOURCE = source()


def payload(name: str) -> Any:
    return json.loads((HR / "dingtalk" / name).read_text("utf-8"))


def wrapper(name: str) -> InboundRequest:
    return to_inbound((HR / "dingtalk" / name.replace(".json", ".fc-http.json")).read_bytes())


def request(data: Any, *, at: datetime = AT, crypto: DingTalkCrypto = CRYPTO) -> InboundRequest:
    plaintext = data if isinstance(data, bytes) else compact(data)
    sent = dingtalk_request(crypto, plaintext, at, nonce="n0nce123", random16=b"0123456789abcdef")
    return InboundRequest("POST", "/hr/dingtalk", {"content-type": "application/json"}, sent.query, sent.body)


def refused(req: InboundRequest, now: datetime = AT, src: DingTalkSource = SOURCE) -> SourceError:
    with pytest.raises(SourceError) as caught:
        src.parse(req, now)
    return caught.value


# --- the official vector (webhook-formats.md §2.3) -----------------------------------------------


def vector_crypto() -> DingTalkCrypto:
    return DingTalkCrypto(Secret(VECTOR["token"]), Secret(VECTOR["aes_key"]), VECTOR["owner_key"])


def test_the_vector_signature() -> None:
    assert vector_crypto().signature(VECTOR["timestamp"], VECTOR["nonce"], VECTOR["encrypt"]) == VECTOR["signature"]


def test_the_vector_decrypts_to_check_url_for_its_owner_key() -> None:
    assert vector_crypto().decrypt(VECTOR["encrypt"]) == VECTOR["plaintext"].encode()


def test_the_vector_request_is_the_handshake_answered_with_an_encrypted_success() -> None:
    src = DingTalkSource(Secret(VECTOR["token"]), Secret(VECTOR["aes_key"]), VECTOR["owner_key"], rng=random.Random(1))
    query = {"signature": VECTOR["signature"], "timestamp": VECTOR["timestamp"], "nonce": VECTOR["nonce"]}
    now = datetime.fromtimestamp(int(VECTOR["timestamp"]) / 1000, tz=timezone.utc)
    body = compact({"encrypt": VECTOR["encrypt"]})
    inbound = src.parse(InboundRequest("POST", "/", {}, query, body), now)
    assert not inbound.events and inbound.ignored == "check_url handshake"
    assert inbound.reply is not None and inbound.reply.status == 200
    reply = json.loads(inbound.reply.body)
    assert vector_crypto().decrypt(reply["encrypt"]) == b"success"
    assert vector_crypto().signature(reply["timeStamp"], reply["nonce"], reply["encrypt"]) == reply["msg_signature"]


def test_the_vector_owner_key_is_checked() -> None:
    other = DingTalkCrypto(Secret(VECTOR["token"]), Secret(VECTOR["aes_key"]), "dingsomeoneelse00000")
    with pytest.raises(SourceError) as caught:
        other.decrypt(VECTOR["encrypt"])
    assert caught.value.status == 401 and "owner key" in caught.value.message


def test_the_reply_has_exactly_the_documented_keys() -> None:
    documented = payload("reference/success-reply.json")
    inbound = SOURCE.parse(wrapper("check-url.json"), AT)
    assert inbound.reply is not None
    reply = json.loads(inbound.reply.body)
    assert set(reply) == set(documented) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    assert reply["timeStamp"] == str(int(AT.timestamp() * 1000)) and len(reply["nonce"]) == 16


def test_the_reply_is_reproducible_with_a_seeded_random_source() -> None:
    first = source().parse(wrapper("check-url.json"), AT).reply
    again = source().parse(wrapper("check-url.json"), AT).reply
    assert first == again


# --- the documented payload shapes ---------------------------------------------------------------


def test_the_legacy_callback_gives_a_joiner_per_user() -> None:
    events = SOURCE.parse(request(payload("reference/legacy-user-add-org.json")), AT).events
    assert [(e.kind, e.person_id) for e in events] == [(EventKind.JOINER, "efefef"), (EventKind.JOINER, "111111")]
    assert len({e.event_id for e in events}) == 2


def test_the_current_doc_leave_event_is_a_leaver_timed_by_event_time() -> None:
    inbound = SOURCE.parse(request(payload("reference/user-leave-org.json")), AT)
    (event,) = inbound.events
    assert (event.kind, event.person_id) == (EventKind.LEAVER, "015xxxx227")
    assert event.occurred_at == datetime.fromtimestamp(1663143335.567, tz=timezone.utc)
    assert inbound.reply is not None and inbound.delivery_id == event.event_id


def test_the_operator_is_the_actor() -> None:
    (event,) = SOURCE.parse(request(payload("reference/optstaff-user-leave-org.json")), AT).events
    assert (event.person_id, event.actor) == ("0119296xxx", "WB8351xx")
    assert event.occurred_at == datetime.fromtimestamp(1608017258.073, tz=timezone.utc)


def test_the_doc_handshake_plaintext() -> None:
    inbound = SOURCE.parse(request(payload("reference/check-url.json")), AT)
    assert inbound.ignored == "check_url handshake" and inbound.reply is not None


# --- the demo samples ------------------------------------------------------------------------------


def test_user_add_org_is_an_ids_only_joiner() -> None:
    inbound = SOURCE.parse(wrapper("user-add-org.json"), AT)
    (event,) = inbound.events
    assert event.kind is EventKind.JOINER and event.person is not None
    assert event.person.display_name == "011929612345"
    assert event.person.attributes == {RECORD_ATTRIBUTE: IDS_ONLY}
    assert event.event_id == "hr-dingtalk-5a7d2c9e1f3b4a6c8d0e2f4a6b8c0d01-011929612345"
    assert inbound.reply is not None


def test_user_modify_org_is_a_mover_per_user_in_one_delivery() -> None:
    inbound = SOURCE.parse(wrapper("user-modify-org.json"), AT)
    assert [e.kind for e in inbound.events] == [EventKind.MOVER, EventKind.MOVER]
    assert inbound.delivery_id.startswith("hr-dingtalk-batch-")


def test_user_leave_org_is_a_leaver() -> None:
    (event,) = SOURCE.parse(wrapper("user-leave-org.json"), AT).events
    assert (event.kind, event.person_id, event.person) == (EventKind.LEAVER, "011929612345", None)


def test_another_event_type_is_ignored_but_still_acknowledged() -> None:
    inbound = SOURCE.parse(wrapper("org-dept-create.json"), AT)
    assert not inbound.events and "org_dept_create" in inbound.ignored and inbound.reply is not None


def test_the_sample_trigger_events_are_current() -> None:
    built = {p: t for p, t in SAMPLES.build_all().items() if p.parent.name == "dingtalk"}
    assert built and all(path.read_text("utf-8") == text for path, text in built.items())


def test_both_parameter_spellings_are_read() -> None:
    req = wrapper("user-leave-org.json")
    query = {"signature": req.query["msg_signature"], "timeStamp": req.query["timestamp"], "nonce": req.query["nonce"]}
    assert SOURCE.parse(replace(req, query=query), AT).events


def test_a_legacy_user_list_without_an_event_id_keeps_stable_ids() -> None:
    data = {"EventType": "user_modify_org", "TimeStamp": "1772441990000", "UserId": ["a1", "a1", "b2"]}
    first = SOURCE.parse(request(data), AT)
    again = SOURCE.parse(request(data, at=AT + timedelta(seconds=9)), AT)
    assert [e.person_id for e in first.events] == ["a1", "b2"]
    assert [e.event_id for e in first.events] == [e.event_id for e in again.events]


def test_seconds_in_the_query_timestamp_are_read() -> None:
    req = request(payload("user-leave-org.json"))
    crypto_stamp = str(int(AT.timestamp()))
    encrypted = json.loads(req.body)["encrypt"]
    query = {"msg_signature": CRYPTO.signature(crypto_stamp, "n", encrypted), "timestamp": crypto_stamp, "nonce": "n"}
    assert SOURCE.parse(replace(req, query=query), AT).events


# --- authentication refusals ---------------------------------------------------------------------


def test_a_forged_signature_is_401() -> None:
    req = wrapper("user-add-org.json")
    error = refused(replace(req, query={**req.query, "msg_signature": "0" * 40}))
    assert error.status == 401 and "bad signature" in error.message


@pytest.mark.parametrize("drop", ["msg_signature", "timestamp"])
def test_a_missing_query_parameter_is_401(drop: str) -> None:
    req = wrapper("user-add-org.json")
    error = refused(replace(req, query={k: v for k, v in req.query.items() if k != drop}))
    assert error.status == 401 and "missing" in error.message


def test_a_changed_nonce_is_401() -> None:
    req = wrapper("user-add-org.json")
    assert refused(replace(req, query={**req.query, "nonce": "other"})).status == 401


def test_another_token_is_401() -> None:
    other = DingTalkCrypto(Secret("guessed-token"), AES_KEY, OWNER)
    assert refused(request(payload("user-add-org.json"), crypto=other)).status == 401


def test_another_aes_key_is_401() -> None:
    other = DingTalkCrypto(TOKEN, Secret("a" * 43), OWNER)
    error = refused(request(payload("user-add-org.json"), crypto=other))
    assert error.status == 401 and "decrypt" in error.message


def test_another_owner_key_is_401() -> None:
    other = DingTalkCrypto(TOKEN, AES_KEY, "dingsomeoneelse00000")
    error = refused(request(payload("user-add-org.json"), crypto=other))
    assert error.status == 401 and "owner key" in error.message


@pytest.mark.parametrize("skew", [timedelta(seconds=301), -timedelta(seconds=301), timedelta(hours=3)])
def test_a_timestamp_outside_five_minutes_is_401(skew: timedelta) -> None:
    error = refused(wrapper("user-add-org.json"), now=AT + skew)
    assert error.status == 401 and "stale timestamp" in error.message


@pytest.mark.parametrize("skew", [timedelta(seconds=300), -timedelta(seconds=300)])
def test_a_timestamp_at_the_window_edge_is_accepted(skew: timedelta) -> None:
    assert SOURCE.parse(wrapper("user-add-org.json"), AT + skew).events


def test_a_bad_aes_key_is_refused_at_construction() -> None:
    for key in ("short", "!" * 43, "a" * 44):
        with pytest.raises(ValueError):
            DingTalkCrypto(TOKEN, Secret(key), OWNER)


# --- malformed payloads ------------------------------------------------------------------------


def test_an_oversize_body_is_413() -> None:
    assert refused(InboundRequest("POST", "/", {}, {}, b" " * (MAX_BODY_BYTES + 1))).status == 413


def test_a_get_is_405() -> None:
    assert refused(replace(wrapper("check-url.json"), method="GET")).status == 405


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"encrypt": 5}', b"{}"])
def test_a_body_without_an_encrypt_string_is_400(body: bytes) -> None:
    req = wrapper("check-url.json")
    assert refused(replace(req, body=body)).status == 400


def test_encrypt_that_is_not_base64_is_400_once_signed() -> None:
    stamp, nonce, encrypted = str(int(AT.timestamp() * 1000)), "n", "%%%not-base64%%%"
    query = {"msg_signature": CRYPTO.signature(stamp, nonce, encrypted), "timestamp": stamp, "nonce": nonce}
    error = refused(InboundRequest("POST", "/", {}, query, compact({"encrypt": encrypted})))
    assert error.status == 400 and "encrypt" in error.message


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"not json", "decrypted body"),
        ({"UserId": ["a"]}, "EventType"),
        ({"EventType": "user_add_org"}, "userId"),
        ({"EventType": "user_add_org", "UserId": "a"}, "UserId"),
        ({"EventType": "user_add_org", "UserId": []}, "UserId"),
        ({"EventType": "user_leave_org", "UserId": ["has space"]}, "UserId[0]"),
        ({"EventType": "user_add_org", "UserId": ["a"], "EventTime": "soon"}, "EventTime"),
        ({"EventType": "user_add_org", "UserId": ["a"], "OptStaffId": ["x"]}, "OptStaffId"),
    ],
)
def test_a_wrong_field_is_400_naming_it(data: Any, named: str) -> None:
    error = refused(request(data))
    assert error.status == 400 and named in error.message


def test_unicode_user_ids_are_refused_by_name() -> None:
    error = refused(request({"EventType": "user_add_org", "userId": ["张三"]}))
    assert error.status == 400 and "userId[0]" in error.message


def test_a_refusal_never_shows_a_secret() -> None:
    other = DingTalkCrypto(TOKEN, AES_KEY, "dingsomeoneelse00000")
    error = refused(request(payload("user-add-org.json"), crypto=other))
    for secret in (TOKEN.reveal(), AES_KEY.reveal(), "dingsomeoneelse00000"):
        assert secret not in str(error)
