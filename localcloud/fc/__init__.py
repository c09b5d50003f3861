"""Function Compute (APIs 2021-04-06 and 2023-03-30): local functions invoked through the FC SDKs.

- ``models``: the registry and every rule (sync and async invocation, retries, event age,
  destinations, task-id deduplication, draining);
- ``functions``: a function's configuration (handler, runtime, memory, timeout, isolation, async
  settings), read by both ``models`` and ``runtime``: it stays outside ``models`` so that the
  runtime never imports the service, and a worker subprocess imports only what runs a handler;
- ``runtime``: what FC's Python runtime does for a handler (the calling convention, the context,
  in-process execution, and process-isolated instances with their worker and pipe protocol);
  the emulated execution environment, not an API, so it is neither ``models`` nor ``routes``;
- ``routes``: FC's HTTP API (both versions; not POP) and localcloud's admin routes for functions;
- ``errors``: one class per FC error code.

Handlers run in-process with FC's calling convention (``event`` bytes, a runtime context, the
role's STS credentials in ``ALIBABA_CLOUD_*``). With ``isolation="process"`` each FC instance is
a worker subprocess instead (:mod:`localcloud.fc.runtime.instances`,
:mod:`localcloud.fc.runtime.isolation`): it can crash, time out and be killed between two cloud
calls, as a real instance can.
"""
