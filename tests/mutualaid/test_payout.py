"""Payout batches: gathered, exported for the bank (no formula cells), marked paid."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.claims import transition_claim
from gonghui.mutualaid.domain.payout import create_batch, export_batch, mark_batch_paid
from gonghui.mutualaid.domain.queries import claim_progress
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import PayoutBatch
from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError

from .test_claims import submit


@pytest.fixture
def approved(aid):
    claim, _ = submit(aid)
    claim.account_holder = "=HYPERLINK(1)"
    claim.save(update_fields=["account_holder"])
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
