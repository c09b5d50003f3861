"""RAM policy documents: the checks RAM's CreatePolicy makes, done before rampart sends one.

Source: the policy language summary in ../shared/reference/alibaba-platform.md §A.5 (the
RAM "Policy elements" page and https://www.alibabacloud.com/help/en/ram/conditional-operator)
and the 6,144-character limit of §A.4. rampart never imports localcloud, so this is its own
small validator; it accepts what localcloud's policy parser accepts for a user policy.

A document is judged as the compact JSON RAM would receive, so a catalog author may write it
as YAML and still get the length RAM counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_DOCUMENT = 6144

_ACTION = re.compile(r"^(\*|[A-Za-z0-9\-_*?]+:[A-Za-z0-9\-_*?]+)$")
_STATEMENT_KEYS = frozenset({"Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Sid"})
_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "IpAddress",
        "NotIpAddress",
    }
)  # each also with an "IfExists" suffix

Problem = tuple[str, str, str]
"""(sub-path such as ``.Statement[0].Effect``, problem, fix)."""


def _strings(value: Any, where: str, problems: list[Problem]) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
        problems.append((where, "must be a non-empty string or list of strings", 'write e.g. ["arms:ReadTraceApp"]'))
        return []
    return items


def _statement(raw: Any, where: str, problems: list[Problem]) -> None:
    if not isinstance(raw, Mapping):
        problems.append((where, "must be an object", "write {Effect: Allow, Action: [...], Resource: [...]}"))
        return
    for key in sorted(set(raw) - _STATEMENT_KEYS, key=str):
        problems.append(
            (f"{where}.{key}", "is not a statement element", f"use only {', '.join(sorted(_STATEMENT_KEYS))}")
        )
    if raw.get("Effect") not in ("Allow", "Deny"):
        problems.append((f"{where}.Effect", "must be Allow or Deny", "write Effect: Allow (case matters)"))
    if ("Action" in raw) == ("NotAction" in raw):
        problems.append((where, "needs exactly one of Action and NotAction", "add an Action list"))
    else:
        key = "Action" if "Action" in raw else "NotAction"
        for action in _strings(raw[key], f"{where}.{key}", problems):
            if not _ACTION.fullmatch(action):
                problems.append(
                    (f"{where}.{key}", f"{action!r} is not <service>:<action>", "write e.g. arms:ReadTraceApp")
                )
    if ("Resource" in raw) == ("NotResource" in raw):
        problems.append((where, "needs exactly one of Resource and NotResource", 'add Resource: "*" or an ARN'))
    else:
        key = "Resource" if "Resource" in raw else "NotResource"
        for resource in _strings(raw[key], f"{where}.{key}", problems):
            if resource != "*" and not (resource.startswith("acs:") and resource.count(":") >= 4):
                fix = "write acs:<service>:<region>:<account>:<resource>, or *"
                problems.append((f"{where}.{key}", f"{resource!r} is not an ARN", fix))
    condition = raw.get("Condition", {})
    if not isinstance(condition, Mapping):
        problems.append((f"{where}.Condition", "must be an object", "write {Operator: {key: value}}"))
        return
    for operator, pairs in condition.items():
        path = f"{where}.Condition.{operator}"
        if str(operator).removesuffix("IfExists") not in _OPERATORS:
            problems.append((path, "is not a RAM condition operator", "use one of §A.5, e.g. DateLessThan"))
        if not isinstance(pairs, Mapping) or not pairs:
            problems.append((path, "must be a non-empty object", "write {acs:CurrentTime: ...}"))


def check(document: Any) -> tuple[str, list[Problem]]:
    """Validate a document given as an object or a JSON string.

    Returns the compact JSON RAM will receive (``""`` when it cannot be read) and every
    problem found; an empty list means RAM's CreatePolicy would accept it.
    """
    data = document
    if isinstance(document, str):
        try:
            data = json.loads(document)
        except json.JSONDecodeError as exc:
            return "", [
                (
                    "",
                    f"is not valid JSON ({exc.msg} at line {exc.lineno})",
                    "fix the JSON, or write the document as YAML",
                )
            ]
    if not isinstance(data, Mapping):
        return "", [("", "must be a policy document object", 'write {Version: "1", Statement: [...]}')]
    problems: list[Problem] = []
    for key in sorted(set(data) - {"Version", "Statement"}, key=str):
        problems.append((f".{key}", "is not a policy element", "use only Version and Statement"))
    if data.get("Version") != "1":
        problems.append((".Version", 'must be the string "1"', 'write Version: "1" (quoted: YAML reads 1 as a number)'))
    statements = data.get("Statement")
    if not isinstance(statements, list) or not statements:
        problems.append(
            (".Statement", "must be a non-empty list of statements", "write Statement: [{Effect: Allow, ...}]")
        )
    else:
        for index, raw in enumerate(statements):
            _statement(raw, f".Statement[{index}]", problems)
    try:
        compact = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return "", [*problems, ("", "holds values JSON cannot carry (dates?)", "quote dates and times as strings")]
    if len(compact) > MAX_DOCUMENT:
        problems.append(
            ("", f"is {len(compact)} characters as compact JSON; RAM allows {MAX_DOCUMENT}", "split it in two")
        )
    return compact, problems
