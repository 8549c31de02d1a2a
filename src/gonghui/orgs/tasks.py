"""Background tasks: thin wrappers that load the import and call the domain.

Enqueued with ``transaction.on_commit``; run by ``manage.py db_worker``.
"""

from django_tasks import task

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
