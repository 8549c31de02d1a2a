# SPDX-License-Identifier: AGPL-3.0-or-later
"""The evaluation system's daily job, run by ``manage.py run_evaluation_jobs`` or the task."""

import datetime as dt

from .evaluations import close_due_evaluations, open_due_evaluations, send_evaluation_reminders
from .followups import send_follow_up_requests


def run_daily(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open due evaluations, close overdue ones, remind, and run the follow-ups; each step
    commits on its own, so one failing plan does not hold back the others' reminders."""
    opened = len(open_due_evaluations(now=now))
    closed = close_due_evaluations(now=now)
    reminded = send_evaluation_reminders(now=now)
    follow = send_follow_up_requests(now=now)
    return {
        "opened": opened,
        "closed": closed,
        "reminded": reminded,
        "follow_ups_requested": follow["requested"],
        "follow_ups_reminded": follow["reminded"],
        "follow_ups_expired": follow["expired"],
    }
