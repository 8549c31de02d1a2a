from .catalogue import Skill, SkillSynonym
from .delivery import Trainer, Venue
from .demand import Demand, DemandItem, PriorityWeights
from .enrolment import CheckIn, Enrollment
from .notice import Notification
from .outcome import Certificate
from .plan import (
    Consultation,
    Course,
    Opinion,
    PlanEvent,
    PlanVersion,
    Session,
    TrainingPlan,
)

__all__ = [
    "Certificate",
    "CheckIn",
    "Consultation",
    "Course",
    "Demand",
    "DemandItem",
    "Enrollment",
    "Notification",
    "Opinion",
    "PlanEvent",
    "PlanVersion",
    "PriorityWeights",
    "Session",
    "Skill",
    "SkillSynonym",
    "Trainer",
    "TrainingPlan",
    "Venue",
]
