# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks: thin wrappers that load the import and call the domain.

Enqueued with ``transaction.on_commit``; run by ``manage.py db_worker``.
"""

from django_tasks import task

from gonghui.core import jobs
from gonghui.core.actors import SYSTEM

from .domain import roster
from .models import ImportStatus, RosterImport


@task()
def validate_roster_import(import_id: int) -> str:
    imp = RosterImport.objects.select_related("union", "created_by").get(pk=import_id)
    if imp.status != ImportStatus.VALIDATING:
        return imp.status
    return roster.validate_import(imp, actor=imp.created_by).status


@task()
def run_roster_import(import_id: int) -> str:
    imp = RosterImport.objects.select_related("union", "created_by").get(pk=import_id)
    if imp.status != ImportStatus.IMPORTING:
        return imp.status
    return roster.run_import(imp, actor=imp.created_by).status


def _lost_runs(result) -> int:
    """Runs of this task for this import that a dead worker left (this one included)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=result.task_path,
        args_kwargs=result.args_kwargs,
        exception_class_path=f"{jobs.WorkerLost.__module__}.{jobs.WorkerLost.__qualname__}",
    ).count()


@jobs.on_abandoned("gonghui.orgs.tasks.validate_roster_import")
@jobs.on_abandoned("gonghui.orgs.tasks.run_roster_import")
def _resume(result) -> None:
    """Called by the next worker for a roster task whose worker died (core.jobs)."""
    (import_id,) = result.args_kwargs["args"]
    imp = RosterImport.objects.select_related("union").filter(pk=import_id).first()
    if imp is not None:
        roster.state.resume_after_worker_lost(imp, lost=_lost_runs(result), actor=SYSTEM)
