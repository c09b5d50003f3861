"""The RAM policy language: parse, validate and evaluate policy documents.

Sources: the RAM policy elements page (AlibabaCloudDocs/ram: "Policy elements") and
https://www.alibabacloud.com/help/en/ram/conditional-operator, summarised in
../shared/reference/alibaba-platform.md §A.5:

- ``{"Version": "1", "Statement": [{"Effect", "Action"|"NotAction", "Resource"|"NotResource", "Condition"}]}``;
- explicit Deny overrides Allow; no matching Allow is an implicit deny;
- Action and Resource take ``*`` and ``?`` wildcards (actions case-insensitively);
- in a Condition, several values of one key are ORed, several keys under one operator are
  ANDed, several operators are ANDed; a ``...IfExists`` operator passes when the key is absent.

Pure: no I/O, no clock. The caller passes the request context (``acs:CurrentTime`` etc.).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from localcloud.core.clock import parse_iso
from localcloud.core.wildcards import wildcard_match

MAX_DOCUMENT_CHARS = 6144


class PolicyError(ValueError):
    """A document that RAM would refuse as ``MalformedPolicyDocument``."""


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(operator, key, values) triples."""
    raw: Mapping[str, Any] = field(compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class AuthzRequest:
    action: str
    resource: str
    context: Mapping[str, Sequence[str]]
    """Condition keys (any case) to their values, e.g. ``{"acs:CurrentTime": ["2026-..."]}``."""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    effect: str
    """``Allow``, ``Deny`` (explicit) or ``ImplicitDeny``."""
    statement: Mapping[str, Any] | None = None
    policy: str | None = None


_EFFECTS = ("Allow", "Deny")
_STATEMENT_KEYS = {"Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Sid", "Principal"}
_ACTION_RE = re.compile(r"^(\*|[A-Za-z0-9\-_*?]+:[A-Za-z0-9\-_*?]+)$")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[Any] = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise PolicyError(f"{where} must be a string or a list of strings.")
    if not items:
        raise PolicyError(f"{where} must not be empty.")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{where} must contain only non-empty strings.")
    return tuple(items)


def _condition_values(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise PolicyError(f"{where} values must be strings, numbers or booleans.")
    if not out:
        raise PolicyError(f"{where} must not be empty.")
    return tuple(out)


def _statement(raw: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be an object.")
    unknown = set(raw) - _STATEMENT_KEYS
    if unknown:
        raise PolicyError(f"{where} has unknown element(s): {', '.join(sorted(unknown))}.")
    effect = raw.get("Effect")
    if effect not in _EFFECTS:
        raise PolicyError(f"{where}.Effect must be Allow or Deny.")
    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyError(f"{where} must have exactly one of Action and NotAction.")
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyError(f"{where} must not have both Resource and NotResource.")
    if "Resource" not in raw and "NotResource" not in raw and "Principal" not in raw:
        # trust policies name a Principal and no Resource
        raise PolicyError(f"{where} must have a Resource (or NotResource).")
    action_key = "Action" if "Action" in raw else "NotAction"
    actions = _strings(raw[action_key], f"{where}.{action_key}")
    for action in actions:
        if not _ACTION_RE.match(action):
            raise PolicyError(f"{where}.{action_key} {action!r} is not of the form <service>:<action>.")
    resource_key = "NotResource" if "NotResource" in raw else "Resource"
    resources = _strings(raw.get(resource_key, "*"), f"{where}.{resource_key}")
    conditions: list[tuple[str, str, tuple[str, ...]]] = []
    block = raw.get("Condition", {})
    if not isinstance(block, dict):
        raise PolicyError(f"{where}.Condition must be an object.")
    for operator, pairs in block.items():
        if _operator(operator) is None:
            raise PolicyError(f"{where}.Condition operator {operator!r} is not supported.")
        if not isinstance(pairs, dict) or not pairs:
            raise PolicyError(f"{where}.Condition.{operator} must be a non-empty object.")
        for key, value in pairs.items():
            values = _condition_values(value, f"{where}.Condition.{operator}.{key}")
            _validate_values(operator, values, f"{where}.Condition.{operator}.{key}")
            conditions.append((operator, key, values))
    return Statement(
        effect=effect,
        actions=actions,
        not_action=action_key == "NotAction",
        resources=resources,
        not_resource=resource_key == "NotResource",
        conditions=tuple(conditions),
        raw=raw,
    )


def parse(document: str | Mapping[str, Any]) -> PolicyDocument:
    """Parse and validate; raises :class:`PolicyError` naming what is wrong."""
    if isinstance(document, str):
        if len(document) > MAX_DOCUMENT_CHARS:
            raise PolicyError(f"The policy document is longer than {MAX_DOCUMENT_CHARS} characters.")
        try:
            data = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"The policy document is not valid JSON: {exc.msg} at line {exc.lineno}.") from exc
    else:
        data = document
    if not isinstance(data, dict):
        raise PolicyError("The policy document must be a JSON object.")
    unknown = set(data) - {"Version", "Statement"}
    if unknown:
        raise PolicyError(f"The policy document has unknown element(s): {', '.join(sorted(unknown))}.")
    if data.get("Version") != "1":
        raise PolicyError('The policy document must have "Version": "1".')
    statements = data.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise PolicyError("The policy document must have a non-empty Statement list.")
    return PolicyDocument(tuple(_statement(raw, i) for i, raw in enumerate(statements)))


@lru_cache(maxsize=4096)
def parse_cached(document: str) -> PolicyDocument:
    return parse(document)


# --- matching ---------------------------------------------------------------------------


def _matches_action(statement: Statement, action: str) -> bool:
    hit = any(wildcard_match(p, action, ignore_case=True) for p in statement.actions)
    return not hit if statement.not_action else hit


def _matches_resource(statement: Statement, resource: str) -> bool:
    hit = any(wildcard_match(p, resource) for p in statement.resources)
    return not hit if statement.not_resource else hit


# --- conditions -------------------------------------------------------------------------


def _as_time(value: str) -> datetime:
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    return parse_iso(text)


def _as_number(value: str) -> float:
    return float(value)


def _ip_in(value: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


Compare = Callable[[str, str], bool]

_BASE: dict[str, Compare] = {
    "StringEquals": lambda c, p: c == p,
    "StringEqualsIgnoreCase": lambda c, p: c.lower() == p.lower(),
    "StringLike": lambda c, p: wildcard_match(p, c),
    "NumericEquals": lambda c, p: _as_number(c) == _as_number(p),
    "NumericLessThan": lambda c, p: _as_number(c) < _as_number(p),
    "NumericLessThanEquals": lambda c, p: _as_number(c) <= _as_number(p),
    "NumericGreaterThan": lambda c, p: _as_number(c) > _as_number(p),
    "NumericGreaterThanEquals": lambda c, p: _as_number(c) >= _as_number(p),
    "DateEquals": lambda c, p: _as_time(c) == _as_time(p),
    "DateLessThan": lambda c, p: _as_time(c) < _as_time(p),
    "DateLessThanEquals": lambda c, p: _as_time(c) <= _as_time(p),
    "DateGreaterThan": lambda c, p: _as_time(c) > _as_time(p),
    "DateGreaterThanEquals": lambda c, p: _as_time(c) >= _as_time(p),
    "Bool": lambda c, p: c.lower() == p.lower(),
    "IpAddress": _ip_in,
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
}


@dataclass(frozen=True, slots=True)
class _Operator:
    compare: Compare
    negated: bool
    if_exists: bool


@lru_cache(maxsize=256)
def _operator(name: str) -> _Operator | None:
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    if base in _BASE:
        return _Operator(_BASE[base], False, if_exists)
    if base in _NEGATED:
        return _Operator(_BASE[_NEGATED[base]], True, if_exists)
    return None


def _validate_values(operator: str, values: Iterable[str], where: str) -> None:
    base = operator.removesuffix("IfExists")
    base = _NEGATED.get(base, base)
    for value in values:
        try:
            if base.startswith("Numeric"):
                _as_number(value)
            elif base.startswith("Date"):
                _as_time(value)
            elif base == "IpAddress":
                ipaddress.ip_network(value, strict=False)
            elif base == "Bool" and value.lower() not in ("true", "false"):
                raise ValueError(value)
        except ValueError as exc:
            raise PolicyError(f"{where}: {value!r} is not a valid value for {operator}.") from exc


def _condition_holds(operator: str, key: str, values: tuple[str, ...], context: Mapping[str, Sequence[str]]) -> bool:
    op = _operator(operator)
    if op is None:
        return False
    actual = context.get(key.lower())
    if not actual:
        return op.if_exists or op.negated
    try:
        hit = any(op.compare(a, v) for a in actual for v in values)
    except ValueError:
        hit = False
    return not hit if op.negated else hit


def _conditions_hold(statement: Statement, context: Mapping[str, Sequence[str]]) -> bool:
    return all(_condition_holds(op, key, values, context) for op, key, values in statement.conditions)


def normalise_context(context: Mapping[str, Sequence[str] | str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in context.items():
        out[key.lower()] = [value] if isinstance(value, str) else list(value)
    return out


def evaluate(policies: Iterable[tuple[str, PolicyDocument]], request: AuthzRequest) -> Decision:
    """Evaluate named policy documents: explicit Deny wins, then any Allow, else implicit deny."""
    context = normalise_context(request.context)
    allow: Decision | None = None
    for name, document in policies:
        for statement in document.statements:
            if not _matches_action(statement, request.action):
                continue
            if not _matches_resource(statement, request.resource):
                continue
            if not _conditions_hold(statement, context):
                continue
            if statement.effect == "Deny":
                return Decision(False, "Deny", statement.raw, name)
            if allow is None:
                allow = Decision(True, "Allow", statement.raw, name)
    return allow or Decision(False, "ImplicitDeny")
