# SPDX-License-Identifier: AGPL-3.0-or-later
"""Figures of a programme for its dashboard and export: pairs by state, completion on time,
mentors' load, time to independence, points by unit, grades of the year."""

import datetime as dt
from collections import Counter
from statistics import median

from django.db.models import Count

from ..enums import ACTIVE_AGREEMENT_STATES, AgreementState, Grade, MentorState
from ..models import Agreement, Mentor, MentorshipProgramme
from . import assessment, points

#: Most agreements assessed for the grade distribution (each is three small queries).
GRADED_AT_MOST = 500


def programme_figures(programme: MentorshipProgramme, agreements, *, start: dt.date,
                      end: dt.date) -> dict:  # fmt: skip
    """``agreements`` is the caller's restricted queryset of the programme's agreements."""
    rows = list(agreements.select_related("apprentice"))
    by_state = Counter(a.state for a in rows)
    completed = [a for a in rows if a.state == AgreementState.COMPLETED and a.completed_on]
    on_time = [a for a in completed if a.completed_on <= a.ends_on]
    days = [(a.completed_on - a.starts_on).days for a in completed]
    loads = Counter(
        dict(
            Agreement.objects.filter(programme=programme, state__in=ACTIVE_AGREEMENT_STATES)
            .values_list("mentor_id")
            .annotate(n=Count("id"))
        )
    )
    mentor_ids = Mentor.objects.filter(programme=programme, state=MentorState.APPROVED).values_list(
        "pk", flat=True
    )
    load_histogram = Counter(loads.get(m, 0) for m in mentor_ids)
    graded = [
        a for a in rows
        if a.state in (AgreementState.IN_PROGRESS, AgreementState.MIDTERM, AgreementState.COMPLETED)
    ][:GRADED_AT_MOST]  # fmt: skip
    grades = Counter(
        assessment.assess(a, start=max(start, a.starts_on), end=end).grade
        for a in graded
        if a.starts_on <= end
    )
    return {
        "states": [{"label": s.label, "value": by_state.get(s.value, 0)} for s in AgreementState],
        "completed": len(completed),
        "on_time": len(on_time),
        "on_time_rate": round(100 * len(on_time) / len(completed), 1) if completed else None,
        "median_days": int(median(days)) if days else None,
        "load": [
            {"label": f"{n}人", "value": load_histogram.get(n, 0)}
            for n in range(programme.max_apprentices + 1)
        ],
        "units": points.leaderboard(programme, start=start, end=end, by="unit", limit=15),
        "grades": [{"label": g.label, "value": grades.get(g.value, 0)} for g in Grade],
    }
