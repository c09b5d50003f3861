"""ResourceManager error codes: one class per error localcloud answers with.

Sources, per class below:
- CreateResourceGroup's error table (help.aliyun.com/zh/resource-management/resource-group/
  developer-reference/api-resourcemanager-2020-03-31-createresourcegroup-rg);
- DeleteResourceGroup's error table (alibabacloud.com/help/en/resource-management/resource-group/
  developer-reference/api-resourcemanager-2020-03-31-deleteresourcegroup-rg);
- codes the official Terraform provider handles for these APIs
  (aliyun/terraform-provider-alicloud: alicloud/resource_alicloud_resource_manager_policy_attachment.go,
  resource_alicloud_resource_manager_resource_group.go).
AttachPolicy/DetachPolicy publish no error table (alibaba-platform.md §A.6); the classes marked
UNCONFIRMED follow RAM's families (§A.3).
"""

from localcloud.core.errors import CloudError


class NoPermission(CloudError):
    code = "NoPermission"
    http_status = 403
    message = "You are not authorized to do this action."


# --- resource groups (CreateResourceGroup / DeleteResourceGroup error tables) -------------


class MissingParameterName(CloudError):
    # UNCONFIRMED: the table lists MissingParameter.DisplayName; Name is assumed to answer alike.
    code = "MissingParameter.Name"
    http_status = 400
    message = "You must specify Name."


class MissingParameterDisplayName(CloudError):
    code = "MissingParameter.DisplayName"
    http_status = 400
    message = "You must specify DisplayName."


class InvalidParameterNameInvalidChars(CloudError):
    code = "InvalidParameter.Name.InvalidChars"
    http_status = 400
    message = "The Name is invalid."


class InvalidParameterNameLength(CloudError):
    code = "InvalidParameter.Name.Length"
    http_status = 400
    message = "The maximum length of Name is exceeded."


class InvalidParameterDisplayNameLength(CloudError):
    code = "InvalidParameter.DisplayName.Length"
    http_status = 400
    message = "The maximum length of DisplayName is exceeded."


class InvalidParameterResourceGroupId(CloudError):
    code = "InvalidParameter.ResourceGroupId"
    http_status = 400
    message = "The ResourceGroupId is invalid."


class EntityNotExistsResourceGroup(CloudError):
    code = "EntityNotExists.ResourceGroup"
    http_status = 404
    message = "The specified resource group does not exist. You must first create a resource group."


class DeleteConflictResourceGroupResource(CloudError):
    code = "DeleteConflict.ResourceGroup.Resource"
    http_status = 409
    message = (
        "Failed to delete the resource group because one or more cloud resources exist in the "
        "resource group. Try again later after you release the cloud resources."
    )


class DeleteConflictResourceGroupPolicyAttachment(CloudError):
    # UNCONFIRMED: no page says whether resource-group-scoped grants block deleting the group.
    code = "DeleteConflict.ResourceGroup.PolicyAttachment"
    http_status = 409
    message = "Failed to delete the resource group because policies are attached within its scope."


class EntityAlreadyExistsResourceGroup(CloudError):
    # UNCONFIRMED: Name is "the unique identifier"; the duplicate code is not on the API page.
    code = "EntityAlreadyExists.ResourceGroup"
    http_status = 409
    message = "The resource group with the specified Name already exists."


class LimitExceededResourceGroup(CloudError):
    # The limit (30 per account) is documented on CreateResourceGroup; the code is UNCONFIRMED.
    code = "LimitExceeded.ResourceGroup"
    http_status = 409
    message = "The count of resource groups beyond the current limits."


class InvalidParameterTagKey(CloudError):
    # UNCONFIRMED for ResourceManager; the code the Alibaba tag family uses (e.g. RDS's error table).
    code = "InvalidParameter.TagKey"
    http_status = 400
    message = "The Tag.N.Key parameter is invalid."


class InvalidParameterTagValue(CloudError):
    code = "InvalidParameter.TagValue"
    http_status = 400
    message = "The Tag.N.Value parameter is invalid."


# --- policy attachments (AttachPolicy / DetachPolicy: UNCONFIRMED unless noted) ----------


class InvalidParameterPolicyType(CloudError):
    code = "InvalidParameter.PolicyType"
    http_status = 400
    message = 'The parameter - "PolicyType" must be System or Custom.'


class InvalidParameterPolicyNameLength(CloudError):
    code = "InvalidParameter.PolicyName.Length"
    http_status = 400
    message = 'The parameter - "PolicyName" beyond the length limit.'


class InvalidParameterPolicyNameInvalidChars(CloudError):
    code = "InvalidParameter.PolicyName.InvalidChars"
    http_status = 400
    message = 'The parameter - "PolicyName" contains invalid chars.'


class InvalidParameterPrincipalType(CloudError):
    code = "InvalidParameter.PrincipalType"
    http_status = 400
    message = 'The parameter - "PrincipalType" must be IMSUser, IMSGroup or ServiceRole.'


class EntityNotExistPolicy(CloudError):
    # Terraform's DetachPolicy treats this code as "already gone" (policy_attachment.go).
    code = "EntityNotExist.Policy"
    http_status = 404
    message = "The policy does not exist."


class EntityNotExistUser(CloudError):
    code = "EntityNotExist.User"
    http_status = 404
    message = "The user does not exist."


class EntityNotExistGroup(CloudError):
    code = "EntityNotExist.Group"
    http_status = 404
    message = "The group does not exist."


class EntityNotExistRole(CloudError):
    # Terraform retries AttachPolicy on this code (policy_attachment.go); the status is UNCONFIRMED.
    code = "EntityNotExist.Role"
    http_status = 404
    message = "The role does not exist."


class EntityAlreadyExistsUserPolicy(CloudError):
    code = "EntityAlreadyExists.User.Policy"
    http_status = 409
    message = "The user has already been attached this policy."


class EntityAlreadyExistsGroupPolicy(CloudError):
    code = "EntityAlreadyExists.Group.Policy"
    http_status = 409
    message = "The group has already been attached this policy."


class EntityAlreadyExistsRolePolicy(CloudError):
    code = "EntityAlreadyExists.Role.Policy"
    http_status = 409
    message = "The role has already been attached this policy."
