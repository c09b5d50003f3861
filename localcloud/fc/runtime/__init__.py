"""FC's Python runtime as a handler sees it: ``context`` (the runtime context and environment),
``loader`` (resolving ``module.function``), ``executor`` (one invocation, in-process), and
process isolation: ``instances`` (worker subprocesses and their pools), ``isolation`` (kills,
attribution of cloud requests to an instance), ``protocol`` (the JSON-lines pipe) and ``worker``
(``python -m localcloud.fc.runtime.worker``, the child side)."""
