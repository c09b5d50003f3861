"""``rampart handover USER``: show a user's initial credential to an operator, once, safely.

The seed's "share the logon credentials" step. The initial console password or the
AccessKey lives only in KMS (``rampart.naming``); an operator whose credentials allow
``kms:GetSecretValue`` on it may see it, and only like this:

- **on the terminal only.** The value is written to the controlling terminal (``/dev/tty``),
  never to stdout or stderr, so ``rampart handover alice > file``, a pipe, a CI log or
  ``--json`` never carry it. Without a controlling terminal (cron, a function, ``ssh``
  without ``-t``) the handover is refused before KMS is read (:class:`NoTerminal`).
- **audited first.** One ``handover`` audit record (who: the caller ARN; when; which secret
  and key id; never the value) is written to SLS *before* the value is shown, directly and
  not through the stderr spill: a credential is not shown unless its retrieval is on record.
  If SLS refuses the record the value is dropped and the command fails.
- **once.** A secret already handed over (a ``handover`` record for it in the trail) is
  refused unless ``again`` is set, and the repeat is audited as such. The trail must be
  readable for this check: if SLS cannot be queried, the handover fails closed.
- the value is held in a ``Secret``, registered with the redaction registry while the command
  runs (anything rendered meanwhile masks it), and revealed only into the terminal write.

Only rampart's users (marker present, state active) are handed over: a disabled user's
credentials are off anyway. For a programmatic user, the ACSCurrent version of its AccessKey
secret is shown (the key applications read; a rotation moves it), if that key is active.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from rampart.audit import AuditAction, AuditTrail
from rampart.errors import CloudError, PermissionDenied, RampartError, UnknownPerson
from rampart.model import AuditRecord, AuditResult, CatalogOptions, LifecycleState, SecretKind
from rampart.naming import console_login_url, logon_principal, marker_from_tags
from rampart.ports import AuditSink, Identities, Secrets
from rampart.redact import SecretRegistry
from rampart.secret import Secret

Clock = Callable[[], datetime]
Terminal = Callable[[], IO[str]]
LOOKBACK = timedelta(days=3650)
TERMINAL_DEVICE = "/dev/tty"


class NoTerminal(RampartError):
    """No controlling terminal to show the credential on."""

    exit_code = 2


class HandoverRefused(RampartError):
    """The user or its credential cannot be handed over (not rampart's, disabled, already shown)."""

    exit_code = 2


def open_terminal() -> IO[str]:
    """The controlling terminal, for writing (``O_NOCTTY``: never acquire one)."""
    try:
        fd = os.open(TERMINAL_DEVICE, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise NoTerminal(
            f"no terminal to show the credential on ({TERMINAL_DEVICE}: {exc.strerror})",
            hint="run rampart handover in an interactive terminal (ssh -t); it never prints credentials to stdout",
        ) from None
    return os.fdopen(fd, "w", encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Credential:
    user_name: str
    person_id: str
    kind: SecretKind
    secret_name: str
    access_key_id: str | None


@dataclass(frozen=True, slots=True)
class HandoverResult:
    """What the command reports on stdout: everything but the value."""

    user_name: str
    kind: SecretKind
    secret_name: str
    access_key_id: str | None
    logon_principal: str
    event_id: str
    repeat: bool

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user_name, "kind": self.kind.value, "secret_name": self.secret_name,
                "access_key_id": self.access_key_id, "logon_principal": self.logon_principal,
                "event_id": self.event_id, "repeat": self.repeat, "shown_on": "terminal"}


def find_credential(identities: Identities, secrets: Secrets, user_name: str) -> Credential:
    if identities.get_user(user_name) is None:
        raise UnknownPerson(f"no RAM user {user_name}", hint="check the name")
    marker = marker_from_tags(identities.user_tags(user_name))
    if marker is None:
        raise HandoverRefused(f"{user_name} is not managed by rampart: it has no escrowed credential")
    if marker.state is not LifecycleState.ACTIVE:
        raise HandoverRefused(f"{user_name} is {marker.state.value}: its credentials are off", hint="rehire first")
    live = [s for s in secrets.for_user(user_name) if not s.pending_deletion]
    passwords = [s for s in live if s.kind is SecretKind.PASSWORD]
    if passwords and identities.has_login_profile(user_name):
        return Credential(user_name, marker.person_id, SecretKind.PASSWORD, passwords[0].name, None)
    escrowed = {s.access_key_id: s.name for s in live if s.kind is SecretKind.ACCESS_KEY and s.access_key_id}
    keys = sorted((k for k in identities.access_keys(user_name) if k.active and k.access_key_id in escrowed),
                  key=lambda k: (k.created_at, k.access_key_id))
    if keys:
        key_id = keys[-1].access_key_id
        return Credential(user_name, marker.person_id, SecretKind.ACCESS_KEY, escrowed[key_id], key_id)
    raise HandoverRefused(f"{user_name} has no escrowed credential in KMS",
                          hint="converge the user first (rampart sweep, or a mover event)")


def previous_handovers(sink: AuditSink, credential: Credential, now: datetime) -> list[AuditRecord]:
    """Earlier ``handover`` records of this secret (and key), oldest first."""
    found = []
    for record in sink.handovers(credential.user_name, now - LOOKBACK, now + timedelta(minutes=1), limit=1000):
        try:
            detail = json.loads(record.detail or "{}")
        except ValueError:
            continue
        if isinstance(detail, dict) and detail.get("secret_name") == credential.secret_name and (
            detail.get("access_key_id") == credential.access_key_id
        ):
            found.append(record)
    return found


def _text(credential: Credential, value: Secret, principal: str, domain: str, options: CatalogOptions,
          event_id: str, registry: SecretRegistry) -> str:
    lines = [f"rampart handover: {credential.user_name} ({credential.kind.value}); shown once, audited as {event_id}"]
    if credential.kind is SecretKind.PASSWORD:
        lines += [f"  logon name  {principal}", f"  logon page  {console_login_url(domain)}",
                  f"  password    {value.reveal()}"]
        if options.password_reset_required:
            lines.append("  RAM asks for a new password at the first logon"
                         + (" and for an MFA device." if options.mfa_bind_required else "."))
    else:
        try:
            pair = json.loads(value.reveal())
            key_id, key_secret = str(pair["AccessKeyId"]), str(pair["AccessKeySecret"])
        except (ValueError, KeyError, TypeError):
            raise HandoverRefused(f"secret {credential.secret_name} does not hold an AccessKey pair") from None
        if key_id != credential.access_key_id:  # rotated between the look-up and the read
            raise HandoverRefused(f"{credential.secret_name} now holds key {key_id}, not {credential.access_key_id}",
                                  hint="the key was just rotated: run the handover again")
        registry.add(key_secret)  # masked on its own too, wherever else it might be rendered
        lines += [f"  AccessKeyId      {key_id}", f"  AccessKeySecret  {key_secret}"]
    lines.append("Pass it on over a channel that keeps no copy, then clear this terminal.")
    return "\n".join(lines) + "\n"


def hand_over(
    *,
    identities: Identities,
    secrets: Secrets,
    sink: AuditSink,
    options: CatalogOptions,
    user_name: str,
    operator_arn: str,
    event_id: str,
    clock: Clock,
    terminal: Terminal = open_terminal,
    again: bool = False,
) -> HandoverResult:
    """Audit, then show the credential on the terminal (module docstring); returns the facts."""
    now = clock()
    credential = find_credential(identities, secrets, user_name)
    earlier = previous_handovers(sink, credential, now)
    if earlier and not again:
        last = earlier[-1]
        raise HandoverRefused(
            f"{credential.secret_name} was already handed over (by {last.actor or 'unknown'} at {last.time.isoformat()})",
            hint="pass --again to show it once more (audited as a repeat)",
        )
    domain = identities.default_domain()
    principal = logon_principal(user_name, domain)
    tty = terminal()  # before KMS is read: no terminal, no retrieval
    try:
        registry = SecretRegistry()
        with registry.scope():
            try:
                value = secrets.read(credential.secret_name)
            except PermissionDenied as exc:
                exc.hint = f"the operator's credentials need kms:GetSecretValue on {credential.secret_name}"
                raise
            registry.add(value)
            text = _text(credential, value, principal, domain, options, event_id, registry)
            trail = AuditTrail(correlation_id=event_id, event_id=event_id, source="cli", clock=clock,
                               target=user_name, person_id=credential.person_id, actor=operator_arn, registry=registry)
            trail.add(AuditAction.HANDOVER, AuditResult.OK, detail={
                "secret_name": credential.secret_name, "kind": credential.kind.value,
                "access_key_id": credential.access_key_id, "repeat": bool(earlier)})
            try:
                sink.write(trail.records)
            except RampartError as exc:
                raise CloudError("sls", "PutLogs", getattr(exc, "code", type(exc).__name__),
                                 f"the handover could not be audited, so nothing was shown ({exc})") from None
            tty.write(text)
            tty.flush()
            del text, value
    finally:
        tty.close()
    return HandoverResult(user_name, credential.kind, credential.secret_name, credential.access_key_id, principal,
                          event_id, bool(earlier))
