"""RAM login profiles and the password policy: strength, reuse, hashes only."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from tests.functional.localcloud.types import RawPop

STRONG = "Str0ng!Passw0rd"


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


@pytest.fixture
def alice(ram: Ram) -> str:
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    return "alice"


def create_profile(ram: Ram, user: str, password: str = STRONG, **kw: Any) -> m.CreateLoginProfileResponseBodyLoginProfile:
    return ram.create_login_profile(m.CreateLoginProfileRequest(user_name=user, password=password, **kw)).body.login_profile


def test_login_profile_flags_default_to_false(ram: Ram, alice: str) -> None:
    profile = create_profile(ram, alice)
    assert (profile.user_name, profile.password_reset_required, profile.mfabind_required) == (alice, False, False)
    got = ram.get_login_profile(m.GetLoginProfileRequest(user_name=alice)).body.login_profile
    assert (got.create_date, got.password_reset_required) == (profile.create_date, False)


@pytest.mark.parametrize("password", ["Sh0rt!", "nouppercase1!", "NOLOWERCASE1!", "NoDigitsHere!", "NoSymbols123"])
def test_password_against_default_policy_is_too_weak(ram: Ram, alice: str, password: str) -> None:
    expect_error("InvalidParameter.Password.TooWeak", 400, lambda: create_profile(ram, alice, password))


def test_second_login_profile_is_refused(ram: Ram, alice: str) -> None:
    create_profile(ram, alice)
    expect_error("EntityAlreadyExists.User.LoginProfile", 409, lambda: create_profile(ram, alice))


@pytest.mark.parametrize("action", ["get", "update", "delete"])
def test_missing_login_profile_is_not_found(ram: Ram, alice: str, action: str) -> None:
    calls: dict[str, Callable[[], Any]] = {
        "get": lambda: ram.get_login_profile(m.GetLoginProfileRequest(user_name=alice)),
        "update": lambda: ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password=STRONG)),
        "delete": lambda: ram.delete_login_profile(m.DeleteLoginProfileRequest(user_name=alice)),
    }
    expect_error("EntityNotExist.User.LoginProfile", 404, calls[action])


def test_login_profile_for_unknown_user_is_refused(ram: Ram) -> None:
    expect_error("EntityNotExist.User", 404, lambda: create_profile(ram, "ghost"))


def test_update_login_profile_changes_only_given_flags(ram: Ram, alice: str) -> None:
    create_profile(ram, alice, mfabind_required=True)
    ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password_reset_required=True))
    got = ram.get_login_profile(m.GetLoginProfileRequest(user_name=alice)).body.login_profile
    assert (got.password_reset_required, got.mfabind_required) == (True, True)


def test_update_login_profile_checks_the_new_password(ram: Ram, alice: str) -> None:
    create_profile(ram, alice)
    expect_error("InvalidParameter.Password.TooWeak", 400,
                 lambda: ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password="weak")))


def test_password_reuse_prevention_refuses_recent_passwords(ram: Ram, alice: str) -> None:
    ram.set_password_policy(m.SetPasswordPolicyRequest(password_reuse_prevention=2))
    create_profile(ram, alice, "First!Passw0rd")
    ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password="Second!Passw0rd"))
    for recent in ("First!Passw0rd", "Second!Passw0rd"):
        expect_error("InvalidParameter.Password.TooWeak", 400, partial(
            ram.update_login_profile, m.UpdateLoginProfileRequest(user_name=alice, password=recent)))
    ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password="Third!Passw0rd"))
    ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password="First!Passw0rd"))


def test_without_reuse_prevention_the_same_password_may_be_set_again(ram: Ram, alice: str) -> None:
    create_profile(ram, alice)
    ram.update_login_profile(m.UpdateLoginProfileRequest(user_name=alice, password=STRONG))


def test_password_is_kept_only_as_a_salted_pbkdf2_hash(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    create_profile(ram, alice)
    ram.create_user(m.CreateUserRequest(user_name="bob"))
    create_profile(ram, "bob")
    hashes = [cloud.state.ram.users[u].login_profile.password_hash for u in ("alice", "bob")]  # type: ignore[union-attr]
    assert all(h.startswith("pbkdf2_sha256$") for h in hashes)
    assert hashes[0] != hashes[1]  # salted
    assert STRONG.encode() not in pickle.dumps(cloud.state.ram.users)


def test_delete_login_profile_removes_it(ram: Ram, alice: str) -> None:
    create_profile(ram, alice)
    ram.delete_login_profile(m.DeleteLoginProfileRequest(user_name=alice))
    expect_error("EntityNotExist.User.LoginProfile", 404,
                 lambda: ram.get_login_profile(m.GetLoginProfileRequest(user_name=alice)))


# --- password policy --------------------------------------------------------------------


def test_default_password_policy(ram: Ram) -> None:
    policy = ram.get_password_policy().body.password_policy
    assert policy.minimum_password_length == 8
    assert (policy.require_lowercase_characters, policy.require_uppercase_characters) == (True, True)
    assert (policy.require_numbers, policy.require_symbols, policy.hard_expiry) == (True, True, False)
    assert (policy.max_password_age, policy.password_reuse_prevention, policy.max_login_attemps) == (0, 0, 5)


def test_max_login_attemps_is_spelled_that_way_on_the_wire(cloud: LocalCloud, raw_pop: RawPop) -> None:
    account = cloud.account
    headers = raw_pop.signed_headers(cloud.endpoint, "GetPasswordPolicy", "2015-05-01", {},
                                    account.root_access_key_id, account.root_access_key_secret)
    _, body = raw_pop.post(cloud.endpoint, {}, headers)
    assert body["PasswordPolicy"]["MaxLoginAttemps"] == 5


def test_set_password_policy_returns_and_keeps_the_new_policy(ram: Ram) -> None:
    answer = ram.set_password_policy(m.SetPasswordPolicyRequest(
        minimum_password_length=12, require_symbols=False, max_password_age=90, max_login_attemps=3,
    )).body.password_policy
    got = ram.get_password_policy().body.password_policy
    assert answer.to_map() == got.to_map()
    assert (got.minimum_password_length, got.require_symbols, got.max_password_age, got.max_login_attemps) == (
        12, False, 90, 3)


def test_set_password_policy_resets_omitted_fields_to_defaults(ram: Ram) -> None:
    ram.set_password_policy(m.SetPasswordPolicyRequest(hard_expiry=True, minimum_password_length=10))
    got = ram.set_password_policy(m.SetPasswordPolicyRequest(minimum_password_length=10)).body.password_policy
    assert got.hard_expiry is False


def test_stricter_policy_applies_to_new_passwords(ram: Ram, alice: str) -> None:
    ram.set_password_policy(m.SetPasswordPolicyRequest(minimum_password_length=16))
    expect_error("InvalidParameter.Password.TooWeak", 400, lambda: create_profile(ram, alice, STRONG))
    create_profile(ram, alice, "Much!Longer!Passw0rd")


def test_looser_policy_accepts_simple_passwords(ram: Ram, alice: str) -> None:
    ram.set_password_policy(m.SetPasswordPolicyRequest(
        require_lowercase_characters=False, require_uppercase_characters=False,
        require_numbers=False, require_symbols=False))
    create_profile(ram, alice, "abcdefgh")


@pytest.mark.parametrize("length", [7, 33])
def test_minimum_password_length_outside_8_to_32_is_refused(ram: Ram, length: int) -> None:
    expect_error("InvalidParameter.MinimumPasswordLength.Range", 400,
                 lambda: ram.set_password_policy(m.SetPasswordPolicyRequest(minimum_password_length=length)))


@pytest.mark.parametrize("field", [{"max_login_attemps": 33}, {"password_reuse_prevention": 25},
                                   {"max_password_age": 1096}])
def test_other_password_policy_ranges_are_enforced(ram: Ram, field: dict[str, int]) -> None:
    expect_error("InvalidParameter", 400, lambda: ram.set_password_policy(m.SetPasswordPolicyRequest(**field)))
