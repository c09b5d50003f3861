"""Fails the first FAIL_TIMES calls (counted per function name), then succeeds."""

import os
from typing import Any

from tests.functional.localcloud.fcfuncs import store


def handler(event: bytes, context: Any) -> Any:
    calls = store.bump(context.function.name)
    store.record(context.function.name, event.decode())
    if calls <= int(os.environ.get("FAIL_TIMES", "1000")):
        raise RuntimeError(f"failure number {calls}")
    return f"succeeded on call {calls}"
