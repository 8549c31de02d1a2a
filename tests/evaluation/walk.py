"""The evaluation app in the scope walks: an archived (so not public) 平湖 plan with its
evaluation, an answer (participation, counters, a text), a paper form waiting, an
enterprise's ratings, and a follow-up."""

import datetime as dt
import secrets

from django.utils import timezone

from gonghui.evaluation.enums import Channel, FollowUpState, ItemKind, TargetKind
from gonghui.evaluation.models import (
    EnterpriseRating,
    Evaluation,
    FollowUp,
    Participation,
    Question,
    Questionnaire,
    RatingCounter,
    Target,
    TextAnswer,
)
from gonghui.training.enums import PlanState
from gonghui.training.models import TrainingPlan

MARK = "平湖"
MODELS = [
    Evaluation, Target, Participation, RatingCounter, TextAnswer, FollowUp, Questionnaire,
    Question, EnterpriseRating,
]  # fmt: skip
#: The federation's evaluation settings hold nobody's records (one row for the platform).
NOT_SCOPED = ("evaluation_console:settings",)


def build(o) -> None:
    plan = TrainingPlan.objects.create(
        title="平湖已结业培训班", org_unit=o["root"], skill=o["skill"], level="l5",
        capacity=10, state=PlanState.ARCHIVED, target_completion_rate=90,
        target_certification_rate=80, target_satisfaction=90,
    )  # fmt: skip
    questionnaire = Questionnaire.objects.get(code="standard", version=1)
    now = timezone.now()
    ev = Evaluation.objects.create(
        plan=plan, questionnaire=questionnaire, opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=13), completed_on=timezone.localdate(),
        token=secrets.token_urlsafe(16)[:22], eligible=1, paper_pending=1,
    )  # fmt: skip
    course = Target.objects.create(evaluation=ev, kind=TargetKind.COURSE, responses=1)
    trainer = Target.objects.create(evaluation=ev, kind=TargetKind.TRAINER, trainer=o["trainer"])
    # The enterprise's ratings: the dashboard's 职工与企业评分对照 would name the trainer.
    EnterpriseRating.objects.create(target=course, enterprise=o["ent"], comment="平湖企业的意见",
                                    ratings={"course_design": 2, "usefulness": 2,
                                             "organisation": 2})  # fmt: skip
    EnterpriseRating.objects.create(target=trainer, enterprise=o["ent"],
                                    ratings={"trainer_expertise": 2, "teaching": 2})  # fmt: skip
    Participation.objects.create(target=course, person=o["person"])
    venue_q = questionnaire.questions.get(code="venue")
    RatingCounter.objects.create(
        target=course, question=venue_q, kind=ItemKind.RATING, dimension=venue_q.dimension,
        channel=Channel.ONLINE, value=2, count=1,
    )  # fmt: skip
    text = TextAnswer.objects.create(
        target=course, question=questionnaire.questions.get(code="course_comment"),
        channel=Channel.ONLINE, text="平湖学员的意见",
    )  # fmt: skip
    follow_up = FollowUp.objects.create(
        plan=plan, enterprise=o["ent"], person=o["person"], state=FollowUpState.REQUESTED,
        due_on=timezone.localdate(), closes_on=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip
    o.update(done_plan=plan, evaluation=ev, course_target=course, text_answer=text,
             follow_up=follow_up)  # fmt: skip


def _form(o) -> list:
    return [{"target_id": o["course_target"].pk, "values": {"venue": 1}}]


def operations(o) -> list:
    e, plan = o["evaluation"].pk, o["done_plan"].pk
    return [
        ("GET", "/api/evaluation/evaluations", None),
        ("GET", f"/api/evaluation/evaluations/{e}", None),
        ("GET", f"/api/evaluation/evaluations/{e}/scores", None),
        ("GET", f"/api/evaluation/evaluations/{e}/form", None),
        ("POST", f"/api/evaluation/evaluations/{e}/answers", {"answers": _form(o)}),
        ("POST", f"/api/evaluation/evaluations/{e}/paper-returns",
         {"person_ids": [o["person"].pk]}),
        ("POST", f"/api/evaluation/evaluations/{e}/paper-forms", {"answers": _form(o)}),
        ("POST", f"/api/evaluation/evaluations/{e}/close", None),
        ("POST", f"/api/evaluation/plans/{plan}/evaluation", None),
        ("GET", "/api/evaluation/me/pending", None),
        ("GET", f"/api/evaluation/scores/plans/{plan}", None),
        ("GET", f"/api/evaluation/scores/trainers/{o['trainer'].pk}", None),
        ("GET", f"/api/evaluation/scores/venues/{o['venue'].pk}", None),
        ("GET", f"/api/evaluation/scores/skills/{o['skill'].pk}", None),
        ("GET", "/api/evaluation/rankings?kind=trainer", None),
        ("GET", "/api/evaluation/weak-spots", None),
        ("GET", "/api/evaluation/questionnaires", None),
        ("GET", "/api/evaluation/texts", None),
        ("POST", "/api/evaluation/texts/review",
         {"id": str(o["text_answer"].pk), "decision": "approved"}),
        ("GET", "/api/evaluation/follow-ups", None),
        ("POST", f"/api/evaluation/follow-ups/{o['follow_up'].pk}/answer",
         {"applied": 5, "performance": 5}),
    ]  # fmt: skip


def pages(o) -> dict:
    e, course = o["evaluation"], o["course_target"].pk
    answer = {f"t{course}__venue": "1"}
    return {
        "evaluation:mine": ([], {}),
        "evaluation:answer": ([e.pk], answer),
        "evaluation:qr": ([e.token], answer),
        "evaluation:follow_ups": ([], {}),
        "evaluation:follow_up": ([o["follow_up"].pk], {"applied": 5, "performance": 5}),
        "evaluation:trainer_results": ([], {}),
        "evaluation:enterprise_ratings": ([], {}),
        "evaluation:enterprise_rate": ([e.pk, o["ent"].pk], {f"t{course}_course_design": "1"}),
        "evaluation_console:index": ([], {}),
        "evaluation_console:open": ([o["done_plan"].pk], {}),
        "evaluation_console:plan_questions": ([o["done_plan"].pk],
                                              {"text": "越权", "kind": "text",
                                               "target": "course"}),
        "evaluation_console:detail": ([e.pk], {}),
        "evaluation_console:qr": ([e.pk], {}),
        "evaluation_console:close": ([e.pk], {}),
        "evaluation_console:paper": ([e.pk], {"action": "returns", "person": o["person"].pk}),
        "evaluation_console:export": ([e.pk], {}),
        "evaluation_console:texts": ([], {}),
        "evaluation_console:text_review": ([], {"id": str(o["text_answer"].pk),
                                                "decision": "approved"}),
        "evaluation_console:trainer": ([o["trainer"].pk], {}),
        "evaluation_console:venue": ([o["venue"].pk], {}),
        "evaluation_console:rankings": ([], {}),
        "evaluation_console:questionnaires": ([], {}),
        "evaluation_console:follow_ups": ([], {}),
    }  # fmt: skip
