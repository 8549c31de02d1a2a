# SPDX-License-Identifier: AGPL-3.0-or-later
"""Domain events, told to whoever listens once the change is committed.

A domain function that changes something other systems care about calls
``events.emit("plan.announced", plan)`` — one line, inside its transaction. Nothing happens
at once: the event is handed to the listeners (``listen``; the ``integration`` app's
webhooks) by ``transaction.on_commit``, so a change that rolls back tells nobody, and a
listener that fails never undoes the change. Core names no app: listeners register
themselves in their ``AppConfig.ready``.

The names are a closed list (``EVENTS``), so a typo fails loudly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger("gonghui.events")

#: Every event a domain function may emit, with its Chinese label.
EVENTS: dict[str, str] = {
    "plan.announced": "培训计划已公告",
    "enrollment.confirmed": "报名已确认",
    "claim.state_changed": "互助申请状态变化",
    "certificate.issued": "证书已发放",
    "reform.updated": "改革事项更新",
}

_listeners: list[Callable[[str, Any], None]] = []


def listen(listener: Callable[[str, Any], None]) -> None:
    """Register ``listener(name, obj)``, called after each commit that emitted an event."""
    if listener not in _listeners:
        _listeners.append(listener)


def emit(name: str, obj: Any) -> None:
    """Tell the listeners that ``name`` happened to ``obj`` once the transaction commits."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    if _listeners:
        transaction.on_commit(lambda: _dispatch(name, obj))


def _dispatch(name: str, obj: Any) -> None:
    for listener in list(_listeners):
        try:
            listener(name, obj)
        except Exception:  # a listener's bug must not break the request that committed
            logger.exception("event listener %r failed for %s", listener, name)
