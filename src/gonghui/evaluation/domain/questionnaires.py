# SPDX-License-Identifier: AGPL-3.0-or-later
"""Questionnaires: versions of the federation's standard, and a plan's own extra items.

A draft is edited freely; publishing freezes it (the previous published version of the
same code is retired, and evaluations already using it keep it). Changing a published
questionnaire means ``new_version`` → edit the draft → ``publish_questionnaire``.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models.org import SEGMENT
from gonghui.orgs.rules import roles_for
from gonghui.training.models import TrainingPlan

from ..enums import Dimension, ItemKind, QuestionnaireState, TargetKind
from ..models import Evaluation, Question, Questionnaire
from .transitions import transition

FROZEN = "问卷已发布或已在使用，不能修改；请另建新版本"


def _require_staff(actor, questionnaire: Questionnaire | None = None) -> None:
    """Federation staff of the questionnaire's unit; the shipped standard (no unit) is the
    top federation's: only staff holding their role at a root of the tree manage it."""
    principal = principal_for(actor)
    if principal.is_superuser:
        return
    if not principal.may("evaluation", "change"):
        raise PermissionDeniedError("无权管理评价问卷")
    unit = questionnaire.org_unit if questionnaire is not None else None
    if unit is not None:
        if not principal.covers("evaluation", "change", unit):
            raise PermissionDeniedError("无权管理该单位的评价问卷")
        return
    paths = principal.paths(roles_for("evaluation", "change"))
    if not any(len(p) == SEGMENT + 1 for p in paths):
        raise PermissionDeniedError("全会标准问卷只能由总工会工作人员管理")


def _check_item(kind: str, dimension: str, target: str) -> None:
    if kind not in ItemKind.values:
        raise DomainError("题型无效", field="kind")
    if target not in TargetKind.values:
        raise DomainError("评价对象无效", field="target")
    if dimension and (kind != ItemKind.RATING or dimension not in Dimension.values):
        raise DomainError("只有评分题可以计入维度", field="dimension")


@transaction.atomic
def new_version(questionnaire: Questionnaire, *, actor, title: str = "") -> Questionnaire:
    """A draft copy of ``questionnaire`` numbered after the latest version of its code."""
    _require_staff(actor, questionnaire)
    latest = Questionnaire.objects.filter(code=questionnaire.code).aggregate(v=Max("version"))
    draft = Questionnaire.objects.create(
        code=questionnaire.code,
        version=(latest["v"] or 0) + 1,
        title=title or questionnaire.title,
        description=questionnaire.description,
        is_standard=questionnaire.is_standard,
        org_unit=questionnaire.org_unit,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=draft,
            code=q.code,
            text=q.text,
            kind=q.kind,
            dimension=q.dimension,
            target=q.target,
            order=q.order,
            required=q.required,
        )
        for q in questionnaire.questions.all()
    )
    audit.record(
        "questionnaire.new_version", actor=actor, obj=draft, after={"version": draft.version}
    )
    return draft


@transaction.atomic
def add_question(
    questionnaire: Questionnaire,
    *,
    actor,
    code: str,
    text: str,
    kind: str,
    target: str = TargetKind.COURSE,
    dimension: str = "",
    required: bool = True,
) -> Question:
    _require_staff(actor, questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.state != QuestionnaireState.DRAFT or questionnaire.in_use:
        raise DomainError(FROZEN, code="state")
    _check_item(kind, dimension, target)
    if questionnaire.questions.filter(code=code).exists():
        raise DomainError("题目代码重复", field="code", code="duplicate")
    order = (questionnaire.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    return Question.objects.create(
        questionnaire=questionnaire, code=code, text=text, kind=kind, target=target,
        dimension=dimension, required=required, order=order,
    )  # fmt: skip


@transaction.atomic
def remove_question(question: Question, *, actor) -> None:
    q = question.questionnaire
    _require_staff(actor, q)
    if q is None or q.state != QuestionnaireState.DRAFT or q.in_use:
        raise DomainError(FROZEN, code="state")
    question.delete()


@transaction.atomic
def publish_questionnaire(questionnaire: Questionnaire, *, actor) -> Questionnaire:
    _require_staff(actor, questionnaire)
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if locked.state != QuestionnaireState.DRAFT:
        raise DomainError("只有草稿可以发布", code="state")
    if not locked.questions.exists():
        raise DomainError("问卷没有题目", code="invalid")
    previous = Questionnaire.objects.filter(
        code=locked.code, state=QuestionnaireState.PUBLISHED
    ).exclude(pk=locked.pk)
    for old in previous:
        transition(old, QuestionnaireState.RETIRED, actor=actor)
        old.save(update_fields=["state"])
        audit.record(
            "questionnaire.retire", actor=actor, obj=old,
            before={"state": QuestionnaireState.PUBLISHED},
            after={"state": QuestionnaireState.RETIRED},
        )  # fmt: skip
    transition(locked, QuestionnaireState.PUBLISHED, actor=actor)
    locked.published_at = timezone.now()
    locked.save(update_fields=["state", "published_at"])
    audit.record(
        "questionnaire.publish", actor=actor, obj=locked,
        before={"state": QuestionnaireState.DRAFT}, after={"state": QuestionnaireState.PUBLISHED},
    )  # fmt: skip
    return locked


@transaction.atomic
def add_plan_question(
    plan: TrainingPlan,
    *,
    actor,
    text: str,
    kind: str,
    target: str = TargetKind.COURSE,
    required: bool = False,
) -> Question:
    """A plan's own extra item (not part of any dimension), while nobody has answered yet."""
    if not principal_for(actor).can("plan", "change", plan):
        raise PermissionDeniedError("无权为该方案设置评价题目")
    _check_item(kind, "", target)
    evaluation = Evaluation.objects.filter(plan=plan).first()
    if evaluation is not None and evaluation.targets.filter(responses__gt=0).exists():
        raise DomainError("已有学员作答，不能再增加题目", code="state")
    if evaluation is not None and evaluation.targets.filter(participations__isnull=False).exists():
        raise DomainError("已有学员作答，不能再增加题目", code="state")
    n = Question.objects.filter(plan=plan).count() + 1
    question = Question.objects.create(
        plan=plan, code=f"plan_{n}", text=text, kind=kind, target=target,
        required=required, order=100 + n,
    )  # fmt: skip
    if evaluation is not None:  # its counters exist, at zero, before anyone answers
        from .evaluations import create_zero_counters

        create_zero_counters(evaluation)
    audit.record("evaluation.plan_question", actor=actor, obj=plan, after={"text": text})
    return question
