"""Insight in the scope walks (see tests/walk_extensions.py)."""

import datetime as dt

from django.utils import timezone

from gonghui.insight.models import (
    Alert,
    Inspection,
    InspectionPhoto,
    QualityRule,
    Rectification,
    RectificationEvent,
    StepLimit,
)

MARK = "平湖"
MODELS = [Alert, Inspection, InspectionPhoto, QualityRule, Rectification, RectificationEvent,
          StepLimit]  # fmt: skip


def build(o) -> None:
    now = timezone.now()
    plan = o["plan"]
    alert = Alert.objects.create(
        plan=plan, org_unit=o["root"], step="announce", due_at=now, detail="平湖的预警",
        limit_days=5,
    )  # fmt: skip
    inspection = Inspection.objects.create(
        plan=plan, org_unit=o["root"], inspector_label="平湖督查员", inspected_at=now,
        verdict="poor", findings="平湖的督查发现",
    )  # fmt: skip
    photo = InspectionPhoto.objects.create(
        inspection=inspection, image="private/inspections/平湖.png", content_type="image/png",
        ext="png", size=10,
    )  # fmt: skip
    StepLimit.objects.create(org_unit=o["root"], step="announce", days=9)
    rule = QualityRule.objects.create(org_unit=o["root"], metric="attendance", threshold=80)
    rect = Rectification.objects.create(
        plan=plan, org_unit=o["root"], source="rule", rule=rule, metric="attendance",
        title="平湖的整改", finding="平湖的问题", deadline=dt.date(2030, 1, 1),
        status="submitted", evidence="平湖的整改情况",
    )  # fmt: skip
    RectificationEvent.objects.create(rectification=rect, to_status="open", note="平湖")
    o.update(alert=alert, inspection=inspection, photo=photo, rect=rect)


def operations(o) -> list:
    a, i, r = o["alert"].pk, o["inspection"].pk, o["rect"].pk
    return [
        ("GET", "/api/insight/dashboard", None),
        ("GET", "/api/insight/dashboard?start=2020-01-01&end=2030-12-31", None),
        ("GET", "/api/insight/alerts?open=false", None),
        ("POST", f"/api/insight/alerts/{a}/acknowledge", None),
        ("GET", "/api/insight/limits", None),
        ("POST", "/api/insight/limits", {"org_unit_id": o["root"].pk, "step": "announce",
                                         "days": 1}),
        ("GET", f"/api/insight/sessions/{o['session'].pk}/attendance", None),
        ("GET", "/api/insight/inspections", None),
        ("GET", f"/api/insight/inspections/{i}", None),
        ("POST", "/api/insight/inspections",
         {"plan_id": o["plan"].pk, "verdict": "poor", "findings": "越权督查"}),
        ("GET", "/api/insight/quality-rules", None),
        ("POST", "/api/insight/quality-rules",
         {"org_unit_id": o["root"].pk, "metric": "attendance", "threshold": "99"}),
        ("GET", "/api/insight/rectifications", None),
        ("GET", f"/api/insight/rectifications/{r}", None),
        ("POST", f"/api/insight/rectifications/{r}/transitions", {"action": "accept"}),
        ("POST", f"/api/insight/rectifications/{r}/escalate",
         {"title": "越权", "category": "process", "goal": "越权"}),
    ]  # fmt: skip


def pages(o) -> dict:
    a, i, r = o["alert"].pk, o["inspection"].pk, o["rect"].pk
    return {
        "insight_console:dashboard": ([], {}),
        "insight_console:report": ([], {}),
        "insight_console:export": ([], {}),
        "insight_console:alerts": ([], {}),
        "insight_console:limits": ([], {"org_unit": o["root"].pk, "step": "announce",
                                        "days": 1, "active": "on"}),
        "insight_console:alert_ack": ([a], {}),
        "insight_console:monitor": ([], {}),
        "insight_console:live": ([o["session"].pk], {}),
        "insight_console:live_partial": ([o["session"].pk], {}),
        "insight_console:inspections": ([], {"plan": o["plan"].pk, "verdict": "poor",
                                             "findings": "越权"}),
        "insight_console:inspection": ([i], {}),
        "insight_console:inspection_photo": ([i, o["photo"].pk], {}),
        "insight_console:inspection_rectify": ([i], {"title": "越权", "deadline": "2030-01-01"}),
        "insight_console:quality": ([], {"org_unit": o["root"].pk, "metric": "attendance",
                                         "threshold": "99", "deadline_days": 5,
                                         "active": "on"}),
        "insight_console:weak_spot_escalate": ([], {"kind": "trainer",
                                                    "subject_id": o["trainer"].pk,
                                                    "dimension": "teaching", "title": "越权",
                                                    "category": "process", "goal": "越权"}),
        "insight_console:rectifications": ([], {}),
        "insight_console:rectification": ([r], {}),
        "insight_console:rectification_transition": ([r, "accept"], {"note": "越权"}),
        "insight_console:rectification_escalate": ([r], {"title": "越权", "category": "process",
                                                         "goal": "越权"}),
    }  # fmt: skip
