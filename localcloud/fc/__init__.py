"""Function Compute (APIs 2021-04-06 and 2023-03-30): local functions invoked through the FC SDKs.

Handlers run in-process with FC's calling convention (``event`` bytes, a runtime context, the
role's STS credentials in ``ALIBABA_CLOUD_*``); async invocations run on a worker pool with
retries, event age, destinations and task-id deduplication. See :mod:`localcloud.fc.service`.
"""
