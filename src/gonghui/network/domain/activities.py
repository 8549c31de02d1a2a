# SPDX-License-Identifier: AGPL-3.0-or-later
"""Activities and campaigns: creation, registration with a cap or open, attendance by QR,
materials with stock (never handed out beyond it), consultations by topic, 当一天工人
findings filed into the training demand list or the reform (rectification) list, and the
activity report's figures."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..enums import ActivityKind, FindingTarget
from ..models import Activity, Consultation, Finding, Material, Registration
from .common import clean_text, require_runner, require_unit


@transaction.atomic
def create_activity(
    org_unit, *, actor, kind: str, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
    position=None, enterprise=None, place: str = "", cap: int | None = None,
) -> Activity:  # fmt: skip
    require_unit(actor, org_unit, "无权在该工会下举办活动")
    if kind not in ActivityKind.values:
        raise DomainError("请选择活动类型", field="kind")
    if ends_at <= starts_at:
        raise DomainError("活动结束时间应晚于开始时间", field="ends_at")
    if position is None and enterprise is None and not (place or "").strip():
        raise DomainError("请选择举办阵地、企业或填写地点", field="place")
    if kind == ActivityKind.WORKER_DAY and enterprise is None:
        raise DomainError("“当一天工人”活动请选择走访企业", field="enterprise")
    if cap is not None and not 1 <= cap <= 100_000:
        raise DomainError("报名名额应为1到100000（不限名额请留空）", field="cap")
    activity = Activity.objects.create(
        org_unit=org_unit, kind=kind,
        title=clean_text(title, field="title", label="活动名称", limit=100),
        starts_at=starts_at, ends_at=ends_at, position=position, enterprise=enterprise,
        place=clean_text(place, field="place", label="地点", limit=200, required=False), cap=cap,
    )  # fmt: skip
    audit.record("network.activity.create", actor=actor, obj=activity,
                 after={"title": activity.title, "kind": kind, "cap": cap})  # fmt: skip
    return activity


@transaction.atomic
def register(activity: Activity, *, actor, person) -> Registration:
    """A worker registers for an activity (themselves; staff may register someone)."""
    if getattr(actor, "person_id", None) != person.pk:
        require_runner(actor, activity, "只能为本人报名")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.ends_at <= timezone.now():
        raise DomainError("活动已结束，不能报名", field="activity")
    if Registration.objects.filter(activity=activity, person=person).exists():
        raise DomainError("您已报名该活动", field="activity")
    if activity.cap is not None and activity.registrations.count() >= activity.cap:
        raise DomainError("报名人数已满", field="activity")
    try:
        with transaction.atomic():
            reg = Registration.objects.create(activity=activity, person=person)
    except IntegrityError:
        raise DomainError("您已报名该活动", field="activity") from None
    audit.record("network.activity.register", actor=actor, obj=activity,
                 after={"registration": reg.pk})  # fmt: skip
    return reg


@transaction.atomic
def attend(activity: Activity, *, actor, person, token: str = "") -> Registration:
    """Attendance by the activity's QR code (the worker) or marked by staff. An open
    activity registers a walk-in at the door; a capped one only those registered."""
    is_self = getattr(actor, "person_id", None) == person.pk
    if is_self:
        if token != activity.checkin_token:
            raise PermissionDeniedError("签到码无效，请扫描活动现场的二维码")
    else:
        require_runner(actor, activity, "无权为该活动签到")
    reg = Registration.objects.select_for_update().filter(activity=activity, person=person).first()
    if reg is None:
        if activity.cap is not None:
            raise DomainError("该活动需先报名", field="activity")
        reg = Registration.objects.create(activity=activity, person=person)
    if reg.attended_at is not None:
        raise DomainError("已签到，无需重复签到", field="activity")
    reg.attended_at = timezone.now()
    reg.save(update_fields=["attended_at"])
    audit.record("network.activity.attend", actor=actor, obj=activity,
                 after={"registration": reg.pk})  # fmt: skip
    return reg


@transaction.atomic
def add_material(activity: Activity, *, actor, name: str, stock: int) -> Material:
    require_runner(actor, activity, "无权管理该活动")
    if not isinstance(stock, int) or isinstance(stock, bool) or not 1 <= stock <= 1_000_000:
        raise DomainError("库存应为1到1000000份", field="stock")
    m = Material.objects.create(
        activity=activity, stock=stock,
        name=clean_text(name, field="name", label="资料名称", limit=100),
    )  # fmt: skip
    audit.record("network.material.add", actor=actor, obj=activity,
                 after={"material": m.name, "stock": stock})  # fmt: skip
    return m


@transaction.atomic
def hand_out(material: Material, *, actor, count: int) -> Material:
    """Record ``count`` copies handed out; never beyond the stock left."""
    require_runner(actor, material.activity, "无权管理该活动")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise DomainError("发放份数应为正整数", field="count")
    m = Material.objects.select_for_update().get(pk=material.pk)
    left = m.stock - m.handed_out
    if count > left:
        raise DomainError(f"{m.name}库存仅剩{left}份，不能发放{count}份", field="count")
    Material.objects.filter(pk=m.pk).update(handed_out=F("handed_out") + count)
    m.refresh_from_db()
    audit.record("network.material.hand_out", actor=actor, obj=m.activity,
                 before={"handed_out": m.handed_out - count},
                 after={"material": m.name, "handed_out": m.handed_out})  # fmt: skip
    return m


@transaction.atomic
def log_consultation(activity: Activity, *, actor, topic: str, count: int = 1) -> Consultation:
    require_runner(actor, activity, "无权管理该活动")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000:
        raise DomainError("咨询人次应为1到10000", field="count")
    topic = clean_text(topic, field="topic", label="咨询主题", limit=60)
    c, _ = Consultation.objects.get_or_create(activity=activity, topic=topic,
                                              defaults={"count": 0})  # fmt: skip
    Consultation.objects.filter(pk=c.pk).update(count=F("count") + count)
    c.refresh_from_db()
    audit.record("network.consultation.log", actor=actor, obj=activity,
                 after={"topic": topic, "count": c.count})  # fmt: skip
    return c


@transaction.atomic
def add_finding(activity: Activity, *, actor, text: str) -> Finding:
    require_runner(actor, activity, "无权管理该活动")
    f = Finding.objects.create(
        activity=activity, text=clean_text(text, field="text", label="职工诉求", limit=300)
    )
    audit.record("network.finding.add", actor=actor, obj=activity, after={"text": f.text})
    return f


@transaction.atomic
def file_finding(finding: Finding, *, actor, to: str, skill=None, headcount: int = 1,
                 level: str = "l5", deadline: dt.date | None = None) -> Finding:  # fmt: skip
    """Close the loop: a finding becomes the enterprise's training demand (training app)
    or a reform item of the union (reform app), and remembers which."""
    activity = finding.activity
    require_runner(actor, activity, "无权管理该活动")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.filed_to:
        raise DomainError("该诉求已转入处理", field="to")
    if to == FindingTarget.TRAINING:
        from gonghui.training.domain.demands import submit_enterprise_demand

        if activity.enterprise is None:
            raise DomainError("只有走访企业的诉求可以转为培训需求", field="to")
        demand = submit_enterprise_demand(
            actor=actor, enterprise=activity.enterprise, skill=skill, headcount=headcount,
            level=level, release_in_work_hours=True,
            deadline=deadline or timezone.localdate() + dt.timedelta(days=90),
        )  # fmt: skip
        ref = f"training.Demand#{demand.pk}"
    elif to == FindingTarget.REFORM:
        from gonghui.reform.domain.items import create_reform_item
        from gonghui.reform.enums import Category

        item = create_reform_item(
            activity.org_unit, actor=actor, title=finding.text[:100],
            category=Category.COLLABORATION,
            goal=f"回应“{activity.title}”中职工诉求：{finding.text}"[:2000],
            source_ref=f"network.Activity#{activity.pk}", source_summary=finding.text[:300],
        )  # fmt: skip
        ref = f"reform.ReformItem#{item.pk}"
    else:
        raise DomainError("请选择转入培训需求清单或整改（改革）事项", field="to")
    finding.filed_to, finding.filed_ref = to, ref
    finding.save(update_fields=["filed_to", "filed_ref"])
    audit.record("network.finding.file", actor=actor, obj=activity,
                 after={"finding": finding.pk, "to": to, "ref": ref})  # fmt: skip
    return finding


@dataclass
class ActivityReport:
    registered: int
    attended: int
    materials: list[Material]
    handed_out: int
    consultations: list[Consultation]
    consulted: int
    findings: list[Finding]


def report(activity: Activity) -> ActivityReport:
    regs = activity.registrations
    materials = list(activity.materials.all())
    consultations = list(activity.consultations.all())
    return ActivityReport(
        registered=regs.count(), attended=regs.exclude(attended_at=None).count(),
        materials=materials, handed_out=sum(m.handed_out for m in materials),
        consultations=consultations,
        consulted=activity.consultations.aggregate(n=Sum("count"))["n"] or 0,
        findings=list(activity.findings.all()),
    )  # fmt: skip


def may_run(actor, activity: Activity) -> bool:
    return principal_for(actor).can("activity", "change", activity)
