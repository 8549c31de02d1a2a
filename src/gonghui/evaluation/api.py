# SPDX-License-Identifier: AGPL-3.0-or-later
"""Evaluation API (培训评价): answering, paper entry, figures, weak spots, follow-ups.

Records fetched by id come from restricted querysets (out of scope → 404); the domain
refuses the rest with a Chinese message. Figures below the publication thresholds come
back with their sample sizes and the reason, without scores. No operation returns who
gave which answer: answers are stored without the person (see models/evaluation.py).
"""

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person
from gonghui.training.models import TrainingPlan

from .domain import evaluations as ev_domain
from .domain import followups, queries, review, scores
from .enums import TargetKind
from .models import Evaluation, FollowUp, Questionnaire
from .schemas import (
    AcceptedOut,
    AnswersIn,
    CountResultOut,
    EvaluationOut,
    FollowUpIn,
    FollowUpOut,
    FormOut,
    PaperFormIn,
    PaperReturnsIn,
    QuestionnaireOut,
    ScoreCardOut,
    TextOut,
    TextReviewIn,
    WeakSpotOut,
)

router = Router(tags=["培训评价"])


def _person(request) -> Person | None:
    pid = principal_for(request.auth).person_id
    return Person.objects.filter(pk=pid).first() if pid else None


def _with_responses(qs: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    course = Q(targets__kind=TargetKind.COURSE)
    return qs.select_related("plan").annotate(
        course_responses=Coalesce(Sum("targets__responses", filter=course), 0)
    )


def _evaluation_out(e: Evaluation) -> Evaluation:
    return _with_responses(Evaluation.objects.filter(pk=e.pk)).get()


def _answerable(request, evaluation_id: int) -> Evaluation:
    """An evaluation the caller took part in, or one they may read as staff."""
    person = _person(request)
    found = Evaluation.objects.select_related("plan").filter(pk=evaluation_id).first()
    if found and person and ev_domain.participants(found.plan).filter(pk=person.pk).exists():
        return found
    return get_object_or_404(queries.visible_evaluations(request.auth), pk=evaluation_id)


def _answers(items) -> dict[int, dict]:
    return {a.target_id: a.values for a in items}


# -- evaluations -------------------------------------------------------------------------------
class EvaluationFilter(Schema):
    state: str | None = None
    plan_id: int | None = None


@router.get("/evaluations", response=list[EvaluationOut], summary="评价列表（本人权限范围内）")
@paginate(Page)
def list_evaluations(request, filters: Query[EvaluationFilter]):
    qs = _with_responses(queries.visible_evaluations(request.auth))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.plan_id:
        qs = qs.filter(plan_id=filters.plan_id)
    return qs


@router.get("/evaluations/{evaluation_id}", response=EvaluationOut, summary="评价概况")
def get_evaluation(request, evaluation_id: int):
    return get_object_or_404(_with_responses(queries.visible_evaluations(request.auth)),
                             pk=evaluation_id)  # fmt: skip


@router.get(
    "/evaluations/{evaluation_id}/scores",
    response=ScoreCardOut,
    summary="方案评价得分（样本量、参评率、各维度原始/收缩得分、推荐值、是否题下限）",
)
def evaluation_scores(request, evaluation_id: int):
    e = get_object_or_404(queries.visible_evaluations(request.auth), pk=evaluation_id)
    return queries.card_data(scores.plan_scores(e.plan))


@router.get("/evaluations/{evaluation_id}/form", response=FormOut, summary="评价问卷（学员本人）")
def evaluation_form(request, evaluation_id: int):
    e = _answerable(request, evaluation_id)
    sections = ev_domain.form_for(e, _person(request))
    return {
        "evaluation_id": e.pk,
        "plan_title": e.plan.title,
        "closes_at": e.closes_at,
        "sections": [
            {
                "target_id": s.target.pk,
                "kind": s.target.kind,
                "title": s.title,
                "answered": s.answered,
                "questions": s.questions,
            }
            for s in sections
        ],
    }


@router.post(
    "/evaluations/{evaluation_id}/answers",
    response={201: AcceptedOut},
    summary="提交评价（学员本人，每人一次，匿名保存）",
)
def submit_answers(request, evaluation_id: int, payload: AnswersIn):
    e = _answerable(request, evaluation_id)
    person = _person(request)
    if person is None:
        raise PermissionDeniedError("您的账号未关联职工信息")
    n = ev_domain.submit_answers(
        e, person=person, answers=_answers(payload.answers), channel=payload.channel,
        actor=request.auth,
    )  # fmt: skip
    return Status(201, {"targets": n})


def _managed(request, evaluation_id: int) -> Evaluation:
    return get_object_or_404(queries.visible_evaluations(request.auth, "change"), pk=evaluation_id)


@router.post(
    "/evaluations/{evaluation_id}/paper-returns",
    response=CountResultOut,
    summary="登记交回纸质问卷的学员（工作人员）",
)
def paper_returns(request, evaluation_id: int, payload: PaperReturnsIn):
    e = _managed(request, evaluation_id)
    # Only people the caller may see: an id from elsewhere is "not found", never a name.
    people = list(Person.objects.restrict(request.auth, "view").filter(pk__in=payload.person_ids))
    if len(people) != len(set(payload.person_ids)):
        raise Http404
    n = ev_domain.record_paper_returns(e, people=people, actor=request.auth)
    return {"count": n}


@router.post(
    "/evaluations/{evaluation_id}/paper-forms",
    response={201: AcceptedOut},
    summary="录入一份纸质问卷（工作人员，不记录填写人）",
)
def paper_form(request, evaluation_id: int, payload: PaperFormIn):
    e = _managed(request, evaluation_id)
    n = ev_domain.enter_paper_form(e, answers=_answers(payload.answers), actor=request.auth)
    return Status(201, {"targets": n})


@router.post("/evaluations/{evaluation_id}/close", response=EvaluationOut, summary="截止评价")
def close_evaluation(request, evaluation_id: int):
    e = _managed(request, evaluation_id)
    return _evaluation_out(ev_domain.close_evaluation(e, actor=request.auth))


@router.post(
    "/plans/{plan_id}/evaluation",
    response={201: EvaluationOut},
    summary="为已结业的方案开启评价",
)
def open_evaluation(request, plan_id: int):
    plan = get_object_or_404(TrainingPlan.objects.restrict(request.auth, "change"), pk=plan_id)
    return Status(201, _evaluation_out(ev_domain.open_evaluation(plan, actor=request.auth)))


@router.get("/me/pending", response=list[EvaluationOut], summary="我待完成的评价")
def my_pending(request):
    person = _person(request)
    if person is None:
        return []
    return list(_with_responses(Evaluation.objects.filter(pk__in=ev_domain.pending_for(person))))


# -- figures -----------------------------------------------------------------------------------
def _card(request, kind: str, subject_id: int) -> dict:
    return queries.card_data(queries.card_for(request.auth, kind, subject_id))


@router.get("/scores/plans/{plan_id}", response=ScoreCardOut, summary="方案得分")
def plan_card(request, plan_id: int):
    return _card(request, "plan", plan_id)


@router.get("/scores/trainers/{trainer_id}", response=ScoreCardOut, summary="培训师得分")
def trainer_card(request, trainer_id: int):
    return _card(request, "trainer", trainer_id)


@router.get("/scores/venues/{venue_id}", response=ScoreCardOut, summary="阵地得分")
def venue_card(request, venue_id: int):
    return _card(request, "venue", venue_id)


@router.get("/scores/skills/{skill_id}", response=ScoreCardOut, summary="技能（工种）得分")
def skill_card(request, skill_id: int):
    return _card(request, "skill", skill_id)


class KindFilter(Schema):
    kind: scores.Kind = "trainer"


@router.get(
    "/rankings",
    response=list[ScoreCardOut],
    summary="排名（只含达到公布门槛的对象，按收缩后的综合指数）",
)
def rankings(request, filters: Query[KindFilter]):
    if not principal_for(request.auth).may("evaluation", "view"):
        raise PermissionDeniedError("无权查看评价结果")
    return [queries.card_data(c) for c in queries.ranking(request.auth, filters.kind)]


class WeakFilter(Schema):
    kind: scores.Kind | None = None


@router.get("/weak-spots", response=list[WeakSpotOut], summary="短板（低于全会平均的维度及依据）")
def weak_spots(request, filters: Query[WeakFilter]):
    if not principal_for(request.auth).may("evaluation", "view"):
        raise PermissionDeniedError("无权查看评价结果")
    return scores.weak_spots(filters.kind, plans=queries.visible_plans(request.auth))


@router.get("/questionnaires", response=list[QuestionnaireOut], summary="评价问卷及其版本")
def list_questionnaires(request):
    if not principal_for(request.auth).may("evaluation", "view"):
        raise PermissionDeniedError("无权查看评价问卷")
    qs = Questionnaire.objects.prefetch_related("questions")
    return [
        {
            "id": q.pk,
            "code": q.code,
            "version": q.version,
            "title": q.title,
            "state": q.state,
            "is_standard": q.is_standard,
            "questions": list(q.questions.all()),
        }
        for q in qs
    ]


# -- free text ---------------------------------------------------------------------------------
class TextFilter(Schema):
    review: str | None = None
    evaluation_id: int | None = None


@router.get("/texts", response=list[TextOut], summary="文字意见（审核用，不含填写人）")
@paginate(Page)
def list_texts(request, filters: Query[TextFilter]):
    qs = review.reviewable(request.auth)
    if filters.review:
        qs = qs.filter(review=filters.review)
    if filters.evaluation_id:
        qs = qs.filter(target__evaluation_id=filters.evaluation_id)
    return qs


@router.post("/texts/review", response=TextOut, summary="审核文字意见（公开或不予公开）")
def review_text(request, payload: TextReviewIn):
    answer = get_object_or_404(review.reviewable(request.auth), pk=payload.id)
    done = review.review_text(answer, actor=request.auth, decision=payload.decision,
                              text=payload.text)  # fmt: skip
    return review.reviewable(request.auth).get(pk=done.pk)


# -- follow-ups --------------------------------------------------------------------------------
def _visible_follow_ups(request) -> QuerySet[FollowUp]:
    return FollowUp.objects.restrict(request.auth, "view").select_related("plan", "person")


class FollowUpFilter(Schema):
    state: str | None = None
    plan_id: int | None = None


@router.get("/follow-ups", response=list[FollowUpOut], summary="企业跟踪评价（行为层）")
@paginate(Page)
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    qs = _visible_follow_ups(request)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.plan_id:
        qs = qs.filter(plan_id=filters.plan_id)
    return qs


@router.post(
    "/follow-ups/{follow_up_id}/answer",
    response=FollowUpOut,
    summary="企业联络员填写跟踪评价（每名职工一次）",
)
def answer_follow_up(request, follow_up_id: int, payload: FollowUpIn):
    fu = get_object_or_404(
        FollowUp.objects.restrict(request.auth, "change").select_related("plan", "person"),
        pk=follow_up_id,
    )
    done = followups.answer_follow_up(
        fu, actor=request.auth, applied=payload.applied, performance=payload.performance,
        promoted=payload.promoted, comment=payload.comment,
    )  # fmt: skip
    return done
