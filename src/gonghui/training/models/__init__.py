# SPDX-License-Identifier: AGPL-3.0-or-later
from .catalogue import Skill, SkillKnowledge, SkillSynonym
from .delivery import Trainer, TrainerQualification, Venue
from .demand import Demand, DemandItem, PriorityWeights
from .enrolment import CheckIn, Enrollment
from .notice import Notification
from .outcome import Certificate, Outcome
from .plan import (
    Consultation,
    ConsultationInvite,
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
    "ConsultationInvite",
    "Course",
    "Demand",
    "DemandItem",
    "Enrollment",
    "Notification",
    "Opinion",
    "Outcome",
    "PlanEvent",
    "PlanVersion",
    "PriorityWeights",
    "Session",
    "Skill",
    "SkillKnowledge",
    "SkillSynonym",
    "Trainer",
    "TrainerQualification",
    "TrainingPlan",
    "Venue",
]
