# SPDX-License-Identifier: AGPL-3.0-or-later
"""Training plan API: drafting, consultation, transitions and the public timeline.

Mounted under /api/training by training/api.py. Same permissions and errors as pages.
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import DomainError
from gonghui.orgs.models import OrgUnit

from .domain import plans, proposal
from .enums import PlanState
from .models import Course, DemandItem, Opinion, Session, Skill, Trainer, TrainingPlan, Venue
from .schemas import (
    ConsultationIn,
    CourseIn,
    CourseOut,
    OpinionIn,
    OpinionOut,
    PlanDetailOut,
    PlanEventOut,
    PlanIn,
    PlanOut,
    PlanTransitionIn,
    ReplyIn,
    RescheduleIn,
    ReviseIn,
    SessionIn,
    SessionOut,
    SkillOut,
    SummaryOut,
    VersionOut,
)
from .schemas_registries import TrainingExpertIn, TrainingProposalIn, TrainingProposalOut

router = Router(tags=["技能培训"])


class SkillFilter(Schema):
    q: str | None = None
    category: str | None = None


@router.get("/skills", response=list[SkillOut], summary="技能目录")
@paginate(Page)
def list_skills(request, filters: Query[SkillFilter]):
    qs = Skill.objects.all()
    if filters.q:
        qs = qs.filter(name__contains=filters.q.strip())
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs


class PlanFilter(Schema):
    state: PlanState | None = None
    skill_id: int | None = None


def _plans(request, action: str = "view"):
    return TrainingPlan.objects.restrict(request.auth, action).select_related("skill")


def _managed(request, plan_id: int) -> TrainingPlan:
    return get_object_or_404(_plans(request), pk=plan_id)


@router.get("/plans", response=list[PlanOut], summary="培训方案列表")
@paginate(Page)
def list_plans(request, filters: Query[PlanFilter]):
    qs = _plans(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.skill_id:
        qs = qs.filter(skill_id=filters.skill_id)
    return qs


@router.get("/plans/{int:plan_id}", response=PlanDetailOut, summary="培训方案详情")
def get_plan(request, plan_id: int):
    return get_object_or_404(
        _plans(request).prefetch_related("courses", "sessions__trainer"), pk=plan_id
    )


@router.post("/plans", response={201: PlanOut}, summary="根据需求项拟定方案（草稿）")
def create_plan(request, payload: PlanIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.org_unit_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    items = list(DemandItem.objects.restrict(request.auth).filter(pk__in=payload.item_ids))
    if len(items) != len(set(payload.item_ids)):
        raise DomainError("部分需求项不存在或不在您的权限范围内", field="item_ids")
    eligible = list(OrgUnit.objects.restrict(request.auth).filter(pk__in=payload.eligible_unit_ids))
    if len(eligible) != len(set(payload.eligible_unit_ids)):
        raise DomainError("部分可报名单位不存在或不在您的权限范围内", field="eligible_unit_ids")
    data = payload.dict(exclude={"org_unit_id", "skill_id", "item_ids", "eligible_unit_ids"})
    plan = plans.create_plan(
        unit, actor=request.auth, skill=skill, items=items, eligible_units=eligible, **data
    )
    return Status(201, plan)


@router.post("/plans/{plan_id}/courses", response={201: CourseOut}, summary="添加课程模块")
def add_course(request, plan_id: int, payload: CourseIn):
    plan = _managed(request, plan_id)
    return Status(201, plans.add_course(plan, actor=request.auth, **payload.dict()))


@router.post("/plans/{plan_id}/sessions", response={201: SessionOut}, summary="安排班次")
def add_session(request, plan_id: int, payload: SessionIn):
    plan = _managed(request, plan_id)
    trainer = get_object_or_404(Trainer.objects.restrict(request.auth), pk=payload.trainer_id)
    venue = course = None
    if payload.venue_id:
        venue = get_object_or_404(Venue.objects.restrict(request.auth), pk=payload.venue_id)
    if payload.course_id:
        course = get_object_or_404(Course, pk=payload.course_id, plan=plan)
    session = plans.schedule_session(
        plan, actor=request.auth, trainer=trainer, venue=venue, course=course,
        starts_at=payload.starts_at, ends_at=payload.ends_at,
        override_reason=payload.override_reason,
    )  # fmt: skip
    return Status(201, session)


@router.post(
    "/sessions/{session_id}/reschedule",
    response=SessionOut,
    summary="调整班次（时间、培训师、阵地）；已公告的方案须写原因，并通知已报名和候补的职工",
)
def reschedule(request, session_id: int, payload: RescheduleIn):
    session = get_object_or_404(Session.objects.restrict(request.auth), pk=session_id)
    trainer = venue = None
    if payload.trainer_id:
        trainer = get_object_or_404(Trainer.objects.restrict(request.auth), pk=payload.trainer_id)
    if payload.venue_id:
        venue = get_object_or_404(Venue.objects.restrict(request.auth), pk=payload.venue_id)
    return plans.reschedule_session(
        session, actor=request.auth, starts_at=payload.starts_at, ends_at=payload.ends_at,
        trainer=trainer, venue=venue, reason=payload.reason,
    )  # fmt: skip


@router.post("/plans/{plan_id}/revisions", response={201: VersionOut}, summary="修订方案")
def revise(request, plan_id: int, payload: ReviseIn):
    plan = _managed(request, plan_id)
    opinions = list(
        Opinion.objects.filter(pk__in=payload.adopted_opinion_ids, consultation__plan=plan)
    )
    if len(opinions) != len(set(payload.adopted_opinion_ids)):
        raise DomainError("部分意见不属于该方案", field="adopted_opinion_ids")
    changes = payload.dict(exclude={"reason", "adopted_opinion_ids"}, exclude_none=True)
    version = plans.revise_plan(
        plan, actor=request.auth, reason=payload.reason, adopted_opinions=opinions, **changes
    )
    return Status(201, version)


@router.get("/plans/{plan_id}/versions", response=list[VersionOut], summary="方案版本")
def versions(request, plan_id: int):
    return _managed(request, plan_id).versions.order_by("number")


@router.post("/plans/{plan_id}/consultation", response={201: dict}, summary="开始征求意见")
def open_consultation(request, plan_id: int, payload: ConsultationIn):
    plan = _managed(request, plan_id)
    consultation = plans.open_consultation(plan, actor=request.auth, closes_at=payload.closes_at)
    return Status(201, {"opens_at": consultation.opens_at, "closes_at": consultation.closes_at})


@router.post("/plans/{plan_id}/opinions", response={201: OpinionOut}, summary="提出意见")
def submit_opinion(request, plan_id: int, payload: OpinionIn):
    # Plans under consultation are open for comment by every party (征集多方意见).
    plan = get_object_or_404(TrainingPlan, pk=plan_id, state=PlanState.CONSULTATION)
    opinion = plans.submit_opinion(plan, actor=request.auth, **payload.dict())
    return Status(201, opinion)


@router.get("/plans/{plan_id}/opinions", response=list[OpinionOut], summary="意见列表")
def list_opinions(request, plan_id: int):
    plan = _managed(request, plan_id)
    return Opinion.objects.restrict(request.auth).filter(consultation__plan=plan)


@router.post("/opinions/{opinion_id}/reply", response=OpinionOut, summary="答复意见")
def reply(request, opinion_id: int, payload: ReplyIn):
    opinion = get_object_or_404(Opinion.objects.restrict(request.auth), pk=opinion_id)
    return plans.reply_to_opinion(opinion, actor=request.auth, reply=payload.reply)


@router.get("/plans/{plan_id}/consultation-summary", response=SummaryOut, summary="意见汇总")
def summary(request, plan_id: int):
    data = plans.consultation_summary(_managed(request, plan_id))
    data["changes"] = [{**c, "opinions": [o.pk for o in c["opinions"]]} for c in data["changes"]]
    return data


ACTIONS = {
    "approve": lambda plan, actor, p: plans.approve_plan(
        plan, actor=actor, close_early=p.close_early
    ),
    "announce": lambda plan, actor, p: plans.announce_plan(plan, actor=actor),
    "open_enrolment": lambda plan, actor, p: plans.open_enrolment(plan, actor=actor),
    "start": lambda plan, actor, p: plans.start_plan(plan, actor=actor),
    "complete": lambda plan, actor, p: plans.complete_plan(plan, actor=actor),
    "archive": lambda plan, actor, p: plans.archive_plan(plan, actor=actor),
    "cancel": lambda plan, actor, p: plans.cancel_plan(plan, actor=actor, reason=p.reason),
}  # fmt: skip


@router.post("/plans/{plan_id}/transitions", response=PlanOut, summary="推进方案状态")
def transition(request, plan_id: int, payload: PlanTransitionIn):
    plan = _managed(request, plan_id)
    ACTIONS[payload.action](plan, request.auth, payload)
    plan.refresh_from_db()
    return plan


@router.get("/public/plans", response=list[PlanOut], auth=None, summary="已公告的培训（公开）")
@paginate(Page)
def public_plans(request):
    return plans.public_plans()


@router.get("/public/plans/{plan_id}/timeline", response=list[PlanEventOut], auth=None,
            summary="方案时间线（公开）")  # fmt: skip
def public_timeline(request, plan_id: int):
    plan = get_object_or_404(plans.public_plans(), pk=plan_id)
    return plans.timeline(plan)


@router.post(
    "/plans/propose",
    response={201: TrainingProposalOut},
    summary="一键生成建议方案（提案引擎：内容、方式、时间、地点、培训师、阵地、班次、补贴，均附理由）",
)
def propose(request, payload: TrainingProposalIn):
    items = list(DemandItem.objects.restrict(request.auth, "view").filter(pk__in=payload.item_ids))
    if len(items) != len(set(payload.item_ids)):
        raise DomainError("需求项不存在或不在您的范围内", field="item_ids")
    trainer = None
    if payload.trainer_id:
        trainer = get_object_or_404(Trainer.objects.restrict(request.auth), pk=payload.trainer_id)
    plan = proposal.propose_plan(
        items, actor=request.auth, start_on=payload.start_on, trainer=trainer,
        override_reason=payload.override_reason,
    )  # fmt: skip
    return Status(201, {"plan_id": plan.pk, "title": plan.title,
                        "reasons": plan.proposal["reasons"],
                        "warnings": plan.proposal["warnings"]})  # fmt: skip


@router.post("/plans/{plan_id}/experts", response={201: dict}, summary="邀请专家对方案提意见")
def invite_expert(request, plan_id: int, payload: TrainingExpertIn):
    from django.contrib.auth import get_user_model

    plan = _managed(request, plan_id)
    user = get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
    invite = plans.invite_expert(plan, actor=request.auth, user=user, note=payload.note)
    return Status(201, {"id": invite.pk})
