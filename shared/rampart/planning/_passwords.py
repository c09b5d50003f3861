"""Initial console passwords: generated to satisfy the account's password policy.

RAM refuses a password that breaks GetPasswordPolicy with ``InvalidParameter.Password.TooWeak``
(alibaba-platform.md §A.2, §A.3); MinimumPasswordLength is 8-32. rampart always uses every
character class (whatever the policy requires) and at least 16 characters, from an alphabet
without look-alikes (``l I 1 O 0 o``) because the person types it once from the handover, and
it always starts with a letter (a leading ``-`` or ``=`` confuses shells and forms). Symbols are
a conservative set of printable ASCII that RAM accepts, with no quotes, spaces or backslashes.

The value is returned only as a :class:`rampart.secret.Secret`; the generator is injected
(``secrets.SystemRandom`` in production, a seeded ``random.Random`` in tests).
"""

from __future__ import annotations

import random
import secrets
import string

from rampart.errors import PolicyRefused
from rampart.model import PasswordPolicy
from rampart.secret import Secret

LOWER = "abcdefghijkmnpqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
SYMBOLS = "!@#$%^&*()_+-=[]{}"
CLASSES = (LOWER, UPPER, DIGITS, SYMBOLS)
ALPHABET = "".join(CLASSES)
MIN_GENERATED = 16
RAM_MIN = 8
RAM_MAX = 32


def password_length(policy: PasswordPolicy) -> int:
    """max(policy minimum, 16), within RAM's 8-32."""
    if policy.minimum_length > RAM_MAX:
        raise PolicyRefused(
            f"the password policy asks for at least {policy.minimum_length} characters, over RAM's maximum of {RAM_MAX}",
            hint="fix MinimumPasswordLength with SetPasswordPolicy (8-32)",
        )
    return min(max(policy.minimum_length, MIN_GENERATED), RAM_MAX)


def generate_password(policy: PasswordPolicy, rng: random.Random | None = None) -> Secret:
    """A password that :func:`satisfies` ``policy``, as a Secret."""
    chooser = rng if rng is not None else secrets.SystemRandom()
    length = password_length(policy)
    chars = [chooser.choice(group) for group in CLASSES]
    chars += [chooser.choice(ALPHABET) for _ in range(length - len(chars))]
    chooser.shuffle(chars)
    if not chars[0].isalpha():
        first_letter = next(i for i, c in enumerate(chars) if c.isalpha())
        chars[0], chars[first_letter] = chars[first_letter], chars[0]
    return Secret("".join(chars))


def satisfies(password: str, policy: PasswordPolicy) -> bool:
    """Would RAM accept ``password`` under ``policy``? (The rules of SetPasswordPolicy, §A.2.)"""
    if not RAM_MIN <= len(password) <= RAM_MAX or len(password) < policy.minimum_length:
        return False
    printable = set(string.ascii_letters + string.digits + string.punctuation)
    if any(c not in printable for c in password):
        return False
    checks = (
        (policy.require_lowercase, any(c.islower() for c in password)),
        (policy.require_uppercase, any(c.isupper() for c in password)),
        (policy.require_numbers, any(c.isdigit() for c in password)),
        (policy.require_symbols, any(c in string.punctuation for c in password)),
    )
    return all(found for required, found in checks if required)
