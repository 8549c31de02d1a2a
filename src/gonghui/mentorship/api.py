# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mentorship API under /api/mentorship: the pool, apprentices, suggestions, agreements and
their workflow, points leaderboards and the three-part assessment. Same scope, rules and
errors as the pages."""

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.evaluation.models import Target
from gonghui.orgs.models import Person
from gonghui.training.models import Skill

from .domain import agreements, assessment, points, pool, scoring
from .models import Agreement, Apprentice, Mentor, MentorshipProgramme, ScoringPeriod
from .schemas import (
    MentorshipActionIn,
    MentorshipAgreementIn,
    MentorshipAgreementOut,
    MentorshipApprenticeIn,
    MentorshipApprenticeOut,
    MentorshipAssessmentOut,
    MentorshipLeaderOut,
    MentorshipMentorIn,
    MentorshipMentorOut,
    MentorshipProgrammeOut,
    MentorshipReviewIn,
    MentorshipScoreIn,
    MentorshipScoringPeriodIn,
    MentorshipScoringPeriodOut,
    MentorshipSignIn,
    MentorshipSuggestionOut,
    MentorshipToScoreOut,
)

router = Router(tags=["导师带徒"])


class MentorshipPeriodQuery(Schema):
    start: dt.date
    end: dt.date
    by: str = "person"


def _programme(request, programme_id: int, action: str = "view") -> MentorshipProgramme:
    return get_object_or_404(
        MentorshipProgramme.objects.restrict(request.auth, action), pk=programme_id
    )


def _person(request, person_id: int) -> Person:
    """People are named by id only within the caller's scope (no disclosure by id)."""
    return get_object_or_404(Person.objects.restrict(request.auth), pk=person_id)


def _agreement(request, agreement_id: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.restrict(request.auth).select_related(
            "programme", "mentor__person", "apprentice__person"
        ),
        pk=agreement_id,
    )


def _period(start: dt.date, end: dt.date) -> None:
    if not dt.date(2000, 1, 1) <= start <= end <= dt.date(2100, 12, 31):
        raise DomainError("统计期应为2000年至2100年间、开始不晚于结束的日期", field="start")


@router.get("/programmes", response=list[MentorshipProgrammeOut], summary="导师带徒项目")
@paginate(Page)
def list_programmes(request):
    return MentorshipProgramme.objects.restrict(request.auth)


@router.get("/programmes/{programme_id}/mentors", response=list[MentorshipMentorOut],
            summary="导师人才库")  # fmt: skip
@paginate(Page)
def list_mentors(request, programme_id: int):
    programme = _programme(request, programme_id)
    return (
        Mentor.objects.restrict(request.auth)
        .filter(programme=programme)
        .select_related("person", "skill")
    )


@router.post("/programmes/{programme_id}/mentors", response={201: MentorshipMentorOut},
             summary="申请或推荐导师")  # fmt: skip
def apply_mentor(request, programme_id: int, payload: MentorshipMentorIn):
    programme = _programme(request, programme_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    mentor = pool.apply_mentor(
        programme, actor=request.auth, person=_person(request, payload.person_id), skill=skill,
        **payload.dict(exclude={"person_id", "skill_id"}),
    )  # fmt: skip
    return Status(201, mentor)


@router.post("/mentors/{mentor_id}/review", response=MentorshipMentorOut, summary="审核导师入库")
def review_mentor(request, mentor_id: int, payload: MentorshipReviewIn):
    mentor = get_object_or_404(Mentor.objects.restrict(request.auth), pk=mentor_id)
    pool.review_mentor(mentor, actor=request.auth, approve=payload.approve, note=payload.note)
    mentor.refresh_from_db()
    return mentor


@router.get("/programmes/{programme_id}/apprentices", response=list[MentorshipApprenticeOut],
            summary="学徒信息库")  # fmt: skip
@paginate(Page)
def list_apprentices(request, programme_id: int):
    programme = _programme(request, programme_id)
    return (
        Apprentice.objects.restrict(request.auth)
        .filter(programme=programme)
        .select_related("person", "skill")
    )


@router.post("/programmes/{programme_id}/apprentices", response={201: MentorshipApprenticeOut},
             summary="登记学徒")  # fmt: skip
def register_apprentice(request, programme_id: int, payload: MentorshipApprenticeIn):
    programme = _programme(request, programme_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    apprentice = agreements.register_apprentice(
        programme, actor=request.auth, person=_person(request, payload.person_id), skill=skill,
        department=payload.department, learning_needs=payload.learning_needs,
    )  # fmt: skip
    return Status(201, apprentice)


@router.get("/apprentices/{apprentice_id}/suggestions", response=list[MentorshipSuggestionOut],
            summary="推荐导师")  # fmt: skip
def suggestions(request, apprentice_id: int):
    apprentice = get_object_or_404(Apprentice.objects.restrict(request.auth), pk=apprentice_id)
    return [
        {"mentor_id": s.mentor.pk, "name": s.mentor.person.name, "level": s.mentor.level,
         "load": s.load, "free": s.free, "reasons": list(s.reasons)}
        for s in agreements.suggest_mentors(apprentice)
    ]  # fmt: skip


@router.get("/agreements", response=list[MentorshipAgreementOut], summary="师徒协议")
@paginate(Page)
def list_agreements(request):
    return (
        Agreement.objects.restrict(request.auth)
        .select_related("mentor__person", "apprentice__person")
        .prefetch_related("goals")
    )


@router.get("/agreements/{agreement_id}", response=MentorshipAgreementOut, summary="协议详情")
def get_agreement(request, agreement_id: int):
    return _agreement(request, agreement_id)


@router.post("/programmes/{programme_id}/agreements", response={201: MentorshipAgreementOut},
             summary="拟定师徒协议")  # fmt: skip
def create_agreement(request, programme_id: int, payload: MentorshipAgreementIn):
    programme = _programme(request, programme_id)
    mentor = get_object_or_404(Mentor.objects.restrict(request.auth), pk=payload.mentor_id)
    apprentice = get_object_or_404(
        Apprentice.objects.restrict(request.auth), pk=payload.apprentice_id
    )
    agreement = agreements.create_agreement(
        programme, actor=request.auth, mentor=mentor, apprentice=apprentice,
        starts_on=payload.starts_on, months=payload.months,
        goals=[agreements.GoalIn(g.title, g.weight, g.due_on) for g in payload.goals],
    )  # fmt: skip
    return Status(201, _agreement(request, agreement.pk))


@router.post("/agreements/{agreement_id}/sign", response=MentorshipAgreementOut,
             summary="签署协议（导师、徒弟本人或工会）")  # fmt: skip
def sign(request, agreement_id: int, payload: MentorshipSignIn):
    agreement = _agreement(request, agreement_id)
    agreements.sign_agreement(agreement, actor=request.auth, role=payload.role)
    return _agreement(request, agreement_id)


@router.post("/agreements/{agreement_id}/actions", response=MentorshipAgreementOut,
             summary="协议流转：开始、中期评估、继续、出徒、终止")  # fmt: skip
def act(request, agreement_id: int, payload: MentorshipActionIn):
    agreement = _agreement(request, agreement_id)
    agreements.act_on_agreement(agreement, payload.action, actor=request.auth, note=payload.note)
    return _agreement(request, agreement_id)


@router.get("/agreements/{agreement_id}/assessment", response=MentorshipAssessmentOut,
            summary="三位一体考核（逐步计算）")  # fmt: skip
def assess(request, agreement_id: int, period: Query[MentorshipPeriodQuery]):
    _period(period.start, period.end)
    result = assessment.assess(_agreement(request, agreement_id), start=period.start,
                               end=period.end)  # fmt: skip

    def num(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return {
        "kpi": num(result.kpi), "improvement": float(result.improvement),
        "attitude": num(result.attitude), "total": float(result.total), "grade": result.grade,
        "grade_label": result.grade_label, "steps": result.steps,
    }  # fmt: skip


@router.get("/programmes/{programme_id}/leaderboard", response=list[MentorshipLeaderOut],
            summary="积分排行（按人员或单位）")  # fmt: skip
def leaderboard(request, programme_id: int, period: Query[MentorshipPeriodQuery]):
    programme = _programme(request, programme_id)
    _period(period.start, period.end)
    return points.leaderboard(programme, start=period.start, end=period.end, by=period.by)


# -- anonymous periodic scoring ------------------------------------------------------------------
def _period_out(period: ScoringPeriod) -> dict:
    result = scoring.period_result(period)
    return {
        "id": period.pk, "name": period.name, "starts_on": period.starts_on,
        "ends_on": period.ends_on, "state": period.round.state,
        "closes_at": period.round.closes_at, "forms": result.forms, "invited": result.invited,
        "scores": [
            {"kind": s.kind, "kind_label": label, "person_id": person.pk,
             "person_name": person.name, "invited": s.invited, "responses": s.responses,
             "published": s.published, "mean": None if s.mean is None else float(s.mean),
             "index": None if s.index is None else float(s.index), "reason": s.reason}
            for label, person, s in result.scores
        ],
    }  # fmt: skip


def _scoring_period(request, period_id: int) -> ScoringPeriod:
    return get_object_or_404(
        ScoringPeriod.objects.restrict(request.auth).select_related("round", "programme"),
        pk=period_id,
    )


@router.get("/programmes/{programme_id}/scoring-periods",
            response=list[MentorshipScoringPeriodOut],
            summary="无记名打分期次（参与人数与达到份数的得分）")  # fmt: skip
def list_scoring_periods(request, programme_id: int):
    programme = _programme(request, programme_id)
    periods = ScoringPeriod.objects.restrict(request.auth).filter(programme=programme)
    return [_period_out(p) for p in periods.select_related("round")[:20]]


@router.post("/programmes/{programme_id}/scoring-periods",
             response={201: MentorshipScoringPeriodOut}, summary="开启一期无记名打分")  # fmt: skip
def open_scoring_period(request, programme_id: int, payload: MentorshipScoringPeriodIn):
    programme = _programme(request, programme_id)
    period = scoring.open_scoring_period(programme, actor=request.auth, **payload.dict())
    return Status(201, _period_out(period))


@router.post("/scoring-periods/{period_id}/close", response=MentorshipScoringPeriodOut,
             summary="截止本期打分并公布")  # fmt: skip
def close_scoring_period(request, period_id: int):
    period = _scoring_period(request, period_id)
    scoring.close_scoring_period(period, actor=request.auth)
    return _period_out(_scoring_period(request, period_id))


@router.get("/scoring/mine", response=list[MentorshipToScoreOut], summary="我待打的分")
def my_scoring(request):
    person = getattr(request.auth, "person", None)
    return [
        {"period_id": t.period.pk, "period_name": t.period.name, "target_id": t.target.pk,
         "role": t.role, "subject_name": t.target.subject.name,
         "questions": [{"code": q.code, "text": q.text, "min": 1, "max": 5}
                       for q in scoring.questions(t.target.kind)]}
        for t in scoring.to_score(person)
    ]  # fmt: skip


@router.post("/scoring/targets/{target_id}", response={204: None},
             summary="提交无记名打分（每期每人一次）")  # fmt: skip
def submit_score(request, target_id: int, payload: MentorshipScoreIn):
    """Only a target the caller is invited to is found (else 404); the domain refuses a
    second score in the period and a score after it closed."""
    person = getattr(request.auth, "person", None)
    if person is None:
        raise PermissionDeniedError("请先绑定职工身份再打分")
    target = get_object_or_404(
        Target, pk=target_id, invitations__person=person,
        round__mentorship_period__isnull=False,
    )  # fmt: skip
    period = ScoringPeriod.objects.get(round_id=target.round_id)
    scoring.submit_score(period, actor=request.auth, target_id=target_id,
                         answers=payload.answers)  # fmt: skip
    return Status(204, None)
