# SPDX-License-Identifier: AGPL-3.0-or-later
"""Models of the evaluation system."""

from .enterprise import EnterpriseRating
from .evaluation import (
    Evaluation,
    Invitation,
    Participation,
    PendingForm,
    RatingCounter,
    ScoringRound,
    Target,
    TextAnswer,
)
from .followup import FollowUp
from .questionnaire import Question, Questionnaire
from .settings import EvaluationSettings

__all__ = [
    "EnterpriseRating",
    "Evaluation",
    "EvaluationSettings",
    "FollowUp",
    "Invitation",
    "Participation",
    "PendingForm",
    "Question",
    "Questionnaire",
    "RatingCounter",
    "ScoringRound",
    "Target",
    "TextAnswer",
]
