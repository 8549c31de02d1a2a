"""Evaluation workflows: one table each, one function that assigns .state."""

import pytest

from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError
from gonghui.evaluation.domain.transitions import WORKFLOWS, allowed, transition
from gonghui.evaluation.enums import EvaluationState, FollowUpState, QuestionnaireState
from gonghui.evaluation.models import Evaluation, FollowUp, Questionnaire, ScoringRound


@pytest.mark.parametrize(
    ("model", "state", "to", "ok"),
    [
        (Questionnaire, QuestionnaireState.DRAFT, QuestionnaireState.PUBLISHED, True),
        (Questionnaire, QuestionnaireState.RETIRED, QuestionnaireState.PUBLISHED, False),
        (Evaluation, EvaluationState.OPEN, EvaluationState.CLOSED, True),
        (Evaluation, EvaluationState.CLOSED, EvaluationState.OPEN, False),
        (FollowUp, FollowUpState.REQUESTED, FollowUpState.ANSWERED, True),
        (FollowUp, FollowUpState.ANSWERED, FollowUpState.EXPIRED, False),
        (FollowUp, FollowUpState.SCHEDULED, FollowUpState.ANSWERED, False),
    ],
)
def test_the_tables(model, state, to, ok):
    obj = model(state=state)
    assert allowed(obj, to) is ok
    if ok:
        assert transition(obj, to, actor=SYSTEM) == state
        assert obj.state == to
    else:
        with pytest.raises(DomainError):
            transition(obj, to, actor=SYSTEM)
        assert obj.state == state


def test_every_state_of_every_workflow_is_known():
    enums = {Questionnaire: QuestionnaireState, Evaluation: EvaluationState,
             FollowUp: FollowUpState, ScoringRound: EvaluationState}  # fmt: skip
    for model, table in WORKFLOWS.items():
        assert set(table) | {s for targets in table.values() for s in targets} <= set(
            enums[model].values
        )


def test_a_transition_needs_an_actor():
    with pytest.raises(TypeError, match="actor"):
        transition(Evaluation(state=EvaluationState.OPEN), EvaluationState.CLOSED, actor=None)
