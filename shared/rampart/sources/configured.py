"""Each webhook source built from its KMS secret's value: one JSON object per source holding
its keys and, beside them, its few non-secret settings, so one secret configures one source.

The receivers read the secret named by the source's environment variable
(``rampart.config.SOURCE_SECRET_ENV``) once per instance and pass its value here. Shapes
(``secret``-like values are a string, or a list of strings while a key is being rotated):

============== ========================================================================
``hr:generic``   ``{"secret"}``
``hr:feishu``    ``{"encrypt_key", "verification_token", "person_id_key"?, "departments"?,
                 "leave_on_frozen"?}``
``hr:bamboohr``  ``{"private_key", "company_id"?}``
``hr:dingtalk``  ``{"token", "aes_key", "owner_key"}``
``ticket:jira``  ``{"secret", "mapping": {<JiraMapping fields>, "default_duration"?: "PT4H"},
                 "approved_statuses"?, "approved_status_ids"?}``
``ticket:generic`` ``{"secret", "name"?: "ticket:servicenow"}``
============== ========================================================================

The demo values are ``events/hr/demo-config.json``'s sections (their ``path`` is allowed and
ignored, as is any key starting with ``_``). Pure: no I/O. An error names the secret and the
key, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from rampart.durations import parse_duration
from rampart.errors import ConfigError
from rampart.secret import Secret
from rampart.sources.base import Source

_IGNORED = ("path",)


class _Reader:
    def __init__(self, source: str, secret_name: str, data: Mapping[str, Any], keys: Collection[str]) -> None:
        self.where = f"KMS secret {secret_name!r} ({source})"
        unknown = sorted(k for k in data if k not in keys and k not in _IGNORED and not k.startswith("_"))
        if unknown:
            raise ConfigError(f"{self.where}: unknown key(s) {', '.join(unknown)}",
                              hint=f"expected {', '.join(sorted(keys))}")
        self.data = data

    def secret(self, key: str) -> Secret:
        value = self.data.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self.where}: {key} must be a non-empty string")
        return Secret(value)

    def secrets(self, key: str) -> list[Secret]:
        value = self.data.get(key)
        if isinstance(value, str) and value:
            return [Secret(value)]
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return [Secret(v) for v in value]
        raise ConfigError(f"{self.where}: {key} must be a non-empty string or a list of them")

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{self.where}: {key} must be a string")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.where}: {key} must be a list of strings")
        return tuple(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.where}: {key} must be true or false")
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.where}: {key} must be an object")
        return value


def _generic_hr(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.hr.generic import GenericHRSource

    return GenericHRSource(r.secrets("secret"))


def _feishu(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.hr.feishu import FeishuSource

    departments = r.mapping("departments")
    if not all(isinstance(v, str) for v in departments.values()):
        raise ConfigError(f"{r.where}: departments must map department ids to names")
    return FeishuSource(r.secret("encrypt_key"), r.secret("verification_token"),
                        person_id_key=r.text("person_id_key", "user_id") or "user_id",
                        departments=departments, leave_on_frozen=r.flag("leave_on_frozen"))


def _bamboohr(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.hr.bamboohr import BambooHRSource

    return BambooHRSource(r.secrets("private_key"), company_id=r.text("company_id"))


def _dingtalk(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.hr.dingtalk import DingTalkSource

    owner = r.text("owner_key")
    if not owner:
        raise ConfigError(f"{r.where}: owner_key (the AppKey, CorpId or SuiteKey) is required")
    return DingTalkSource(r.secret("token"), r.secret("aes_key"), owner)


def _jira(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.ticket.jira import JiraMapping, JiraSource

    fields = dict(r.mapping("mapping"))
    duration = fields.pop("default_duration", None)
    for key in ("revoke_values", "identity_keys"):
        if isinstance(fields.get(key), list):
            fields[key] = tuple(fields[key])
    try:
        mapping = JiraMapping(**fields, default_duration=parse_duration(duration) if duration else None)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{r.where}: mapping is invalid: {exc}") from None
    return JiraSource(r.secrets("secret"), mapping, approved_statuses=r.strings("approved_statuses", ("Approved",)),
                      approved_status_ids=r.strings("approved_status_ids", ()), known_profiles=known)


def _ticket_generic(r: _Reader, known: Collection[str] | None) -> Source:
    from rampart.sources.ticket.generic import GenericTicketSource

    return GenericTicketSource(r.secrets("secret"), known_profiles=known,
                               name=r.text("name", "ticket:generic") or "ticket:generic")


_BUILDERS: dict[str, tuple[tuple[str, ...], Callable[[_Reader, Collection[str] | None], Source]]] = {
    "hr:generic": (("secret",), _generic_hr),
    "hr:feishu": (("encrypt_key", "verification_token", "person_id_key", "departments", "leave_on_frozen"), _feishu),
    "hr:bamboohr": (("private_key", "company_id"), _bamboohr),
    "hr:dingtalk": (("token", "aes_key", "owner_key"), _dingtalk),
    "ticket:jira": (("secret", "mapping", "approved_statuses", "approved_status_ids"), _jira),
    "ticket:generic": (("secret", "name"), _ticket_generic),
}
SOURCES = tuple(_BUILDERS)


def build_source(source: str, secret_name: str, value: Secret, *, known_profiles: Collection[str] | None = None) -> Source:
    """The source ``source`` configured from the KMS secret ``secret_name``'s ``value``."""
    if source not in _BUILDERS:
        raise ConfigError(f"no webhook source {source!r}", hint=f"one of {', '.join(SOURCES)}")
    try:
        data = json.loads(value.reveal())
    except ValueError:
        raise ConfigError(f"KMS secret {secret_name!r} ({source}) is not JSON",
                          hint="store a JSON object with the source's keys (rampart.sources.configured)") from None
    if not isinstance(data, dict):
        raise ConfigError(f"KMS secret {secret_name!r} ({source}) must hold a JSON object")
    keys, builder = _BUILDERS[source]
    reader = _Reader(source, secret_name, data, keys)
    try:
        return builder(reader, known_profiles)
    except ValueError as exc:  # a source's own check (a key of the wrong length ...): no value in it
        raise ConfigError(f"{reader.where}: {exc}") from None
