# SPDX-License-Identifier: AGPL-3.0-or-later
from .contest import (
    AwardTier,
    Contest,
    ContestAward,
    Criterion,
    Entry,
    EntryMember,
    Event,
    Judge,
    Round,
    Score,
    Video,
    Vote,
)

__all__ = ["AwardTier", "Contest", "ContestAward", "Criterion", "Entry", "EntryMember", "Event",
           "Judge", "Round", "Score", "Video", "Vote"]  # fmt: skip
