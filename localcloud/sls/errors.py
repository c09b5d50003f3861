"""SLS (Log Service) error codes: one class per documented error.

SLS answers errors as ``{"errorCode": ..., "errorMessage": ...}`` with the request id in
the ``x-log-requestid`` header (the router renders them). Sources, unless a class says
otherwise:
- common codes: "Common error codes" (AlibabaCloudDocs/sls ``intl.en-US/Developer Guide/API
  Reference/Common error codes.md``) and its current version
  https://www.alibabacloud.com/help/en/sls/developer-reference/error-codes (``RequestTimeExpired``,
  ``InvalidRequestTime``);
- per-operation tables of the same repository (PutLogs.md, GetLogs.md, CreateProject.md,
  CreateLogstore.md, ListProject.md ...);
- codes, statuses and messages asserted by the official Java SDK's functional tests, which run
  against the live service (aliyun/aliyun-log-java-sdk ``src/test/java/.../functiontest``):
  these win over the 2021 doc snapshot where both exist (``LogStoreAlreadyExist`` is spelled
  ``LogstoreAlreadyExist`` in CreateLogstore.md, but the live service and every SDK use the
  former).

No SLS error here is 5xx: the Python SDK retries any 5xx ten times with 1 s sleeps
(wire-protocol.md §3.5), so localcloud never answers one on its own.
"""

from __future__ import annotations

from localcloud.core.errors import CloudError


class SlsError(CloudError):
    """Base of every SLS error; rendered in SLS's JSON vocabulary, not POP's."""


# --- authentication (common error codes) ------------------------------------------------


class Unauthorized(SlsError):
    """Unknown, disabled or expired AccessKey / STS token, and RAM denials.

    The denial message is the one SLS documents in its query-error guide
    (https://sls.aliyun.com/doc/sqlerror/denied_by_sts_ram.html, errorCode ``Unauthorized``):
    ``denied by sts or ram, action: <action>, resource: <arn>``. Its HTTP status, 401, is
    asserted by the Ruby SDK's tests (aliyun/aliyun-log-ruby-sdk) and matches the other
    ``Unauthorized`` rows of the common table.
    """

    code = "Unauthorized"
    http_status = 401
    message = "The AccessKeyId is unauthorized."


class SignatureNotMatch(SlsError):
    code = "SignatureNotMatch"
    http_status = 401
    message = "Signature not matched."


class MissAccessKeyId(SlsError):
    code = "MissAccessKeyId"
    http_status = 400
    message = "x-log-accesskeyid does not exist in header."


class RequestTimeExpired(SlsError):
    code = "RequestTimeExpired"
    http_status = 400
    message = "Request time has been expired while server time is later."


class InvalidRequestTime(SlsError):
    code = "InvalidRequestTime"
    http_status = 400
    message = "Request time does not follow RFC822 spec."


class MissingDate(SlsError):
    code = "MissingDate"
    http_status = 400
    message = "Date does not exist in http header."


class MissingAPIVersion(SlsError):
    code = "MissingAPIVersion"
    http_status = 400
    message = "x-log-apiversion does not exist in http header."


class InvalidAPIVersion(SlsError):
    code = "InvalidAPIVersion"
    http_status = 400
    message = "x-log-apiversion is unsupported."


class MissingSignatureMethod(SlsError):
    code = "MissingSignatureMethod"
    http_status = 400
    message = "x-log-signaturemethod does not exist in http header."


class InvalidSignatureMethod(SlsError):
    code = "InvalidSignatureMethod"
    http_status = 400
    message = "signature method is unsupported."


# --- request shape (common error codes) --------------------------------------------------


class MissingBodyRawSize(SlsError):
    code = "MissingBodyRawSize"
    http_status = 400
    message = "x-log-bodyrawsize does not exist in header when it is necessary."


class InvalidBodyRawSize(SlsError):
    code = "InvalidBodyRawSize"
    http_status = 400
    message = "x-log-bodyrawsize is invalid."


class InvalidCompressType(SlsError):
    code = "InvalidCompressType"
    http_status = 400
    message = "x-log-compresstype is unsupported."


class InvalidContentType(SlsError):
    code = "InvalidContentType"
    http_status = 415
    message = "Content-Type is unsupported."


class ParameterInvalid(SlsError):
    code = "ParameterInvalid"
    http_status = 400
    message = "The parameter is invalid."


class PostBodyInvalid(SlsError):
    code = "PostBodyInvalid"
    http_status = 400
    message = "The request body is not valid JSON object."


# --- projects and logstores ---------------------------------------------------------------


class ProjectNotExist(SlsError):
    """GetProject.md / GetLogs.md; the live code is ``ProjectNotExist`` (Java functional tests),
    not the ``ProjectNotExists`` of the common table."""

    code = "ProjectNotExist"
    http_status = 404
    message = "The Project does not exist."


class ProjectAlreadyExist(SlsError):
    code = "ProjectAlreadyExist"
    http_status = 400
    message = "Project already exist."


class LogStoreNotExist(SlsError):
    code = "LogStoreNotExist"
    http_status = 404
    message = "logstore does not exist."


class LogStoreAlreadyExist(SlsError):
    code = "LogStoreAlreadyExist"
    http_status = 400
    message = "logstore already exists."


class LogStoreInfoInvalid(SlsError):
    code = "LogStoreInfoInvalid"
    http_status = 400
    message = "logstore info is invalid."


class ProjectQuotaExceed(SlsError):
    code = "ProjectQuotaExceed"
    http_status = 400
    message = "Project Quota Exceed."


# --- indexes (CreateIndex.md, UpdateIndex.md, GetIndex.md, DeleteIndex.md, GetLogs.md) -----


class IndexAlreadyExist(SlsError):
    """CreateIndex on a logstore that has an index (CreateIndex.md: 400, "Logstore index is
    already created.")."""

    code = "IndexAlreadyExist"
    http_status = 400
    message = "Logstore index is already created."


class IndexConfigNotExist(SlsError):
    """GetIndex without an index (GetIndex.md: 400 "index config doesn't exist"; asserted live
    by the Java SDK's LogStoreFunctionTest and the Node SDK's tests) and GetLogs on a logstore
    without one (GetLogs.md: 400 "Logstore without index config"; aliyun-sls/sls-doc
    ``sqlerror/logstore_without_index.md``)."""

    code = "IndexConfigNotExist"
    http_status = 400
    message = "index config doesn't exist"


class IndexInfoInvalid(SlsError):
    """A malformed index body (CreateIndex.md / UpdateIndex.md: 400, "required field token is
    lacking or of error format", "required fields line/keys are lacking or of error format")."""

    code = "IndexInfoInvalid"
    http_status = 400
    message = "required fields line/keys are lacking or of error format."


# --- PutLogs (PutLogs.md) -----------------------------------------------------------------


class PostBodyTooLarge(SlsError):
    code = "PostBodyTooLarge"
    http_status = 400
    message = "Logs must be less than or equal to 3 MB and 4096 entries."


class PostBodyUncompressError(SlsError):
    code = "PostBodyUncompressError"
    http_status = 400
    message = "Failed to decompress logs."


class InvalidEncoding(SlsError):
    code = "InvalidEncoding"
    http_status = 400
    message = "Non-UTF8 characters are in logs."


class InvalidKey(SlsError):
    code = "InvalidKey"
    http_status = 400
    message = "Invalid keys are in logs."


# --- GetLogs / GetHistograms (GetLogs.md, GetHistograms.md) -------------------------------


class InvalidTimeRange(SlsError):
    code = "InvalidTimeRange"
    http_status = 400
    message = "Request time range is invalid."


class InvalidQueryString(SlsError):
    code = "InvalidQueryString"
    http_status = 400
    message = "Query string is invalid."


class InvalidLine(SlsError):
    code = "InvalidLine"
    http_status = 400
    message = "Line is invalid."


class InvalidReverse(SlsError):
    code = "InvalidReverse"
    http_status = 400
    message = "Reverse value is invalid."


# --- localcloud's own -------------------------------------------------------------------


class LocalcloudUnsupported(SlsError):
    """An SLS API localcloud does not emulate. The real service would serve the request, so
    no code is right; ParameterInvalid 400 (UNCONFIRMED choice) keeps the SDK from retrying."""

    code = "ParameterInvalid"
    http_status = 400
    message = "localcloud does not emulate this SLS API."
