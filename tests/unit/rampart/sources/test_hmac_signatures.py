"""Every HMAC-signed source (rampart's generic HR and ticket contracts, Jira, BambooHR) refuses
with 401 a signature that is not exactly the right digest: empty, the bare ``sha256=``, any
prefix of the right digest (a prefix-match check would take it), the right digest with more
after it, a non-hex character in it, a wrong digest in either case. The hex case alone does
not matter (``SHA256=`` and upper-case hex of the right digest are accepted: the documented
rule, tests/unit/rampart/sources/test_ticket_generic_hmac.py, test_bamboohr.py), so upper case
must never make a wrong digest right. The refusal never quotes the expected digest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rampart.sources.base import InboundRequest, SourceError
from rampart.sources.hr.generic import GenericHRSource
from rampart.sources.ticket.generic import GenericTicketSource
from rampart.sources.ticket.jira import JiraSource

from tests.unit.rampart.sources import test_bamboohr as bamboo
from tests.unit.rampart.sources import test_generic_hr_properties as hr
from tests.unit.rampart.sources import test_jira as jira_cases
from tests.unit.rampart.sources import test_ticket_generic_properties as ticket

HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Signed:
    """A correctly signed request of one source, and how to send it with another signature."""

    request: InboundRequest
    header: str
    prefix: str
    """What precedes the hex digest in the header (``sha256=`` or nothing)."""
    parse: Callable[[InboundRequest], object]

    @property
    def digest(self) -> str:
        return self.request.headers[self.header][len(self.prefix):]

    def send(self, signature: str) -> object:
        return self.parse(InboundRequest(self.request.method, self.request.path,
                                         {**self.request.headers, self.header: signature}, {}, self.request.body))


def _generic_hr() -> Signed:
    request = InboundRequest("POST", "/hr/generic", hr.HEADERS, {}, hr.BODY)
    source: GenericHRSource = hr.SOURCE
    return Signed(request, "x-rampart-signature", "sha256=", lambda r: source.parse(r, hr.AT))


def _generic_ticket() -> Signed:
    source: GenericTicketSource = ticket.SOURCE
    return Signed(ticket.signed(ticket.BODY), "x-rampart-signature", "sha256=", lambda r: source.parse(r, ticket.AT))


def _jira() -> Signed:
    source: JiraSource = jira_cases.source()
    now: datetime = jira_cases.NOW
    request = jira_cases.request(jira_cases.sample("jira-issue-approved.json"))
    return Signed(request, "x-hub-signature", "sha256=", lambda r: source.parse(r, now))


def _bamboohr() -> Signed:
    request = bamboo.request(bamboo.payload("employee-created.json"))
    return Signed(request, "x-bamboohr-signature", "", lambda r: bamboo.SOURCE.parse(r, bamboo.AT))


SOURCES = {"generic HR": _generic_hr(), "generic ticket": _generic_ticket(), "Jira": _jira(), "BambooHR": _bamboohr()}
NAMES = list(SOURCES)


def refused(s: Signed, signature: str) -> None:
    with pytest.raises(SourceError) as caught:
        s.send(signature)
    assert caught.value.status == 401, (signature, caught.value.status, caught.value.message)
    assert s.digest not in caught.value.message and s.digest.upper() not in caught.value.message


@pytest.mark.parametrize("name", NAMES)
def test_the_right_signature_is_accepted_in_either_case(name: str) -> None:
    s = SOURCES[name]
    assert len(s.digest) == 64 and set(s.digest) <= set(HEX)
    assert s.send(s.prefix + s.digest)
    assert s.send(s.prefix.upper() + s.digest.upper())


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_or_bare_signature_is_401(name: str) -> None:
    s = SOURCES[name]
    for signature in ("", " ", s.prefix, s.prefix + " ", "sha256", "sha256:" + s.digest, "=" + s.digest):
        refused(s, signature)


@pytest.mark.parametrize("name", NAMES)
def test_every_truncation_of_the_right_digest_is_401(name: str) -> None:
    s = SOURCES[name]
    for length in range(len(s.digest)):
        refused(s, s.prefix + s.digest[:length])
        refused(s, s.prefix + s.digest[:length].upper())


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), extra=st.text(alphabet=HEX + HEX.upper() + " =", min_size=1, max_size=70),
       upper=st.booleans())
def test_the_right_digest_with_more_after_it_is_401(name: str, extra: str, upper: bool) -> None:
    s = SOURCES[name]
    if not extra.strip():
        return  # trailing blanks are trimmed, as from any header
    digest = s.digest.upper() if upper else s.digest
    refused(s, s.prefix + digest + extra)
    refused(s, s.prefix + extra.strip() + digest)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), at=st.integers(0, 63),
       char=st.characters(blacklist_characters=HEX + HEX.upper(), blacklist_categories=("Cs", "Zs", "Cc")))
def test_a_non_hex_character_anywhere_in_the_digest_is_401(name: str, at: int, char: str) -> None:
    s = SOURCES[name]
    refused(s, s.prefix + s.digest[:at] + char + s.digest[at + 1:])
    refused(s, s.prefix + s.digest[:at] + char + s.digest[at:])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(NAMES), at=st.integers(0, 63), flip=st.integers(1, 15), mixed=st.integers(0, 2**64 - 1))
def test_a_wrong_digest_is_401_in_any_case(name: str, at: int, flip: int, mixed: int) -> None:
    s = SOURCES[name]
    wrong = s.digest[:at] + HEX[(HEX.index(s.digest[at]) + flip) % 16] + s.digest[at + 1:]
    cased = "".join(c.upper() if mixed >> i & 1 else c for i, c in enumerate(wrong))
    for signature in (wrong, wrong.upper(), cased):
        refused(s, s.prefix + signature)
