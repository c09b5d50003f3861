"""marshmallow building blocks shared by the catalog and event schemas: strict fields whose
messages carry a fix, unknown keys reported with a likely correction, and :func:`issues`,
which flattens marshmallow's nested messages into (path, problem, fix).

Every message written here is ``problem | fix: fix`` (:func:`msg`); :func:`issues` splits it
again and gives marshmallow's own messages ("Missing data for required field.") a fix too.
Strictness is the point: YAML reads ``NO`` as false and ``1`` as a number, and a value that
silently changes type is how an access rule ends up granting the wrong thing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates_schema

FIX = " | fix: "


def msg(problem: str, fix: str) -> str:
    return f"{problem}{FIX}{fix}"


class StrictBool(fields.Field[bool]):
    """Only true or false: ``yes``, ``1`` or ``"false"`` would hide a typo."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(msg(f"must be true or false, not {value!r}", "write true or false"))
        return value


class StrictInt(fields.Field[int]):
    """A whole number in ``low..high`` (never a bool, a float or a numeric string)."""

    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            if self.low == self.high:
                raise ValidationError(msg(f"must be {self.low}, not {value!r}", f"write {self.low}"))
            problem = f"must be a whole number from {self.low} to {self.high}, not {value!r}"
            raise ValidationError(msg(problem, f"write a number in {self.low}..{self.high}"))
        return value


class Text(fields.Field[str]):
    """A string of ``min_len..max_len`` characters matching ``pattern``; a mismatch says
    "use only ``rule``", or ``fix`` when given."""

    def __init__(
        self,
        max_len: int,
        pattern: re.Pattern[str] | None = None,
        rule: str = "",
        min_len: int = 1,
        fix: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_len, self.min_len, self.pattern, self.rule = max_len, min_len, pattern, rule
        self.fix = fix or f"use only {rule}"

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(msg(f"must be a string, not {value!r}", "quote the value"))
        if not self.min_len <= len(value) <= self.max_len:
            problem = f"must be {self.min_len} to {self.max_len} characters (it is {len(value)})"
            raise ValidationError(msg(problem, "shorten it" if value else "give a value"))
        if self.pattern is not None and not self.pattern.fullmatch(value):  # "$" would pass "x\n"
            raise ValidationError(msg(f"{_short(value)} is not valid here", self.fix))
        return value


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


class Choice(fields.Field[Any]):
    """One of an enum's values, spelled exactly; the error lists them."""

    def __init__(self, enum: type[Enum], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum = enum

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        names = [member.value for member in self.enum]
        if value not in names:
            choices = ", ".join(names)
            raise ValidationError(msg(f"{value!r} is not one of {choices}", f"write one of {choices}"))
        return self.enum(value)


class StringList(fields.Field[tuple[str, ...]]):
    """A list of unique strings, each checked by ``item``; errors name the index."""

    def __init__(self, item: Text, max_items: int = 1000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item, self.max_items = item, max_items

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ValidationError(msg(f"must be a list, not {value!r}", "write a list, e.g. [a, b]"))
        if len(value) > self.max_items:
            raise ValidationError(msg(f"has {len(value)} entries; at most {self.max_items} are allowed", "remove some"))
        errors: dict[int, list[str]] = {}
        out: list[str] = []
        for index, item in enumerate(value):
            try:
                text = self.item.deserialize(item)
            except ValidationError as exc:
                errors[index] = list(strings(exc.messages))
                continue
            if text in out:
                errors[index] = [msg(f"{text!r} is listed twice", "remove the duplicate")]
            out.append(text)
        if errors:
            raise ValidationError(errors)
        return tuple(out)


class StrictSchema(Schema):
    """Unknown keys are errors that name the likely intended key (or the allowed ones)."""

    class Meta:
        unknown = EXCLUDE  # reported by _unknown_keys below, with a better message

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unknown_keys(self, data: Any, original: Any, **kwargs: Any) -> None:
        if not isinstance(original, Mapping):
            return
        known = [f.data_key or name for name, f in self.fields.items()]
        errors: dict[str, list[str]] = {}
        for key in original:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                fix = f"did you mean {close[0]}?" if close else f"remove it; allowed: {', '.join(known)}"
                errors[str(key)] = [msg("is not a known key", fix)]
        if errors:
            raise ValidationError(errors)


_DEFAULTS = {
    "Missing data for required field.": ("is required", "add it"),
    "Field may not be null.": ("must not be empty (null)", "give a value or remove the key"),
    "Not a valid list.": ("must be a list", "write a list, e.g. [a, b]"),
    "Invalid input type.": ("must be a mapping", "write key: value pairs"),
    "Invalid type.": ("must be a mapping", "write key: value pairs"),
}


def strings(messages: Any) -> Iterator[str]:
    if isinstance(messages, str):
        yield messages
    elif isinstance(messages, list):
        for item in messages:
            yield from strings(item)


def issues(messages: Any, prefix: str = "", default_fix: str = "") -> Iterator[tuple[str, str, str]]:
    """Flatten marshmallow's messages into (path, problem, fix); paths look like
    ``profiles.arms-full.policies[0].name`` (keys that start with ``.`` or ``[`` are
    sub-paths already and are appended as they are)."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif isinstance(key, str) and key.startswith((".", "[")):
                path = f"{prefix}{key}"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            yield from issues(value, path, default_fix)
        return
    for text in strings(messages):
        if FIX in text:
            problem, _, fix = text.partition(FIX)
        else:
            problem, fix = _DEFAULTS.get(text, (text, default_fix))
        yield prefix, problem, fix
