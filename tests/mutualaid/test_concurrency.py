"""Approvals of one member's claims at the same instant, each in its own thread and
connection: the period cap is consumed through the ledger exactly once (SQLite and
PostgreSQL; see tests/training/test_enrolment_concurrency.py for the SQLite file copy)."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest

from gonghui.mutualaid.domain.claims import transition_claim
from gonghui.mutualaid.enums import ClaimState
from gonghui.mutualaid.models import Claim, LedgerEntry
from tests.training.test_enrolment_concurrency import OwnConnections

from .factories import HOSPITAL_RULES, claim_row, document_rows, enrol, period, programme

pytestmark = pytest.mark.django_db(transaction=True)
CLAIMS = 8


def test_simultaneous_approvals_respect_the_period_cap(county, transactional_db, tmp_path):
    rules = {**HOSPITAL_RULES, "caps": {"per_period": "10000.00"}}
    prog = programme(county.county, rules=rules, requires_federation_review=False)
    enrolment = enrol(period(prog), county.member_a)
    # Each: (7,000 − 1,000) × 50% = 3,000; eight of them against a 10,000 period cap.
    claims = [
        claim_row(enrolment, admission_date=dt.date(2026, 2, 1) + dt.timedelta(days=10 * i),
                  total_cost=D("20000"), insurance_paid=D("12000"), policy_self_paid=D("7000"))
        for i in range(CLAIMS)
    ]  # fmt: skip
    for c in claims:
        document_rows(c)
    officer = county.users["union_officer_a"]
    own = OwnConnections(tmp_path)
    barrier = threading.Barrier(CLAIMS)

    def approve(claim):
        barrier.wait(timeout=60)
        return transition_claim(claim, action="union_approve", actor=officer).subsidy

    with ThreadPoolExecutor(max_workers=CLAIMS) as pool:
        subsidies = [f.result() for f in [pool.submit(own.call, approve, c) for c in claims]]

    def results():
        return (
            sorted(Claim.objects.values_list("state", "subsidy")),
            sorted(LedgerEntry.objects.filter(bucket="subsidy").values_list("amount", flat=True)),
        )

    rows, ledger = own.in_thread(results)
    # Whatever the order: three take 3,000, one the 1,000 left, four nothing.
    assert sorted(subsidies) == [D("0.00")] * 4 + [D("1000.00")] + [D("3000.00")] * 3
    assert ledger == sorted(subsidies)
    assert sum(ledger) == D("10000.00")
    assert {state for state, _ in rows} == {ClaimState.APPROVED}
