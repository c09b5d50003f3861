"""A destination function: records each event it receives under its own function name."""

import json
from typing import Any

from tests.functional.localcloud.fcfuncs import store


def handler(event: bytes, context: Any) -> Any:
    store.record(context.function.name, json.loads(event))
    return "recorded"
