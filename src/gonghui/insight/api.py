# SPDX-License-Identifier: AGPL-3.0-or-later
"""Insight API: the dashboard's figures for scoped tokens (e.g. 浙里办), supervision alerts
and time limits, live attendance, spot checks, quality rules and rectifications.

Mounted under /api/insight. Same permissions and errors as the pages.
"""

import datetime as dt

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.training.models import Session, TrainingPlan

from .domain import inspections, monitoring, quality, supervision
from .domain.dashboard import Period, dashboard, scope_units
from .enums import RectificationStatus, Step
from .models import Alert, Inspection, QualityRule, Rectification
from .schemas import (
    AlertOut,
    DashboardOut,
    EscalateIn,
    InspectionIn,
    InspectionOut,
    LimitIn,
    LimitOut,
    QualityRuleIn,
    QualityRuleOut,
    RectificationActionIn,
    RectificationDetailOut,
    RectificationOut,
    SessionAttendanceSummaryOut,
)

router = Router(tags=["监管与决策"])


def _require(request, kind: str, action: str = "view") -> None:
    if not principal_for(request.auth).may(kind, action):
        raise PermissionDeniedError()


def _root(request) -> OrgUnit:
    """The caller's own federation (the first top-level unit of their roles)."""
    principal = principal_for(request.auth)
    ids = sorted({int(g.path.split("/", 1)[0]) for g in principal.grants})
    if not ids:
        raise PermissionDeniedError()
    return OrgUnit.objects.get(pk=ids[0])


class DashboardPeriodIn(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/dashboard", response=DashboardOut, summary="数据驾驶舱（本级及下级，按统计期）")
def get_dashboard(request, period: Query[DashboardPeriodIn]):
    _require(request, "dashboard")
    default = Period.last_months(12)
    p = Period(period.start or default.start, period.end or default.end)  # checks itself
    return dashboard(request.auth, p)


# -- supervision ------------------------------------------------------------------------------
class AlertFilter(Schema):
    open: bool = True
    step: Step | None = None


@router.get("/alerts", response=list[AlertOut], summary="超时环节预警")
@paginate(Page)
def list_alerts(request, filters: Query[AlertFilter]):
    qs = Alert.objects.restrict(request.auth).select_related("plan", "org_unit")
    if filters.open:
        qs = qs.open()
    if filters.step:
        qs = qs.filter(step=filters.step)
    return qs.order_by("due_at", "id")


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="预警已阅")
def acknowledge(request, alert_id: int):
    alert = get_object_or_404(
        Alert.objects.restrict(request.auth).select_related("plan", "org_unit"), pk=alert_id
    )
    return supervision.acknowledge_alert(alert, actor=request.auth)


@router.get("/limits", response=list[LimitOut], summary="本总工会的环节时限")
def list_limits(request):
    _require(request, "supervisionrule")
    return list(supervision.effective_limits(_root(request)).values())


@router.post("/limits", response=LimitOut, summary="设定环节时限（总工会）")
def set_limit(request, payload: LimitIn):
    root = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    supervision.set_step_limit(root, actor=request.auth, **payload.dict(exclude={"org_unit_id"}))
    return supervision.effective_limits(root)[payload.step]


@router.get("/sessions/{session_id}/attendance", response=SessionAttendanceSummaryOut,
            summary="现场监测：班次实时签到")  # fmt: skip
def session_attendance(request, session_id: int):
    _require(request, "dashboard")
    plans = TrainingPlan.objects.filter(org_unit__in=scope_units(request.auth).values("pk"))
    session = get_object_or_404(Session.objects.filter(plan__in=plans), pk=session_id)
    live = monitoring.live_attendance(session)
    return {"session_id": session.pk, "plan_id": session.plan_id, "status": live.status,
            "enrolled": live.enrolled, "checked_in": live.checked_in, "rate": live.rate,
            "missing": len(live.missing), "as_of": live.as_of}  # fmt: skip


# -- inspections ------------------------------------------------------------------------------
def _inspections(request):
    return (
        Inspection.objects.restrict(request.auth)
        .select_related("plan")
        .annotate(photo_count=Count("photos"))
    )


@router.get("/inspections", response=list[InspectionOut], summary="督查记录")
@paginate(Page)
def list_inspections(request):
    return _inspections(request)


@router.get("/inspections/{inspection_id}", response=InspectionOut, summary="督查记录详情")
def get_inspection(request, inspection_id: int):
    return get_object_or_404(_inspections(request), pk=inspection_id)


@router.post("/inspections", response={201: InspectionOut},
             summary="记录督查（照片请在管理端上传）")  # fmt: skip
def create_inspection(request, payload: InspectionIn):
    plan = get_object_or_404(TrainingPlan.objects.restrict(request.auth), pk=payload.plan_id)
    session = None
    if payload.session_id:
        session = get_object_or_404(Session, pk=payload.session_id, plan=plan)
    obj = inspections.record_inspection(
        plan, actor=request.auth, verdict=payload.verdict, findings=payload.findings,
        session=session, present=payload.present, inspected_at=payload.inspected_at,
    )  # fmt: skip
    return Status(201, get_object_or_404(_inspections(request), pk=obj.pk))


# -- quality ----------------------------------------------------------------------------------
@router.get("/quality-rules", response=list[QualityRuleOut], summary="本总工会的质量规则")
def list_rules(request):
    _require(request, "qualityrule")
    return QualityRule.objects.filter(org_unit=_root(request))


@router.post("/quality-rules", response=QualityRuleOut, summary="设定质量规则（总工会）")
def set_rule(request, payload: QualityRuleIn):
    root = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    return quality.set_quality_rule(root, actor=request.auth,
                                    **payload.dict(exclude={"org_unit_id"}))  # fmt: skip


class RectificationFilter(Schema):
    status: RectificationStatus | None = None
    unresolved: bool = False


def _rects(request):
    return Rectification.objects.restrict(request.auth).select_related("plan", "org_unit")


@router.get("/rectifications", response=list[RectificationOut], summary="整改任务")
@paginate(Page)
def list_rectifications(request, filters: Query[RectificationFilter]):
    qs = _rects(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unresolved:
        qs = qs.unresolved()
    return qs


@router.get("/rectifications/{rect_id}", response=RectificationDetailOut, summary="整改任务详情")
def get_rectification(request, rect_id: int):
    return get_object_or_404(_rects(request).prefetch_related("events"), pk=rect_id)


ACTIONS = {"submit": RectificationStatus.SUBMITTED, "accept": RectificationStatus.CLOSED,
           "return": RectificationStatus.OPEN}  # fmt: skip


@router.post("/rectifications/{rect_id}/transitions", response=RectificationOut,
             summary="整改：提交、验收销号、退回")  # fmt: skip
def transition_rectification(request, rect_id: int, payload: RectificationActionIn):
    rect = get_object_or_404(_rects(request), pk=rect_id)
    return quality.transition_rectification(
        rect, ACTIONS[payload.action], actor=request.auth, note=payload.note,
        evidence=payload.evidence,
    )  # fmt: skip


@router.post("/rectifications/{rect_id}/escalate", response={201: dict},
             summary="整改升级为改革事项")  # fmt: skip
def escalate(request, rect_id: int, payload: EscalateIn):
    rect = get_object_or_404(_rects(request), pk=rect_id)
    item = quality.escalate_rectification(rect, actor=request.auth, **payload.dict())
    return Status(201, {"reform_item_id": item.pk, "status": item.status})
