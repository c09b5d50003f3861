"""One cold start of one function, measured from inside a fresh process (``rampart_dev.bench.cold``).

The parent runs this file's source with ``python -c`` (never ``-m``: that would import the
``rampart`` package before the clock starts), in the function's built code directory, with
``PYTHONPATH`` = that directory + the built layer, as Function Compute does. The job comes
as one JSON object on stdin: ``index`` (the function's ``index.py``), ``eager`` (modules to
import first, the naive baseline), ``event`` (base64 of the first event's bytes) and
``request_id``. Then, on the clock:

1. import ``eager`` (none for rampart's own, lazy, handlers);
2. load ``index.py`` as the module ``index``, as FC's runtime does for handler ``index.handler``;
3. call ``handler(event, context)`` once (credentials come from ``ALIBABA_CLOUD_*``).

The last stdout line is one JSON object: the times (ms), the peak RSS (MiB),
the top-level non-stdlib modules loaded by the end, the file ``rampart`` was imported from
(``origin``: the build's, not the repo's), and the handler's answer (or the error's type and
message). Only the standard library is imported here, and only before the clock.
This program must never print the environment: it holds the function's AccessKey secret.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import resource
import sys
import time
from typing import Any

HOME_MODULES = frozenset({"index", "rampart", "__main__"})


class Context:
    """FC's context as rampart reads it; the credentials are in the environment (FC 3.0)."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.credentials = None


def peak_rss_mib() -> float:
    """This process's peak RSS: ``VmHWM`` on Linux (of this program's memory only: ``ru_maxrss``
    keeps the parent's peak across fork and exec, proc(5) and getrusage(2)), else ``ru_maxrss``
    (KiB on Linux, bytes on macOS)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def third_party(before: set[str]) -> list[str]:
    """Top-level modules that are neither the standard library nor the function's own."""
    stdlib = sys.stdlib_module_names
    names = {name.split(".", 1)[0] for name in sys.modules} - before
    return sorted(n for n in names if n not in stdlib and n not in HOME_MODULES and not n.startswith("_"))


def run(job: dict[str, Any]) -> dict[str, Any]:
    event = base64.b64decode(job["event"])
    context = Context(str(job["request_id"]))
    before = {name.split(".", 1)[0] for name in sys.modules}
    started = time.perf_counter()
    for name in job["eager"]:
        importlib.import_module(name)
    spec = importlib.util.spec_from_file_location("index", job["index"])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {job['index']}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["index"] = module
    spec.loader.exec_module(module)
    imported = time.perf_counter()
    answer: Any = None
    error: dict[str, str] | None = None
    try:
        answer = module.handler(event, context)
    except Exception as exc:  # reported, not raised: the parent says which function failed
        error = {"type": type(exc).__name__, "message": str(exc)[:300]}
    done = time.perf_counter()
    return {
        "import_ms": (imported - started) * 1000,
        "event_ms": (done - imported) * 1000,
        "total_ms": (done - started) * 1000,
        "rss_mib": peak_rss_mib(),
        "modules": third_party(before),
        "answer": answer,
        "error": error,
        "origin": getattr(sys.modules.get("rampart"), "__file__", None),
    }


def main() -> None:
    result = run(json.loads(sys.stdin.read()))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
