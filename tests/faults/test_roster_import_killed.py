"""kill -9 of the task worker in the middle of a roster import.

A confirmed roster import writes every row in ONE transaction in the worker
(``roster.run_import``). The worker is killed while that transaction has written rows;
afterwards nothing of it may be visible (no person, membership or change), the import
still shows 导入中, and a worker started again finds the task of the dead process
(``core.jobs.recover_task_results`` → the roster's ``on_abandoned`` handler), queues the
import again and finishes it: every row imported exactly once.
"""

import importlib.util
import io
import os
import sys
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from gonghui.core.actors import SYSTEM
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain import roster
from gonghui.orgs.domain.access import assign_role
from gonghui.orgs.domain.units import create_org_unit
from gonghui.orgs.enums import OrgKind, Role
from gonghui.orgs.models import Enterprise, Membership, MembershipChange, Person, RosterImport
from gonghui.orgs.models.imports import ImportStatus

from ..factories import make_user
from .conftest import ROOT, Report, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
ROWS = int(os.environ.get("GONGHUI_FAULTS_ROSTER_ROWS", "10000"))


def _bench():
    """bench/import_roster.py: its roster generator and unit names, shared rather than
    copied (it imports its neighbours in bench/)."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("import_roster", ROOT / "bench" /
                                                  "import_roster.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _county(bench):
    county = create_org_unit(None, name="故障测试县总工会", kind=OrgKind.COUNTY, actor=SYSTEM)
    town = create_org_unit(county, name="故障测试镇总工会", kind=OrgKind.TOWN, actor=SYSTEM)
    enterprises = []
    for u in range(bench.UNIONS):
        unit = create_org_unit(town, name=bench.union_name(u), kind=OrgKind.GRASSROOTS,
                               actor=SYSTEM)  # fmt: skip
        for e in range(bench.ENTERPRISES_PER_UNION):
            n = u * bench.ENTERPRISES_PER_UNION + e + 1
            enterprises.append(Enterprise(union=unit, name=bench.enterprise_name(u, e),
                                          credit_code=bench.credit_code(n)))  # fmt: skip
    Enterprise.objects.bulk_create(enterprises)
    staff = make_user("故障测试员")
    assign_role(staff, role=Role.FEDERATION_STAFF, org_unit=county, actor=SYSTEM)
    return staff


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "changes": MembershipChange.objects.count(),
    }


def _writing_backend() -> int | None:
    """The pid of another backend of this database whose open transaction has written
    (PostgreSQL assigned it a transaction id) and has lasted over half a second: the
    import's write under way, not a worker's short bookkeeping."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
            "AND xact_start < now() - interval '0.5 seconds'"
        )
        row = cur.fetchone()
    return row[0] if row else None


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cur.fetchone()[0] == 0


def test_kill9_in_the_middle_of_a_roster_import(start_worker, tmp_path):
    r = Report("kill -9 of the task worker in the middle of a roster import")
    bench = _bench()
    staff = _county(bench)
    path = tmp_path / "roster.xlsx"
    bench.generate(path, ROWS)
    before = _counts()

    first = start_worker()
    imp = roster.start_import(io.BytesIO(path.read_bytes()), name="名册.xlsx", actor=staff)
    r.check("handed to the worker", imp.status == ImportStatus.VALIDATING, imp.get_status_display())
    wait_for(lambda: RosterImport.objects.get(pk=imp.pk).status != ImportStatus.VALIDATING,
             timeout=600, what="the preview", every=0.2)  # fmt: skip
    imp.refresh_from_db()
    r.check("previewed", (imp.status, imp.created_count) == (ImportStatus.PREVIEWED, ROWS),
            f"{imp.get_status_display()}, {imp.created_count} rows to create")  # fmt: skip

    roster.confirm_import(imp, actor=staff)
    started = time.monotonic()
    backend = wait_for(_writing_backend, timeout=300, what="the import's write", every=0.05)
    imp.refresh_from_db()
    r.check("import running in the worker when killed", imp.status == ImportStatus.IMPORTING
            and _writing_backend() == backend, f"backend {backend} has written")  # fmt: skip
    first.kill9()
    r.note(f"kill -9 {first.pid}, {time.monotonic() - started:.1f} s after confirming")
    wait_for(lambda: _backend_gone(backend), timeout=60, what="PostgreSQL to roll back")
    after_kill = _counts()
    imp.refresh_from_db()
    r.check("nothing half-written after the kill", after_kill == before, str(after_kill))
    r.check("import still shows 导入中", imp.status == ImportStatus.IMPORTING,
            imp.get_status_display())  # fmt: skip

    second = start_worker()
    r.note(f"worker restarted (pid {second.pid})")
    wait_for(lambda: RosterImport.objects.get(pk=imp.pk).status
             in (ImportStatus.DONE, ImportStatus.FAILED), timeout=600,
             what="the import to finish after the restart", every=0.2)  # fmt: skip
    imp.refresh_from_db()
    r.check("import resumed and done on restart",
            (imp.status, imp.created_count, imp.rejected_count) == (ImportStatus.DONE, ROWS, 0),
            f"{imp.get_status_display()}, {imp.created_count} created, "
            f"{imp.rejected_count} rejected {imp.error}")  # fmt: skip
    done = _counts()
    added = {k: done[k] - before[k] for k in done}
    r.check(
        "every row imported exactly once",
        added == {"persons": ROWS, "memberships": ROWS, "changes": ROWS},
        str(added),
    )
    resumed = AuditEvent.objects.filter(action="roster_import.resumed", object_id=str(imp.pk))
    r.check("the resumption is in the audit log", resumed.count() == 1,
            f"{resumed.count()} row(s)")  # fmt: skip
    runs = DBTaskResult.objects.filter(task_path="gonghui.orgs.tasks.run_roster_import")
    statuses = [(t.status, t.exception_class_path) for t in runs.order_by("enqueued_at")]
    r.check("the dead worker's task marked failed, the rerun successful",
            statuses == [("FAILED", "gonghui.core.jobs.WorkerLost"), ("SUCCESSFUL", "")],
            str(statuses))  # fmt: skip
