"""A roster import whose worker died is queued again (it starts over: its write was one
transaction), and fails with a message after three lost runs. The real ``kill -9`` is in
tests/faults/test_roster_import_killed.py."""

import pytest
from django_tasks_db.models import DBTaskResult

from gonghui.core import jobs
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain import roster
from gonghui.orgs.models import Person, RosterImport
from gonghui.orgs.models.imports import ImportStatus
from gonghui.orgs.tasks import run_roster_import

from ..core.test_jobs import _dead_pid
from .test_roster_import import person_row, upload, xlsx

pytestmark = pytest.mark.django_db


def _confirmed(t, settings) -> RosterImport:
    settings.GONGHUI_IMPORT_ASYNC_ROWS = 3
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, i) for i in range(1, 6)]), actor=staff)
    roster.validate_import(imp, actor=staff)  # the worker's step, here in the test
    imp.refresh_from_db()
    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.IMPORTING
    return imp


def _lose_the_worker(imp: RosterImport) -> None:
    """The queued run is claimed by a worker process that has died."""
    row = DBTaskResult.objects.filter(
        task_path="gonghui.orgs.tasks.run_roster_import", status="READY"
    ).get()
    assert row.args_kwargs["args"] == [imp.pk]
    row.claim(f"{jobs.this_host()[:40]}:{_dead_pid()}")


def test_an_import_of_a_dead_worker_is_queued_again(
    county, settings, django_capture_on_commit_callbacks
):
    imp = _confirmed(county, settings)
    persons = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        run_roster_import.enqueue(imp.pk)
    _lose_the_worker(imp)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_task_results() == 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.IMPORTING
    statuses = sorted(
        DBTaskResult.objects.filter(task_path="gonghui.orgs.tasks.run_roster_import").values_list(
            "status", flat=True
        )
    )
    assert statuses == ["FAILED", "READY"]  # the dead run, and the same import queued again
    assert (
        AuditEvent.objects.filter(action="roster_import.resumed", object_id=str(imp.pk)).count()
        == 1
    )
    assert Person.objects.count() == persons  # nothing written by the recovery itself


def test_after_three_lost_runs_the_import_fails_with_a_message(
    county, settings, django_capture_on_commit_callbacks
):
    imp = _confirmed(county, settings)
    with django_capture_on_commit_callbacks(execute=True):
        run_roster_import.enqueue(imp.pk)
    for _ in range(3):
        _lose_the_worker(imp)
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.recover_task_results() == 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED
    assert imp.error == "导入进程3次中断，已停止，未导入任何数据，请重新发起"
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert (
        AuditEvent.objects.filter(action="roster_import.resumed", object_id=str(imp.pk)).count()
        == 2
    )
