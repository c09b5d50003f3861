"""RAM error codes: one class per documented error.

Source: the RAM error page https://www.alibabacloud.com/help/doc-detail/28754.htm as
tabulated in ../shared/reference/alibaba-platform.md §A.3. Messages keep the page's
grammar ("does already EXIST", "CAN NOT has") because clients may compare them.
Codes not in that table are marked where they are defined.
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


class InvalidParameterDisplayNameInvalidChars(CloudError):
    code = "InvalidParameter.DisplayName.InvalidChars"
    http_status = 400
    message = 'The parameter - "DisplayName" contains invalid chars.'


class InvalidParameterDisplayNameLength(CloudError):
    code = "InvalidParameter.DisplayName.Length"
    http_status = 400
    message = 'The parameter - "DisplayName" beyond the length limit.'


class InvalidParameterCommentsLength(CloudError):
    code = "InvalidParameter.Comments.Length"
    http_status = 400
    message = 'The parameter - "Comments" beyond the length limit.'


class InvalidParameterMobilePhoneFormat(CloudError):
    code = "InvalidParameter.MobilePhone.Format"
    http_status = 400
    message = 'The parameter - "MobilePhone" is wrongly formed.'


class InvalidParameterEmailFormat(CloudError):
    code = "InvalidParameter.Email.Format"
    http_status = 400
    message = 'The parameter - "Email" is wrongly formed.'


class InvalidParameterPasswordTooWeak(CloudError):
    code = "InvalidParameter.Password.TooWeak"
    http_status = 400
    message = 'The parameter - "Password" is not compliant with the password policy.'


class InvalidParameterPolicyType(CloudError):
    code = "InvalidParameter.PolicyType"
    http_status = 400
    message = 'The parameter - "PolicyType" must be System or Custom.'


class InvalidParameterPolicyNameInvalidChars(CloudError):
    code = "InvalidParameter.PolicyName.InvalidChars"
    http_status = 400
    message = 'The parameter - "PolicyName" contains invalid chars.'


class InvalidParameterPolicyNameLength(CloudError):
    code = "InvalidParameter.PolicyName.Length"
    http_status = 400
    message = 'The parameter - "PolicyName" beyond the length limit.'


class InvalidParameterPolicyDocumentLength(CloudError):
    code = "InvalidParameter.PolicyDocument.Length"
    http_status = 400
    message = 'The parameter - "PolicyDocument" beyond the length limit.'


class MalformedPolicyDocument(CloudError):
    code = "MalformedPolicyDocument"
    http_status = 400
    message = 'The policy document is malformed.'


class NoPermission(CloudError):
    code = "NoPermission"
    http_status = 403
    message = 'You are not authorized to do this action.'


class EntityNotExistUser(CloudError):
    code = "EntityNotExist.User"
    http_status = 404
    message = 'The user does not exist.'


class EntityNotExistUserAccessKey(CloudError):
    code = "EntityNotExist.User.AccessKey"
    http_status = 404
    message = 'The user access key does not exist.'


class EntityNotExistUserLoginProfile(CloudError):
    code = "EntityNotExist.User.LoginProfile"
    http_status = 404
    message = 'The user login profile does not exist.'


class EntityNotExistUserPolicy(CloudError):
    code = "EntityNotExist.User.Policy"
    http_status = 404
    message = 'The indicate policy of the user does not exist.'


class EntityNotExistUserGroup(CloudError):
    code = "EntityNotExist.User.Group"
    http_status = 404
    message = 'The user has not joined the group.'


class EntityNotExistGroup(CloudError):
    code = "EntityNotExist.Group"
    http_status = 404
    message = 'The group does not exist.'


class EntityNotExistPolicy(CloudError):
    code = "EntityNotExist.Policy"
    http_status = 404
    message = 'The policy does not exist.'


class EntityAlreadyExistsUser(CloudError):
    code = "EntityAlreadyExists.User"
    http_status = 409
    message = 'The user does already EXIST.'


class EntityAlreadyExistsUserLoginProfile(CloudError):
    code = "EntityAlreadyExists.User.LoginProfile"
    http_status = 409
    message = 'The login profile of the user does already EXIST.'


class EntityAlreadyExistsUserGroup(CloudError):
    code = "EntityAlreadyExists.User.Group"
    http_status = 409
    message = 'The user has already joined the group.'


class EntityAlreadyExistsUserPolicy(CloudError):
    code = "EntityAlreadyExists.User.Policy"
    http_status = 409
    message = 'The user has already been attached this policy.'


class EntityAlreadyExistsPolicy(CloudError):
    code = "EntityAlreadyExists.Policy"
    http_status = 409
    message = 'The policy does already EXIST.'


class DeleteConflictUserGroup(CloudError):
    code = "DeleteConflict.User.Group"
    http_status = 409
    message = 'The user CAN NOT be in any group while deleting the user.'


class DeleteConflictUserAccessKey(CloudError):
    code = "DeleteConflict.User.AccessKey"
    http_status = 409
    message = 'The user CAN NOT has any access key while deleting the user.'


class DeleteConflictUserLoginProfile(CloudError):
    code = "DeleteConflict.User.LoginProfile"
    http_status = 409
    message = 'The user CAN NOT has any login profile while deleting the user.'


class DeleteConflictUserMFADevice(CloudError):
    code = "DeleteConflict.User.MFADevice"
    http_status = 409
    message = 'The user CAN NOT has any mfa device while deleting the user.'


class DeleteConflictUserPolicy(CloudError):
    code = "DeleteConflict.User.Policy"
    http_status = 409
    message = 'The user CAN NOT has any attached policy while deleting the user.'


class DeleteConflictPolicyUser(CloudError):
    code = "DeleteConflict.Policy.User"
    http_status = 409
    message = 'The policy CAN NOT be attached to any user while deleting the policy.'


class DeleteConflictPolicyGroup(CloudError):
    code = "DeleteConflict.Policy.Group"
    http_status = 409
    message = 'The policy CAN NOT be attached to any group while deleting the policy.'


class DeleteConflictPolicyVersion(CloudError):
    code = "DeleteConflict.Policy.Version"
    http_status = 409
    message = 'The policy CAN NOT has any version except the default version while deleting the policy.'


class LimitExceededUser(CloudError):
    code = "LimitExceeded.User"
    http_status = 409
    message = 'The count of users beyond the current limits.'


class LimitExceededUserAccessKey(CloudError):
    code = "LimitExceeded.User.AccessKey"
    http_status = 409
    message = 'The count of access keys of the user beyond the current limits.'


class LimitExceededUserGroup(CloudError):
    code = "LimitExceeded.User.Group"
    http_status = 409
    message = 'The count of groups of the user beyond the current limits.'


class LimitExceededUserPolicy(CloudError):
    code = "LimitExceeded.User.Policy"
    http_status = 409
    message = 'The count of attached policies of the user beyond the current limits.'


class LimitExceededPolicy(CloudError):
    code = "LimitExceeded.Policy"
    http_status = 409
    message = 'The count of policies beyond the current limits.'


class InternalError(CloudError):
    code = "InternalError"
    http_status = 500
    message = 'The request processing has failed due to some unknown error.'
