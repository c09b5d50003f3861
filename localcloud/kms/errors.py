"""KMS error codes (../shared/reference/alibaba-platform.md §B.4)."""

from localcloud.core.errors import CloudError


class ForbiddenNoPermission(CloudError):
    code = "Forbidden.NoPermission"
    http_status = 403
    message = "This operation is forbidden by permission system."
