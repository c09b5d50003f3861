"""Virtual MFA devices and the account alias on the wire.

Shapes: ram20150501==1.3.0 models/_create_virtual_mfadevice_response_body.py (Base32StringSeed,
QRCodePNG as Base64 PNG, SerialNumber), _list_virtual_mfadevices_*, _get_user_mfainfo_*
(``MFADevice{SerialNumber, Type}``; ``VMFA`` for a virtual device), _unbind_mfadevice_*,
_get_account_alias_response_body.py.
"""

from __future__ import annotations

import base64
from typing import Any

from localcloud.core.clock import iso
from localcloud.pop.service import Call
from localcloud.ram.responses._common import arn, every, on, service

_user = on("user", "UserName")


def _device_resource(call: Call) -> str:
    serial_number = call.params.str("SerialNumber") or ""
    return arn(call, "mfa", serial_number.rsplit("/", 1)[-1] or "*")


@service.action("CreateVirtualMFADevice", resource=on("mfa", "VirtualMFADeviceName"))
def create_virtual_mfa_device(call: Call) -> dict[str, Any]:
    ram = call.state.ram
    device = ram.create_virtual_mfa_device(call.params.required("VirtualMFADeviceName"))
    return {
        "VirtualMFADevice": {
            "SerialNumber": device.serial_number,
            "Base32StringSeed": device.base32_seed,
            "QRCodePNG": base64.b64encode(ram.qr_code_png(device)).decode("ascii"),
        }
    }


@service.action("ListVirtualMFADevices", resource=every("mfa"))
def list_virtual_mfa_devices(call: Call) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for device, user in call.state.ram.list_virtual_mfa_devices():
        item: dict[str, Any] = {"SerialNumber": device.serial_number}
        if device.activate_date is not None:
            item["ActivateDate"] = iso(device.activate_date)
        if user is not None:
            item["User"] = {"UserId": user.user_id, "UserName": user.user_name, "DisplayName": user.display_name}
        items.append(item)
    return {"VirtualMFADevices": {"VirtualMFADevice": items}}


@service.action("DeleteVirtualMFADevice", resource=_device_resource)
def delete_virtual_mfa_device(call: Call) -> dict[str, Any]:
    call.state.ram.delete_virtual_mfa_device(call.params.required("SerialNumber"))
    return {}


@service.action("BindMFADevice", resource=_user)
def bind_mfa_device(call: Call) -> dict[str, Any]:
    p = call.params
    call.state.ram.bind_mfa_device(
        p.required("UserName"), p.required("SerialNumber"), p.required("AuthenticationCode1"),
        p.required("AuthenticationCode2"),
    )
    return {}


@service.action("UnbindMFADevice", resource=_user)
def unbind_mfa_device(call: Call) -> dict[str, Any]:
    device = call.state.ram.unbind_mfa_device(call.params.required("UserName"))
    return {"MFADevice": {"SerialNumber": device.serial_number}}


@service.action("GetUserMFAInfo", resource=_user)
def get_user_mfa_info(call: Call) -> dict[str, Any]:
    device = call.state.ram.user_mfa_device(call.params.required("UserName"))
    return {"MFADevice": {"SerialNumber": device.serial_number, "Type": "VMFA"}}


# --- account alias ------------------------------------------------------------------------


@service.action("GetAccountAlias")
def get_account_alias(call: Call) -> dict[str, Any]:
    return {"AccountAlias": call.state.ram.account_alias()}


@service.action("SetAccountAlias")
def set_account_alias(call: Call) -> dict[str, Any]:
    call.state.ram.set_account_alias(call.params.required("AccountAlias"))
    return {}


@service.action("ClearAccountAlias")
def clear_account_alias(call: Call) -> dict[str, Any]:
    call.state.ram.clear_account_alias()
    return {}
