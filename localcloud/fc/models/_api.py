"""The two FC API versions the SDKs speak and FC's payload limits."""

V2 = "2021-04-06"
V3 = "2023-03-30"
FC_SERVICE = "fc.aliyuncs.com"
MAX_SYNC_PAYLOAD = 32 * 1024 * 1024  # https://www.alibabacloud.com/help/doc-detail/2527064.html
MAX_ASYNC_PAYLOAD = 128 * 1024
RETURN_PAYLOAD_PREVIEW = 1024 * 1024  # AsyncTask.returnPayload "≤1 MB"
