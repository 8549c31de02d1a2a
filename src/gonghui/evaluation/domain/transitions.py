# SPDX-License-Identifier: AGPL-3.0-or-later
"""The evaluation app's workflows, each one table and one function: nothing else assigns
``.state`` (questionnaires, evaluations, enterprise follow-ups).

``transition(obj, to, actor=…)`` checks that ``to`` may follow the object's state, sets
it and returns the old one; the caller saves (with its other fields) and writes its audit
row in the same transaction, as before. Bulk moves (the daily job's expiry) go through
``transition_many``, which audits each row.
"""

from django.db.models import QuerySet

from gonghui.core.actors import require_actor
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..enums import EvaluationState, FollowUpState, QuestionnaireState
from ..models import Evaluation, FollowUp, Questionnaire, ScoringRound

#: model → {from state: states it may move to}. An evaluation is created open.
WORKFLOWS: dict[type, dict[str, frozenset[str]]] = {
    Questionnaire: {
        QuestionnaireState.DRAFT: frozenset({QuestionnaireState.PUBLISHED}),
        QuestionnaireState.PUBLISHED: frozenset({QuestionnaireState.RETIRED}),
    },
    Evaluation: {EvaluationState.OPEN: frozenset({EvaluationState.CLOSED})},
    ScoringRound: {EvaluationState.OPEN: frozenset({EvaluationState.CLOSED})},
    FollowUp: {
        FollowUpState.SCHEDULED: frozenset({FollowUpState.REQUESTED, FollowUpState.EXPIRED}),
        FollowUpState.REQUESTED: frozenset(
            {FollowUpState.ANSWERED, FollowUpState.EXPIRED, FollowUpState.REQUESTED}
        ),
        # Staff may give an expired request more time (延期).
        FollowUpState.EXPIRED: frozenset({FollowUpState.REQUESTED}),
    },
}


def allowed(obj, to: str) -> bool:
    return to in WORKFLOWS[type(obj)].get(obj.state, frozenset())


def transition(obj, to: str, *, actor) -> str:
    """Move ``obj`` to ``to`` (unsaved); returns the old state."""
    require_actor(actor)
    if not allowed(obj, to):
        raise DomainError("当前状态不能执行此操作", code="state")
    old, obj.state = obj.state, to
    return old


def transition_many(qs: QuerySet, to: str, *, actor, action: str) -> int:
    """Move every row of ``qs`` to ``to`` (each must allow it); one audit row each."""
    require_actor(actor)
    rows = list(qs.select_for_update())
    for obj in rows:
        old = transition(obj, to, actor=actor)
        audit.record(action, actor=actor, obj=obj, before={"state": old}, after={"state": to})
    if rows:
        type(rows[0]).objects.filter(pk__in=[o.pk for o in rows]).update(state=to)
    return len(rows)
