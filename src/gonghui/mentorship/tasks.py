# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks: thin wrappers calling the domain."""

from django_tasks import task

from gonghui.core.actors import SYSTEM


@task()
def link_honours_task() -> int:
    """Daily: the honours other apps published (contest awards) linked to the agreements
    of their apprentices and mentors (``awards.link_recent_honours``)."""
    from .domain.awards import link_recent_honours

    return link_recent_honours(actor=SYSTEM)
