"""Initial console passwords always satisfy the account's password policy."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rampart.errors import PolicyRefused
from rampart.model import PasswordPolicy
from rampart.planning import SYMBOLS, generate_password, password_length, satisfies
from rampart.secret import Secret

POLICIES = st.builds(
    PasswordPolicy,
    minimum_length=st.integers(8, 32),
    require_lowercase=st.booleans(),
    require_uppercase=st.booleans(),
    require_numbers=st.booleans(),
    require_symbols=st.booleans(),
)


@given(POLICIES, st.integers(0, 2**32))
def test_generated_passwords_always_satisfy_the_policy(policy: PasswordPolicy, seed: int) -> None:
    password = generate_password(policy, random.Random(seed)).reveal()
    assert satisfies(password, policy)
    assert len(password) == password_length(policy)


def test_the_password_is_a_secret() -> None:
    password = generate_password(PasswordPolicy(), random.Random(1))
    assert isinstance(password, Secret)
    assert password.reveal() not in repr(password) and password.reveal() not in str(password)


@pytest.mark.parametrize(("minimum", "length"), [(8, 16), (16, 16), (20, 20), (32, 32)])
def test_length_is_at_least_16_and_at_most_32(minimum: int, length: int) -> None:
    assert password_length(PasswordPolicy(minimum_length=minimum)) == length


def test_a_policy_over_ram_s_maximum_is_refused() -> None:
    with pytest.raises(PolicyRefused, match="32"):
        generate_password(PasswordPolicy(minimum_length=40), random.Random(1))


def test_every_class_is_used_even_when_not_required() -> None:
    lax = PasswordPolicy(require_lowercase=False, require_uppercase=False, require_numbers=False, require_symbols=False)
    strict = PasswordPolicy()
    for seed in range(50):
        assert satisfies(generate_password(lax, random.Random(seed)).reveal(), strict)


def test_no_look_alike_characters_and_a_letter_first() -> None:
    for seed in range(200):
        password = generate_password(PasswordPolicy(), random.Random(seed)).reveal()
        assert not set(password) & set("lI1O0o")
        assert password[0].isalpha()
        assert all(c.isalnum() or c in SYMBOLS for c in password)


def test_the_same_seed_gives_the_same_password_and_others_differ() -> None:
    a = generate_password(PasswordPolicy(), random.Random(7))
    assert a == generate_password(PasswordPolicy(), random.Random(7))
    assert a != generate_password(PasswordPolicy(), random.Random(8))


def test_the_default_generator_is_the_system_one() -> None:
    assert satisfies(generate_password(PasswordPolicy()).reveal(), PasswordPolicy())


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab3!efgh", "ok"),
        ("Ab3!efg", "too short"),
        ("ab3!efgh", "no upper"),
        ("AB3!EFGH", "no lower"),
        ("Abc!efgh", "no digit"),
        ("Ab3defgh", "no symbol"),
        ("Ab3! efgh", "a space"),
        ("Ab3!efgh" * 5, "over 32"),
    ],
)
def test_satisfies_checks_each_rule(password: str, why: str) -> None:
    assert satisfies(password, PasswordPolicy()) is (why == "ok")


def test_satisfies_honours_the_policy_minimum() -> None:
    assert not satisfies("Ab3!efghij", PasswordPolicy(minimum_length=12))
