"""Time-bound grants: custom policies that copy a profile's policy and end by themselves.

The official pattern (../shared/reference/alibaba-platform.md §A.5, from
https://www.alibabacloud.com/help/en/ram/use-cases/use-ram-to-limit-the-period-of-time-in-which-users-are-allowed-to-access-alibaba-cloud-resources):
every Allow statement carries ``"Condition": {"DateLessThan": {"acs:CurrentTime": "<until>"}}``,
so RAM itself stops honouring the grant at ``until`` even if the sweeper never runs. The
policy stays attached after it expires and simply stops granting; the sweep detaches and
deletes it afterwards.

Names (RAM custom policy names: 1-128 letters, digits and ``-``, §A.1 CreatePolicy) are
``rampart-tb-<user hash>-<user>-<profile>-<grant hash>``: readable, deterministic (re-planning
finds the same name), and collision-safe where the readable parts are not (``a.b`` and
``a_b`` both read ``a-b``). The user hash comes first so that one user's prefix can never be
the start of another user's names.

Pure: never reads the clock, never fetches a document (the caller passes it), no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rampart.errors import PolicyRefused
from rampart.model import NewPolicy, PolicyRef

PREFIX = "rampart-tb-"
MAX_POLICY_NAME = 128
MAX_DOCUMENT = 6144
"""RAM custom policy document limit in characters (§A.4 limits page)."""
CURRENT_TIME = "acs:CurrentTime"
DATE_LESS_THAN = "DateLessThan"
_USER_PART = 40
_PROFILE_PART = 30
_HASH = 10


def iso_z(when: datetime) -> str:
    """``2025-12-31T09:00:00Z``: the form the condition and the marker tags use (whole seconds)."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:_HASH]


def _slug(text: str, limit: int) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:limit].strip("-")
    return slug or "x"


def timebound_prefix(user_name: str) -> str:
    """The start of every time-bound policy name of ``user_name`` (observe lists by it)."""
    return f"{PREFIX}{_digest('user', user_name)}-{_slug(user_name, _USER_PART)}-"


def timebound_policy_name(user_name: str, profile: str, source_policy: PolicyRef, until: datetime) -> str:
    """The custom policy that grants ``source_policy`` of ``profile`` to ``user_name`` until ``until``.

    ``until`` is part of the name: extending a grant makes a new policy (and the old one is
    detached and deleted), so a policy's document never changes under a name.
    """
    name = (
        timebound_prefix(user_name)
        + _slug(profile, _PROFILE_PART)
        + "-"
        + _digest(user_name, profile, str(source_policy), iso_z(until))
    )
    if len(name) > MAX_POLICY_NAME:  # pragma: no cover - the parts are bounded to 104 characters
        raise ValueError(f"time-bound policy name longer than {MAX_POLICY_NAME}: {name}")
    return name


def is_timebound_name(user_name: str, policy_name: str) -> bool:
    return policy_name.startswith(timebound_prefix(user_name))


def _parse_time(text: str) -> datetime | None:
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _bounded(condition: Any, until: datetime, source: str) -> dict[str, Any]:
    """The statement's condition block with ``DateLessThan acs:CurrentTime`` at most ``until``.

    Operators and keys inside one block are ANDed (§A.5), so adding ours only narrows the
    grant. An existing bound on acs:CurrentTime keeps the earlier time; several values of one
    key are ORed, so their latest is the bound they set.
    """
    if condition is None:
        condition = {}
    if not isinstance(condition, dict):
        raise PolicyRefused(f"cannot make {source} time-bound: a statement's Condition is not an object")
    merged = dict(condition)
    operator = merged.get(DATE_LESS_THAN, {})
    if not isinstance(operator, dict):
        raise PolicyRefused(f"cannot make {source} time-bound: its DateLessThan condition is not an object")
    operator = dict(operator)
    bound = until
    for key in [k for k in operator if k.lower() == CURRENT_TIME.lower()]:
        values = operator.pop(key)
        texts = values if isinstance(values, list) else [values]
        times = [_parse_time(t) if isinstance(t, str) else None for t in texts]
        if not times or any(t is None for t in times):
            raise PolicyRefused(f"cannot make {source} time-bound: its DateLessThan {key} value is not a time")
        bound = min(bound, max(t for t in times if t is not None))
    operator[CURRENT_TIME] = iso_z(bound)
    merged[DATE_LESS_THAN] = operator
    return merged


def timebound_document(source_document: str, until: datetime, *, source: str = "the policy") -> str:
    """A copy of ``source_document`` (a system policy's default version, or a catalog custom
    policy) whose every Allow statement ends at ``until``.

    Deny statements are copied unconditioned: a time condition on a Deny would only weaken it,
    and the whole grant ends anyway. Raises PolicyRefused when the document cannot be read or
    the copy exceeds RAM's 6,144-character limit.
    """
    try:
        data = json.loads(source_document)
    except ValueError as exc:
        raise PolicyRefused(f"cannot make {source} time-bound: its document is not JSON ({exc})") from exc
    if not isinstance(data, dict) or "Statement" not in data:
        raise PolicyRefused(f"cannot make {source} time-bound: its document has no Statement")
    statements = data["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise PolicyRefused(f"cannot make {source} time-bound: its Statement is not a list of objects")
    copied: list[dict[str, Any]] = []
    for statement in statements:
        item = dict(statement)
        if item.get("Effect") != "Deny":
            item["Condition"] = _bounded(item.get("Condition"), until, source)
        copied.append(item)
    out = {**data, "Version": data.get("Version", "1"), "Statement": copied}
    document = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
    if len(document) > MAX_DOCUMENT:
        raise PolicyRefused(
            f"the time-bound copy of {source} is {len(document)} characters, over RAM's {MAX_DOCUMENT:,} limit",
            hint="grant a narrower custom policy time-bound, or grant this profile permanently",
        )
    return document


def create_policy_document(detail: NewPolicy, fetch_source: Callable[[PolicyRef], str]) -> str:
    """The document a CREATE_POLICY step creates: the planned one when the planner knew it
    (catalog custom policies), else the time-bound copy of the source policy's default
    version, which ``fetch_source`` reads (``Identities.policy_document``)."""
    if detail.document is not None:
        return detail.document
    return timebound_document(fetch_source(detail.source_policy), detail.until, source=str(detail.source_policy))


def allow_bounds(document: str) -> list[datetime | None]:
    """For each Allow statement of a document, its DateLessThan acs:CurrentTime bound (None
    when it has none): how tests and the drift report check a time-bound policy."""
    data = json.loads(document)
    statements = data.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    out: list[datetime | None] = []
    for statement in statements:
        if statement.get("Effect") == "Deny":
            continue
        operator = (statement.get("Condition") or {}).get(DATE_LESS_THAN) or {}
        value = next((v for k, v in operator.items() if k.lower() == CURRENT_TIME.lower()), None)
        out.append(_parse_time(value) if isinstance(value, str) else None)
    return out
