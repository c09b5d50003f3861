"""STS errors. Source: https://alibabacloud.com/help/en/ram/api-assumerole (the
"You are not authorized to do this action. You should be authorized by RAM." message),
../shared/reference/alibaba-platform.md §E for parameter rules."""

from localcloud.core.errors import CloudError


class NoPermission(CloudError):
    code = "NoPermission"
    http_status = 403
    message = "You are not authorized to do this action. You should be authorized by RAM."


class EntityNotExistRole(CloudError):
    code = "EntityNotExist.Role"
    http_status = 404
    message = "The role does not exist."


class InvalidParameterRoleArn(CloudError):
    code = "InvalidParameter.RoleArn"
    http_status = 400
    message = "The parameter RoleArn is wrongly formed."


class InvalidParameterRoleSessionName(CloudError):
    code = "InvalidParameter.RoleSessionName"
    http_status = 400
    message = "The parameter RoleSessionName is wrongly formed."


class InvalidParameterDurationSeconds(CloudError):
    code = "InvalidParameter.DurationSeconds"
    http_status = 400
    message = "The DurationSeconds is out of range."


class InvalidParameterPolicy(CloudError):
    code = "InvalidParameter.PolicyGrammar"
    http_status = 400
    message = "The parameter Policy has not passed grammar check."


class InvalidParameterExternalId(CloudError):
    code = "InvalidParameter.ExternalId"
    http_status = 400
    message = "The parameter ExternalId is wrongly formed."
