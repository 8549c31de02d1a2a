# SPDX-License-Identifier: AGPL-3.0-or-later
"""Free-text review: staff read the answers before trainers do, and may publish an
edited text (e.g. with a name taken out) or hide it."""

from django.db import transaction
from django.db.models import QuerySet

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..enums import TargetKind, TextReview
from ..models import Evaluation, TextAnswer


def reviewable(user) -> QuerySet[TextAnswer]:
    """Text answers of the evaluations the user manages."""
    evaluations = Evaluation.objects.restrict(user, "change").values("pk")
    return TextAnswer.objects.filter(target__evaluation__in=evaluations).select_related(
        "target__trainer", "target__evaluation__plan", "question"
    )


def published_texts(*, trainer=None, evaluation: Evaluation | None = None) -> QuerySet[TextAnswer]:
    """Approved text answers about a trainer (all plans) or one evaluation."""
    qs = TextAnswer.objects.filter(review=TextReview.APPROVED)
    if trainer is not None:
        qs = qs.filter(target__trainer=trainer, target__kind=TargetKind.TRAINER)
    if evaluation is not None:
        qs = qs.filter(target__evaluation=evaluation)
    return qs


@transaction.atomic
def review_text(answer: TextAnswer, *, actor, decision: str, text: str | None = None) -> TextAnswer:
    """Approve (optionally with an edited text) or hide a free-text answer."""
    evaluation = answer.target.evaluation
    if not principal_for(actor).can("evaluation", "change", evaluation):
        raise PermissionDeniedError("无权审核该评价的文字意见")
    if decision not in (TextReview.APPROVED, TextReview.HIDDEN):
        raise DomainError("审核结果无效", field="decision")
    locked = TextAnswer.objects.select_for_update().get(pk=answer.pk)
    old = locked.review
    locked.review = decision
    published = (text if text is not None else locked.text).strip()
    if decision == TextReview.APPROVED and not published:
        raise DomainError("公开文本不能为空", field="text")
    locked.published_text = published if decision == TextReview.APPROVED else ""
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["review", "published_text", "reviewed_by"])
    audit.record(
        "evaluation.text_review", actor=actor, obj=evaluation,
        before={"review": old}, after={"review": decision},
    )  # fmt: skip
    return locked
