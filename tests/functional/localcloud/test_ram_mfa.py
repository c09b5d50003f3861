"""Virtual MFA devices: creation, binding with real TOTP codes at localcloud's clock, unbinding."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from alibabacloud_ram20150501 import models as m
from alibabacloud_ram20150501.client import Client as Ram
from alibabacloud_tea_openapi.exceptions import ClientException

from localcloud import LocalCloud
from localcloud.ram.models import totp


def expect_error(code: str, status: int, call: Callable[[], Any]) -> None:
    with pytest.raises(ClientException) as info:
        call()
    assert (info.value.code, info.value.status_code) == (code, status)


def device(ram: Ram, name: str = "phone") -> m.CreateVirtualMFADeviceResponseBodyVirtualMFADevice:
    request = m.CreateVirtualMFADeviceRequest(virtual_mfadevice_name=name)
    return ram.create_virtual_mfadevice(request).body.virtual_mfadevice


def codes(seed: str, at: datetime) -> tuple[str, str]:
    """What an authenticator app shows for the previous and the current 30-second step."""
    return totp.hotp(seed, totp.time_step(at) - 1), totp.totp(seed, at)


def bind(ram: Ram, user: str, serial: str, pair: tuple[str, str]) -> None:
    ram.bind_mfadevice(m.BindMFADeviceRequest(user_name=user, serial_number=serial,
                                              authentication_code_1=pair[0], authentication_code_2=pair[1]))


@pytest.fixture
def alice(ram: Ram) -> str:
    ram.create_user(m.CreateUserRequest(user_name="alice"))
    return "alice"


def test_create_device_returns_serial_seed_and_qr_png(cloud: LocalCloud, ram: Ram) -> None:
    created = device(ram)
    assert created.serial_number == f"acs:ram::{cloud.account.account_id}:mfa/phone"
    assert len(base64.b32decode(created.base_32string_seed)) >= 10
    assert base64.b64decode(created.qrcode_png).startswith(b"\x89PNG\r\n\x1a\n")


def test_duplicate_device_is_refused(ram: Ram) -> None:
    device(ram)
    expect_error("EntityAlreadyExists.VirtualMFADevice", 409, lambda: device(ram))


@pytest.mark.parametrize(("name", "code"), [
    ("p" * 65, "InvalidParameter.VirtualMFADeviceName.Length"),
    ("my phone", "InvalidParameter.VirtualMFADeviceName.InvalidChars"),
])
def test_device_name_rules(ram: Ram, name: str, code: str) -> None:
    expect_error(code, 400, lambda: device(ram, name))


def test_bind_with_current_codes_activates_the_device(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    bind(ram, alice, created.serial_number, codes(created.base_32string_seed, cloud.now()))
    info = ram.get_user_mfainfo(m.GetUserMFAInfoRequest(user_name=alice)).body.mfadevice
    assert (info.serial_number, info.type) == (created.serial_number, "VMFA")
    listed = ram.list_virtual_mfadevices().body.virtual_mfadevices.virtual_mfadevice
    assert [(d.serial_number, d.user.user_name) for d in listed] == [(created.serial_number, alice)]
    assert listed[0].activate_date.endswith("Z")


def test_codes_follow_localclouds_clock(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    cloud.clock_advance(7 * 86400)
    bind(ram, alice, created.serial_number, codes(created.base_32string_seed, cloud.now()))


def test_stale_codes_are_refused(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    pair = codes(created.base_32string_seed, cloud.now())
    cloud.clock_advance(300)
    expect_error("CheckAuthenticationCodeFail", 403, lambda: bind(ram, alice, created.serial_number, pair))


def test_codes_in_the_wrong_order_are_refused(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    first, second = codes(created.base_32string_seed, cloud.now())
    expect_error("CheckAuthenticationCodeFail", 403, lambda: bind(ram, alice, created.serial_number, (second, first)))


@pytest.mark.parametrize("pair", [("12345", "123456"), ("123456", "abcdef")])
def test_codes_must_be_six_digits(ram: Ram, alice: str, pair: tuple[str, str]) -> None:
    created = device(ram)
    expect_error("InvalidParameter.AuthenticationCode.Format", 400,
                 lambda: bind(ram, alice, created.serial_number, pair))


def test_bind_unknown_device_or_user_is_refused(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    pair = codes(created.base_32string_seed, cloud.now())
    expect_error("EntityNotExist.VirtualMFADevice", 404, lambda: bind(ram, alice, created.serial_number + "x", pair))
    expect_error("EntityNotExist.User", 404, lambda: bind(ram, "ghost", created.serial_number, pair))


def test_a_bound_device_cannot_be_bound_again(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    ram.create_user(m.CreateUserRequest(user_name="bob"))
    bind(ram, alice, created.serial_number, codes(created.base_32string_seed, cloud.now()))
    expect_error("EntityAlreadyExists.VirtualMFADevice.User", 409, lambda: bind(
        ram, "bob", created.serial_number, codes(created.base_32string_seed, cloud.now())))


def test_a_user_has_at_most_one_device(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    first, second = device(ram, "one"), device(ram, "two")
    bind(ram, alice, first.serial_number, codes(first.base_32string_seed, cloud.now()))
    expect_error("EntityAlreadyExists.User.MFADevice", 409, lambda: bind(
        ram, alice, second.serial_number, codes(second.base_32string_seed, cloud.now())))


def test_unbind_returns_the_device_and_frees_the_user(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    bind(ram, alice, created.serial_number, codes(created.base_32string_seed, cloud.now()))
    unbound = ram.unbind_mfadevice(m.UnbindMFADeviceRequest(user_name=alice)).body.mfadevice
    assert unbound.serial_number == created.serial_number
    expect_error("EntityNotExist.User.MFADevice", 404,
                 lambda: ram.get_user_mfainfo(m.GetUserMFAInfoRequest(user_name=alice)))
    expect_error("EntityNotExist.User.MFADevice", 404,
                 lambda: ram.unbind_mfadevice(m.UnbindMFADeviceRequest(user_name=alice)))


def test_delete_bound_device_is_refused(cloud: LocalCloud, ram: Ram, alice: str) -> None:
    created = device(ram)
    bind(ram, alice, created.serial_number, codes(created.base_32string_seed, cloud.now()))
    delete: Callable[[], Any] = lambda: ram.delete_virtual_mfadevice(  # noqa: E731
        m.DeleteVirtualMFADeviceRequest(serial_number=created.serial_number))
    expect_error("DeleteConflict.VirtualMFADevice.User", 409, delete)
    ram.unbind_mfadevice(m.UnbindMFADeviceRequest(user_name=alice))
    delete()
    expect_error("EntityNotExist.VirtualMFADevice", 404, delete)
