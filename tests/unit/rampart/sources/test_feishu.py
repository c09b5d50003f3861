"""Feishu/Lark contact v3 events (hr:feishu): Encrypt Key decryption, X-Lark-Signature,
the verification token, the url_verification challenge, and the user -> person mapping.

Payloads come from events/hr/feishu/ (reference/: verbatim from webhook-formats.md §1.2);
the demo secrets from events/hr/demo-config.json."""

from __future__ import annotations

import importlib.util
import json
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
from rampart.sources.hr import REPLAY_WINDOW, feishu
from rampart.sources.hr.feishu import FeishuSource
from rampart_dev.hr_senders import compact, feishu_request

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
CONFIG = SAMPLES.demo_config()["feishu"]
AT = parse_time(SAMPLES.demo_config()["signed_at"])
KEY = Secret(CONFIG["encrypt_key"])
TOKEN = Secret(CONFIG["verification_token"])
SOURCE = FeishuSource(KEY, TOKEN, departments=CONFIG["departments"])
VECTORS = json.loads((HR / "feishu" / "reference" / "vectors.json").read_text("utf-8"))


def payload(name: str) -> Any:
    return json.loads((HR / "feishu" / name).read_text("utf-8"))


def wrapper(name: str) -> InboundRequest:
    return to_inbound((HR / "feishu" / name.replace(".json", ".fc-http.json")).read_bytes())


def request(data: Any, *, at: datetime = AT, key: Secret = KEY, signed: bool = True) -> InboundRequest:
    """What Feishu sends for ``data`` (a payload, or bytes to encrypt as they are)."""
    plaintext = data if isinstance(data, bytes) else compact(data)
    sent = feishu_request(key, plaintext, at, nonce="a1b2c3d4", iv=bytes(range(16)))
    headers = {k.lower(): v for k, v in sent.headers.items()}
    if not signed:
        headers = {"content-type": headers["content-type"]}
    return InboundRequest("POST", "/hr/feishu", headers, {}, sent.body)


def plain(data: Any, *, at: datetime = AT, key: Secret = KEY) -> InboundRequest:
    """An unencrypted body with valid signature headers."""
    body = compact(data)
    stamp = str(int(at.timestamp()))
    headers = {
        "x-lark-request-timestamp": stamp,
        "x-lark-request-nonce": "n",
        "x-lark-signature": feishu.signature(stamp, "n", key, body),
    }
    return InboundRequest("POST", "/hr/feishu", headers, {}, body)


def refused(req: InboundRequest, now: datetime = AT, source: FeishuSource = SOURCE) -> SourceError:
    with pytest.raises(SourceError) as caught:
        source.parse(req, now)
    return caught.value


# --- reference vectors (webhook-formats.md §1.3) ----------------------------------------------


def test_the_doc_decryption_vector_gives_hello_world() -> None:
    vector = VECTORS["decrypt"]
    assert feishu.decrypt(Secret(vector["encrypt_key"]), vector["encrypt"]) == vector["plaintext"].encode()


def test_the_signature_vector() -> None:
    v = VECTORS["signature"]
    assert feishu.signature(v["timestamp"], v["nonce"], Secret(v["encrypt_key"]), v["body"].encode()) == v["signature"]


def test_the_signature_vector_is_accepted_on_the_wire_and_its_plaintext_is_not_an_event() -> None:
    v = VECTORS["signature"]
    headers = {
        "x-lark-request-timestamp": v["timestamp"],
        "x-lark-request-nonce": v["nonce"],
        "x-lark-signature": v["signature"],
    }
    source = FeishuSource(Secret(v["encrypt_key"]), TOKEN)
    now = datetime.fromtimestamp(int(v["timestamp"]), tz=timezone.utc)
    error = refused(InboundRequest("POST", "/", headers, {}, v["body"].encode()), now, source)
    # signature and decryption passed; "hello world" is not JSON
    assert error.status == 400 and "decrypted body" in error.message


def test_encrypt_then_decrypt_round_trips() -> None:
    assert feishu.decrypt(KEY, feishu.encrypt(KEY, "李雷 ✓".encode(), bytes(16))) == "李雷 ✓".encode()


# --- the verbatim doc payloads ---------------------------------------------------------------------


def test_the_doc_created_event_is_a_joiner_with_the_full_record() -> None:
    inbound = SOURCE.parse(request(payload("reference/created.json")), AT)
    (event,) = inbound.events
    assert event.kind is EventKind.JOINER
    assert inbound.delivery_id == event.event_id == "hr-feishu-5e3702a84e847582be8db7fb73283c02"
    assert event.occurred_at == datetime(2020, 12, 23, 12, 19, 49, tzinfo=timezone.utc)
    assert event.source == "hr:feishu"
    person = event.person
    assert person is not None
    assert (person.person_id, person.display_name, person.email) == ("e33ggbyz", "张三", "demo@mail.com")
    assert person.manager == "ou_3ghm8a2u0eftg0ff377125s5dd275z09"
    assert person.attributes == {
        "title": "软件工程师",
        "city": "杭州",
        "country": "中国",
        "work_station": "杭州",
        "employee_number": "e33ggbyz",
        "job_level_id": "mga5oa8ayjlp9rb",
        "job_family_id": "mga5oa8ayjlp9rb",
        "department_id": "od-4e6ac4d14bcd5071a37a39de902c7141",
        "department": "Engineering",
        "employment_type": "regular",
    }


def test_the_doc_updated_event_is_a_mover_with_the_current_record() -> None:
    (event,) = SOURCE.parse(request(payload("reference/updated.json")), AT).events
    assert event.kind is EventKind.MOVER
    assert event.person is not None and event.person.attributes["title"] == "软件工程师"


def test_the_doc_deleted_event_is_a_leaver() -> None:
    (event,) = SOURCE.parse(request(payload("reference/deleted.json")), AT).events
    assert (event.kind, event.person_id, event.person) == (EventKind.LEAVER, "e33ggbyz", None)


def test_the_doc_url_verification_is_answered_with_its_challenge() -> None:
    source = FeishuSource(KEY, Secret("xxxxxx"))
    for req in (plain(payload("reference/url-verification.json")), request(payload("reference/url-verification.json"))):
        inbound = source.parse(req, AT)
        assert inbound.reply is not None and inbound.reply.status == 200
        assert json.loads(inbound.reply.body) == {"challenge": "ajls384kdjx98XX"}
        assert not inbound.events


def test_an_encrypted_challenge_needs_no_signature_headers() -> None:
    source = FeishuSource(KEY, Secret("xxxxxx"))
    inbound = source.parse(request(payload("reference/url-verification.json"), signed=False), AT)
    assert inbound.reply is not None and "ajls384kdjx98XX" in inbound.reply.body


def test_a_challenge_with_the_wrong_token_is_401() -> None:
    error = refused(request(payload("reference/url-verification.json")))
    assert error.status == 401 and "token" in error.message


# --- the demo samples (FC 3.0 HTTP-trigger wrappers) -----------------------------------------------


def test_the_demo_joiner_maps_the_department_name() -> None:
    (event,) = SOURCE.parse(wrapper("user-created.json"), AT).events
    assert event.kind is EventKind.JOINER and event.person is not None
    assert event.person.attributes["department"] == "Engineering"
    assert event.person.email == "lei.li@example.com"


def test_the_demo_update_is_a_mover_and_old_object_is_not_a_record() -> None:
    (event,) = SOURCE.parse(wrapper("user-updated.json"), AT).events
    assert event.kind is EventKind.MOVER and event.person is not None
    assert event.person.attributes["title"] == "Software Engineer"


@pytest.mark.parametrize("name", ["user-resigned.json", "user-deleted.json"])
def test_a_resignation_and_a_deletion_are_leavers(name: str) -> None:
    (event,) = SOURCE.parse(wrapper(name), AT).events
    assert (event.kind, event.person_id) == (EventKind.LEAVER, "lilei01")


def test_another_event_type_is_ignored_with_its_delivery_id() -> None:
    inbound = SOURCE.parse(wrapper("department-created.json"), AT)
    assert not inbound.events and "contact.department.created_v3" in inbound.ignored
    assert inbound.delivery_id == "hr-feishu-8d1c5f3a2b7e4c9d8e6f5a4b3c2d1e05"


def test_the_demo_challenge() -> None:
    inbound = SOURCE.parse(wrapper("url-verification.json"), AT)
    assert inbound.reply is not None and json.loads(inbound.reply.body) == {"challenge": "rampart-demo-challenge-7f3a9c"}


def test_the_sample_trigger_events_are_current() -> None:
    built = {p: t for p, t in SAMPLES.build_all().items() if p.parent.name == "feishu"}
    assert built and all(path.read_text("utf-8") == text for path, text in built.items())


# --- mapping rules -------------------------------------------------------------------------------


def updated(obj: dict[str, Any], old: dict[str, Any] | None = None) -> Any:
    data = payload("user-updated.json")
    data["event"]["object"] = obj
    data["event"]["old_object"] = old or {}
    return data


def test_a_reinstated_user_is_a_joiner() -> None:
    obj = payload("user-created.json")["event"]["object"]
    old = {"status": {"is_resigned": True}}
    (event,) = SOURCE.parse(request(updated(obj, old)), AT).events
    assert event.kind is EventKind.JOINER


def test_a_frozen_user_is_a_mover_unless_configured_as_a_leaver() -> None:
    obj = payload("user-created.json")["event"]["object"] | {"status": {"is_frozen": True, "is_resigned": False}}
    assert SOURCE.parse(request(updated(obj)), AT).events[0].kind is EventKind.MOVER
    strict = FeishuSource(KEY, TOKEN, leave_on_frozen=True)
    assert strict.parse(request(updated(obj)), AT).events[0].kind is EventKind.LEAVER


def test_the_primary_department_comes_from_orders() -> None:
    obj = payload("user-created.json")["event"]["object"] | {
        "department_ids": ["od-a", "od-b"],
        "orders": [{"department_id": "od-b", "is_primary_dept": True}],
    }
    person = SOURCE.parse(request(updated(obj)), AT).events[0].person
    assert person is not None and person.attributes["department"] == "od-b"


def test_a_custom_employee_type_keeps_its_number() -> None:
    obj = payload("user-created.json")["event"]["object"] | {"employee_type": 7}
    person = SOURCE.parse(request(updated(obj)), AT).events[0].person
    assert person is not None and person.attributes["employment_type"] == "7"


def test_open_id_can_be_the_person_id() -> None:
    source = FeishuSource(KEY, TOKEN, person_id_key="open_id")
    (event,) = source.parse(request(payload("reference/deleted.json")), AT).events
    assert event.person_id == "ou_7dab8a3d3cdcc9da365777c7ad535d62"


def test_a_missing_person_id_is_400_naming_the_field_and_the_scope() -> None:
    obj = {k: v for k, v in payload("user-created.json")["event"]["object"].items() if k != "user_id"}
    error = refused(request(updated(obj)))
    assert error.status == 400 and "event.object.user_id" in error.message and "scope" in error.hint


def test_without_a_name_the_english_name_is_the_display_name() -> None:
    obj = {k: v for k, v in payload("user-created.json")["event"]["object"].items() if k != "name"}
    person = SOURCE.parse(request(updated(obj)), AT).events[0].person
    assert person is not None and person.display_name == "Lei Li"


def test_a_minimal_record_is_a_mover_named_by_its_id() -> None:
    (event,) = SOURCE.parse(request(updated({"user_id": "u1"})), AT).events
    assert event.person is not None and (event.person.display_name, event.person.attributes) == ("u1", {})


def test_an_unknown_person_id_key_is_refused_at_construction() -> None:
    with pytest.raises(ValueError):
        FeishuSource(KEY, TOKEN, person_id_key="mobile")


# --- authentication refusals ---------------------------------------------------------------------


def test_a_forged_signature_is_401() -> None:
    req = request(payload("user-created.json"))
    headers = {**req.headers, "x-lark-signature": "0" * 64}
    error = refused(replace(req, headers=headers))
    assert error.status == 401 and "bad signature" in error.message


def test_a_body_signed_with_another_key_is_401() -> None:
    assert refused(request(payload("user-created.json"), key=Secret("another key"))).status == 401


@pytest.mark.parametrize("drop", ["x-lark-signature", "x-lark-request-timestamp"])
def test_a_missing_signature_header_is_401(drop: str) -> None:
    req = request(payload("user-created.json"))
    error = refused(replace(req, headers={k: v for k, v in req.headers.items() if k != drop}))
    assert error.status == 401 and "missing" in error.message


def test_an_unsigned_event_is_401_unless_signatures_are_optional() -> None:
    req = request(payload("user-created.json"), signed=False)
    assert "missing signature" in refused(req).message
    relaxed = FeishuSource(KEY, TOKEN, require_signature=False)
    assert relaxed.parse(req, AT).events[0].kind is EventKind.JOINER


def test_an_unencrypted_unsigned_body_is_401() -> None:
    req = InboundRequest("POST", "/", {}, {}, compact(payload("user-created.json")))
    assert refused(req).status == 401


def test_an_unencrypted_signed_body_is_accepted() -> None:
    (event,) = SOURCE.parse(plain(payload("user-created.json")), AT).events
    assert event.kind is EventKind.JOINER


def test_a_body_encrypted_with_another_key_is_401() -> None:
    other = Secret("not the encrypt key")
    body = compact({"encrypt": feishu.encrypt(other, compact(payload("user-created.json")), bytes(16))})
    error = refused(InboundRequest("POST", "/", {}, {}, body), source=FeishuSource(KEY, TOKEN, require_signature=False))
    assert error.status == 401 and "decrypted" in error.message


@pytest.mark.parametrize(
    "skew", [REPLAY_WINDOW + timedelta(seconds=1), -REPLAY_WINDOW - timedelta(seconds=1), timedelta(hours=7)]
)
def test_a_timestamp_outside_the_window_is_401(skew: timedelta) -> None:
    error = refused(wrapper("user-created.json"), now=AT + skew)
    assert error.status == 401 and "stale timestamp" in error.message


@pytest.mark.parametrize("skew", [REPLAY_WINDOW, -REPLAY_WINDOW])
def test_a_timestamp_at_the_window_edge_is_accepted(skew: timedelta) -> None:
    assert SOURCE.parse(wrapper("user-created.json"), AT + skew).events


def test_an_unreadable_timestamp_is_401() -> None:
    req = request(payload("user-created.json"))
    headers = {**req.headers, "x-lark-request-timestamp": "soon"}
    assert refused(replace(req, headers=headers)).status == 401


def test_a_wrong_verification_token_is_401() -> None:
    data = payload("user-created.json")
    data["header"]["token"] = "guessed"
    error = refused(request(data))
    assert error.status == 401 and "header.token" in error.message


def test_a_missing_verification_token_is_401() -> None:
    data = payload("user-created.json")
    del data["header"]["token"]
    assert refused(request(data)).status == 401


# --- malformed payloads ------------------------------------------------------------------------


def test_an_oversize_body_is_413() -> None:
    assert refused(InboundRequest("POST", "/", {}, {}, b"{" * (MAX_BODY_BYTES + 1))).status == 413


def test_a_get_is_405() -> None:
    assert refused(replace(wrapper("user-created.json"), method="GET")).status == 405


def test_malformed_outer_json_is_400() -> None:
    req = plain({"x": 1})
    body = b'{"encrypt": '
    stamp = req.headers["x-lark-request-timestamp"]
    headers = {**req.headers, "x-lark-signature": feishu.signature(stamp, "n", KEY, body)}
    assert refused(InboundRequest("POST", "/", headers, {}, body)).status == 400


def test_encrypt_that_is_not_base64_is_400() -> None:
    body = b'{"encrypt": "not base64 at all!"}'
    source = FeishuSource(KEY, TOKEN, require_signature=False)
    error = refused(InboundRequest("POST", "/", {}, {}, body), source=source)
    assert error.status == 400 and "encrypt" in error.message


def test_decrypted_text_that_is_not_json_is_400() -> None:
    assert refused(request(b"not json")).status == 400


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("header", "event_id"), None, "header.event_id"),
        (("header", "create_time"), "yesterday", "header.create_time"),
        (("event",), "x", "event"),
        (("event", "object"), [], "event.object"),
        (("event", "object", "name"), ["a"], "event.object.name"),
        (("event", "object", "department_ids"), "od-1", "event.object.department_ids"),
        (("event", "object", "status"), "resigned", "event.object.status"),
        (("event", "object", "enterprise_email"), "not-an-email", "enterprise_email"),
    ],
)
def test_a_wrong_field_is_400_naming_it(path: tuple[str, ...], value: Any, named: str) -> None:
    data = payload("user-created.json")
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    error = refused(request(data))
    assert error.status == 400 and named in error.message


def test_a_schema_1_event_is_ignored() -> None:
    data = {"uuid": "u-1", "token": TOKEN.reveal(), "ts": "1", "type": "event_callback", "event": {"type": "user_add"}}
    inbound = SOURCE.parse(request(data), AT)
    assert not inbound.events and "schema 1.0" in inbound.ignored


def test_a_refusal_never_shows_a_secret() -> None:
    data = payload("user-created.json")
    data["header"]["token"] = "guessed"
    error = refused(request(data))
    assert KEY.reveal() not in str(error) and TOKEN.reveal() not in str(error) and "guessed" not in str(error)
