"""Models of the evaluation system."""

from .evaluation import Evaluation, Participation, RatingCounter, Target, TextAnswer
from .followup import FollowUp
from .questionnaire import Question, Questionnaire
from .settings import EvaluationSettings

__all__ = [
    "Evaluation",
    "EvaluationSettings",
    "FollowUp",
    "Participation",
    "Question",
    "Questionnaire",
    "RatingCounter",
    "Target",
    "TextAnswer",
]
