"""Function Compute (APIs 2021-04-06 and 2023-03-30): local functions invoked through the FC SDKs.

Handlers run in-process with FC's calling convention (``event`` bytes, a runtime context, the
role's STS credentials in ``ALIBABA_CLOUD_*``); async invocations run on a worker pool with
retries, event age, destinations and task-id deduplication. See :mod:`localcloud.fc.service`.
With ``isolation="process"`` each FC instance is a worker subprocess instead
(:mod:`localcloud.fc.instances`, :mod:`localcloud.fc.isolation`): it can crash, time out and
be killed between two cloud calls, as a real instance can.
"""
