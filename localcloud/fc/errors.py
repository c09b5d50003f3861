"""Function Compute error codes: one class per documented error.

Sources: FC's common error table (https://www.alibabacloud.com/help/en/functioncompute/error-codes,
doc-detail/52736), the 2023-03-30 error list (https://help.aliyun.com/zh/functioncompute/api-fc-2023-03-30-errorcodes:
``FunctionNotFound`` 404 "function '%s' does not exist."), the 2021-04-06 error list
(https://www.alibabacloud.com/help/en/fc/developer-reference/api-fc-open-2021-04-06-errorcodes) and
the payload limits page (https://www.alibabacloud.com/help/doc-detail/2527064.html). FC answers
``{"Code","Message","RequestId"}`` (3.0 Error struct); localcloud adds the 2.0 ``ErrorCode`` and
``ErrorMessage`` keys (wire-protocol.md §2.3).
"""

from __future__ import annotations

from localcloud.core.errors import CloudError


class FcError(CloudError):
    """Base of every Function Compute error (serialised by :mod:`localcloud.fc.routes`)."""


class InvalidArgument(FcError):
    code = "InvalidArgument"
    http_status = 400
    message = "The request has an invalid argument."


class EntityTooLarge(FcError):
    code = "EntityTooLarge"
    http_status = 400
    message = "payload size exceeds maximum allowed size"

    @classmethod
    def limit(cls, size: int) -> EntityTooLarge:
        return cls(f"payload size exceeds maximum allowed size ({size} bytes)")


class AccessDenied(FcError):
    code = "AccessDenied"
    http_status = 403
    message = "The caller is not authorized to perform this operation."


class SignatureNotMatch(FcError):
    code = "SignatureNotMatch"
    http_status = 403
    message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your access key and signing method"
    )


class InvalidAccessKeyID(FcError):
    code = "InvalidAccessKeyID"
    http_status = 403
    message = "invalid access key ID"


class FunctionNotFound(FcError):
    code = "FunctionNotFound"
    http_status = 404
    message = "function does not exist."


class ServiceNotFound(FcError):
    code = "ServiceNotFound"
    http_status = 404
    message = "service does not exist"


class AliasNotFound(FcError):
    code = "AliasNotFound"
    http_status = 404
    message = "alias does not exist"


class AsyncTaskAlreadyExists(FcError):
    """A second submission with a used task id (doc 2513608 "任务防重复提交": rejected with 409).

    The code is the one Alibaba's own tooling matches on for FC 2.0
    (aliyun/terraform-provider-alicloud CI: ``StatefulAsyncInvocationAlreadyExists``); that FC 3.0
    answers the same code is UNCONFIRMED.
    """

    code = "StatefulAsyncInvocationAlreadyExists"
    http_status = 409
    message = "the async task already exists"


class AsyncTaskNotFound(FcError):
    """GetAsyncTask / GetStatefulAsyncInvocation for an unknown id.

    Code as the same terraform CI script matches it for 2.0; for 3.0 UNCONFIRMED.
    """

    code = "StatefulAsyncInvocationNotFound"
    http_status = 404
    message = "the async task does not exist"


class InternalServerError(FcError):
    code = "InternalServerError"
    http_status = 500
    message = "an internal error has occurred. Please retry."


# The POP gateway errors raised by localcloud.auth, in FC's vocabulary (FC's common error
# table: SignatureNotMatch 403, InvalidAccessKeyID 403). Other authentication errors keep
# their POP code and status (UNCONFIRMED for FC).
AUTH_CODES: dict[str, type[FcError]] = {
    "SignatureDoesNotMatch": SignatureNotMatch,
    "InvalidAccessKeyId.NotFound": InvalidAccessKeyID,
    "InvalidAccessKeyId.Inactive": InvalidAccessKeyID,
}


def in_fc_vocabulary(error: CloudError) -> CloudError:
    """The FC error for a gateway error raised while authenticating, else ``error`` itself."""
    translated = AUTH_CODES.get(error.error_code)
    if translated is None:
        return error
    return translated(f"{translated.message} ({error.error_message})")
