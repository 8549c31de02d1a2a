# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public reads of the contests app for other apps (the growth record, mentorship)."""

from ..enums import ContestState
from ..models import ContestAward


def awards_of_person(person):
    """The published contest awards ``person`` won (as an entrant or a team member), newest
    first: what the growth record shows and mentorship's reward linkage reads."""
    return (
        ContestAward.objects.filter(
            contest__state=ContestState.PUBLISHED, entry__members__person=person
        )
        .select_related("contest", "event", "tier", "entry__unit")
        .order_by("-contest__published_at", "tier__order")
        .distinct()
    )


def public_contests():
    from ..enums import PUBLIC_STATES
    from ..models import Contest

    return Contest.objects.filter(state__in=PUBLIC_STATES, parent__isnull=True).select_related(
        "org_unit"
    )
