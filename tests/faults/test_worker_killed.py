"""kill -9 of the task worker in the middle of a mutual-aid payout batch.

The batch is marked paid by a background job (``payout.start_marking_paid``) in one
transaction. The worker is killed while that transaction is under way (it holds the
batch's row lock); afterwards nothing of it may be visible (no claim paid, no event, no
audit row), and a worker started again finds the job of the dead process, queues it again
and finishes it: every claim paid exactly once.
"""

import os
import time

import pytest
from django.db import DatabaseError, transaction
from django_tasks_db.models import DBTaskResult

from gonghui.core.models import AuditEvent, Job
from gonghui.mutualaid.domain.claims import transition_claim
from gonghui.mutualaid.domain.payout import create_batch, export_batch, start_marking_paid
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, ClaimEvent, PayoutBatch

from ..mutualaid.conftest import _private_root, aid  # noqa: F401 - fixtures
from ..mutualaid.test_claims import submit, with_documents
from .conftest import Report, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
CLAIMS = int(os.environ.get("GONGHUI_FAULTS_PAYOUT_CLAIMS", "3000"))


def _approved_claims(aid, n: int) -> None:  # noqa: F811
    """One claim through its real workflow, then ``n - 1`` copies of it (distinct stays)."""
    claim, _ = submit(aid)
    with_documents(claim, aid.worker_a)
    transition_claim(claim, action="union_approve", actor=aid.users["union_officer_a"])
    transition_claim(claim, action="federation_approve", actor=aid.users["federation_staff"])
    claim.refresh_from_db()
    fields = [f.name for f in Claim._meta.concrete_fields if f.name not in ("id",)]
    copies = []
    for i in range(1, n):
        values = {f: getattr(claim, f) for f in fields}
        values |= {"stay_digest": f"fault-{i}", "client_token": f"fault-{i}"}
        copies.append(Claim(**values))
    Claim.objects.bulk_create(copies, batch_size=1000)


def _batch_locked(batch_id: int) -> bool:
    """True while another transaction holds the batch row (the payout is under way)."""
    try:
        with transaction.atomic():
            PayoutBatch.objects.select_for_update(nowait=True).get(pk=batch_id)
    except DatabaseError:
        return True
    return False


def _written(batch: PayoutBatch) -> dict[str, int]:
    claims = Claim.objects.filter(batch=batch)
    return {
        "claims paid": claims.filter(state=ClaimState.PAID).count(),
        "pay events": ClaimEvent.objects.filter(claim__batch=batch, action="pay").count(),
        "claims with a pay event": ClaimEvent.objects.filter(claim__batch=batch, action="pay")
        .values("claim")
        .distinct()
        .count(),
        "batch.paid audit rows": AuditEvent.objects.filter(
            action="mutualaid.batch.paid", object_id=str(batch.pk)
        ).count(),
    }


def test_kill9_in_the_middle_of_a_payout_batch(aid, start_worker):  # noqa: F811
    r = Report("kill -9 of the task worker in the middle of a payout batch")
    staff = aid.users["federation_staff"]
    _approved_claims(aid, CLAIMS)
    batch = create_batch(aid.programme, actor=staff)
    export_batch(batch, actor=staff)
    r.check("batch gathered", batch.claim_count == CLAIMS, f"{batch.claim_count} approved claims")
    job = start_marking_paid(batch, actor=staff, reference="YH-FAULT-1")

    first = start_worker()
    wait_for(lambda: _batch_locked(batch.pk), timeout=120, what="the payout transaction")
    time.sleep(0.3)  # well into the loop over the claims
    job.refresh_from_db()
    running = job.state == "running" and job.worker_pid is not None
    r.check("job running in the worker when killed", running,
            f"pid {job.worker_pid}, attempt {job.attempts}")  # fmt: skip
    r.check("payout transaction under way when killed", _batch_locked(batch.pk),
            "the batch row is locked by the worker")  # fmt: skip
    first.kill9()
    r.note(f"kill -9 {first.pid}")
    wait_for(lambda: not _batch_locked(batch.pk), timeout=60, what="PostgreSQL to roll back")
    after_kill = _written(batch)
    batch.refresh_from_db()
    r.check("nothing half-written after the kill",
            set(after_kill.values()) == {0} and batch.state == "open",
            f"{after_kill}, batch {batch.state}")  # fmt: skip
    job.refresh_from_db()
    r.check("job left running by the dead process", job.state == "running", job.state)

    second = start_worker()
    r.note(f"worker restarted (pid {second.pid})")
    wait_for(lambda: Job.objects.get(pk=job.pk).state in ("done", "failed"), timeout=300,
             what="the job to finish after the restart", every=0.2)  # fmt: skip
    job.refresh_from_db()
    r.check("job resumed and done on restart", (job.state, job.attempts) == ("done", 2),
            f"{job.state}, {job.attempts} attempts, message “{job.message}”")  # fmt: skip
    r.check("the page's message says what happened",
            job.message == "第1次执行中断（进程退出），已自动重新排队", job.message)  # fmt: skip
    done = _written(batch)
    batch.refresh_from_db()
    expected = {"claims paid": CLAIMS, "pay events": CLAIMS, "claims with a pay event": CLAIMS,
                "batch.paid audit rows": 1}  # fmt: skip
    r.check("every claim paid exactly once", done == expected, str(done))
    r.check("batch paid with its reference", (batch.state, batch.payment_reference)
            == ("paid", "YH-FAULT-1"))  # fmt: skip
    dead = DBTaskResult.objects.filter(task_path="gonghui.core.tasks.run_job").order_by(
        "enqueued_at"
    )
    statuses = [(t.status, t.exception_class_path) for t in dead]
    r.check("the dead worker's task marked failed, the rerun successful",
            statuses == [("FAILED", "gonghui.core.jobs.WorkerLost"), ("SUCCESSFUL", "")],
            str(statuses))  # fmt: skip
