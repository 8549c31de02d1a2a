# SPDX-License-Identifier: AGPL-3.0-or-later
"""The task that runs a ``Job`` (see core/jobs.py); run by ``manage.py worker``."""

from typing import Any

from django_tasks import task

from . import jobs


@task()
def run_job(job_id: int) -> Any:
    return jobs.execute(job_id)
