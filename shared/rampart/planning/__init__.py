"""Planning, pure: the desired state of a RAM user from the catalog and an event, the grant
rules, and the ordered minimal steps between observed and desired state (credentials,
time-bound policies, a leaver's teardown), each step with its typed detail
(``rampart.model.DETAIL_TYPES``). Never calls the cloud.
"""

from __future__ import annotations

from rampart.planning._desired import decided_at, desire, desire_sweep
from rampart.planning._desired_user import Desired, managed_attachments, managed_groups
from rampart.planning._grant_rules import check_grant, check_not_grantee, precheck, whole_seconds
from rampart.planning._passwords import SYMBOLS, generate_password, password_length, satisfies
from rampart.planning._plan import plan, plan_rotation
from rampart.planning.timebound import (
    MAX_DOCUMENT,
    allow_bounds,
    create_policy_document,
    is_timebound_name,
    iso_z,
    timebound_document,
    timebound_policy_name,
    timebound_prefix,
)

__all__ = [
    "MAX_DOCUMENT",
    "SYMBOLS",
    "Desired",
    "allow_bounds",
    "check_grant",
    "check_not_grantee",
    "create_policy_document",
    "decided_at",
    "desire",
    "desire_sweep",
    "generate_password",
    "is_timebound_name",
    "iso_z",
    "managed_attachments",
    "managed_groups",
    "password_length",
    "plan",
    "plan_rotation",
    "precheck",
    "satisfies",
    "timebound_document",
    "timebound_policy_name",
    "timebound_prefix",
    "whole_seconds",
]
