# SPDX-License-Identifier: AGPL-3.0-or-later
"""The training plan's life: draft → consultation → approved → announced → enrolling →
running → completed → archived, or cancelled.

``_transition`` is the only code that assigns ``plan.state``; every transition checks its
conditions, writes a PlanEvent (the public timeline) and an audit row.
"""

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core import blended, events
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit

from ..enums import DemandStatus, EnrollmentStatus, Level, Mode, Party, PlanState, Stance
from ..models import (
    Consultation,
    Course,
    Demand,
    DemandItem,
    Opinion,
    PlanEvent,
    PlanVersion,
    Session,
    Skill,
    Trainer,
    TrainingPlan,
    Venue,
)
from .plan_cache import forget_plan

#: Allowed transitions. Cancelling is possible from every state before completion.
TRANSITIONS: dict[str, set[str]] = {
    PlanState.DRAFT: {PlanState.CONSULTATION, PlanState.CANCELLED},
    PlanState.CONSULTATION: {PlanState.APPROVED, PlanState.DRAFT, PlanState.CANCELLED},
    PlanState.APPROVED: {PlanState.ANNOUNCED, PlanState.CANCELLED},
    PlanState.ANNOUNCED: {PlanState.ENROLLING, PlanState.CANCELLED},
    PlanState.ENROLLING: {PlanState.RUNNING, PlanState.CANCELLED},
    PlanState.RUNNING: {PlanState.COMPLETED, PlanState.CANCELLED},
    PlanState.COMPLETED: {PlanState.ARCHIVED},
    PlanState.ARCHIVED: set(),
    PlanState.CANCELLED: set(),
}
#: States in which the plan is public (announcement page, enrolment page).
PUBLIC_STATES = (PlanState.ANNOUNCED, PlanState.ENROLLING, PlanState.RUNNING, PlanState.COMPLETED)
#: States in which content may still be revised.
EDITABLE_STATES = (PlanState.DRAFT, PlanState.CONSULTATION, PlanState.APPROVED)
#: Share of a plan's sessions a participant must attend to complete it.
COMPLETION_ATTENDANCE = Decimal("0.8")

SNAPSHOT_FIELDS = {
    "title": "方案名称",
    "content": "培训内容",
    "mode": "培训方式",
    "capacity": "名额",
    "cost_per_person": "人均成本（元）",
    "subsidy_per_person": "人均补贴（元）",
    "members_only": "仅限在会会员",
    "target_completion_rate": "目标结业率%",
    "target_certification_rate": "目标取证率%",
    "target_satisfaction": "目标满意度%",
    "enrol_cutoff": "报名/取消截止",
    "courses": "课程模块",
    "sessions": "班次安排",
    "eligible_units": "可报名单位",
}


# -- helpers ------------------------------------------------------------------------------
def _require_manager(actor, plan: TrainingPlan | None = None, unit: OrgUnit | None = None):
    principal = principal_for(actor)
    if plan is not None and not principal.can("plan", "change", plan):
        raise PermissionDeniedError("无权管理该培训方案")
    if unit is not None and not principal.covers("plan", "change", unit):
        raise PermissionDeniedError("无权在该组织下制定培训方案")


def _event(
    plan: TrainingPlan,
    kind: str,
    summary: str,
    *,
    actor,
    figures=None,
    from_state: str = "",
    to_state: str = "",
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        kind=kind,
        summary=summary,
        figures=figures or {},
        actor_label=audit._label(actor),
        from_state=from_state,
        to_state=to_state,
    )


def record_event(plan: TrainingPlan, kind: str, summary: str, *, actor, figures=None):
    """A line on the plan's timeline (for the proposal engine and other domain modules)."""
    return _event(plan, kind, summary, actor=actor, figures=figures)


def _transition(plan: TrainingPlan, to: str, *, actor, summary: str, figures=None) -> None:
    locked = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
    if to not in TRANSITIONS[PlanState(locked.state)]:
        raise DomainError(
            f"方案当前为“{locked.get_state_display()}”，不能变为“{PlanState(to).label}”",
            code="state",
        )
    old = locked.state
    locked.state = to
    fields = ["state", "updated_at"]
    if to == PlanState.ANNOUNCED:
        locked.announced_at = timezone.now()
        fields.append("announced_at")
    locked.save(update_fields=fields)
    forget_plan(plan.pk)  # a cached public plan is found again, or not, as it now stands
    plan.state = to
    plan.announced_at = locked.announced_at
    _event(plan, f"state.{to}", summary, actor=actor, figures=figures, from_state=old, to_state=to)
    audit.record(
        "plan.transition",
        actor=actor,
        obj=plan,
        before={"state": old},
        after={"state": to},
        detail=summary,
    )


def snapshot(plan: TrainingPlan) -> dict[str, Any]:
    """The plan's public content as plain JSON, for versions and diffs."""
    return {
        "title": plan.title,
        "content": plan.content,
        "mode": plan.get_mode_display(),
        "capacity": plan.capacity,
        # Formatted, so a value before and after the database round trip compares equal.
        "cost_per_person": f"{Decimal(plan.cost_per_person):.2f}",
        "subsidy_per_person": f"{Decimal(plan.subsidy_per_person):.2f}",
        "members_only": "是" if plan.members_only else "否",
        "target_completion_rate": plan.target_completion_rate,
        "target_certification_rate": plan.target_certification_rate,
        "target_satisfaction": plan.target_satisfaction,
        "enrol_cutoff": (
            timezone.localtime(plan.enrol_cutoff).strftime("%Y-%m-%d %H:%M")
            if plan.enrol_cutoff
            else ""
        ),
        "courses": [f"{c.title}（{c.hours}学时）" for c in plan.courses.all()],
        "sessions": [
            f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M}-"
            f"{timezone.localtime(s.ends_at):%H:%M} {s.trainer.name}"
            f"{' @ ' + s.venue.name if s.venue else ''}"
            for s in plan.sessions.select_related("trainer", "venue")
        ],
        "eligible_units": sorted(u.name for u in plan.eligible_units.all()),
    }


def _save_version(plan: TrainingPlan, *, actor, reason: str) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        snapshot=snapshot(plan),
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def diff_versions(old: dict, new: dict) -> list[dict[str, Any]]:
    """Field-by-field changes between two snapshots, labelled in Chinese."""
    changes = []
    for key, label in SNAPSHOT_FIELDS.items():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            before, after = before or [], after or []
            changes.append(
                {
                    "field": key,
                    "label": label,
                    "removed": [x for x in before if x not in after],
                    "added": [x for x in after if x not in before],
                }
            )
        else:
            changes.append({"field": key, "label": label, "old": before, "new": after})
    return changes


# -- drafting -----------------------------------------------------------------------------
@transaction.atomic
def create_plan(
    org_unit: OrgUnit,
    *,
    actor,
    title: str,
    skill: Skill,
    level: str,
    capacity: int,
    target_completion_rate: int,
    target_certification_rate: int,
    target_satisfaction: int,
    items: list[DemandItem] = (),
    content: str = "",
    mode: str = Mode.ONSITE,
    cost_per_person: Decimal = Decimal("0"),
    subsidy_per_person: Decimal = Decimal("0"),
    members_only: bool = True,
    eligible_units: list[OrgUnit] = (),
    enrol_cutoff: dt.datetime | None = None,
) -> TrainingPlan:
    """Staff turn demand items into a proposed plan (建议方案), in the draft state."""
    _require_manager(actor, unit=org_unit)
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写方案名称", field="title")
    if level not in Level.values:
        raise DomainError("技能等级无效", field="level")
    if mode not in Mode.values:
        raise DomainError("培训方式无效", field="mode")
    if capacity is None or capacity < 1:
        raise DomainError("名额至少为1人", field="capacity")
    for name, value in (
        ("结业率", target_completion_rate),
        ("取证率", target_certification_rate),
        ("满意度", target_satisfaction),
    ):
        if value is None or not 0 <= value <= 100:
            raise DomainError(f"目标{name}应在0到100之间", field="targets")
    if subsidy_per_person < 0 or cost_per_person < 0:
        raise DomainError("成本和补贴不能为负数", field="subsidy_per_person")
    for item in items:
        if item.skill_id != skill.pk:
            raise DomainError(f"需求项“{item}”的技能与方案不一致", field="items")
    for unit in eligible_units:
        if not unit.is_within(org_unit):
            raise DomainError(f"“{unit}”不在主办工会范围内", field="eligible_units")
    plan = TrainingPlan.objects.create(
        org_unit=org_unit,
        title=title,
        skill=skill,
        level=level,
        capacity=capacity,
        content=content,
        mode=mode,
        cost_per_person=cost_per_person,
        subsidy_per_person=subsidy_per_person,
        members_only=members_only,
        target_completion_rate=target_completion_rate,
        target_certification_rate=target_certification_rate,
        target_satisfaction=target_satisfaction,
        enrol_cutoff=enrol_cutoff,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if items:
        plan.items.set(items)
        DemandItem.objects.filter(pk__in=[i.pk for i in items]).update(
            status=DemandItem.Status.PLANNED
        )
        _set_demands(items, DemandStatus.MATCHED, DemandStatus.PLANNED, actor=actor)
    if eligible_units:
        plan.eligible_units.set(eligible_units)
    _save_version(plan, actor=actor, reason="初稿")
    demand_total = sum(i.total_people for i in items)
    if items:
        names = "、".join(f"“{i}”" for i in items)
        summary = f"根据需求清单中的{len(items)}个需求项（{names}）提出建议方案"
    else:
        summary = "未依据需求清单，由工作人员直接拟定方案"
    _event(
        plan,
        "proposed",
        summary[:300],
        actor=actor,
        figures={
            "demand_items": len(items),
            "people_in_demand": demand_total,
            "items": [i.pk for i in items],
        },
    )
    audit.record("plan.create", actor=actor, obj=plan, after={"title": title})
    return plan


def _set_demands(items, old: str, new: str, *, actor) -> None:
    """The demands behind ``items`` follow their plan: planned while a plan takes them up,
    matched again (so they can be planned or withdrawn) when it is cancelled."""
    from .demands import transition_demand

    for demand in Demand.objects.filter(item__in=items, status=old):
        transition_demand(demand, new, actor=actor, action="plan.demands")


def _require_editable(plan: TrainingPlan) -> None:
    if plan.state not in EDITABLE_STATES:
        raise DomainError(f"方案{plan.get_state_display()}，不能再修改内容", code="state")


@transaction.atomic
def add_course(plan: TrainingPlan, *, actor, title: str, hours: Decimal) -> Course:
    _require_manager(actor, plan)
    _require_editable(plan)
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写课程名称", field="title")
    hours = _course_hours(hours)
    order = plan.courses.count() + 1
    return Course.objects.create(plan=plan, title=title, hours=hours, order=order)


@transaction.atomic
def set_online_courses(plan: TrainingPlan, *, actor, keys: list[str]) -> list:
    """线上线下结合: the online courses (of the learning app, through ``core.blended``) a
    plan's participants must complete; checked at completion (``complete_plan``). Part of
    the plan's content: set while it may still be revised, before it is announced."""
    _require_manager(actor, plan)
    _require_editable(plan)
    keys = [str(k) for k in keys if str(k).strip()]
    if not blended.available():
        raise DomainError("未启用在线学习，不能设置线上课程", code="state")
    if keys and plan.mode == Mode.ONSITE:
        raise DomainError(
            "线下培训方案不能要求线上课程，请将培训方式改为“线上线下结合”", field="online_courses"
        )
    before = [c.title for c in blended.required(plan)]
    chosen = blended.set_required(plan, keys, user=actor)
    after = [c.title for c in chosen]
    if after != before:
        summary = "线上课程：" + "、".join(after) if after else "取消线上课程要求"
        _event(plan, "online_courses", summary, actor=actor, figures={"courses": after})
        audit.record(
            "plan.online_courses",
            actor=actor,
            obj=plan,
            before={"courses": before},
            after={"courses": [c.key for c in chosen]},
        )
    return chosen


#: What ``Course.hours`` holds (five digits, one decimal place).
MAX_COURSE_HOURS = Decimal("9999.9")


def _course_hours(hours) -> Decimal:
    """Hours as stored: more than 0, at most ``MAX_COURSE_HOURS``, to one decimal place.
    (SQLite would store 1e300 and then fail to read the row back on every page.)"""
    try:
        value = Decimal(str(hours)) if hours is not None else None
    except ArithmeticError:
        value = None
    if value is not None and value.is_finite() and value > MAX_COURSE_HOURS:
        raise DomainError(f"学时不能超过{MAX_COURSE_HOURS}", field="hours")
    if value is not None and value.is_finite():
        value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value is None or not value.is_finite() or value <= 0:
        raise DomainError("学时须大于0", field="hours")
    return value


def _clash(qs, starts_at, ends_at):
    return (
        qs.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(plan__state=PlanState.CANCELLED)
        .select_related("plan")
        .first()
    )


@transaction.atomic
def schedule_session(
    plan: TrainingPlan,
    *,
    actor,
    trainer: Trainer,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None = None,
    course: Course | None = None,
    override_reason: str = "",
) -> Session:
    """Add a session; a trainer or venue cannot be double-booked. A trainer who has not
    registered the plan's skill (nor a qualification for it) needs ``override_reason``."""
    _require_manager(actor, plan)
    _require_editable(plan)
    if course is not None and course.plan_id != plan.pk:
        raise DomainError("课程不属于该方案", field="course")
    _check_booking(plan, trainer=trainer, venue=venue, starts_at=starts_at, ends_at=ends_at)
    _check_trainer_skill(plan, trainer, override_reason, actor=actor)
    from .checkin_secret import new_secret

    return Session.objects.create(
        plan=plan,
        trainer=trainer,
        venue=venue,
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        checkin_secret=new_secret(),
    )


def _check_trainer_skill(plan: TrainingPlan, trainer: Trainer, reason: str, *, actor) -> None:
    """A trainer without the plan's skill is refused unless staff give a reason; the
    override is written on the timeline and in the audit log."""
    from .proposal import trainer_qualified

    if trainer_qualified(trainer, plan.skill):
        return
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            f"培训师{trainer.name}未登记“{plan.skill.name}”技能或资质；如确需安排，请填写人工指定理由",
            field="override_reason",
            code="unqualified",
        )
    if plan.events.filter(kind="trainer_override", figures__trainer=trainer.pk).exists():
        return
    _event(
        plan, "trainer_override",
        f"人工指定未登记“{plan.skill.name}”技能的培训师{trainer.name}：{reason}"[:300],
        actor=actor, figures={"trainer": trainer.pk},
    )  # fmt: skip
    audit.record("plan.trainer_override", actor=actor, obj=plan,
                 after={"trainer": trainer.pk}, detail=reason)  # fmt: skip


def _check_booking(
    plan: TrainingPlan,
    *,
    trainer: Trainer,
    venue: Venue | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    moving: Session | None = None,
) -> None:
    """The checks of a session's time, trainer and venue: in the future, ending after it
    starts, a venue for on-site training, an active trainer, a venue large enough, and no
    double-booking of the trainer or the venue (``moving``: the session being rescheduled,
    which does not clash with itself)."""
    if starts_at <= timezone.now():
        raise DomainError("班次时间不能早于当前时间", field="starts_at")
    if ends_at <= starts_at:
        raise DomainError("结束时间须晚于开始时间", field="ends_at")
    if plan.mode != Mode.ONLINE and venue is None:
        raise DomainError("线下或混合培训须指定培训阵地", field="venue")
    if not trainer.active:
        raise DomainError(f"培训师{trainer.name}已不在师资库", field="trainer")
    others = Session.objects.exclude(pk=moving.pk) if moving is not None else Session.objects
    # Lock the trainer and venue rows so two concurrent bookings cannot both pass the check.
    Trainer.objects.select_for_update().filter(pk=trainer.pk).first()
    clash = _clash(others.filter(trainer=trainer), starts_at, ends_at)
    if clash:
        raise DomainError(
            f"培训师{trainer.name}在{_when(clash)}已安排“{clash.plan.title}”，时间冲突",
            field="trainer",
            code="conflict",
        )
    if venue is not None:
        Venue.objects.select_for_update().filter(pk=venue.pk).first()
        if venue.capacity < plan.capacity:
            raise DomainError(
                f"阵地“{venue.name}”仅容纳{venue.capacity}人，少于方案名额{plan.capacity}人",
                field="venue",
            )
        clash = _clash(others.filter(venue=venue), starts_at, ends_at)
        if clash:
            raise DomainError(
                f"阵地“{venue.name}”在{_when(clash)}已安排“{clash.plan.title}”，时间冲突",
                field="venue",
                code="conflict",
            )


#: States in which a session may still be moved (before that, by editing; after, never).
RESCHEDULABLE_STATES = (
    PlanState.DRAFT, PlanState.CONSULTATION, PlanState.APPROVED, PlanState.ANNOUNCED,
    PlanState.ENROLLING, PlanState.RUNNING,
)  # fmt: skip
#: From these states on, people rely on the schedule: a change needs a reason and is told.
ANNOUNCED_STATES = (PlanState.ANNOUNCED, PlanState.ENROLLING, PlanState.RUNNING)


def _session_line(session: Session) -> str:
    where = f"，{session.venue.name}" if session.venue_id else "，线上"
    return f"{_when(session)}{where}，培训师{session.trainer.name}"


@transaction.atomic
def reschedule_session(
    session: Session,
    *,
    actor,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    trainer: Trainer | None = None,
    venue: Venue | None = None,
    reason: str = "",
    override_reason: str = "",
) -> Session:
    """Move a session that has not started yet (new time, and optionally another trainer or
    venue), with the same checks as scheduling it. Once the plan is announced, a reason is
    required; the change goes on the public timeline and everyone enrolled or waiting is
    told (``plan_changed``)."""
    plan = TrainingPlan.objects.select_for_update().get(pk=session.plan_id)
    _require_manager(actor, plan)
    session = Session.objects.select_related("trainer", "venue").get(pk=session.pk)
    if plan.state not in RESCHEDULABLE_STATES:
        raise DomainError(f"方案{plan.get_state_display()}，不能再调整班次", code="state")
    if session.starts_at <= timezone.now():
        raise DomainError("该班次已开始或已结束，不能调整", code="state")
    announced = plan.state in ANNOUNCED_STATES
    reason = (reason or "").strip()
    if announced and not reason:
        raise DomainError("方案已公告，调整班次须填写原因", field="reason")
    trainer = trainer or session.trainer
    venue = venue if venue is not None else session.venue
    _check_booking(plan, trainer=trainer, venue=venue, starts_at=starts_at, ends_at=ends_at,
                   moving=session)  # fmt: skip
    if trainer.pk != session.trainer_id:
        _check_trainer_skill(plan, trainer, override_reason or reason, actor=actor)
    before = _session_line(session)
    session.starts_at, session.ends_at = starts_at, ends_at
    session.trainer, session.venue = trainer, venue
    session.save(update_fields=["starts_at", "ends_at", "trainer", "venue"])
    after = _session_line(session)
    audit.record("session.reschedule", actor=actor, obj=session, before={"session": before},
                 after={"session": after}, detail=reason)  # fmt: skip
    if announced:
        _event(plan, "session_changed", f"班次调整：{before} → {after}（原因：{reason}）",
               actor=actor, figures={"session": session.pk})  # fmt: skip
        _tell_plan_changed(plan, f"“{plan.title}”班次调整：{before} 改为 {after}。原因：{reason}")
    return session


def _tell_plan_changed(plan: TrainingPlan, text: str) -> int:
    """Message everyone enrolled or waitlisted on ``plan``; return how many were told."""
    from ..models.notice import Notification
    from .notices import notify

    people = (
        plan.enrollments.filter(status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED))
        .select_related("person")
        .order_by("id")
    )
    told = 0
    for enrollment in people:
        notify(enrollment.person, kind=Notification.Kind.PLAN_CHANGED, text=text,
               url=f"/t/plans/{plan.pk}/")  # fmt: skip
        told += 1
    return told


def _when(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    return f"{start:%Y-%m-%d %H:%M}-{timezone.localtime(session.ends_at):%H:%M}"


@transaction.atomic
def revise_plan(
    plan: TrainingPlan,
    *,
    actor,
    reason: str,
    adopted_opinions: list[Opinion] = (),
    **changes: Any,
) -> PlanVersion:
    """Change the plan's content and record a new version (with the reason and the
    opinions that led to it). Courses and sessions changed since the last version are
    captured in the snapshot too."""
    _require_manager(actor, plan)
    _require_editable(plan)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写修改说明", field="reason")
    allowed = {
        "title",
        "content",
        "mode",
        "capacity",
        "cost_per_person",
        "subsidy_per_person",
        "members_only",
        "target_completion_rate",
        "target_certification_rate",
        "target_satisfaction",
        "enrol_cutoff",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("不能修改：" + "、".join(sorted(unknown)))
    if "capacity" in changes and (changes["capacity"] or 0) < 1:
        raise DomainError("名额至少为1人", field="capacity")
    for key, value in changes.items():
        setattr(plan, key, value)
    previous = plan.versions.order_by("-number").first()
    new_snapshot = snapshot(plan)
    if previous is not None and not diff_versions(previous.snapshot, new_snapshot):
        raise DomainError("方案内容没有变化", code="unchanged")
    plan.version += 1
    plan.save(update_fields=[*changes.keys(), "version", "updated_at"])
    version = _save_version(plan, actor=actor, reason=reason)
    for opinion in adopted_opinions:
        if opinion.consultation.plan_id != plan.pk:
            raise DomainError("所采纳的意见不属于该方案")
        opinion.adopted_in_version = version.number
        opinion.save(update_fields=["adopted_in_version"])
    _event(
        plan,
        "revised",
        f"方案修订为第{version.number}版：{reason}",
        actor=actor,
        figures={"version": version.number, "adopted_opinions": len(adopted_opinions)},
    )
    audit.record(
        "plan.revise", actor=actor, obj=plan, after={"version": version.number}, detail=reason
    )
    return version


# -- consultation ---------------------------------------------------------------------------
@transaction.atomic
def open_consultation(plan: TrainingPlan, *, actor, closes_at: dt.datetime) -> Consultation:
    _require_manager(actor, plan)
    now = timezone.now()
    if closes_at <= now:
        raise DomainError("征求意见截止时间须晚于当前时间", field="closes_at")
    if not plan.courses.exists():
        raise DomainError("请先设置课程模块再征求意见", code="incomplete")
    if not plan.sessions.exists():
        raise DomainError("请先安排班次再征求意见", code="incomplete")
    if plan.versions.exists():
        latest = plan.versions.order_by("-number").first()
        if diff_versions(latest.snapshot, snapshot(plan)):
            # Courses/sessions were added since the last version: record them first.
            plan.version += 1
            plan.save(update_fields=["version", "updated_at"])
            _save_version(plan, actor=actor, reason="征求意见稿")
    consultation, _ = Consultation.objects.update_or_create(
        plan=plan, defaults={"opens_at": now, "closes_at": closes_at, "closed_at": None}
    )
    invited = invite_parties(consultation)
    told = tell_demanders(
        plan,
        f"您提出的“{plan.skill.name}”培训需求已形成建议方案“{plan.title}”，正在征求意见，"
        f"截至{timezone.localtime(closes_at):%m月%d日%H:%M}，欢迎提出意见",
        url="/t/consult/",
    )
    _transition(
        plan,
        PlanState.CONSULTATION,
        actor=actor,
        summary=f"公开征求职工、企业、部门意见，截至{timezone.localtime(closes_at):%Y-%m-%d %H:%M}"
        f"；邀请{len(invited)}方参与，通知需求职工{told}人",
        figures={"invited": len(invited), "demanders_told": told},
    )
    return consultation


def demanders(plan: TrainingPlan):
    """The people whose worker demands fed ``plan`` (through its items)."""
    from gonghui.orgs.models import Person

    ids = Demand.objects.filter(
        item__in=plan.items.all(), party=Party.WORKER, status=DemandStatus.PLANNED
    ).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("pk")


def tell_demanders(plan: TrainingPlan, text: str, *, url: str = "") -> int:
    """Message (in-app and SMS) every worker whose demand fed the plan; how many."""
    from django.contrib.auth import get_user_model

    from ..models.notice import Notification
    from .notices import send_sms_after_commit

    people = list(demanders(plan).values_list("pk", flat=True))
    Notification.objects.bulk_create(
        Notification(person_id=pk, kind=Notification.Kind.DEMAND_PLAN, text=text[:300],
                     url=url or f"/t/plans/{plan.pk}/")
        for pk in people
    )  # fmt: skip
    accounts = get_user_model().objects.filter(person_id__in=people, is_active=True)
    for mobile in accounts.values_list("mobile", flat=True):
        if mobile:
            send_sms_after_commit(mobile, text)
    return len(people)


def invite_parties(consultation: Consultation) -> list:
    """Invite the parties a consultation concerns: the enterprises and departments whose
    demands fed the plan, the unions the worker demands came from and the organising
    union. Idempotent (a re-opened consultation keeps its invitations)."""
    from ..enums import InviteKind
    from ..models import ConsultationInvite

    plan = consultation.plan
    fed = Demand.objects.filter(item__in=plan.items.all(), status=DemandStatus.PLANNED)
    wanted = [(InviteKind.UNION, "org_unit_id", plan.org_unit_id)]
    for ent in sorted(
        set(fed.filter(party=Party.ENTERPRISE).values_list("enterprise_id", flat=True))
    ):
        wanted.append((InviteKind.ENTERPRISE, "enterprise_id", ent))
    for dept in sorted(
        set(fed.filter(party=Party.DEPARTMENT).values_list("department_id", flat=True))
    ):
        wanted.append((InviteKind.DEPARTMENT, "department_id", dept))
    unions = sorted(set(fed.filter(party=Party.WORKER).values_list("org_unit_id", flat=True)))
    wanted += [(InviteKind.UNION, "org_unit_id", u) for u in unions if u != plan.org_unit_id]
    out = []
    for kind, field, value in wanted:
        invite, _ = ConsultationInvite.objects.get_or_create(
            consultation=consultation, kind=kind, **{field: value}
        )
        out.append(invite)
    return out


@transaction.atomic
def invite_expert(plan: TrainingPlan, *, actor, user, note: str = ""):
    """Staff invite an expert (a platform account) to give an opinion (特邀专家)."""
    from ..enums import InviteKind
    from ..models import ConsultationInvite

    _require_manager(actor, plan)
    consultation = Consultation.objects.filter(plan=plan).first()
    if plan.state != PlanState.CONSULTATION or consultation is None:
        raise DomainError("方案当前不在意见征集期，不能邀请专家", code="state")
    if user is None or not user.is_active:
        raise DomainError("请选择有效的平台账号", field="user")
    invite, created = ConsultationInvite.objects.get_or_create(
        consultation=consultation, kind=InviteKind.EXPERT, user=user,
        defaults={"note": (note or "").strip()[:200]},
    )  # fmt: skip
    if not created:
        raise DomainError("已邀请该专家", field="user")
    _event(plan, "expert_invited", f"邀请特邀专家{audit._label(user)}提出意见", actor=actor)
    audit.record("consultation.invite_expert", actor=actor, obj=plan, after={"user": user.pk})
    return invite


def _party_of(actor, plan: TrainingPlan) -> tuple[str, dict[str, Any]]:
    """Which party an opinion comes from — an invited expert, a department liaison, an
    enterprise contact, a union officer, a trainer or a worker, in that order — among those
    the plan concerns (its org unit's subtree; a department or a union officer also speaks
    for the units below the federation it works with; a trainer who lists the plan's skill
    or teaches it)."""
    from gonghui.orgs.enums import Role
    from gonghui.orgs.models import Department, Enterprise, Membership

    from ..enums import InviteKind, OpinionParty
    from ..models import ConsultationInvite

    principal = principal_for(actor)
    unit = plan.org_unit
    if (
        principal.user_id
        and ConsultationInvite.objects.filter(
            consultation__plan=plan, kind=InviteKind.EXPERT, user_id=principal.user_id
        ).exists()
    ):
        return OpinionParty.EXPERT, {}
    officer_paths = [g.path for g in principal.grants if g.role == Role.UNION_OFFICER]
    trainer = (
        Trainer.objects.filter(account_id=principal.user_id, active=True).first()
        if principal.user_id
        else None
    )
    if not (
        principal.department_ids()
        or principal.enterprise_ids()
        or principal.person_id
        or officer_paths
        or trainer
    ):
        raise PermissionDeniedError(
            "只有职工、企业联络员、部门联络员、工会干部、培训师和特邀专家可以提出意见"
        )
    for dept in Department.objects.filter(pk__in=principal.department_ids()).select_related(
        "org_unit"
    ):
        if dept.org_unit.is_within(unit) or unit.is_within(dept.org_unit):
            return Party.DEPARTMENT, {"department_id": dept.pk}
    for ent in Enterprise.objects.filter(pk__in=principal.enterprise_ids()).select_related("union"):
        if ent.union.is_within(unit):
            return Party.ENTERPRISE, {"enterprise_id": ent.pk}
    for path in officer_paths:
        if path.startswith(unit.path) or unit.path.startswith(path):
            return OpinionParty.UNION, {}
    if trainer is not None and (
        trainer.skills.filter(pk=plan.skill_id).exists()
        or trainer.credentials.filter(skill_id=plan.skill_id).exists()
        or plan.sessions.filter(trainer=trainer).exists()
    ):
        return OpinionParty.TRAINER, {}
    if principal.person_id:
        membership = (
            Membership.objects.active()
            .filter(person_id=principal.person_id)
            .select_related("union")
            .first()
        )
        if membership is not None and membership.union.is_within(unit):
            return Party.WORKER, {"person_id": principal.person_id}
    raise PermissionDeniedError("您不在该方案的意见征集范围内")


@transaction.atomic
def submit_opinion(plan: TrainingPlan, *, actor, stance: str, text: str = "") -> Opinion:
    consultation = Consultation.objects.filter(plan=plan).first()
    now = timezone.now()
    if (
        plan.state != PlanState.CONSULTATION
        or consultation is None
        or consultation.closed_at is not None
        or not consultation.opens_at <= now < consultation.closes_at
    ):
        raise DomainError("该方案当前不在意见征集期", code="state")
    if stance not in Stance.values:
        raise DomainError("请选择支持、反对或建议", field="stance")
    text = (text or "").strip()
    if stance != Stance.SUPPORT and not text:
        raise DomainError("反对或建议须写明意见内容", field="text")
    if len(text) > 1000:
        raise DomainError("意见内容不超过1000字", field="text")
    party, link = _party_of(actor, plan)
    opinion = Opinion.objects.create(
        consultation=consultation,
        party=party,
        stance=stance,
        text=text,
        author=actor if getattr(actor, "pk", None) else None,
        **link,
    )
    audit.record("opinion.submit", actor=actor, obj=opinion, after={"stance": stance})
    return opinion


@transaction.atomic
def reply_to_opinion(opinion: Opinion, *, actor, reply: str) -> Opinion:
    _require_manager(actor, opinion.consultation.plan)
    reply = (reply or "").strip()
    if not reply:
        raise DomainError("请填写答复内容", field="reply")
    opinion.reply, opinion.replied_at = reply, timezone.now()
    opinion.save(update_fields=["reply", "replied_at"])
    audit.record("opinion.reply", actor=actor, obj=opinion)
    return opinion


def consultation_summary(plan: TrainingPlan) -> dict[str, Any]:
    """Opinions counted by party and stance, replies, and what changed because of them."""
    consultation = Consultation.objects.filter(plan=plan).first()
    from ..enums import OpinionParty

    by_party = {p.value: {s.value: 0 for s in Stance} for p in OpinionParty}
    total = replied = 0
    adopted: list[Opinion] = []
    if consultation is not None:
        rows = consultation.opinions.values("party", "stance").annotate(n=Count("id"))
        for row in rows:
            by_party[row["party"]][row["stance"]] = row["n"]
            total += row["n"]
        replied = consultation.opinions.exclude(reply="").count()
        adopted = list(consultation.opinions.filter(adopted_in_version__isnull=False))
    changes = []
    versions = list(plan.versions.order_by("number"))
    for older, newer in itertools.pairwise(versions):
        led_by = [o for o in adopted if o.adopted_in_version == newer.number]
        changes.append(
            {
                "version": newer.number,
                "reason": newer.reason,
                "changes": diff_versions(older.snapshot, newer.snapshot),
                "opinions": led_by,
            }
        )
    return {
        "consultation": consultation,
        "by_party": by_party,
        "total": total,
        "replied": replied,
        "changes": changes,
    }


#: Checks run when a consultation ends, registered by other apps (insight: the federation's
#: minimum length). Each is called as ``guard(plan, consultation, ended_at=, reason=,
#: actor=)`` inside the transaction and raises DomainError to refuse.
_CONSULTATION_GUARDS: list[Callable[..., None]] = []


def register_consultation_guard(guard: Callable[..., None]) -> None:
    if guard not in _CONSULTATION_GUARDS:
        _CONSULTATION_GUARDS.append(guard)


@transaction.atomic
def approve_plan(
    plan: TrainingPlan, *, actor, close_early: bool = False, short_reason: str = ""
) -> TrainingPlan:
    """Close the consultation (at or after its deadline, or early by staff decision) and
    approve the plan. The registered guards may refuse a consultation that was too short,
    or accept it with ``short_reason``."""
    _require_manager(actor, plan)
    from gonghui.core.rules import acting_person_key

    if plan.created_by_id is not None and acting_person_key(actor) == plan.created_by_id:
        raise DomainError("方案须由拟定人以外的另一位工作人员审定", code="four_eyes")
    consultation = Consultation.objects.select_for_update().filter(plan=plan).first()
    now = timezone.now()
    if consultation is None:
        raise DomainError("方案须先经过意见征集", code="state")
    if now < consultation.closes_at and not close_early:
        raise DomainError("意见征集尚未截止", code="state")
    summary = consultation_summary(plan)
    unanswered = consultation.opinions.exclude(stance=Stance.SUPPORT).filter(reply="").count()
    if unanswered:
        raise DomainError(f"还有{unanswered}条反对或建议尚未答复", code="incomplete")
    for guard in _CONSULTATION_GUARDS:
        guard(plan, consultation, ended_at=now, reason=short_reason, actor=actor)
    consultation.closed_at = now
    consultation.save(update_fields=["closed_at"])
    figures = {
        "opinions": summary["total"],
        "replied": summary["replied"],
        "by_party": {p: sum(v.values()) for p, v in summary["by_party"].items()},
    }
    _transition(
        plan,
        PlanState.APPROVED,
        actor=actor,
        summary=f"意见征集结束，共收到{summary['total']}条意见，方案审定",
        figures=figures,
    )
    return plan


# -- announcement and delivery --------------------------------------------------------------
@transaction.atomic
def announce_plan(plan: TrainingPlan, *, actor) -> TrainingPlan:
    _require_manager(actor, plan)
    first = plan.sessions.order_by("starts_at").first()
    if first is None:
        raise DomainError("方案没有班次，不能公告", code="incomplete")
    if first.starts_at <= timezone.now():
        raise DomainError("首个班次已开始，请先调整班次时间再公告", code="incomplete")
    _transition(
        plan,
        PlanState.ANNOUNCED,
        actor=actor,
        summary="向社会公告培训内容",
        figures={"capacity": plan.capacity, "sessions": plan.sessions.count()},
    )
    events.emit("plan.announced", plan)
    return plan


@transaction.atomic
def open_enrolment(plan: TrainingPlan, *, actor) -> TrainingPlan:
    _require_manager(actor, plan)
    if plan.enrol_cutoff is not None and plan.enrol_cutoff <= timezone.now():
        raise DomainError("报名截止时间已过，请先修改截止时间", code="incomplete")
    told = tell_demanders(
        plan,
        f"您需求的培训“{plan.title}”已公告并开放报名（名额{plan.capacity}人），请尽快报名",
    )
    _transition(
        plan,
        PlanState.ENROLLING,
        actor=actor,
        summary="开放报名",
        figures={"capacity": plan.capacity, "demanders_told": told},
    )
    return plan


def enrolment_figures(plan: TrainingPlan) -> dict[str, int]:
    counts = dict(
        plan.enrollments.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    enrolled = counts.get(EnrollmentStatus.ENROLLED, 0)
    return {
        "capacity": plan.capacity,
        "enrolled": enrolled,
        "waitlisted": counts.get(EnrollmentStatus.WAITLISTED, 0),
        "cancelled": counts.get(EnrollmentStatus.CANCELLED, 0),
        "seats_left": max(plan.capacity - enrolled, 0),
    }


@transaction.atomic
def start_plan(plan: TrainingPlan, *, actor) -> TrainingPlan:
    _require_manager(actor, plan)
    figures = enrolment_figures(plan)
    if figures["enrolled"] == 0:
        raise DomainError("尚无人报名，不能开班", code="incomplete")
    figures["demanders_told"] = tell_demanders(plan, f"您需求的培训“{plan.title}”已开班")
    _transition(
        plan,
        PlanState.RUNNING,
        actor=actor,
        summary=f"开班：{figures['enrolled']}人参训，{figures['waitlisted']}人候补",
        figures=figures,
    )
    return plan


@transaction.atomic
def complete_plan(plan: TrainingPlan, *, actor) -> TrainingPlan:
    """结业: those enrolled who attended at least 80% of the sessions complete the plan."""
    _require_manager(actor, plan)
    now = timezone.now()
    if plan.sessions.filter(ends_at__gt=now).exists():
        raise DomainError("还有班次未结束，不能结业", code="incomplete")
    sessions = plan.sessions.count()
    enrolled = plan.enrollments.filter(status=EnrollmentStatus.ENROLLED).annotate(
        attended=Count(
            "person__checkins", filter=Q(person__checkins__session__plan=plan), distinct=True
        )
    )
    attended = [
        e for e in enrolled if sessions and Decimal(e.attended) / sessions >= COMPLETION_ATTENDANCE
    ]
    # A blended plan: the online courses it requires must be complete too (core.blended).
    online = bool(blended.required(plan))
    missing = blended.incomplete(plan, [e.person_id for e in attended]) if online else set()
    completed_ids = [e.pk for e in attended if e.person_id not in missing]
    plan.enrollments.filter(pk__in=completed_ids).update(completed=True)
    total = len(enrolled)
    rate = round(100 * len(completed_ids) / total, 1) if total else 0.0
    plan.sessions.update(held=True)
    summary = f"结业：{len(completed_ids)}/{total}人完成培训（结业率{rate}%）"
    figures = {
        "completed": len(completed_ids),
        "enrolled": total,
        "completion_rate": rate,
        "target": plan.target_completion_rate,
    }
    if online:
        summary += f"；{len(missing)}人出勤达标但线上课程未完成，未能结业"
        figures["online_incomplete"] = len(missing)
    _transition(plan, PlanState.COMPLETED, actor=actor, summary=summary, figures=figures)
    return plan


def online_part(plan: TrainingPlan, person) -> list:
    """``person``'s progress in the online courses ``plan`` requires (none: not blended)."""
    return blended.progress(plan, person)


@transaction.atomic
def archive_plan(plan: TrainingPlan, *, actor) -> TrainingPlan:
    _require_manager(actor, plan)
    certificates = plan.certificates.count()
    _transition(
        plan,
        PlanState.ARCHIVED,
        actor=actor,
        summary=f"归档：颁发证书{certificates}本",
        figures={"certificates": certificates},
    )
    return plan


@transaction.atomic
def cancel_plan(plan: TrainingPlan, *, actor, reason: str) -> TrainingPlan:
    _require_manager(actor, plan)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写取消原因", field="reason")
    figures = enrolment_figures(plan)
    _transition(
        plan, PlanState.CANCELLED, actor=actor, summary=f"方案取消：{reason}", figures=figures
    )
    from ..models.notice import Notification
    from .notices import notify

    affected = plan.enrollments.exclude(status=EnrollmentStatus.CANCELLED).select_related("person")
    for enrollment in affected:
        notify(
            enrollment.person,
            kind=Notification.Kind.PLAN_CANCELLED,
            text=f"很抱歉，“{plan.title}”已取消：{reason}",
            url=f"/t/plans/{plan.pk}/",
        )
    reopened = list(
        DemandItem.objects.filter(plans=plan).exclude(
            plans__state__in=[s for s in PlanState.values if s != PlanState.CANCELLED]
        )
    )
    DemandItem.objects.filter(pk__in=[i.pk for i in reopened]).update(status=DemandItem.Status.OPEN)
    _set_demands(reopened, DemandStatus.PLANNED, DemandStatus.MATCHED, actor=actor)
    return plan


# -- reads ----------------------------------------------------------------------------------
def public_plans():
    return TrainingPlan.objects.filter(state__in=PUBLIC_STATES).select_related("skill", "org_unit")


#: Other apps' lines for a plan's timeline (e.g. insight's rectifications), registered from
#: their ``AppConfig.ready``, so that training needs no import of the apps built on it:
#: ``source(plan, public=...)`` returns dicts with ``at``, ``kind``, ``summary`` and
#: ``actor_label``; with ``public=True`` only what the public page may show.
_TIMELINE_SOURCES: list[Callable[..., list[dict[str, Any]]]] = []


def register_timeline_source(source: Callable[..., list[dict[str, Any]]]) -> None:
    if source not in _TIMELINE_SOURCES:
        _TIMELINE_SOURCES.append(source)


def timeline(plan: TrainingPlan, *, public: bool = True) -> list:
    """The timeline: demand gathered → … → completed, each with its date, with the other
    apps' lines (rectifications; in the console also alerts and spot checks) merged in by
    time."""
    lines: list = list(plan.events.order_by("at", "id"))
    for source in _TIMELINE_SOURCES:
        lines += [
            SimpleNamespace(from_state="", to_state="", figures={}, **line)
            for line in source(plan, public=public)
        ]
    return sorted(lines, key=lambda line: line.at)  # stable: same-time events keep order
