# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight app's lines for a plan's timeline: supervision alerts, spot checks and
rectifications, for training's plan timeline to merge by time.

``plan_timeline_events(plan, public=False)`` returns dicts shaped like training's
``PlanEvent`` (``at``, ``kind``, ``summary``, ``actor_label``). With ``public=True`` only
rectifications are given, without the staff's names (for the public timeline)."""

from typing import Any

from ..enums import RectificationStatus
from ..models import Alert, Inspection, RectificationEvent


def plan_timeline_events(plan, *, public: bool = False) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for e in RectificationEvent.objects.filter(rectification__plan=plan).select_related(
        "rectification"
    ):
        label = RectificationStatus(e.to_status).label
        note = f"：{e.note}" if e.note else ""
        events.append({
            "at": e.at,
            "kind": f"rectification.{e.to_status}",
            "summary": f"整改「{e.rectification.title}」{label}{note}",
            "actor_label": "" if public else e.actor_label,
        })  # fmt: skip
    if not public:
        for a in Alert.objects.filter(plan=plan):
            events.append({"at": a.raised_at, "kind": "supervision.alert",
                           "summary": f"监管预警：{a.get_step_display()}（{a.detail}）",
                           "actor_label": "系统"})  # fmt: skip
        for i in Inspection.objects.filter(plan=plan):
            events.append({"at": i.inspected_at, "kind": "inspection",
                           "summary": f"现场督查：{i.get_verdict_display()}",
                           "actor_label": i.inspector_label})  # fmt: skip
    events.sort(key=lambda e: e["at"])
    return events
