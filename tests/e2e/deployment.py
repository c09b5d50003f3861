"""The deployment's names as s.yaml and deploy/policies spell them (declarations for tests/e2e:
parametrize lists, the tests and the s.yaml checker of tests/e2e/conftest.py read them)."""

from __future__ import annotations

RECEIVER_ROLE = "rampart-receiver"
WORKER_ROLE = "rampart-worker"

FUNCTION_NAMES = {
    "hr_webhook": "rampart-hr-webhook",
    "ticket_webhook": "rampart-ticket-webhook",
    "lifecycle": "rampart-lifecycle",
    "sweeper": "rampart-sweeper",
}
"""Build directory (``functions/<dir>``) -> FC function name."""
