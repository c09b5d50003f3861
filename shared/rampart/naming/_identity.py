"""Who a person is in RAM: the logon name, the display name, the logon principal, and how
many RAM users (one per access mode) they get.

RAM's rules (../shared/reference/alibaba-platform.md §A.1, §A.3; ram20150501==1.3.0
CreateUser request model; the RAM error page https://www.alibabacloud.com/help/doc-detail/28754.htm):

- UserName: 1-64 characters of letters, digits, ``.``, ``-``, ``_``.
- DisplayName: 1-128 characters; the error page allows letters, digits and ``@ . _ -``.
  "Letters" include non-Latin ones: the console accepts Chinese display names, and
  localcloud (``localcloud/ram/rules.py``) accepts Unicode word characters, CJK, ``@ . - _``
  and spaces. rampart sends only what both accept: :func:`display_name_for` keeps Unicode
  letters and digits, ``@ . _ -`` and single spaces, and turns anything else (apostrophes,
  commas, brackets, emoji, control characters) into a space, so "O'Brien, Seán (Ops)"
  becomes "O Brien Seán Ops". Nothing here transliterates a display name: people keep their
  own name; only the logon name must be ASCII.
- The logon principal is ``<UserName>@<default domain>`` (IMS GetDefaultDomain, §A.8;
  ``<alias>.onaliyun.com`` unless changed), and the console logon page of the account is
  ``https://signin.aliyun.com/<default domain>/login.htm``.

One access mode per RAM user, as the RAM guide advises (a console user has no AccessKey and
a programmatic user no password): a person asking for both is refused with a clear error,
or, when the catalog sets ``split_access_modes``, gets two users ``NAME`` and ``NAME-api``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Final

from rampart.errors import EventError, PolicyRefused
from rampart.model import AccessMode, CatalogOptions, Person

MAX_USER_NAME: Final = 64
MAX_DISPLAY_NAME: Final = 128
API_SUFFIX: Final = "-api"
MAX_COLLISION_SUFFIX: Final = 999

_USER_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SEPARATORS = re.compile(r"[._-]{2,}")
_DISPLAY_SPECIALS = frozenset("@._- ")
# Letters NFKD does not decompose into ASCII; the common ones in names.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
        "\u0131": "i",
        "ħ": "h",
        "Ħ": "H",
    }
)


def validate_user_name(name: str) -> str:
    """``name`` if RAM accepts it as a UserName, else :class:`EventError` saying why."""
    if not 1 <= len(name) <= MAX_USER_NAME:
        raise EventError(
            f"user name {name!r} must be 1-{MAX_USER_NAME} characters (it is {len(name)})",
            hint="choose a shorter logon name",
        )
    if not _USER_NAME.fullmatch(name):  # match() would pass a trailing newline ("$")
        bad = "".join(sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "._-"))}))
        raise EventError(
            f"user name {name!r} has characters RAM refuses: {bad!r}",
            hint="use only letters, digits, '.', '-' and '_'",
        )
    return name


def _display_ok(char: str) -> bool:
    # str.isalnum is what localcloud's \w accepts (Unicode letters and digits of any script).
    return char in _DISPLAY_SPECIALS or char.isalnum()


def validate_display_name(name: str) -> str:
    """``name`` if RAM accepts it as a DisplayName (see the module docstring), else
    :class:`EventError`. Leading/trailing spaces and doubled spaces are refused too."""
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        raise EventError(
            f"display name must be 1-{MAX_DISPLAY_NAME} characters", hint="shorten it (display_name_for does this)"
        )
    bad = "".join(sorted({c for c in name if not _display_ok(c)}))
    if bad:
        raise EventError(
            f"display name {name!r} has characters RAM refuses: {bad!r}",
            hint="use letters, digits, spaces and @ . _ - only",
        )
    if name != name.strip() or "  " in name:
        raise EventError(f"display name {name!r} has leading, trailing or doubled spaces", hint="remove them")
    return name


def display_name_for(person: Person) -> str:
    """The display name rampart sends: the HR name made acceptable to RAM (see the module
    docstring), trimmed to 128 characters; the logon name if nothing is left."""
    text = unicodedata.normalize("NFC", person.display_name)
    cleaned = "".join(c if _display_ok(c) else " " for c in text)
    cleaned = " ".join(cleaned.split())[:MAX_DISPLAY_NAME].rstrip()
    return cleaned or derive_user_name(person)


def _ascii_name(text: str) -> str:
    """Lowercase ASCII letters, digits and single separators; "" when nothing remains."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_only = "".join(c for c in folded if c.isascii()).lower()
    ascii_only = re.sub(r"\s+", ".", ascii_only.strip())
    ascii_only = re.sub(r"[^a-z0-9._-]", "", ascii_only)
    ascii_only = _SEPARATORS.sub(lambda m: m.group(0)[0], ascii_only)
    return _trim(ascii_only, MAX_USER_NAME)


def _trim(name: str, limit: int) -> str:
    return name[:limit].strip("._-")


def derive_user_name(person: Person) -> str:
    """The logon name: the explicit ``user_name`` (validated, kept as given), else the email's
    local part (without a ``+tag``), else the display name, else the person id; lowercased,
    folded to ASCII (NFKD, so "José Müller" -> "jose.muller"), spaces -> ``.``, other
    characters dropped, separator runs collapsed, at most 64 characters. Raises
    :class:`EventError` if none of them gives a usable name."""
    if person.user_name:
        return validate_user_name(person.user_name)
    local = person.email.split("@", 1)[0].split("+", 1)[0] if "@" in person.email else ""
    for candidate in (local, person.display_name, person.person_id):
        name = _ascii_name(candidate)
        if name:
            return validate_user_name(name)
    raise EventError(
        f"cannot derive a logon name for person {person.person_id!r}: no ASCII letters or digits in"
        " the email, display name or person id",
        hint="give the person a user_name (or an email)",
    )


def resolve_collision(base: str, owner_of: Callable[[str], str | None], person_id: str) -> str:
    """A free logon name for ``person_id``: ``base`` if no user has it or the user is already
    this person's, else ``base2``, ``base3`` ... (shortened to fit 64 characters).

    ``owner_of(name)`` is None when no RAM user has that name, else the person id recorded on
    that user ("" when the user is not rampart's: never taken over, whatever ``person_id`` is). Deterministic: the same state gives the
    same answer, so a retried joiner finds its own user again.
    """
    validate_user_name(base)
    for number in range(1, MAX_COLLISION_SUFFIX + 1):
        candidate = base if number == 1 else _trim(base, MAX_USER_NAME - len(str(number))) + str(number)
        owner = owner_of(candidate)
        if owner is None or (owner and owner == person_id):
            return validate_user_name(candidate)
    raise EventError(
        f"no free logon name from {base!r} (tried {base}2 to {base}{MAX_COLLISION_SUFFIX})",
        hint="give the person an explicit user_name",
    )


def logon_principal(user_name: str, default_domain: str) -> str:
    """``<user>@<default domain>``, what the person types at the console logon page."""
    validate_user_name(user_name)
    domain = _domain(default_domain)
    return f"{user_name}@{domain}"


def console_login_url(default_domain: str) -> str:
    """The account's RAM user logon page."""
    return f"https://signin.aliyun.com/{_domain(default_domain)}/login.htm"


def _domain(default_domain: str) -> str:
    domain = default_domain.strip().lower()
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?", domain) or ".." in domain:
        raise EventError(
            f"{default_domain!r} is not a default domain", hint="use IMS GetDefaultDomain (e.g. myco.onaliyun.com)"
        )
    return domain


def api_user_name(user_name: str) -> str:
    """The programmatic twin of a console user when access modes are split: ``NAME-api``."""
    return validate_user_name(_trim(user_name, MAX_USER_NAME - len(API_SUFFIX)) + API_SUFFIX)


def access_modes(person: Person, rule_access: AccessMode | None, options: CatalogOptions) -> tuple[AccessMode, ...]:
    """The modes asked for: the person's own request, else the rules', else the default."""
    if person.access:
        return tuple(dict.fromkeys(person.access))
    return (rule_access or options.default_access,)


def access_plan(
    person: Person, rule_access: AccessMode | None, options: CatalogOptions, user_name: str | None = None
) -> list[tuple[str, AccessMode]]:
    """The RAM users for a person, one access mode each.

    ``user_name`` is the logon name after :func:`resolve_collision` (default: derived). Both
    modes asked for: :class:`PolicyRefused`, or with ``options.split_access_modes`` two users,
    ``NAME`` (console) and ``NAME-api`` (programmatic).
    """
    name = validate_user_name(user_name) if user_name else derive_user_name(person)
    modes = access_modes(person, rule_access, options)
    if len(modes) == 1:
        return [(name, modes[0])]
    if not options.split_access_modes:
        raise PolicyRefused(
            f"person {person.person_id!r} asks for both console and programmatic access; one RAM user"
            " gets one access mode (RAM best practice)",
            hint="ask for one mode per request, or set options.split_access_modes: true in the catalog"
            f" to create {name} (console) and {api_user_name(name)} (programmatic)",
        )
    return [(name, AccessMode.CONSOLE), (api_user_name(name), AccessMode.PROGRAMMATIC)]
