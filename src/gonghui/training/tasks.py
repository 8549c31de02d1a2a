# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks for training: thin wrappers over the domain, run by ``db_worker``."""

from django_tasks import task

from .domain.reminders import send_session_reminders


@task()
def send_session_reminders_task() -> int:
    return send_session_reminders()
