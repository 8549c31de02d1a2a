# SPDX-License-Identifier: AGPL-3.0-or-later
from .claim import Claim, ClaimDocument, ClaimEvent, LedgerEntry, PayoutBatch, mask_account
from .enrolment import AidEnrollment, GroupEnrolment
from .programme import AidPeriod, AidProgramme, Rulebook

__all__ = [
    "AidEnrollment",
    "AidPeriod",
    "AidProgramme",
    "Claim",
    "ClaimDocument",
    "ClaimEvent",
    "GroupEnrolment",
    "LedgerEntry",
    "PayoutBatch",
    "Rulebook",
    "mask_account",
]
