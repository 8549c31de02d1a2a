"""Caps read earlier use from the ledger, never from the earlier claims themselves."""

import datetime as dt
from decimal import Decimal as D

from gonghui.mutualaid.domain.ledger import entries_for, usage_for
from gonghui.mutualaid.domain.valuation import ClaimFigures, value_claim
from gonghui.mutualaid.enums import LedgerBucket
from gonghui.mutualaid.models import LedgerEntry

from .factories import claim_row, enrol, period, programme


def _value_and_post(claim):
    rules = claim.period.rulebook.parsed()
    usage = usage_for(person_id=claim.person_id, period=claim.period, year=2026)
    figures = ClaimFigures(claim.category, claim.total_cost, claim.insurance_paid,
                           claim.policy_self_paid, claim.consecutive_periods)  # fmt: skip
    v = value_claim(rules, figures, usage)
    LedgerEntry.objects.bulk_create(entries_for(claim, v))
    return v


def test_second_claim_hits_the_period_cap_through_the_ledger(county):
    per = period(programme(county.county))  # deductible 1,000/case, 50%/60%, 40,000/period
    enrolment = enrol(per, county.member_a)
    first = claim_row(enrolment, total_cost=D("120000"), insurance_paid=D("50000"),
                      policy_self_paid=D("61000"))  # fmt: skip
    v1 = _value_and_post(first)
    # 61,000 − 1,000 = 60,000: 25,000 + 6,000 = 31,000.
    assert v1.subsidy == D("31000.00")
    second = claim_row(enrolment, total_cost=D("30000"), insurance_paid=D("9000"),
                       policy_self_paid=D("21000"))  # fmt: skip
    v2 = _value_and_post(second)
    # 21,000 − 1,000 = 20,000 × 50% = 10,000, but 40,000 − 31,000 = 9,000 is left.
    assert v2.subsidy == D("9000.00")
    assert v2.cap_hit == "period_cap"
    # The ledger now holds both claims and the period is used up.
    usage = usage_for(person_id=enrolment.person_id, period=per, year=2026)
    assert usage.period_subsidy == D("40000.00")
    assert usage.period_deductible == D("2000.00")
    assert usage.category_subsidy == {"hospital": D("40000.00")}
    assert list(LedgerEntry.objects.filter(claim=second).values_list("bucket", "amount")) == [
        (LedgerBucket.SUBSIDY, D("9000.00")), (LedgerBucket.DEDUCTIBLE, D("1000.00"))
    ]  # fmt: skip


def test_the_ledger_not_the_claims_is_what_counts(county):
    """Changing an earlier claim's figures afterwards does not change what was used."""
    per = period(programme(county.county))
    enrolment = enrol(per, county.member_a)
    first = claim_row(enrolment, policy_self_paid=D("5000"), total_cost=D("9000"))
    _value_and_post(first)  # (5,000 − 1,000) × 50% = 2,000
    first.policy_self_paid = D("0")
    first.save(update_fields=["policy_self_paid"])
    assert usage_for(person_id=enrolment.person_id, period=per, year=2026).period_subsidy == D(
        "2000.00"
    )


def test_year_use_spans_periods_of_the_same_programme_only(county):
    prog = programme(county.county)
    p1 = period(prog, number=1, coverage_ends=dt.date(2026, 6, 30))
    p2 = period(prog, number=2, coverage_starts=dt.date(2026, 7, 1))
    other = period(programme(county.county), number=1)
    for per in (p1, p2, other):
        _value_and_post(claim_row(enrol(per, county.member_a)))  # 2,000 × 50% = 1,000 each
    usage = usage_for(person_id=county.member_a.person_id, period=p2, year=2026)
    assert usage.period_subsidy == D("1000.00")
    assert usage.year_subsidy == D("2000.00")
    assert usage_for(person_id=county.member_a.person_id, period=p2, year=2025).year_subsidy == 0
    assert usage_for(person_id=county.member_b.person_id, period=p2, year=2026).year_subsidy == 0
