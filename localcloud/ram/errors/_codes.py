"""RAM error codes other than parameter validation: one class per documented error.

Source, unless a class says otherwise: RAM's error page https://www.alibabacloud.com/help/doc-detail/28754.htm
(tabulated in ../shared/reference/alibaba-platform.md §A.3; the full English page, with the Group,
Role, MFA and policy-version codes, is the "Error messages" topic of AlibabaCloudDocs/ram).
Messages keep the page's grammar ("does already EXIST", "CAN NOT has") because clients may compare
them. Parameter errors (``InvalidParameter.*``, ``MalformedPolicyDocument``) live in
:mod:`localcloud.ram.errors._parameters`.
"""

from localcloud.core.errors import CloudError


class NoPermission(CloudError):
    code = "NoPermission"
    http_status = 403
    message = "You are not authorized to do this action."


class CheckAuthenticationCodeFail(CloudError):
    code = "CheckAuthenticationCodeFail"
    http_status = 403
    message = 'The parameter - "AuthenticationCode" is inccorrect.'


class EntityNotExistUser(CloudError):
    code = "EntityNotExist.User"
    http_status = 404
    message = "The user does not exist."


class EntityNotExistUserAccessKey(CloudError):
    code = "EntityNotExist.User.AccessKey"
    http_status = 404
    message = "The user access key does not exist."


class EntityNotExistUserLoginProfile(CloudError):
    code = "EntityNotExist.User.LoginProfile"
    http_status = 404
    message = "The user login profile does not exist."


class EntityNotExistUserMFADevice(CloudError):
    code = "EntityNotExist.User.MFADevice"
    http_status = 404
    message = "The user has not bound any MFA device."


class EntityNotExistUserPolicy(CloudError):
    code = "EntityNotExist.User.Policy"
    http_status = 404
    message = "The indicate policy of the user does not exist."


class EntityNotExistUserGroup(CloudError):
    code = "EntityNotExist.User.Group"
    http_status = 404
    message = "The user has not joined the group."


class EntityNotExistVirtualMFADevice(CloudError):
    code = "EntityNotExist.VirtualMFADevice"
    http_status = 404
    message = "The virtual mfa device does not exist."


class EntityNotExistGroup(CloudError):
    code = "EntityNotExist.Group"
    http_status = 404
    message = "The group does not exist."


class EntityNotExistGroupPolicy(CloudError):
    code = "EntityNotExist.Group.Policy"
    http_status = 404
    message = "The indicate policy attached to the group does not exist."


class EntityNotExistPolicy(CloudError):
    code = "EntityNotExist.Policy"
    http_status = 404
    message = "The policy does not exist."


class EntityNotExistPolicyVersion(CloudError):
    code = "EntityNotExist.Policy.Version"
    http_status = 404
    message = "The policy version does not exist."


class EntityNotExistRole(CloudError):
    # DeleteRole / UpdateRole pages (AlibabaCloudDocs/ram).
    code = "EntityNotExist.Role"
    http_status = 404
    message = "The role does not exist."


class EntityNotExistRolePolicy(CloudError):
    # Code as clients match it (DetachPolicyFromRole); message UNCONFIRMED, modelled on the group one.
    code = "EntityNotExist.Role.Policy"
    http_status = 404
    message = "The indicate policy attached to the role does not exist."


class EntityAlreadyExistsUser(CloudError):
    code = "EntityAlreadyExists.User"
    http_status = 409
    message = "The user does already EXIST."


class EntityAlreadyExistsUserLoginProfile(CloudError):
    code = "EntityAlreadyExists.User.LoginProfile"
    http_status = 409
    message = "The user login profile does already EXIST."


class EntityAlreadyExistsUserMFADevice(CloudError):
    code = "EntityAlreadyExists.User.MFADevice"
    http_status = 409
    message = "The user has already bound a MFA device."


class EntityAlreadyExistsUserGroup(CloudError):
    code = "EntityAlreadyExists.User.Group"
    http_status = 409
    message = "The user has already joined the group."


class EntityAlreadyExistsUserPolicy(CloudError):
    code = "EntityAlreadyExists.User.Policy"
    http_status = 409
    message = "The user has already been attached this policy."


class EntityAlreadyExistsVirtualMFADevice(CloudError):
    code = "EntityAlreadyExists.VirtualMFADevice"
    http_status = 409
    message = "The virtual mfa device does already EXIST."


class EntityAlreadyExistsVirtualMFADeviceUser(CloudError):
    code = "EntityAlreadyExists.VirtualMFADevice.User"
    http_status = 409
    message = "The virtual mfa device does already been bound to a user."


class EntityAlreadyExistsGroup(CloudError):
    code = "EntityAlreadyExists.Group"
    http_status = 409
    message = "The group does already EXIST."


class EntityAlreadyExistsGroupPolicy(CloudError):
    code = "EntityAlreadyExists.Group.Policy"
    http_status = 409
    message = "The group has already been attached this policy."


class EntityAlreadyExistsPolicy(CloudError):
    code = "EntityAlreadyExists.Policy"
    http_status = 409
    message = "The policy does already EXIST."


class EntityAlreadyExistsRole(CloudError):
    # CreateRole page (AlibabaCloudDocs/ram).
    code = "EntityAlreadyExists.Role"
    http_status = 409
    message = "The role does already EXIST."


class EntityAlreadyExistsRolePolicy(CloudError):
    # Code as clients match it (AttachPolicyToRole); message UNCONFIRMED, modelled on the group one.
    code = "EntityAlreadyExists.Role.Policy"
    http_status = 409
    message = "The role has already been attached this policy."


class DeleteConflictUserGroup(CloudError):
    code = "DeleteConflict.User.Group"
    http_status = 409
    message = "The user CAN NOT be in any group while deleting the user."


class DeleteConflictUserAccessKey(CloudError):
    code = "DeleteConflict.User.AccessKey"
    http_status = 409
    message = "The user CAN NOT has any access key while deleting the user."


class DeleteConflictUserLoginProfile(CloudError):
    code = "DeleteConflict.User.LoginProfile"
    http_status = 409
    message = "The user CAN NOT has any login profile while deleting the user."


class DeleteConflictUserMFADevice(CloudError):
    code = "DeleteConflict.User.MFADevice"
    http_status = 409
    message = "The user CAN NOT has any mfa device while deleting the user."


class DeleteConflictUserPolicy(CloudError):
    code = "DeleteConflict.User.Policy"
    http_status = 409
    message = "The user CAN NOT has any attached policy while deleting the user."


class DeleteConflictVirtualMFADeviceUser(CloudError):
    code = "DeleteConflict.VirtualMFADevice.User"
    http_status = 409
    message = "The virtual mfa device CAN NOT been bound to any user while deleting it."


class DeleteConflictGroupUser(CloudError):
    code = "DeleteConflict.Group.User"
    http_status = 409
    message = "The group CAN NOT has any user member while deleting the group."


class DeleteConflictGroupPolicy(CloudError):
    code = "DeleteConflict.Group.Policy"
    http_status = 409
    message = "The entity CAN NOT has any attached policy while deleting the group."


class DeleteConflictPolicyUser(CloudError):
    code = "DeleteConflict.Policy.User"
    http_status = 409
    message = "The policy CAN NOT be attached to any user while deleting the policy."


class DeleteConflictPolicyGroup(CloudError):
    code = "DeleteConflict.Policy.Group"
    http_status = 409
    message = "The policy CAN NOT be attached to any group while deleting the policy."


class DeleteConflictPolicyVersion(CloudError):
    code = "DeleteConflict.Policy.Version"
    http_status = 409
    message = "The policy CAN NOT has any version except the default version while deleting the policy."


class DeleteConflictPolicyVersionDefault(CloudError):
    code = "DeleteConflict.Policy.Version.Default"
    http_status = 409
    message = "The default policy version CAN NOT been deleted directly."


class DeleteConflictRolePolicy(CloudError):
    code = "DeleteConflict.Role.Policy"
    http_status = 409
    message = "The role CAN NOT has any attached policy while deleting the role."


class LimitExceededUser(CloudError):
    code = "LimitExceeded.User"
    http_status = 409
    message = "The count of users beyond the current limits."


class LimitExceededUserAccessKey(CloudError):
    code = "LimitExceeded.User.AccessKey"
    http_status = 409
    message = "The count of access keys of the user beyond the current limits."


class LimitExceededUserGroup(CloudError):
    code = "LimitExceeded.User.Group"
    http_status = 409
    message = "The count of groups the target user joined beyond the current limits."


class LimitExceededUserPolicy(CloudError):
    code = "LimitExceeded.User.Policy"
    http_status = 409
    message = "The policy count of the user attached policies beyond the current limits."


class LimitExceededVirtualMFADevice(CloudError):
    code = "LimitExceeded.VirtualMFADevice"
    http_status = 409
    message = "The count of virtual mfa devices beyond the current limits."


class LimitExceededGroup(CloudError):
    code = "LimitExceeded.Group"
    http_status = 409
    message = "The count of groups beyond the current limits."


class LimitExceededGroupPolicy(CloudError):
    code = "LimitExceeded.Group.Policy"
    http_status = 409
    message = "The policy count of the group beyond the current limits."


class LimitExceededPolicy(CloudError):
    code = "LimitExceeded.Policy"
    http_status = 409
    message = "The count of policy beyond the current limits."


class LimitExceededPolicyVersion(CloudError):
    code = "LimitExceeded.Policy.Version"
    http_status = 409
    message = "The count of policy version beyond the current limits."


class LimitExceededRole(CloudError):
    code = "LimitExceeded.Role"
    http_status = 409
    message = "The count of roles beyond the current limits."


class LimitExceededRolePolicy(CloudError):
    code = "LimitExceeded.Role.Policy"
    http_status = 409
    message = "The count of policies attached to the role beyond the current limits."


class InternalError(CloudError):
    code = "InternalError"
    http_status = 500
    message = "The request processing has failed due to some unknown error."
