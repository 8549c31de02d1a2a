"""Payout batches: gathered, exported for the bank (no formula cells), marked paid."""

import io
from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.claims import transition_claim
from gonghui.mutualaid.domain.payout import create_batch, export_batch, mark_batch_paid
from gonghui.mutualaid.domain.queries import claim_progress
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import PayoutBatch

from ..worker import run_queued_tasks
from .test_claims import submit, with_documents


@pytest.fixture
def approved(aid):
    claim, _ = submit(aid)
    claim.account_holder = "=HYPERLINK(1)"
    claim.save(update_fields=["account_holder"])
    with_documents(claim, aid.worker_a)
    transition_claim(claim, action="union_approve", actor=aid.users["union_officer_a"])
    transition_claim(claim, action="federation_approve", actor=aid.users["federation_staff"])
    claim.refresh_from_db()
    return claim


def test_batch_export_and_paid(aid, approved):
    staff = aid.users["federation_staff"]
    assert claim_progress(approved).text == "第 4 步，共 5 步：审核通过待支付"
    batch = create_batch(aid.programme, actor=staff)
    assert (batch.claim_count, batch.total) == (1, D("3000.00"))
    with pytest.raises(DomainError) as err:
        mark_batch_paid(batch, actor=staff, reference="YH-1")
    assert err.value.message == "请先导出支付明细交银行办理"
    data = export_batch(batch, actor=staff)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("申请编号", "姓名", "证件号码")
    masked = aid.member_a.person.id_number_masked
    assert rows[1] == (approved.pk, "张三", masked, "基层工会A", "中国农业银行",
                       "'=HYPERLINK(1)", "6228480012345678901", "3000.00")  # fmt: skip
    assert rows[2][-1] == "3000.00"
    assert AuditEvent.objects.filter(action="mutualaid.batch.export").count() == 1
    batch = mark_batch_paid(batch, actor=staff, reference="YH-20260601")
    approved.refresh_from_db()
    assert (approved.state, approved.payment_reference) == (ClaimState.PAID, "YH-20260601")
    assert claim_progress(approved).text == "第 5 步，共 5 步：已支付"
    with pytest.raises(DomainError):
        mark_batch_paid(batch, actor=staff, reference="again")


def test_nothing_to_pay(aid):
    with pytest.raises(DomainError) as err:
        create_batch(aid.programme, actor=aid.users["federation_staff"])
    assert err.value.message == "没有可支付的已审核申请"
    assert PayoutBatch.objects.count() == 0


@pytest.mark.parametrize("who", ["union_officer_a", "town_staff_a", "auditor", "worker_a"])
def test_only_the_programmes_federation_pays(aid, approved, who):
    with pytest.raises(PermissionDeniedError):
        create_batch(aid.programme, actor=aid.users[who])
    assert PayoutBatch.objects.count() == 0


@override_settings(GONGHUI_PAYOUT_ASYNC_CLAIMS=0)
def test_a_large_batch_is_marked_paid_by_a_job_the_page_shows(
    aid, approved, client, django_capture_on_commit_callbacks
):

    from gonghui.core.models import Job

    staff = aid.users["federation_staff"]
    batch = create_batch(aid.programme, actor=staff)
    export_batch(batch, actor=staff)
    client.force_login(staff)
    page = reverse("mutualaid_console:batch", args=[batch.pk])
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(reverse("mutualaid_console:batch_paid", args=[batch.pk]),
                          {"reference": "YH-20260601"})  # fmt: skip
    assert res.status_code == 302
    job = Job.objects.get()
    assert (job.subject, job.state) == (f"mutualaid.payoutbatch:{batch.pk}", "queued")
    batch.refresh_from_db()
    assert batch.state == "open"  # nothing written before the job runs
    assert "登记批次支付：排队中" in client.get(page).content.decode()
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.state, job.result) == ("done", {"claims": 1})
    batch.refresh_from_db()
    approved.refresh_from_db()
    assert (batch.state, approved.state) == ("paid", ClaimState.PAID)
    assert "登记批次支付：已完成" in client.get(page).content.decode()


@override_settings(GONGHUI_PAYOUT_ASYNC_CLAIMS=0)
def test_a_failed_payout_job_shows_its_message(aid, approved, client):
    from gonghui.core.jobs import execute
    from gonghui.mutualaid.domain.payout import start_marking_paid

    staff = aid.users["federation_staff"]
    batch = create_batch(aid.programme, actor=staff)
    export_batch(batch, actor=staff)
    job = start_marking_paid(batch, actor=staff, reference="YH-1")
    mark_batch_paid(batch, actor=staff, reference="YH-other")  # paid meanwhile, otherwise
    execute(job.pk)
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", "该批次已支付")
    client.force_login(staff)
    body = client.get(reverse("mutualaid_console:batch", args=[batch.pk])).content.decode()
    assert "登记批次支付：失败 — 该批次已支付" in body
