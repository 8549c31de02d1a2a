# SPDX-License-Identifier: AGPL-3.0-or-later
from .mentorship import (
    Agreement,
    AgreementEvent,
    Apprentice,
    Award,
    AwardProposal,
    Goal,
    Mentor,
    MentorshipProgramme,
    PointEntry,
    PointRulebook,
    ScoringPeriod,
    Signature,
)

__all__ = [
    "Agreement",
    "AgreementEvent",
    "Apprentice",
    "Award",
    "AwardProposal",
    "Goal",
    "Mentor",
    "MentorshipProgramme",
    "PointEntry",
    "PointRulebook",
    "ScoringPeriod",
    "Signature",
]
