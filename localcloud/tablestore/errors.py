"""Tablestore's error codes, one class each, with the HTTP status the service answers.

Codes, statuses and messages: tablestore.md §3.2 (Alibaba's error-code page
https://www.alibabacloud.com/help/doc-detail/27300.html, the SDK's tests, live captures).
Where the reference marks a status UNCONFIRMED, the class says so. The router serialises any
of these as the protobuf ``Error{code, message}`` body (§1.2).
"""

from __future__ import annotations

from localcloud.core.errors import CloudError


class OTSError(CloudError):
    """Base of every Tablestore error."""


class OTSConditionCheckFail(OTSError):
    code = "OTSConditionCheckFail"
    http_status = 403
    message = "Condition check failed."


class OTSObjectNotExist(OTSError):
    code = "OTSObjectNotExist"
    http_status = 404
    message = "Requested table does not exist."


class OTSObjectAlreadyExist(OTSError):
    code = "OTSObjectAlreadyExist"
    http_status = 409
    message = "Requested table already exists."


class OTSParameterInvalid(OTSError):
    code = "OTSParameterInvalid"
    http_status = 400
    message = "The parameter is invalid."


class OTSInvalidPK(OTSError):
    code = "OTSInvalidPK"
    http_status = 400
    message = "Validate PK name fail."


class OTSAuthFailed(OTSError):
    code = "OTSAuthFailed"
    http_status = 403
    message = "Signature mismatch."


class OTSNoPermissionAccess(OTSError):
    code = "OTSNoPermissionAccess"
    http_status = 403
    message = "You have no permission to access the requested resource, please contact the resource owner"


class OTSRequestBodyTooLarge(OTSError):
    code = "OTSRequestBodyTooLarge"
    http_status = 413
    message = "The size of POST data is too large."


class OTSRequestTimeout(OTSError):
    code = "OTSRequestTimeout"
    http_status = 408
    message = "Request timeout."


class OTSMethodNotAllowed(OTSError):
    code = "OTSMethodNotAllowed"
    http_status = 405
    message = "Only POST method for requests is supported."


class OTSNotEnoughCapacityUnit(OTSError):
    code = "OTSNotEnoughCapacityUnit"
    http_status = 403
    message = "Remaining capacity unit is not enough."


class OTSServerBusy(OTSError):
    code = "OTSServerBusy"
    http_status = 503
    message = "Server is busy."


class OTSPartitionUnavailable(OTSError):
    code = "OTSPartitionUnavailable"
    http_status = 503
    message = "The partition is not available."


class OTSServerUnavailable(OTSError):
    code = "OTSServerUnavailable"
    http_status = 503
    message = "Server is not available."


class OTSTimeout(OTSError):
    code = "OTSTimeout"
    http_status = 503
    message = "Operation timeout."


class OTSInternalServerError(OTSError):
    """Status 500 is UNCONFIRMED (§3.2); so is the message."""

    code = "OTSInternalServerError"
    http_status = 500
    message = "Internal server error."


class OTSRowOperationConflict(OTSError):
    """Status 409 is UNCONFIRMED (§3.2)."""

    code = "OTSRowOperationConflict"
    http_status = 409
    message = "Data is being modified by the other request."


class OTSQuotaExhausted(OTSError):
    """Status 403 is UNCONFIRMED (§3.2); the message for the table-count quota is localcloud's."""

    code = "OTSQuotaExhausted"
    http_status = 403
    message = "Too frequent table operations."


class OTSOutOfColumnCountLimit(OTSError):
    """Status 400 is UNCONFIRMED (§3.2); the message is localcloud's."""

    code = "OTSOutOfColumnCountLimit"
    http_status = 400
    message = "The number of columns exceeds the limit."


class OTSOutOfRowSizeLimit(OTSError):
    """Status 400 is UNCONFIRMED (§3.2); the message is localcloud's."""

    code = "OTSOutOfRowSizeLimit"
    http_status = 400
    message = "The size of the row exceeds the limit."


def missing_header(name: str) -> OTSParameterInvalid:
    return OTSParameterInvalid(f"Missing header: {name}.")


def unsupported_operation(name: str) -> OTSParameterInvalid:
    return OTSParameterInvalid(f"Unsupported operation: {name}.")


def pk_name_mismatch(given: str, meta: str) -> OTSInvalidPK:
    return OTSInvalidPK(f"Validate PK name fail. Input: {given}, Meta: {meta}.")


def pk_size_mismatch(given: int, meta: int) -> OTSInvalidPK:
    return OTSInvalidPK(f"Validate PK size fail. Input: {given}, Meta: {meta}.")


def pk_type_mismatch(given: str, meta: str) -> OTSInvalidPK:
    return OTSInvalidPK(f"Validate PK type fail. Input: {given}, Meta: {meta}.")
