"""Virtual MFA devices: create, bind to a user with two consecutive TOTP codes, unbind, delete.

Rules (RAM error page https://www.alibabacloud.com/help/doc-detail/28754.htm, §A.4):
- VirtualMFADeviceName 1-64 letters, digits, ``.``, ``-``; SerialNumber
  ``acs:ram::<account>:mfa/<name>``; one device per user.
- BindMFADevice: AuthenticationCode1/2 must be 6 digits
  (``InvalidParameter.AuthenticationCode.Format``) and two consecutive RFC 6238 codes of the
  device's seed at localcloud's clock (else ``CheckAuthenticationCodeFail``, 403); a device
  bound to someone answers ``EntityAlreadyExists.VirtualMFADevice.User``, a user who has one
  ``EntityAlreadyExists.User.MFADevice``.
- DeleteVirtualMFADevice is refused while the device is bound
  (``DeleteConflict.VirtualMFADevice.User``).
"""

from __future__ import annotations

from localcloud.ram import errors
from localcloud.ram.models import _rules as rules
from localcloud.ram.models import totp
from localcloud.ram.models._base import RamBase
from localcloud.ram.models.entities import User, VirtualMFADevice


class MfaOps(RamBase):
    def mfa_serial_number(self, device_name: str) -> str:
        return f"acs:ram::{self.account_id}:mfa/{device_name}"

    def create_virtual_mfa_device(self, device_name: str) -> VirtualMFADevice:
        rules.mfa_device_name(device_name)
        serial_number = self.mfa_serial_number(device_name)
        if serial_number in self.mfa_devices:
            raise errors.EntityAlreadyExistsVirtualMFADevice()
        if len(self.mfa_devices) >= rules.MAX_VIRTUAL_MFA_DEVICES:
            raise errors.LimitExceededVirtualMFADevice()
        device = VirtualMFADevice(serial_number, totp.new_seed(), self.now, serial=self.next_serial())
        self.mfa_devices[serial_number] = device
        return device

    def qr_code_png(self, device: VirtualMFADevice) -> bytes:
        label = f"{device.serial_number.rsplit('/', 1)[-1]}@{self._state.account.default_domain}"
        return totp.qr_code_png(totp.otpauth_uri(label, device.base32_seed))

    def get_mfa_device(self, serial_number: str) -> VirtualMFADevice:
        device = self.mfa_devices.get(serial_number)
        if device is None:
            raise errors.EntityNotExistVirtualMFADevice(f"The virtual mfa device does not exist: {serial_number}")
        return device

    def list_virtual_mfa_devices(self) -> list[tuple[VirtualMFADevice, User | None]]:
        devices = sorted(self.mfa_devices.values(), key=lambda d: d.serial)
        return [(d, self.users.get(d.user_name) if d.user_name else None) for d in devices]

    def bind_mfa_device(self, user_name: str, serial_number: str, code1: str, code2: str) -> None:
        rules.authentication_code(code1)
        rules.authentication_code(code2)
        user = self.get_user(user_name)
        device = self.get_mfa_device(serial_number)
        if device.user_name is not None:
            raise errors.EntityAlreadyExistsVirtualMFADeviceUser()
        if user.mfa_serial is not None:
            raise errors.EntityAlreadyExistsUserMFADevice()
        if not totp.consecutive_codes_match(device.base32_seed, code1, code2, self.now):
            raise errors.CheckAuthenticationCodeFail()
        device.user_name = user.user_name
        device.activate_date = self.now
        user.mfa_serial = serial_number

    def user_mfa_device(self, user_name: str) -> VirtualMFADevice:
        user = self.get_user(user_name)
        if user.mfa_serial is None or user.mfa_serial not in self.mfa_devices:
            raise errors.EntityNotExistUserMFADevice()
        return self.mfa_devices[user.mfa_serial]

    def unbind_mfa_device(self, user_name: str) -> VirtualMFADevice:
        device = self.user_mfa_device(user_name)
        self.users[user_name].mfa_serial = None
        device.user_name = None
        device.activate_date = None
        return device

    def delete_virtual_mfa_device(self, serial_number: str) -> None:
        device = self.get_mfa_device(serial_number)
        if device.user_name is not None:
            raise errors.DeleteConflictVirtualMFADeviceUser()
        del self.mfa_devices[serial_number]
