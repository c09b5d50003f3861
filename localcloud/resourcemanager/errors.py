"""ResourceManager error codes. AttachPolicy's codes are UNCONFIRMED (alibaba-platform.md §A.6)."""

from localcloud.core.errors import CloudError


class NoPermission(CloudError):
    code = "NoPermission"
    http_status = 403
    message = "You are not authorized to do this action."
