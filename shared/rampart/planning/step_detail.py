"""Step details: the keys the planner writes and the applier reads, and their parsers. Pure.

Every value is a string (``Step.detail`` is ``Mapping[str, str]``); none is ever a secret.
Which keys each StepKind carries is listed in ``rampart.planning``'s docstring.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone

from rampart.errors import RampartError
from rampart.model import ACCOUNT, Attachment, PolicyRef, PolicyType, Scope
from rampart.planning.timebound import timebound_document

POLICY = "policy"
"""``str(PolicyRef)``: ``System:AliyunARMSReadOnlyAccess``, ``Custom:rampart-tb-...``."""
SOURCE_POLICY = "source_policy"
"""CREATE_POLICY: the policy a time-bound policy copies."""
SCOPE = "scope"
"""``str(Scope)``: ``account`` or ``resource-group:<id>``."""
ACCESS_KEY_ID = "access_key_id"
SECRET_NAME = "secret_name"  # noqa: S105 - a detail key, not a password
"""A KMS secret's *name* (never its value). Not ``secret``: the redaction layer masks that key."""
RECOVERY_DAYS = "recovery_days"
GROUP = "group"
TAGS = "tags"
"""JSON object of tags to set."""
UNTAG = "untag"
"""JSON list of tag keys to remove."""
DISPLAY_NAME = "display_name"
COMMENTS = "comments"
DOCUMENT = "document"
POLICY_NAME = "policy_name"
DESCRIPTION = "description"
PROFILE = "profile"
UNTIL = "until"
"""ISO 8601 UTC with Z."""
SERIAL = "serial"
KIND = "kind"
"""``password`` | ``access-key`` (``SecretKind`` values): what the applier escrows."""
PERSON_ID = "person_id"
MANAGER = "manager"
RESET_REQUIRED = "reset_required"
MFA_REQUIRED = "mfa_required"
"""``true`` | ``false``: CreateLoginProfile's PasswordResetRequired and MFABindRequired."""


class DetailError(RampartError):
    """A step detail the applier cannot read: a bug between planner and applier."""


def policy_ref_from(detail: Mapping[str, str], key: str = POLICY) -> PolicyRef:
    """``System:Name`` / ``Custom:Name`` back to a PolicyRef."""
    text = detail.get(key, "")
    kind, sep, name = text.partition(":")
    try:
        policy_type = PolicyType(kind)
    except ValueError:
        policy_type = None
    if not sep or not name or policy_type is None:
        raise DetailError(f"step detail {key}={text!r} is not a policy reference like System:AliyunARMSReadOnlyAccess")
    return PolicyRef(policy_type, name)


def scope_from(detail: Mapping[str, str]) -> Scope:
    """``account`` (or missing) / ``resource-group:<id>`` back to a Scope."""
    text = detail.get(SCOPE, "account")
    if text == "account":
        return ACCOUNT
    prefix = "resource-group:"
    if text.startswith(prefix) and len(text) > len(prefix):
        return Scope(text[len(prefix):])
    raise DetailError(f"step detail scope={text!r} is neither 'account' nor 'resource-group:<id>'")


def attachment_from(detail: Mapping[str, str]) -> Attachment:
    return Attachment(policy_ref_from(detail), scope_from(detail))


def tags_from(detail: Mapping[str, str]) -> dict[str, str]:
    value = json.loads(detail.get(TAGS, "{}"))
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise DetailError("step detail tags is not a JSON object of strings")
    return value


def untag_from(detail: Mapping[str, str]) -> list[str]:
    value = json.loads(detail.get(UNTAG, "[]"))
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise DetailError("step detail untag is not a JSON list of strings")
    return value


def until_from(detail: Mapping[str, str]) -> datetime:
    text = detail.get(UNTIL, "")
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError as exc:
        raise DetailError(f"step detail until={text!r} is not an ISO time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def flag(value: bool) -> str:
    return "true" if value else "false"


def flag_from(detail: Mapping[str, str], key: str, default: bool) -> bool:
    return detail[key] == "true" if key in detail else default


def create_policy_document(detail: Mapping[str, str], fetch_source: Callable[[PolicyRef], str]) -> str:
    """The document a CREATE_POLICY step creates: the planned one when the planner knew it
    (catalog custom policies), else the time-bound copy of the source policy's default
    version, which ``fetch_source`` reads (``Identities.policy_document``)."""
    if detail.get(DOCUMENT):
        return detail[DOCUMENT]
    source = policy_ref_from(detail, SOURCE_POLICY)
    return timebound_document(fetch_source(source), until_from(detail), source=str(source))


def ordered(attachments: Iterable[Attachment]) -> list[Attachment]:
    """Attachments in a stable order (PolicyType is an Enum, so PolicyRef's own order cannot compare types)."""
    return sorted(attachments, key=lambda a: (str(a.policy), str(a.scope)))


def tags_json(tags: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(tags.items())), sort_keys=True)


def untag_json(keys: list[str]) -> str:
    return json.dumps(sorted(keys))
