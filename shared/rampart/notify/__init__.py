"""Notifications after a joiner or a leaver: the notice (pure), its wire format per kind,
the sender, and the lifecycle function's after-event hook.
"""

from __future__ import annotations

from rampart.notify._hook import NotifySetup, after_event, is_lasting
from rampart.notify._notice import (
    MAX_TEXT,
    Notice,
    NoticeKind,
    NotifyConfig,
    NotifyKind,
    NotifyOutcome,
    has_news,
    notice_for,
    parse_config,
)
from rampart.notify._sender import Notifier
from rampart.notify._wire import OutboundRequest, answer, dingtalk_sign, feishu_sign, payload, request

__all__ = [
    "MAX_TEXT",
    "Notice",
    "NoticeKind",
    "Notifier",
    "NotifyConfig",
    "NotifyKind",
    "NotifyOutcome",
    "NotifySetup",
    "OutboundRequest",
    "after_event",
    "answer",
    "dingtalk_sign",
    "feishu_sign",
    "has_news",
    "is_lasting",
    "notice_for",
    "parse_config",
    "payload",
    "request",
]
