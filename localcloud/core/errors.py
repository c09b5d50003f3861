"""Cloud errors: each class carries the code and HTTP status that Alibaba Cloud answers with.

Services subclass :class:`CloudError` once per documented error (moto's shape). The
dispatcher turns any ``CloudError`` into the product's JSON error body, so a model never
builds a response itself. Codes are copied from the reference tables; never invent one
where the reference gives one.
"""

from __future__ import annotations

from typing import ClassVar


class CloudError(Exception):
    """An error answered to the client with ``code`` and ``http_status``.

    A subclass fixes ``code``, ``http_status`` and a default ``message``; an instance may
    override the message (and, for the parameterised ``Missing{Name}`` family, the code).
    """

    code: ClassVar[str] = "InternalError"
    http_status: ClassVar[int] = 500
    message: ClassVar[str] = "The request processing has failed due to some unknown error."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.error_code = code or type(self).code
        self.status = http_status or type(self).http_status
        self.error_message = message or type(self).message
        self.headers = dict(headers or {})
        super().__init__(f"{self.error_code}: {self.error_message}")


# --- Common POP gateway errors ---------------------------------------------------------
# Codes from Alibaba Cloud's error centre, product "Public", as listed by the Terraform
# provider (aliyun/terraform-provider-alicloud, alicloud/errors_common.go) and the KMS
# common-error page https://www.alibabacloud.com/help/doc-detail/69008.htm.
# HTTP statuses other than InvalidAccessKeyId.NotFound (404) are UNCONFIRMED; the SDK only
# distinguishes 4xx from 5xx.


class MissingParameter(CloudError):
    code = "MissingParameter"
    http_status = 400
    message = "A required parameter is not supplied."

    @classmethod
    def named(cls, name: str) -> MissingParameter:
        """The ``Missing{ParameterName}`` form the gateway uses, e.g. ``MissingUserName``."""
        return cls(
            f'The input parameter "{name}" that is mandatory for processing this request is not supplied.',
            code=f"Missing{name}",
        )


class InvalidParameter(CloudError):
    code = "InvalidParameter"
    http_status = 400
    message = "The specified parameter is not valid."


class IncompleteSignature(CloudError):
    code = "IncompleteSignature"
    http_status = 400
    message = "The request signature does not conform to Aliyun standards."


class SignatureDoesNotMatch(CloudError):
    code = "SignatureDoesNotMatch"
    http_status = 400
    message = "Specified signature is not matched with our calculation."


class InvalidAccessKeyIdNotFound(CloudError):
    code = "InvalidAccessKeyId.NotFound"
    http_status = 404
    message = "Specified access key is not found."


class InvalidAccessKeyIdInactive(CloudError):
    code = "InvalidAccessKeyId.Inactive"
    http_status = 400
    message = "Specified access key is disabled."


class InvalidTimeStampExpired(CloudError):
    code = "InvalidTimeStamp.Expired"
    http_status = 400
    message = "Specified time stamp or date value is expired."


class InvalidTimeStampFormat(CloudError):
    code = "InvalidTimeStamp.Format"
    http_status = 400
    message = "Specified time stamp or date value is not well formatted."


class SignatureNonceUsed(CloudError):
    code = "SignatureNonceUsed"
    http_status = 400
    message = "Specified signature nonce was used already."


class MissingSecurityToken(CloudError):
    code = "MissingSecurityToken"
    http_status = 400
    message = "The security token is required for this temporary access key."


class InvalidSecurityTokenExpired(CloudError):
    code = "InvalidSecurityToken.Expired"
    http_status = 400
    message = "Specified SecurityToken is expired."


class InvalidSecurityTokenMismatch(CloudError):
    code = "InvalidSecurityToken.MismatchWithAccessKey"
    http_status = 400
    message = "Specified SecurityToken mismatch with the AccessKey."


class InvalidSecurityTokenMalformed(CloudError):
    code = "InvalidSecurityToken.Malformed"
    http_status = 400
    message = "Specified SecurityToken is malformed."


class InvalidSignatureMethod(CloudError):
    code = "InvalidSignatureMethod"
    http_status = 400
    message = "Specified signature method is not supported."


class InvalidApiNotFound(CloudError):
    code = "InvalidApi.NotFound"
    http_status = 404
    message = "Specified api is not found, please check your url and method."


class ContentLengthDoesNotMatch(CloudError):
    code = "ContentLengthDoesNotMatch"
    http_status = 400
    message = "The x-acs-content-sha256 header does not match the body."


class Throttling(CloudError):
    code = "Throttling"
    http_status = 400
    message = "Request was denied due to request throttling."


class InternalError(CloudError):
    code = "InternalError"
    http_status = 500
    message = "The request processing has failed due to some unknown error."
