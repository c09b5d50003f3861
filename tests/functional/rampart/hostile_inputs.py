"""The hostile inputs the receiver tests declare (test_hostile_receivers.py,
test_hostile_tickets.py; no harness here): hypothesis settings and strategies, the webhook
sources with their paths, functions and replay windows, and pure helpers that encode a payload
and walk or mutate its fields."""

from __future__ import annotations

import json
import string
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
FEW = settings(HOSTILE, max_examples=20)

HR_SOURCES = ("generic", "feishu", "bamboohr", "dingtalk")
TICKET_SOURCES = ("jira", "ticket")
PATHS = {"generic": "/hr/generic", "feishu": "/hr/feishu", "bamboohr": "/hr/bamboohr", "dingtalk": "/hr/dingtalk",
         "jira": "/ticket/jira", "ticket": "/ticket/generic"}
FUNCTION = {**{s: "hr_webhook" for s in HR_SOURCES}, **{s: "ticket_webhook" for s in TICKET_SOURCES}}
WINDOW = {s: timedelta(minutes=5) for s in PATHS} | {"jira": timedelta(hours=1)}
"""How old a signed time may be: the 5-minute replay window; Jira's body timestamp, max_age."""
REFUSALS = frozenset({400, 401, 404, 405, 413, 422})


def encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


# --- strategies ---------------------------------------------------------------------------------

SAFE = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
TRICKS = st.sampled_from([
    "../", "..%2f", "%2e%2e", "/", "\\", "\x00", "\n", "\r\n", "\t", " ", "#", "?", "*", "!", "$(", "`", "'", '"',
    "<", ">", "|", ";", ",", "+", "=", "~", "\u202e", "\u200b", "\ufeff", "\uff41", "é", "ß", "李", "😀", "\x7f", "\x1b[0m",
])
"""Characters no RAM logon name and no rampart person id may hold (``@ : . _ -`` are allowed)."""


def _inside(pieces: tuple[str, str, str]) -> str:
    return "".join(pieces)


bad_ids = st.one_of(
    st.tuples(SAFE, TRICKS, SAFE).map(_inside),
    st.text(string.ascii_lowercase + string.digits, min_size=65, max_size=300),
)
"""Invalid as a logon name and as a person id: a bad character inside (so trimming does not
save it), or more than 64 characters."""
bad_person_ids = bad_ids | st.tuples(st.sampled_from(["-", ".", "_", "@", ":"]), SAFE).map("".join)
"""Person ids must also start with a letter or digit (a leading ``-`` reads as an option)."""
bad_display_names = st.tuples(
    SAFE, st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp"]), SAFE).map(_inside) | st.text(
    string.ascii_letters, min_size=129, max_size=400)
"""A control character inside a name, or more than RAM's 128 characters."""

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
junk = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths_of(value, (*prefix, index))
    return out


def put(data: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
