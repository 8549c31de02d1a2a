# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks for evaluation: thin wrappers over the domain, run by ``db_worker``."""

from django_tasks import task

from .domain.jobs import run_daily


@task()
def run_evaluation_jobs_task() -> dict[str, int]:
    return run_daily()
