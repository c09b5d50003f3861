"""KMS error codes: one class per documented error (../shared/reference/alibaba-platform.md §B.4).

Sources: the CreateSecret error table (AlibabaCloudDocs/kms:intl.en-US/API Reference/
Secrets/CreateSecret.md) and KMS's public error codes
(https://www.alibabacloud.com/help/doc-detail/69008.htm, "Response structure"). Messages
are copied from those tables. Codes or statuses not in them are marked UNCONFIRMED where
they are defined. Every KMS error body also carries ``HttpStatus`` (see responses.py).
"""

from __future__ import annotations

from localcloud.core.errors import CloudError
from localcloud.core.errors import InvalidParameter as _GatewayInvalidParameter


class ForbiddenNoPermission(CloudError):
    code = "Forbidden.NoPermission"
    http_status = 403
    message = "This operation is forbidden by permission system."


class MissingParameter(CloudError):
    """KMS names the missing parameter in the message, not in the code (doc-detail/69008)."""

    code = "MissingParameter"
    http_status = 400
    message = "A required parameter is not provided."

    @classmethod
    def named(cls, name: str) -> MissingParameter:
        return cls(f'The parameter "{name}" is needed but not provided.')


class InvalidParameter(_GatewayInvalidParameter):
    """Same code as the gateway's ``InvalidParameter``; KMS's own wording (doc-detail/69008)."""

    code = "InvalidParameter"
    http_status = 400
    message = "The specified parameter is invalid."

    @classmethod
    def named(cls, name: str, why: str) -> InvalidParameter:
        return cls(f'The specified parameter "{name}" is not valid: {why}')


class RejectedLimitExceeded(CloudError):
    code = "Rejected.LimitExceeded"
    http_status = 400
    message = "The secret quota is exceeded."


class ForbiddenResourceNotFound(CloudError):
    code = "Forbidden.ResourceNotFound"
    http_status = 404
    message = "The resource is not found."


class ForbiddenKeyNotFound(CloudError):
    """localcloud models no KMS keys, so every ``KeyId`` is unknown."""

    code = "Forbidden.KeyNotFound"
    http_status = 404
    message = "The specified Key is not found."


class RejectedResourceExist(CloudError):
    code = "Rejected.ResourceExist"
    http_status = 409
    message = "The resource already exists."


class RejectedResourceInDeleteWindow(CloudError):
    code = "Rejected.ResourceInDeleteWindow"
    http_status = 409
    message = "The secret is planned to be deleted."


class RejectedResourceInUse(CloudError):
    """RestoreSecret on a secret that is not scheduled for deletion.

    UNCONFIRMED: the code comes from Alibaba's own agent skill for KMS secrets
    (aliyun/alibabacloud-aiops-skills, alibabacloud-kms-secret-manage/SKILL.md: "If
    Rejected.ResourceInUse error is returned, ... the secret has been restored or was not
    deleted"), not from an API error table; the HTTP status 409 is a guess by analogy with
    the other ``Rejected.Resource*`` codes.
    """

    code = "Rejected.ResourceInUse"
    http_status = 409
    message = "The secret is not scheduled for deletion."


class DryRunOperationError(CloudError):
    """GetSecretValue with DryRun=true that would have succeeded.

    The name comes from the kms20160120 GetSecretValueRequest docstring ("KMS always returns
    a failure ... DryRunOperationError: The request would succeed if the DryRun parameter
    were not configured"). UNCONFIRMED: the HTTP status (400 chosen).
    """

    code = "DryRunOperationError"
    http_status = 400
    message = "The request would succeed if the DryRun parameter were not configured."
