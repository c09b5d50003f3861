"""The one redaction step every rendered text passes through: log lines, audit ``detail``,
error texts and HTTP answers.

Three layers, applied in this order:

1. **By key.** In dicts, lists and ``(key, value)`` pairs (and JSON documents that make up a
   whole string) the value of a key named like a credential is replaced by ``***`` whatever
   its type: AccessKeySecret, SecretData, Password, SecurityToken, Authorization, Signature,
   secret, token ... Names are compared case-insensitively with ``_``, ``-``, ``.`` and
   spaces ignored, so ``access_key_secret``, ``x-acs-security-token`` and
   ``LoginProfile.Password`` all match. A ``Secret`` instance is masked wherever it sits.
2. **In free text.** ``AccessKeySecret=...``, ``"AccessKeySecret": "..."``,
   ``Password: ...``, ``SecurityToken=...``, ``Signature=...``, ``Authorization: ...`` as
   they appear in SDK messages, URLs, JSON fragments and Python reprs have their value
   masked. Bare ``secret=`` and ``token=`` are left alone in prose (``secret=<KMS secret
   name>`` and ``NextToken`` are common and harmless); layer 3 catches real values there.
3. **By value.** Every live value of every :class:`SecretRegistry` in the process is masked
   wherever it occurs, in any text, even with no key beside it (defence in depth: a secret
   pasted into a display name or echoed back by a cloud API), also JSON-escaped or
   URL-encoded.

Why the registry keeps plain values: it must find a secret inside arbitrary text, and a hash
cannot be searched for. The values live only in this process's memory and only while an
invocation needs them (a registry is cleared, a :meth:`SecretRegistry.scope` ends, or the
invocation's registry is garbage-collected), and they are never rendered. The applier
registers every new AccessKey secret and password the moment the cloud returns it.

This module must never log, raise with, or return a value it masks.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from rampart.secret import MASK, Secret

# --- layer 1: keys -------------------------------------------------------------------------

# Exact names (normalised: lower case, no separators).
_SENSITIVE_NAMES = frozenset({
    "accesskeysecret", "secretaccesskey", "secretdata", "secretvalue", "secretstring",
    "password", "passwd", "pwd", "newpassword", "oldpassword", "initialpassword",
    "securitytoken", "sessiontoken", "accesstoken", "refreshtoken", "idtoken", "token",
    "authorization", "proxyauthorization", "signature", "secret", "clientsecret", "privatekey",
    "cookie", "setcookie",
})
# Names ending like these are credentials too (ALIBABA_CLOUD_ACCESS_KEY_SECRET, NewPassword,
# x-acs-security-token, LoginProfile.Password).
_SENSITIVE_SUFFIXES = ("accesskeysecret", "secretdata", "password", "securitytoken", "privatekey")
_SEPARATORS = re.compile(r"[\s_.\-]+")


def is_sensitive_key(key: object) -> bool:
    """True when a value stored under ``key`` must be masked.

    ``secret`` alone is sensitive (it is ambiguous, so it is masked); ``secret_name``,
    ``secrets`` and ``access_key_id`` are not: name a KMS secret's *name* ``secret_name``.
    """
    name = _SEPARATORS.sub("", str(key)).lower()
    return name in _SENSITIVE_NAMES or name.endswith(_SENSITIVE_SUFFIXES)


# --- layer 2: free text ----------------------------------------------------------------------

_SEP = r"[_\-.]?"
_KEY_WORDS = "|".join((
    rf"access{_SEP}key{_SEP}secret", rf"secret{_SEP}access{_SEP}key", rf"secret{_SEP}data",
    rf"(?:new|old|initial)?{_SEP}password", "passwd", rf"security{_SEP}token", rf"session{_SEP}token",
    rf"access{_SEP}token", rf"refresh{_SEP}token", rf"client{_SEP}secret", rf"private{_SEP}key",
    "signature",
))
# key, optional closing quote, ``=`` or ``:``, then a double-quoted, single-quoted or bare value.
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?<![A-Za-z0-9])(?P<key>{_KEY_WORDS})(?![A-Za-z0-9])
    (?P<sep>\\?["']?\s*[:=]\s*)
    (?:
        (?P<dq>\\?")(?P<dqv>(?:\\.|[^"\\])*?)(?P=dq)
      | '(?P<sqv>[^']*)'
      | (?P<bare>[^\s"',;&)}}\]<>]+)
    )
    """
)
# Authorization headers carry a scheme and a credential separated by a space: mask to the
# end of the value (line, quote or closing brace).
_AUTHORIZATION = re.compile(
    r"""(?i)(?<![A-Za-z0-9])(?P<key>(?:proxy[_\-.]?)?authorization)(?P<sep>\\?["']?\s*[:=]\s*\\?["']?)"""
    r"""(?P<value>[^"'\r\n}]+)"""
)


def _mask_key_value(match: re.Match[str]) -> str:
    if match.group("dq") is not None:
        quote_ = match.group("dq")
        return f"{match.group('key')}{match.group('sep')}{quote_}{MASK}{quote_}"
    if match.group("sqv") is not None:
        return f"{match.group('key')}{match.group('sep')}'{MASK}'"
    return f"{match.group('key')}{match.group('sep')}{MASK}"


def _mask_free_text(text: str) -> str:
    text = _AUTHORIZATION.sub(lambda m: f"{m.group('key')}{m.group('sep')}{MASK}", text)
    return _KEY_VALUE.sub(_mask_key_value, text)


# --- layer 3: the registry of live secret values --------------------------------------------

MIN_SECRET_LENGTH = 4
"""Shorter values are refused: masking every occurrence of ``ab`` would shred all text, and
no AccessKey secret or RAM password is that short (RAM passwords have at least 8 characters)."""


class _LiveRegistries:
    """Every registry alive in the process, and the union of their values (cached)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.registries: weakref.WeakSet[SecretRegistry] = weakref.WeakSet()
        self._generation = 0
        self._cached: tuple[int, tuple[str, ...]] = (-1, ())

    def changed(self) -> None:
        with self.lock:
            self._generation += 1

    def variants(self) -> tuple[str, ...]:
        with self.lock:
            generation, forms = self._cached
            if generation != self._generation:
                union: set[str] = set()
                for registry in list(self.registries):
                    union.update(registry._forms)
                forms = tuple(sorted(union, key=lambda form: (-len(form), form)))
                self._cached = (self._generation, forms)
            return forms


_LIVE = _LiveRegistries()


def _forms_of(raw: str) -> set[str]:
    """The forms a value takes once rendered: as is, JSON-escaped (ASCII or not), URL-encoded."""
    return {raw, json.dumps(raw)[1:-1], json.dumps(raw, ensure_ascii=False)[1:-1], quote(raw, safe=""), quote(raw, safe="/")}


class SecretRegistry:
    """Live secret values to mask wherever they appear; thread-safe.

    Every registry masks the values of *every* registry alive in the process: the
    applier's per-invocation registry and the process's :data:`REGISTRY` are seen by the log
    formatter and the audit trail alike. A registry's values are dropped when it is
    cleared, when a :meth:`scope` ends, or when the registry itself is garbage-collected
    with the invocation that made it. Values are reference-counted, so concurrent
    invocations (bulk import threads) never forget each other's secrets.
    """

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._forms: frozenset[str] = frozenset()
        self._scope: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
            "rampart_secret_scope", default=None
        )
        with _LIVE.lock:
            _LIVE.registries.add(self)
        weakref.finalize(self, _LIVE.changed)

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self)} value(s))"

    def register(self, value: Secret | str) -> None:
        raw = value.reveal() if isinstance(value, Secret) else value
        if not isinstance(raw, str) or len(raw) < MIN_SECRET_LENGTH:
            raise ValueError(f"a registered secret needs at least {MIN_SECRET_LENGTH} characters")
        with _LIVE.lock:
            self._counts[raw] = self._counts.get(raw, 0) + 1
            self._rebuild()
        current = self._scope.get()
        if current is not None:
            current.append(raw)

    add = register

    def forget(self, value: Secret | str) -> None:
        raw = value.reveal() if isinstance(value, Secret) else value
        with _LIVE.lock:
            left = self._counts.get(raw, 0) - 1
            if left > 0:
                self._counts[raw] = left
            else:
                self._counts.pop(raw, None)
            self._rebuild()

    def clear(self) -> None:
        with _LIVE.lock:
            self._counts.clear()
            self._rebuild()

    def __len__(self) -> int:
        with _LIVE.lock:
            return len(self._counts)

    @contextlib.contextmanager
    def scope(self) -> Iterator[SecretRegistry]:
        """Forget, on exit, every value registered inside (in this context)."""
        registered: list[str] = []
        token = self._scope.set(registered)
        try:
            yield self
        finally:
            self._scope.reset(token)
            for raw in registered:
                self.forget(raw)

    def _rebuild(self) -> None:
        forms: set[str] = set()
        for raw in self._counts:
            forms |= _forms_of(raw)
        self._forms = frozenset(forms)
        _LIVE.changed()

    @staticmethod
    def variants() -> tuple[str, ...]:
        """Every live value in every form to search for, longest first (a value containing
        another is masked whole)."""
        return _LIVE.variants()

    def mask(self, text: str) -> str:
        """``text`` with every live secret value masked (no key or pattern rules)."""
        variants = _LIVE.variants()
        if not variants:
            return text
        # Repeat until stable: masking one occurrence can join its neighbours into a new one
        # ("x" + "x***" -> "x***"). Each pass shortens the text, so this ends.
        changed = True
        while changed:
            changed = False
            for form in variants:
                if form in text:
                    text = text.replace(form, MASK)
                    changed = True
        return text

    def redact(self, text: str) -> str:
        """``redact_text(text)``: keys, ``key=value`` patterns and live values masked."""
        return redact_text(text, self)


REGISTRY = SecretRegistry()
"""The process's default registry (the default of every ``registry`` parameter here). Values
registered in any other live registry, such as the applier's per-invocation one, are masked
through it too."""


# --- the entry points ----------------------------------------------------------------------


def redact_text(text: str, registry: SecretRegistry | None = None) -> str:
    """``text`` with credentials masked: JSON inside it by key, ``key=value`` pairs, registered values."""
    registry = REGISTRY if registry is None else registry
    text = _redact_embedded_json(text, registry)
    text = _mask_free_text(text)
    return registry.mask(text)


def redact(value: Any, registry: SecretRegistry | None = None) -> Any:
    """A copy of ``value`` (dicts, lists, tuples, strings, scalars) safe to render.

    Containers come back as ``dict``/``list``; numbers, booleans and None unchanged; any
    other object is rendered with ``str`` and redacted as text.
    """
    registry = REGISTRY if registry is None else registry
    return _redact(value, registry, 0)


def dumps(value: Any, registry: SecretRegistry | None = None, **options: Any) -> str:
    """``value`` redacted and rendered as JSON (``json.dumps`` options; ``default=str``),
    then masked once more: escaping can itself spell out a registered value."""
    registry = REGISTRY if registry is None else registry
    options.setdefault("default", str)
    return registry.mask(json.dumps(_redact(value, registry, 0), **options))


_MAX_DEPTH = 64


def _redact(value: Any, registry: SecretRegistry, depth: int) -> Any:
    if isinstance(value, Secret):
        return MASK
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return redact_text(value, registry)
    if depth >= _MAX_DEPTH:
        return MASK
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            safe_key = redact_text(key, registry) if isinstance(key, str) else key
            out[safe_key] = MASK if is_sensitive_key(key) else _redact(item, registry, depth + 1)
        return out
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and is_sensitive_key(value[0]):
        # a (key, value) pair, as in SLS log contents and header lists
        return [redact_text(value[0], registry), MASK]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_redact(item, registry, depth + 1) for item in value]
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"), registry)
    return redact_text(str(value), registry)


def _redact_embedded_json(text: str, registry: SecretRegistry) -> str:
    """A string that is itself a JSON object or array is redacted by key and re-serialised."""
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "{[" or stripped[-1] not in "}]":
        return text
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return text
    if not isinstance(document, (dict, list)):
        return text
    cleaned = _redact(document, registry, 0)
    if cleaned == document:
        return text
    return json.dumps(cleaned, ensure_ascii=False, separators=_separators_of(stripped))


def _separators_of(text: str) -> tuple[str, str]:
    """Keep a compact document compact and a spaced one spaced (readers diff these)."""
    return (",", ":") if re.search(r'"\s*:\s', text) is None else (", ", ": ")


def redact_exception(exc: BaseException, registry: SecretRegistry | None = None) -> str:
    """The text of ``exc`` safe to show: ``Type: message``, redacted."""
    return redact_text(f"{type(exc).__name__}: {exc}", registry)
