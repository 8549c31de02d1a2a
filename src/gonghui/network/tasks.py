# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks: thin wrappers calling the domain."""

from django_tasks import task

from gonghui.core.actors import SYSTEM


@task()
def send_reminders_task() -> dict:
    from .domain.reminders import send_reminders

    return send_reminders(actor=SYSTEM).__dict__
