"""The chaos campaign's processes: localcloud and ``rampart dev``, as tools/demo.py starts them,
with their output captured to files (every line is scanned for secrets at the end)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "RAMPART_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "shared"), str(REPO)])
    return env


class Process:
    """A server started with its first stdout line (JSON) read; the rest of stdout and all of
    stderr go to files."""

    def __init__(self, name: str, argv: list[str], logs: Path, timeout: float = 120) -> None:
        self.name = name
        self.stdout_path = logs / f"{name}.out"
        self.stderr_path = logs / f"{name}.err"
        self._err: IO[str] = self.stderr_path.open("w")
        self.process = subprocess.Popen(argv, cwd=REPO, env=base_env(), stdout=subprocess.PIPE, stderr=self._err,
                                        text=True)
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.process.stdout.readline() if self.process.stdout else ""))
        reader.start()
        reader.join(timeout)
        if not box or not box[0].strip():
            self.stop()
            raise SystemExit(f"chaos: {name} did not start (exit {self.process.poll()}); see {self.stderr_path}")
        self.first: dict[str, Any] = json.loads(box[0])
        self._pump = threading.Thread(target=self._copy, daemon=True)
        self._pump.start()

    def _copy(self) -> None:
        with self.stdout_path.open("w") as out:
            for line in self.process.stdout or ():
                out.write(line)
                out.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._err.close()

    def text(self) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)


def localcloud(logs: Path, *, fc_concurrency: int = 16) -> Process:
    """``fc_concurrency``: how many FC async invocations it runs at once (``serve --fc-concurrency``)."""
    return Process("localcloud", [PYTHON, "-m", "localcloud", "serve", "--fc-concurrency", str(fc_concurrency)], logs)


def rampart_dev(endpoint: str, catalog: Path, logs: Path, *, isolation: str | None, timeout: int,
                lease: int) -> Process:
    argv = [PYTHON, "-m", "rampart_dev", "dev", "--endpoint", endpoint, "--port", "0", "--sweep-every", "0",
            "--catalog", str(catalog), "--lifecycle-timeout", str(timeout), "--lock-lease", str(lease)]
    if isolation:
        argv += ["--isolation", isolation]
    return Process("rampart-dev", argv, logs)
