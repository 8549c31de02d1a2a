"""Batch valuation goes through the claim workflow: every claim it approves has its
audit row (issue 11 item 6); nothing else assigns Claim.state."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.actors import SYSTEM
from gonghui.core.errors import DomainError
from gonghui.core.models import AuditEvent
from gonghui.mutualaid.domain.batch import value_and_write_claims
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, LedgerEntry


def _claim(aid, i: int, **kw) -> Claim:
    e, now = aid.enrollment, timezone.now()
    admitted = dt.date(2026, 3, 1) + dt.timedelta(days=20 * i)
    fields = dict(
        period=aid.period, enrollment=e, person_id=e.person_id, union_id=e.union_id,
        client_token=f"b{i}", category="hospital", hospital="海盐县人民医院", diagnosis="",
        admission_date=admitted, discharge_date=admitted + dt.timedelta(days=3),
        stay_digest=crypto.digest(f"batch:{i}"), total_cost=D("20000.00"),
        insurance_paid=D("12000.00"), policy_self_paid=D("7000.00"), bank_name="中国工商银行",
        bank_account="6222021200000000001", account_holder="张三", medical_consent_at=now,
        bank_consent_at=now, consecutive_periods=e.consecutive_periods,
    )  # fmt: skip
    fields.update(kw)
    return Claim(**fields)


def test_each_batch_claim_is_approved_with_its_event_and_audit_row(aid):
    written = value_and_write_claims(aid.period, [_claim(aid, i) for i in range(3)],
                                     actor=SYSTEM)  # fmt: skip
    assert written == 3
    claims = list(Claim.objects.order_by("pk"))
    assert [c.state for c in claims] == [ClaimState.APPROVED] * 3
    audits = AuditEvent.objects.filter(action="mutualaid.claim.batch_approve").order_by("pk")
    assert [(a.object_id, a.actor_label, a.before, a.after) for a in audits] == [
        (str(c.pk), "系统", {"state": "submitted"}, {"state": "approved"}) for c in claims
    ]
    assert all(a.scope_path == aid.union_a.path for a in audits)
    assert LedgerEntry.objects.filter(claim__in=claims).count() >= 3


def test_a_claim_the_workflow_does_not_allow_is_refused_and_nothing_is_written(aid):
    bad = [_claim(aid, 0), _claim(aid, 1, state=ClaimState.REJECTED)]
    with pytest.raises(DomainError, match="不能执行此操作"):
        value_and_write_claims(aid.period, bad, actor=SYSTEM)
    assert not Claim.objects.exists()
    assert not AuditEvent.objects.filter(action="mutualaid.claim.batch_approve").exists()


def test_the_batch_needs_an_actor(aid):
    with pytest.raises(TypeError, match="actor"):
        value_and_write_claims(aid.period, [_claim(aid, 0)], actor=None)
    assert not Claim.objects.exists()
