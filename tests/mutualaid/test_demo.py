"""The mutual-aid demo at a small scale: every claim state, ledger and caps consistent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from gonghui.mutualaid.enums import BatchState, ClaimState
from gonghui.mutualaid.models import (
    AidEnrollment,
    AidPeriod,
    AidProgramme,
    Claim,
    LedgerEntry,
    PayoutBatch,
)
from tests.conftest import fast_hashing


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build once; everything is rolled back after the module."""
    with django_db_blocker.unblock(), fast_hashing(), transaction.atomic():
        out = StringIO()
        call_command("demo", people=1500, no_training=True, upto="mutualaid", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def test_programmes_periods_and_claims_in_every_state(built):
    assert "Mutual aid: 3 programmes × 3 periods" in built, built
    assert sorted(AidProgramme.objects.values_list("name", flat=True)) == [
        "住院医疗互助", "女职工特殊疾病互助", "重大疾病互助"]  # fmt: skip
    assert AidPeriod.objects.count() == 9
    states = set(Claim.objects.values_list("state", flat=True))
    assert states == set(ClaimState.values)
    assert Claim.objects.count() >= 100
    assert PayoutBatch.objects.filter(state=BatchState.PAID).exists()
    assert PayoutBatch.objects.filter(state=BatchState.OPEN, exported_at__isnull=False).exists()


def test_female_programme_has_only_women_and_runs_are_consecutive(built):
    female = AidEnrollment.objects.filter(period__programme__name="女职工特殊疾病互助")
    assert female.exists() and not female.exclude(person__sex="F").exists()
    for e in AidEnrollment.objects.filter(consecutive_periods__gt=1)[:50]:
        previous = AidEnrollment.objects.get(
            person=e.person, period__programme=e.period.programme,
            period__number=e.period.number - 1)  # fmt: skip
        assert previous.consecutive_periods == e.consecutive_periods - 1


def test_the_ledger_holds_exactly_the_approved_and_paid_subsidies(built):
    decided = Claim.objects.filter(state__in=[ClaimState.APPROVED, ClaimState.PAID])
    ledger = LedgerEntry.objects.filter(bucket="subsidy")
    assert ledger.count() == decided.count()
    assert ledger.aggregate(s=Sum("amount"))["s"] == decided.aggregate(s=Sum("subsidy"))["s"]
    for row in ledger.values("person_id", "period_id").annotate(total=Sum("amount")):
        period = AidPeriod.objects.get(pk=row["period_id"])
        cap = period.rulebook.parsed().caps.per_period
        assert cap is None or row["total"] <= cap


def test_the_demo_worker_has_a_paid_and_a_returned_claim(built):
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.get(username="worker")
    claims = Claim.objects.filter(person_id=worker.person_id)
    assert {"paid", "returned"} <= set(claims.values_list("state", flat=True))
    returned = claims.get(state="returned")
    assert returned.missing == ["discharge"]
