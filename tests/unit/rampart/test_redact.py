"""rampart.redact: masking by key, by free-text pattern and by registered value."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.redact import REGISTRY, SecretRegistry, dumps, is_sensitive_key, redact, redact_exception, redact_text
from rampart.secret import MASK, Secret

LIVE = "Zq8vR2mK9pLx4TnB7wYc3HdF6sJa1E"
"""Shaped like an AccessKey secret (30 characters)."""


@pytest.fixture
def registry() -> Iterator[SecretRegistry]:
    made = SecretRegistry()
    yield made
    made.clear()


# --- by key ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "AccessKeySecret", "access_key_secret", "ACCESS-KEY-SECRET", "SecretData", "secret_data", "Password",
    "password", "NewPassword", "LoginProfile.Password", "SecurityToken", "security_token", "x-acs-security-token",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret", "token", "Authorization", "authorization", "Signature",
    "client_secret", "private_key",
])
def test_a_credential_key_is_sensitive(key: str) -> None:
    assert is_sensitive_key(key)


@pytest.mark.parametrize("key", [
    "AccessKeyId", "access_key_id", "secret_name", "secrets", "SecretName", "user", "NextToken",
    "PasswordResetRequired", "MFABindRequired", "detail", "token_count",
])
def test_an_ordinary_key_is_not_sensitive(key: str) -> None:
    assert not is_sensitive_key(key)


def test_values_under_credential_keys_are_masked_at_any_depth_and_of_any_type() -> None:
    data = {
        "AccessKeyId": "LTAI5tExample",
        "AccessKeySecret": "s3cretvalue",
        "nested": [{"Password": "hunter22", "keep": 1}, {"SecretData": {"AccessKeySecret": "x"}}],
        "token": 12345,
        "ok": True,
    }
    assert redact(data) == {
        "AccessKeyId": "LTAI5tExample",
        "AccessKeySecret": MASK,
        "nested": [{"Password": MASK, "keep": 1}, {"SecretData": MASK}],
        "token": MASK,
        "ok": True,
    }


def test_a_secret_instance_is_masked_wherever_it_sits() -> None:
    assert redact({"value": Secret("abcd1234"), "list": [Secret("abcd1234")]}) == {"value": MASK, "list": [MASK]}


def test_a_key_value_pair_is_masked_by_its_key() -> None:
    assert redact([("AccessKeySecret", "abc"), ("user", "alice")]) == [["AccessKeySecret", MASK], ["user", "alice"]]


def test_a_json_document_inside_a_string_is_redacted_by_key() -> None:
    text = json.dumps({"AccessKeyId": "LTAI", "AccessKeySecret": "topsecret1"})
    assert json.loads(redact_text(text)) == {"AccessKeyId": "LTAI", "AccessKeySecret": MASK}


def test_a_json_string_nested_in_a_json_string_is_redacted() -> None:
    inner = json.dumps({"password": "hunter22"})
    outer = json.dumps({"note": inner})
    cleaned = json.loads(redact_text(outer))
    assert json.loads(cleaned["note"]) == {"password": MASK}


def test_a_json_document_without_credentials_is_left_as_written() -> None:
    text = '{"b": 1,   "a": [1, 2]}'
    assert redact_text(text) == text


# --- free text ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("AccessKeySecret=abcDEF123 then", "AccessKeySecret=*** then"),
    ('{"AccessKeySecret": "abc\\"def", "AccessKeyId": "LTAI1"', '{"AccessKeySecret": "***", "AccessKeyId": "LTAI1"'),
    ("{'AccessKeySecret': 'abc', 'x': 1}", "{'AccessKeySecret': '***', 'x': 1}"),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET=zzz9", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=***"),
    ("access_key_secret: abc123, next", "access_key_secret: ***, next"),
    ("url?Signature=abc%2Bdef&SignatureNonce=1&SecurityToken=tok", "url?Signature=***&SignatureNonce=1&SecurityToken=***"),
    ("Authorization: LOG LTAIxx:sigsig\nHost: x", "Authorization: ***\nHost: x"),
    ('creds \\"AccessKeySecret\\": \\"leak1\\" end', 'creds \\"AccessKeySecret\\": \\"***\\" end'),
    ("Password=hunter22", "Password=***"),
])
def test_credentials_in_free_text_are_masked(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "secret_name=rampart/alice/ak/LTAI5",
    "wrote secret=rampart/alice/ak",
    "NextToken=abc",
    "PasswordResetRequired=true",
    "user alice joined",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_an_exception_text_is_redacted() -> None:
    error = RuntimeError("KMS said: AccessKeySecret=abcdef1234")
    assert redact_exception(error) == "RuntimeError: KMS said: AccessKeySecret=***"


# --- the registry ------------------------------------------------------------------------------


def test_a_registered_value_is_masked_in_text_without_any_key(registry: SecretRegistry) -> None:
    registry.register(Secret(LIVE))
    assert redact_text(f"display name {LIVE}!") == f"display name {MASK}!"


def test_a_registered_value_is_masked_json_escaped_and_url_encoded(registry: SecretRegistry) -> None:
    value = 'pa"ss/w\\rd+1'
    registry.register(value)
    assert value not in redact_text(value)
    assert json.dumps(value)[1:-1] not in redact_text(json.dumps({"x": value}))
    assert quote(value, safe="") not in redact_text("?p=" + quote(value, safe=""))


def test_every_registry_masks_the_values_of_every_live_registry(registry: SecretRegistry) -> None:
    registry.add(LIVE)
    assert REGISTRY.mask(LIVE) == MASK
    assert SecretRegistry().redact(f"x{LIVE}x") == f"x{MASK}x"


def test_a_collected_registry_takes_its_values_with_it() -> None:
    made = SecretRegistry()
    made.register(LIVE)
    del made
    gc.collect()
    assert redact_text(LIVE) == LIVE


def test_a_scope_forgets_what_was_registered_inside_it(registry: SecretRegistry) -> None:
    with registry.scope():
        registry.register(LIVE)
        assert redact_text(LIVE) == MASK
    assert redact_text(LIVE) == LIVE
    assert len(registry) == 0


def test_values_are_counted_so_one_scope_ending_keeps_anothers_secret(registry: SecretRegistry) -> None:
    ready, done = threading.Event(), threading.Event()

    def other() -> None:
        with registry.scope():
            registry.register(LIVE)
            ready.set()
            done.wait(5)

    worker = threading.Thread(target=other)
    worker.start()
    ready.wait(5)
    with registry.scope():
        registry.register(LIVE)
    assert redact_text(LIVE) == MASK  # the other thread's scope still holds it
    done.set()
    worker.join()
    assert redact_text(LIVE) == LIVE


def test_a_value_too_short_to_be_a_secret_is_refused(registry: SecretRegistry) -> None:
    with pytest.raises(ValueError, match="at least 4"):
        registry.register("abc")


def test_a_registry_never_shows_its_values(registry: SecretRegistry) -> None:
    registry.register(LIVE)
    assert LIVE not in repr(registry)


# --- properties -------------------------------------------------------------------------------

_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_secrets = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=4, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(secret=_secrets, before=_texts, after=_texts)
def test_a_registered_secret_never_survives_redaction_of_text_embedding_it(secret: str, before: str, after: str) -> None:
    registry = SecretRegistry()
    registry.register(secret)
    try:
        assert secret not in redact_text(before + secret + after, registry)
    finally:
        registry.clear()


@settings(max_examples=200, deadline=None)
@given(secret=_secrets, before=_texts, key=st.text(max_size=10))
def test_a_registered_secret_never_survives_in_a_rendered_structure(secret: str, before: str, key: str) -> None:
    registry = SecretRegistry()
    registry.register(secret)
    try:
        rendered = dumps({key or "k": [before + secret], "n": {"deep": secret}}, registry)
        assert secret not in rendered
        assert json.dumps(secret)[1:-1] not in rendered
    finally:
        registry.clear()


_ak_secrets = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(value=_ak_secrets, separator=st.sampled_from(["=", ": ", " = ", ":"]), tail=st.sampled_from(["", " x", "&a=1", ", y"]))
def test_an_access_key_secret_beside_its_key_in_free_text_never_survives(value: str, separator: str, tail: str) -> None:
    assert redact_text(f"AccessKeySecret{separator}{value}{tail}") == f"AccessKeySecret{separator}***{tail}"


@settings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1, max_size=30).filter(lambda v: not set(v) & set('"\\')))
def test_a_quoted_access_key_secret_beside_its_key_never_survives(value: str) -> None:
    assert redact_text(f'x "AccessKeySecret": "{value}", y') == 'x "AccessKeySecret": "***", y'


def test_deeply_nested_json_text_is_returned_rather_than_crashing_the_logger() -> None:
    text = "[" * 50_000 + "]" * 50_000
    assert redact_text(text) == text
