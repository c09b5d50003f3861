"""Notifications after a joiner or a leaver: where they go, and what they say. Pure: no I/O.

After the lifecycle function applied an event, the people who hand over accounts are told:
after a **joiner**, the person, each new RAM user's logon principal
(``<user>@<default domain>``), the account's RAM user logon page
(``https://signin.aliyun.com/<default domain>/login.htm``), its access mode, its profiles and
the KMS secret its initial credential is handed over from (``rampart handover USER``); after
a **leaver**, the leaver certificate's summary.

Which events notify (decided here, one place):

- a joiner event, for each of its users that this event **created** (a CREATE_USER step
  applied or converged) and ended ``ok``. A replayed joiner (noop), a stale, refused, held or
  failed one, and a joiner that only updated an existing user tell nobody: a failed joiner's
  half-made user has no credential to hand over yet, and the retry that finishes it notifies.
- a leaver (or any event) for each user whose teardown wrote a **leaver certificate** in this
  run (the read-back found nothing left). A leaver that only disabled a user for a grace
  period has no certificate yet, and tells nobody.

The destination is one KMS secret (``rampart.config.ENV_NOTIFY_SECRET_NAME``) holding
``{"kind": "dingtalk" | "feishu" | "generic", "url": "...", "secret": "..."}``:
:func:`parse_config`. The robot's URL carries its access token, so it is held as a
:class:`Secret` like the signing secret; neither is ever put in a message, a log, an audit
record or an error. The wire (signing, answers) is ``rampart.notify``; the sender is
``rampart.notify``. Nothing here may render a secret value: a notice holds names
(users, KMS secret names, policies), never a credential.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from rampart import naming
from rampart.errors import ConfigError
from rampart.model import AccessMode, AuditResult, EventKind, LifecycleEvent, SecretKind, StepKind, Tags
from rampart.naming import console_login_url, logon_principal, marker_from_tags
from rampart.secret import Secret

if TYPE_CHECKING:
    from rampart.engine import EventResult, UserResult

MAX_TEXT = 4000
"""A longer text is cut (Feishu refuses bodies over 20 KB; a chat message is read, not archived)."""
CONFIG_KEYS = ("kind", "url", "secret")
_LOOPBACK_NAMES = ("localhost",)


class NotifyKind(Enum):
    DINGTALK = "dingtalk"
    """A DingTalk custom robot (``https://oapi.dingtalk.com/robot/send?access_token=...``), signed."""
    FEISHU = "feishu"
    """A Feishu / Lark custom bot (``https://open.feishu.cn/open-apis/bot/v2/hook/<token>``), signed."""
    GENERIC = "generic"
    """Any HTTPS endpoint, signed with rampart's own contract (``rampart.notify``)."""


class NoticeKind(Enum):
    JOINER = "joiner"
    LEAVER = "leaver"


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    kind: NotifyKind
    url: Secret
    """The endpoint: a robot's URL carries its access token, so it is held like a secret."""
    secret: Secret
    """The signing secret (DingTalk's ``SEC...``, Feishu's signature key, the generic HMAC key)."""
    secret_name: str = ""
    """The KMS secret this came from (for messages; never its value)."""

    def where(self) -> str:
        """The endpoint without its token, for logs and errors (``oapi.dingtalk.com/robot/send``)."""
        parts = urlsplit(self.url.reveal())
        path = parts.path
        if self.kind is NotifyKind.FEISHU and "/hook/" in path:
            path = path[: path.index("/hook/") + len("/hook/")] + "***"
        elif self.kind is NotifyKind.GENERIC:
            path = "/..." if path not in ("", "/") else path
        return f"{parts.hostname or ''}{path}"


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_config(secret_name: str, value: Secret) -> NotifyConfig:
    """The destination from the KMS secret's value; a :class:`ConfigError` names the key at
    fault, never a value (the URL included: it carries a token)."""
    where = f"KMS secret {secret_name!r} (notifications)"
    try:
        data = json.loads(value.reveal())
    except ValueError:
        raise ConfigError(f"{where} is not JSON", hint='store {"kind": ..., "url": ..., "secret": ...}') from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must hold a JSON object", hint='{"kind": ..., "url": ..., "secret": ...}')
    unknown = sorted(k for k in data if k not in CONFIG_KEYS and not str(k).startswith("_"))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}", hint=f"expected {', '.join(CONFIG_KEYS)}")
    kinds = ", ".join(k.value for k in NotifyKind)
    try:
        kind = NotifyKind(data.get("kind"))
    except ValueError:
        raise ConfigError(f"{where}: kind must be one of {kinds}") from None
    url, secret = data.get("url"), data.get("secret")
    if not isinstance(url, str) or not url:
        raise ConfigError(f"{where}: url must be a non-empty string")
    if not isinstance(secret, str) or not secret:
        raise ConfigError(f"{where}: secret must be a non-empty string",
                          hint="rampart signs every notification: turn on the robot's signing and store its key")
    _check_url(where, kind, url)
    return NotifyConfig(kind, Secret(url), Secret(secret), secret_name)


def _check_url(where: str, kind: NotifyKind, url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"{where}: url is not a URL") from None
    if parts.scheme not in ("https", "http") or not host or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{where}: url must be https://host/path (no user, password or fragment)")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(f"{where}: url must use https (plain http only on loopback, for localcloud)")
    if kind is NotifyKind.DINGTALK:
        token = parse_qs(parts.query).get("access_token", [""])[0]
        if not parts.path.endswith("/robot/send") or not token:
            raise ConfigError(f"{where}: a DingTalk robot's url is https://oapi.dingtalk.com/robot/send?access_token=...",
                              hint="copy the robot's Webhook address as shown in the group settings")
    elif kind is NotifyKind.FEISHU:
        head, _, token = parts.path.partition("/open-apis/bot/v2/hook/")
        if parts.query or not token or "/" in token or head:
            raise ConfigError(f"{where}: a Feishu bot's url is https://open.feishu.cn/open-apis/bot/v2/hook/<token>",
                              hint="copy the custom bot's webhook address as shown in the group settings")


# --- what a notice says -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JoinedUser:
    user_name: str
    logon_principal: str
    login_url: str
    access: AccessMode
    profiles: tuple[str, ...]
    secret_name: str
    """The KMS secret the initial credential is handed over from (a name, never the value)."""

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user_name, "logon_principal": self.logon_principal, "login_url": self.login_url,
                "access": self.access.value, "profiles": list(self.profiles), "secret_name": self.secret_name,
                "handover": f"rampart handover {self.user_name}"}


@dataclass(frozen=True, slots=True)
class Certificate:
    """A leaver certificate's summary: who, and how much of what was removed."""

    user_name: str
    person_id: str
    removed: Mapping[str, int] = field(default_factory=dict)
    """Per step kind (``delete-access-key``, ``detach-policy`` ...), how many were removed."""

    @property
    def removed_count(self) -> int:
        return sum(self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user_name, "person_id": self.person_id, "removed": dict(self.removed),
                "removed_count": self.removed_count}


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    event_id: str
    correlation_id: str
    person_id: str
    person_name: str = ""
    joined: tuple[JoinedUser, ...] = ()
    certificates: tuple[Certificate, ...] = ()

    @property
    def users(self) -> tuple[str, ...]:
        return tuple(u.user_name for u in self.joined) + tuple(c.user_name for c in self.certificates)

    @property
    def title(self) -> str:
        who = self.person_name or self.person_id
        if self.kind is NoticeKind.JOINER:
            return f"rampart: {who} joined ({len(self.joined)} RAM user(s))"
        return f"rampart: {who} left (leaver certificate)"

    def lines(self) -> list[str]:
        """The message, one line per fact (no credential: names only)."""
        person = f"{self.person_name} (person {self.person_id})" if self.person_name else f"person {self.person_id}"
        out: list[str] = []
        if self.kind is NoticeKind.JOINER:
            out.append(f"Joiner: {person}")
            for user in self.joined:
                out += [
                    f"RAM user {user.user_name}: {user.access.value} access",
                    f"logon principal {user.logon_principal}",
                    f"logon page {user.login_url}",
                    f"profiles {', '.join(user.profiles) or '(none)'}",
                    f"initial credential in KMS secret {user.secret_name}; hand it over with "
                    f"`rampart handover {user.user_name}` (it is never sent here)",
                ]
        else:
            out.append(f"Leaver: {person}")
            for cert in self.certificates:
                counts = ", ".join(f"{kind} {n}" for kind, n in sorted(cert.removed.items())) or "nothing else"
                out.append(f"RAM user {cert.user_name} deleted, certificate on record: "
                           f"{cert.removed_count} item(s) removed ({counts})")
        out.append(f"event {self.event_id}, correlation id {self.correlation_id}")
        return out

    def text(self) -> str:
        """Plain text (Feishu's ``text`` message)."""
        return _cut("\n".join([self.title, *self.lines()]))

    def markdown(self) -> str:
        """DingTalk's ``markdown`` text."""
        return _cut("\n\n".join([f"#### {self.title}", *(f"- {line}" for line in self.lines())]))

    def as_dict(self) -> dict[str, Any]:
        """The generic webhook's JSON document (rampart.notify)."""
        out: dict[str, Any] = {
            "type": f"rampart.{self.kind.value}", "event_id": self.event_id, "correlation_id": self.correlation_id,
            "person": {"person_id": self.person_id, "display_name": self.person_name}, "text": self.text(),
        }
        if self.kind is NoticeKind.JOINER:
            out["users"] = [u.as_dict() for u in self.joined]
        else:
            out["certificates"] = [c.as_dict() for c in self.certificates]
        return out


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 15] + "\n...(truncated)"


# --- which results notify ---------------------------------------------------------------------

_APPLIED = (AuditResult.OK, AuditResult.CONVERGED)


def _created(user: UserResult) -> bool:
    return user.result is AuditResult.OK and any(
        o.step.kind is StepKind.CREATE_USER and o.result in _APPLIED for o in user.outcomes)


def joined_users(event: LifecycleEvent, result: EventResult) -> list[UserResult]:
    """The users this joiner event created (module docstring)."""
    if event.kind is not EventKind.JOINER:
        return []
    return [u for u in result.users if _created(u)]


def certified_users(result: EventResult) -> list[UserResult]:
    return [u for u in result.users if u.certificate is not None and u.result is AuditResult.OK]


def has_news(event: LifecycleEvent, result: EventResult) -> bool:
    """Whether this event's result is one that notifies (without any cloud call)."""
    return bool(joined_users(event, result) or certified_users(result))


def _joined(user: UserResult, domain: str, secret_prefix: str) -> JoinedUser:
    tags: dict[str, str] = {}
    access: AccessMode | None = None
    for outcome in user.outcomes:
        step = outcome.step
        if isinstance(step.detail, Tags):
            tags.update(step.detail.mapping)
        elif step.kind is StepKind.CREATE_LOGIN_PROFILE and outcome.result in _APPLIED:
            access = access or AccessMode.CONSOLE
        elif step.kind is StepKind.CREATE_ACCESS_KEY and outcome.result in _APPLIED:
            access = access or AccessMode.PROGRAMMATIC
    marker = marker_from_tags(tags)
    if marker is not None and marker.access is not None:
        access = marker.access
    access = access or AccessMode.CONSOLE
    profiles: set[str] = set()
    if marker is not None:
        profiles = set(marker.rule_profiles) | {g.profile for g in marker.ticket_grants}
    kind = SecretKind.PASSWORD if access is AccessMode.CONSOLE else SecretKind.ACCESS_KEY
    return JoinedUser(user.user_name, logon_principal(user.user_name, domain), console_login_url(domain), access,
                      tuple(sorted(profiles)), naming.secret_name(secret_prefix, user.user_name, kind))


def _certificate(user: UserResult, fallback_person: str) -> Certificate:
    detail = user.certificate or {}
    removed = detail.get("removed")
    counts = {str(k): len(v) for k, v in removed.items() if isinstance(v, list)} if isinstance(removed, dict) else {}
    return Certificate(str(detail.get("user") or user.user_name), str(detail.get("person_id") or fallback_person), counts)


def notice_for(
    event: LifecycleEvent, result: EventResult, *, default_domain: Callable[[], str], secret_prefix: str
) -> Notice | None:
    """The notice for this event's result, or None when it notifies nobody (module docstring).
    ``default_domain`` (IMS GetDefaultDomain, cached by the identities adapter) is called only
    for a joiner."""
    joined = joined_users(event, result)
    certified = certified_users(result)
    name = event.person.display_name if event.person is not None else ""
    ids = (event.event_id, result.correlation_id, event.person_id, name)
    if joined:
        domain = default_domain()
        return Notice(NoticeKind.JOINER, *ids, joined=tuple(_joined(u, domain, secret_prefix) for u in joined))
    if certified:
        return Notice(NoticeKind.LEAVER, *ids, certificates=tuple(_certificate(u, event.person_id) for u in certified))
    return None


# --- the outcome of one notification ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotifyOutcome:
    """What became of one notification. ``code`` is the robot's own (DingTalk ``errcode``,
    Feishu ``code``; ``0`` is success), the generic endpoint's HTTP status, or rampart's
    reason when no answer was read (``transport``, ``http-502``, ``unreadable``)."""

    kind: NotifyKind
    ok: bool
    code: str
    message: str = ""
    attempts: int = 1

    def as_detail(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "code": self.code, "message": self.message, "attempts": self.attempts}
