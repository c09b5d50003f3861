"""RAM's error codes: one :class:`~localcloud.core.errors.CloudError` class per documented error,
with ``code`` and ``http_status`` as class attributes.

Source, unless a class says otherwise: RAM's error page https://www.alibabacloud.com/help/doc-detail/28754.htm
(tabulated in ../shared/reference/alibaba-platform.md §A.3) and the per-operation error lists of
AlibabaCloudDocs/ram. Two private modules hold them, for size only: ``_codes`` (entities, limits,
conflicts, permissions) and ``_parameters`` (``InvalidParameter.*``, ``MalformedPolicyDocument``);
callers use ``localcloud.ram.errors.<Class>``.
"""

from localcloud.ram.errors._codes import (
    CheckAuthenticationCodeFail as CheckAuthenticationCodeFail,
)
from localcloud.ram.errors._codes import (
    DeleteConflictGroupPolicy as DeleteConflictGroupPolicy,
)
from localcloud.ram.errors._codes import (
    DeleteConflictGroupUser as DeleteConflictGroupUser,
)
from localcloud.ram.errors._codes import (
    DeleteConflictPolicyGroup as DeleteConflictPolicyGroup,
)
from localcloud.ram.errors._codes import (
    DeleteConflictPolicyUser as DeleteConflictPolicyUser,
)
from localcloud.ram.errors._codes import (
    DeleteConflictPolicyVersion as DeleteConflictPolicyVersion,
)
from localcloud.ram.errors._codes import (
    DeleteConflictPolicyVersionDefault as DeleteConflictPolicyVersionDefault,
)
from localcloud.ram.errors._codes import (
    DeleteConflictRolePolicy as DeleteConflictRolePolicy,
)
from localcloud.ram.errors._codes import (
    DeleteConflictUserAccessKey as DeleteConflictUserAccessKey,
)
from localcloud.ram.errors._codes import (
    DeleteConflictUserGroup as DeleteConflictUserGroup,
)
from localcloud.ram.errors._codes import (
    DeleteConflictUserLoginProfile as DeleteConflictUserLoginProfile,
)
from localcloud.ram.errors._codes import (
    DeleteConflictUserMFADevice as DeleteConflictUserMFADevice,
)
from localcloud.ram.errors._codes import (
    DeleteConflictUserPolicy as DeleteConflictUserPolicy,
)
from localcloud.ram.errors._codes import (
    DeleteConflictVirtualMFADeviceUser as DeleteConflictVirtualMFADeviceUser,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsGroup as EntityAlreadyExistsGroup,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsGroupPolicy as EntityAlreadyExistsGroupPolicy,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsPolicy as EntityAlreadyExistsPolicy,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsRole as EntityAlreadyExistsRole,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsRolePolicy as EntityAlreadyExistsRolePolicy,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsUser as EntityAlreadyExistsUser,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsUserGroup as EntityAlreadyExistsUserGroup,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsUserLoginProfile as EntityAlreadyExistsUserLoginProfile,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsUserMFADevice as EntityAlreadyExistsUserMFADevice,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsUserPolicy as EntityAlreadyExistsUserPolicy,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsVirtualMFADevice as EntityAlreadyExistsVirtualMFADevice,
)
from localcloud.ram.errors._codes import (
    EntityAlreadyExistsVirtualMFADeviceUser as EntityAlreadyExistsVirtualMFADeviceUser,
)
from localcloud.ram.errors._codes import (
    EntityNotExistGroup as EntityNotExistGroup,
)
from localcloud.ram.errors._codes import (
    EntityNotExistGroupPolicy as EntityNotExistGroupPolicy,
)
from localcloud.ram.errors._codes import (
    EntityNotExistPolicy as EntityNotExistPolicy,
)
from localcloud.ram.errors._codes import (
    EntityNotExistPolicyVersion as EntityNotExistPolicyVersion,
)
from localcloud.ram.errors._codes import (
    EntityNotExistRole as EntityNotExistRole,
)
from localcloud.ram.errors._codes import (
    EntityNotExistRolePolicy as EntityNotExistRolePolicy,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUser as EntityNotExistUser,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUserAccessKey as EntityNotExistUserAccessKey,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUserGroup as EntityNotExistUserGroup,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUserLoginProfile as EntityNotExistUserLoginProfile,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUserMFADevice as EntityNotExistUserMFADevice,
)
from localcloud.ram.errors._codes import (
    EntityNotExistUserPolicy as EntityNotExistUserPolicy,
)
from localcloud.ram.errors._codes import (
    EntityNotExistVirtualMFADevice as EntityNotExistVirtualMFADevice,
)
from localcloud.ram.errors._codes import (
    InternalError as InternalError,
)
from localcloud.ram.errors._codes import (
    LimitExceededGroup as LimitExceededGroup,
)
from localcloud.ram.errors._codes import (
    LimitExceededGroupPolicy as LimitExceededGroupPolicy,
)
from localcloud.ram.errors._codes import (
    LimitExceededPolicy as LimitExceededPolicy,
)
from localcloud.ram.errors._codes import (
    LimitExceededPolicyVersion as LimitExceededPolicyVersion,
)
from localcloud.ram.errors._codes import (
    LimitExceededRole as LimitExceededRole,
)
from localcloud.ram.errors._codes import (
    LimitExceededRolePolicy as LimitExceededRolePolicy,
)
from localcloud.ram.errors._codes import (
    LimitExceededUser as LimitExceededUser,
)
from localcloud.ram.errors._codes import (
    LimitExceededUserAccessKey as LimitExceededUserAccessKey,
)
from localcloud.ram.errors._codes import (
    LimitExceededUserGroup as LimitExceededUserGroup,
)
from localcloud.ram.errors._codes import (
    LimitExceededUserPolicy as LimitExceededUserPolicy,
)
from localcloud.ram.errors._codes import (
    LimitExceededVirtualMFADevice as LimitExceededVirtualMFADevice,
)
from localcloud.ram.errors._codes import (
    NoPermission as NoPermission,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterAccountAliasFormat as InvalidParameterAccountAliasFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterAccountAliasLength as InvalidParameterAccountAliasLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterAssumeRolePolicyDocumentLength as InvalidParameterAssumeRolePolicyDocumentLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterAuthenticationCodeFormat as InvalidParameterAuthenticationCodeFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterCommentsLength as InvalidParameterCommentsLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterDescriptionLength as InvalidParameterDescriptionLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterDisplayNameInvalidChars as InvalidParameterDisplayNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterDisplayNameLength as InvalidParameterDisplayNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterEmailFormat as InvalidParameterEmailFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterGroupNameInvalidChars as InvalidParameterGroupNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterGroupNameLength as InvalidParameterGroupNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterMaxSessionDuration as InvalidParameterMaxSessionDuration,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterMinimumPasswordLengthRange as InvalidParameterMinimumPasswordLengthRange,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterMobilePhoneFormat as InvalidParameterMobilePhoneFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewAssumeRolePolicyDocumentLength as InvalidParameterNewAssumeRolePolicyDocumentLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewCommentsLength as InvalidParameterNewCommentsLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewDescriptionLength as InvalidParameterNewDescriptionLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewDisplayNameInvalidChars as InvalidParameterNewDisplayNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewDisplayNameLength as InvalidParameterNewDisplayNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewEmailFormat as InvalidParameterNewEmailFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewGroupNameInvalidChars as InvalidParameterNewGroupNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewGroupNameLength as InvalidParameterNewGroupNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewMobilePhoneFormat as InvalidParameterNewMobilePhoneFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewUserNameInvalidChars as InvalidParameterNewUserNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterNewUserNameLength as InvalidParameterNewUserNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterPasswordTooWeak as InvalidParameterPasswordTooWeak,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterPolicyDocumentLength as InvalidParameterPolicyDocumentLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterPolicyNameInvalidChars as InvalidParameterPolicyNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterPolicyNameLength as InvalidParameterPolicyNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterPolicyType as InvalidParameterPolicyType,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterRoleNameInvalidChars as InvalidParameterRoleNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterRoleNameLength as InvalidParameterRoleNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterUserNameInvalidChars as InvalidParameterUserNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterUserNameLength as InvalidParameterUserNameLength,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterVersionIdFormat as InvalidParameterVersionIdFormat,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterVirtualMFADeviceNameInvalidChars as InvalidParameterVirtualMFADeviceNameInvalidChars,
)
from localcloud.ram.errors._parameters import (
    InvalidParameterVirtualMFADeviceNameLength as InvalidParameterVirtualMFADeviceNameLength,
)
from localcloud.ram.errors._parameters import (
    MalformedPolicyDocument as MalformedPolicyDocument,
)
