"""RAM parameter errors (``InvalidParameter.*``, ``MalformedPolicyDocument``): HTTP 400 each.

Source, unless a class says otherwise: RAM's error page https://www.alibabacloud.com/help/doc-detail/28754.htm
and the per-operation error lists of AlibabaCloudDocs/ram (CreateRole, UpdateRole, DeleteGroup ...).
"""

from localcloud.core.errors import CloudError


class InvalidParameterUserNameInvalidChars(CloudError):
    code = "InvalidParameter.UserName.InvalidChars"
    http_status = 400
    message = 'The parameter - "UserName" contains invalid chars.'


class InvalidParameterUserNameLength(CloudError):
    code = "InvalidParameter.UserName.Length"
    http_status = 400
    message = 'The parameter - "UserName" beyond the length limit.'


class InvalidParameterNewUserNameInvalidChars(CloudError):
    code = "InvalidParameter.NewUserName.InvalidChars"
    http_status = 400
    message = 'The parameter - "NewUserName" contains invalid chars.'


class InvalidParameterNewUserNameLength(CloudError):
    code = "InvalidParameter.NewUserName.Length"
    http_status = 400
    message = 'The parameter - "NewUserName" beyond the length limit.'


class InvalidParameterDisplayNameInvalidChars(CloudError):
    code = "InvalidParameter.DisplayName.InvalidChars"
    http_status = 400
    message = 'The parameter - "DisplayName" contains invalid chars.'


class InvalidParameterDisplayNameLength(CloudError):
    code = "InvalidParameter.DisplayName.Length"
    http_status = 400
    message = 'The parameter - "DisplayName" beyond the length limit.'


class InvalidParameterNewDisplayNameInvalidChars(CloudError):
    code = "InvalidParameter.NewDisplayName.InvalidChars"
    http_status = 400
    message = 'The parameter - "NewDisplayName" contains invalid chars.'


class InvalidParameterNewDisplayNameLength(CloudError):
    code = "InvalidParameter.NewDisplayName.Length"
    http_status = 400
    message = 'The parameter - "NewDisplayName" beyond the length limit.'


class InvalidParameterGroupNameInvalidChars(CloudError):
    code = "InvalidParameter.GroupName.InvalidChars"
    http_status = 400
    message = 'The parameter - "GroupName" contains invalid chars.'


class InvalidParameterGroupNameLength(CloudError):
    code = "InvalidParameter.GroupName.Length"
    http_status = 400
    message = 'The parameter - "GroupName" beyond the length limit.'


class InvalidParameterNewGroupNameInvalidChars(CloudError):
    code = "InvalidParameter.NewGroupName.InvalidChars"
    http_status = 400
    message = 'The parameter - "NewGroupName" contains invalid chars.'


class InvalidParameterNewGroupNameLength(CloudError):
    code = "InvalidParameter.NewGroupName.Length"
    http_status = 400
    message = 'The parameter - "NewGroupName" beyond the length limit.'


class InvalidParameterPolicyNameInvalidChars(CloudError):
    code = "InvalidParameter.PolicyName.InvalidChars"
    http_status = 400
    message = 'The parameter - "PolicyName" contains invalid chars.'


class InvalidParameterPolicyNameLength(CloudError):
    code = "InvalidParameter.PolicyName.Length"
    http_status = 400
    message = 'The parameter - "PolicyName" beyond the length limit.'


class InvalidParameterRoleNameInvalidChars(CloudError):
    code = "InvalidParameter.RoleName.InvalidChars"
    http_status = 400
    message = 'The parameter - "RoleName" contains invalid chars.'


class InvalidParameterRoleNameLength(CloudError):
    code = "InvalidParameter.RoleName.Length"
    http_status = 400
    message = 'The parameter - "RoleName" beyond the length limit.'


class InvalidParameterVirtualMFADeviceNameInvalidChars(CloudError):
    code = "InvalidParameter.VirtualMFADeviceName.InvalidChars"
    http_status = 400
    message = 'The parameter - "VirtualMFADeviceName" contains invalid chars.'


class InvalidParameterVirtualMFADeviceNameLength(CloudError):
    code = "InvalidParameter.VirtualMFADeviceName.Length"
    http_status = 400
    message = 'The parameter - "VirtualMFADeviceName" beyond the length limit.'


class InvalidParameterMobilePhoneFormat(CloudError):
    code = "InvalidParameter.MobilePhone.Format"
    http_status = 400
    message = 'The format of the parameter - "MobilePhone" is incorrect.'


class InvalidParameterNewMobilePhoneFormat(CloudError):
    code = "InvalidParameter.NewMobilePhone.Format"
    http_status = 400
    message = 'The format of the parameter - "NewMobilePhone" is incorrect.'


class InvalidParameterEmailFormat(CloudError):
    code = "InvalidParameter.Email.Format"
    http_status = 400
    message = 'The format of the parameter - "Email" is incorrect.'


class InvalidParameterNewEmailFormat(CloudError):
    code = "InvalidParameter.NewEmail.Format"
    http_status = 400
    message = 'The format of the parameter - "NewEmail" is incorrect.'


class InvalidParameterVersionIdFormat(CloudError):
    code = "InvalidParameter.VersionId.Format"
    http_status = 400
    message = 'The format of the parameter - "VersionId" is incorrect.'


class InvalidParameterCommentsLength(CloudError):
    code = "InvalidParameter.Comments.Length"
    http_status = 400
    message = 'The parameter - "Comments" beyond the length limit.'


class InvalidParameterNewCommentsLength(CloudError):
    code = "InvalidParameter.NewComments.Length"
    http_status = 400
    message = 'The parameter - "NewComments" beyond the length limit.'


class InvalidParameterPolicyDocumentLength(CloudError):
    code = "InvalidParameter.PolicyDocument.Length"
    http_status = 400
    message = 'The parameter - "PolicyDocument" beyond the length limit.'


class InvalidParameterDescriptionLength(CloudError):
    code = "InvalidParameter.Description.Length"
    http_status = 400
    message = 'The parameter - "Description" beyond the length limit.'


class InvalidParameterAssumeRolePolicyDocumentLength(CloudError):
    code = "InvalidParameter.AssumeRolePolicyDocument.Length"
    http_status = 400
    message = 'The parameter - "AssumeRolePolicyDocument" beyond the length limit.'


class InvalidParameterNewAssumeRolePolicyDocumentLength(CloudError):
    code = "InvalidParameter.NewAssumeRolePolicyDocument.Length"
    http_status = 400
    message = 'The parameter - "NewAssumeRolePolicyDocument" beyond the length limit.'


class InvalidParameterNewDescriptionLength(CloudError):
    # UNCONFIRMED: no page lists it; named after NewComments.Length for UpdateRole / UpdatePolicyDescription.
    code = "InvalidParameter.NewDescription.Length"
    http_status = 400
    message = 'The parameter - "NewDescription" beyond the length limit.'


class InvalidParameterPasswordTooWeak(CloudError):
    code = "InvalidParameter.Password.TooWeak"
    http_status = 400
    message = 'The parameter - "Password" is not compliant with the password policy.'


class InvalidParameterPolicyType(CloudError):
    code = "InvalidParameter.PolicyType"
    http_status = 400
    message = 'The parameter - "PolicyType" is incorrect.'


class InvalidParameterAccountAliasFormat(CloudError):
    code = "InvalidParameter.AccountAlias.Format"
    http_status = 400
    message = 'The format of parameter - "AccountAlias" is incorrect.'


class InvalidParameterAccountAliasLength(CloudError):
    # The page says 3 and 63; the current SetAccountAlias page says 3 to 32 characters.
    code = "InvalidParameter.AccountAlias.Length"
    http_status = 400
    message = 'The parameter - "AccountAlias" MUST be in the range of 3 and 32.'


class InvalidParameterMinimumPasswordLengthRange(CloudError):
    code = "InvalidParameter.MinimumPasswordLength.Range"
    http_status = 400
    message = 'The parameter - "MinimumPasswordLength" MUST be in the range of 8 and 32.'


class InvalidParameterAuthenticationCodeFormat(CloudError):
    code = "InvalidParameter.AuthenticationCode.Format"
    http_status = 400
    message = 'The parameter - "AuthenticationCode" MUST be 6 numbers.'


class InvalidParameterMaxSessionDuration(CloudError):
    # UNCONFIRMED: no Alibaba page lists the code for an out-of-range MaxSessionDuration.
    code = "InvalidParameter.MaxSessionDuration"
    http_status = 400
    message = 'The parameter - "MaxSessionDuration" MUST be in the range of 3600 and 43200.'


class MalformedPolicyDocument(CloudError):
    code = "MalformedPolicyDocument"
    http_status = 400
    message = "The policy document is malformed."
