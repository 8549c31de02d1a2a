# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks: thin wrappers calling the domain."""

from django_tasks import task

from gonghui.core.actors import SYSTEM


@task()
def send_overdue_reminders_task() -> int:
    from .domain.library import send_overdue_reminders

    return send_overdue_reminders(actor=SYSTEM)
