"""IMS error codes for user tags and the default domain.

No primary source lists IMS's codes for TagResources, UntagResources, ListTagResources or
SetDefaultDomain (alibaba-platform.md §A.8): every class here is UNCONFIRMED. Tag errors
follow the codes Alibaba's tag APIs share across products (``InvalidParameter.TagKey``,
``NumberExceed.Tags``, ``Duplicate.TagKey``: e.g. the RDS error table); the per-user limit
follows RAM's ``LimitExceeded.User.<Thing>`` family (§A.3). A missing user is RAM's
``EntityNotExist.User`` (imported from localcloud.ram.errors).
"""

from localcloud.core.errors import CloudError


class InvalidParameterResourceType(CloudError):
    code = "InvalidParameter.ResourceType"
    http_status = 400
    message = "The ResourceType parameter is invalid; the only valid value is user."


class InvalidParameterResource(CloudError):
    code = "InvalidParameter"
    http_status = 400
    message = "You must specify only one of the following parameters: ResourceId and ResourcePrincipalName."


class MissingParameterResourceId(CloudError):
    code = "MissingParameter.ResourceId"
    http_status = 400
    message = "You must specify ResourceId.N or ResourcePrincipalName.N."


class NumberExceedResourceIds(CloudError):
    code = "NumberExceed.ResourceIds"
    http_status = 400
    message = "The maximum number of ResourceIds is exceeded. The maximum is 50."


class NumberExceedTags(CloudError):
    code = "NumberExceed.Tags"
    http_status = 400
    message = "The maximum number of Tags is exceeded. The maximum is 20."


class NumberExceedTagKeys(CloudError):
    code = "NumberExceed.TagKeys"
    http_status = 400
    message = "The maximum number of TagKeys is exceeded. The maximum is 20."


class DuplicateTagKey(CloudError):
    code = "Duplicate.TagKey"
    http_status = 400
    message = "The Tag.N.Key contains duplicate keys."


class InvalidParameterTagKey(CloudError):
    code = "InvalidParameter.TagKey"
    http_status = 400
    message = "The Tag.N.Key parameter is invalid."


class InvalidParameterTagValue(CloudError):
    code = "InvalidParameter.TagValue"
    http_status = 400
    message = "The Tag.N.Value parameter is invalid."


class LimitExceededUserTag(CloudError):
    code = "LimitExceeded.User.Tag"
    http_status = 409
    message = "The count of tags of the user beyond the current limits."


class InvalidParameterNextToken(CloudError):
    code = "InvalidParameter.NextToken"
    http_status = 400
    message = "The NextToken parameter is invalid."


class InvalidParameterDefaultDomainName(CloudError):
    code = "InvalidParameter.DefaultDomainName"
    http_status = 400
    message = "The parameter - \"DefaultDomainName\" is invalid."
