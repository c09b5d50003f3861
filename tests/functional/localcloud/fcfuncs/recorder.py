"""A destination function: records each event it receives under its own function name."""

import json

from tests.functional.localcloud.fcfuncs import store


def handler(event, context):
    store.record(context.function.name, json.loads(event))
    return "recorded"
