"""The names of rampart's deployment on localcloud in the functional tests (declarations only):
the functions, their roles, the custom policies made from ``deploy/policies/<name>.json``, and
the environment variables naming each webhook source's KMS secret."""

from __future__ import annotations

RECEIVER_POLICY = "rampart-receiver"
WORKER_POLICY = "rampart-worker"
"""Custom policies made from ``deploy/policies/<name>.json``."""
RECEIVER_ROLE = "rampart-receiver"
WORKER_ROLE = "rampart-worker"
SYNC_RECEIVER_ROLE = "rampart-receiver-sync"
ROLE_POLICIES = {
    RECEIVER_ROLE: (RECEIVER_POLICY,),
    WORKER_ROLE: (WORKER_POLICY,),
    SYNC_RECEIVER_ROLE: (RECEIVER_POLICY, WORKER_POLICY),
}
STANDIN = "rampart-fc-standin"
"""The test-only RAM user that assumes the receivers' roles in FC's place."""
LIFECYCLE = "rampart-lifecycle"
SWEEPER = "rampart-sweeper"
SECRET_ENV = {
    "generic": "RAMPART_GENERIC_HR_SECRET_NAME",
    "feishu": "RAMPART_FEISHU_SECRET_NAME",
    "bamboohr": "RAMPART_BAMBOOHR_SECRET_NAME",
    "dingtalk": "RAMPART_DINGTALK_SECRET_NAME",
    "jira": "RAMPART_JIRA_SECRET_NAME",
    "ticket": "RAMPART_TICKET_SECRET_NAME",
}
