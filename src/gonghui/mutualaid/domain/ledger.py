# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ledger: what approved claims consumed, read back as ``Usage`` for the caps.

Period and category caps, the per-period deductible and the year cap read sums of ledger
rows; nothing here looks at earlier claims' figures, so a rulebook or a correction of an
old claim can never silently change what a later claim was allowed.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from ..enums import LedgerBucket
from ..models import AidPeriod, Claim, LedgerEntry
from .valuation import ZERO, Usage, Valuation


def usage_for(*, person_id: int, period: AidPeriod, year: int) -> Usage:
    """The member's use so far: this period (by bucket and category) and this year."""
    usage = Usage()
    rows = (
        LedgerEntry.objects.filter(person_id=person_id, period=period)
        .values("bucket", "category")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        total = row["total"] or ZERO
        if row["bucket"] == LedgerBucket.DEDUCTIBLE:
            usage.period_deductible += total
        else:
            usage.period_subsidy += total
            usage.category_subsidy[row["category"]] = (
                usage.category_subsidy.get(row["category"], ZERO) + total
            )
    year_total = LedgerEntry.objects.filter(
        person_id=person_id,
        programme_id=period.programme_id,
        year=year,
        bucket=LedgerBucket.SUBSIDY,
    ).aggregate(total=Sum("amount"))["total"]
    usage.year_subsidy = year_total or ZERO
    return usage


def ledger_year(claim: Claim) -> int:
    """A claim counts against the year of its admission."""
    return claim.admission_date.year


def entries_for(claim: Claim, valuation: Valuation) -> list[LedgerEntry]:
    """Unsaved ledger rows for an approved valuation (bulk-insertable)."""
    common = {
        "person_id": claim.person_id,
        "programme_id": claim.period.programme_id,
        "period_id": claim.period_id,
        "claim": claim,
        "category": valuation.category,
        "year": ledger_year(claim),
    }
    rows = [LedgerEntry(bucket=LedgerBucket.SUBSIDY, amount=valuation.subsidy, **common)]
    if valuation.deductible:
        rows.append(
            LedgerEntry(bucket=LedgerBucket.DEDUCTIBLE, amount=valuation.deductible, **common)
        )
    return rows


def apply_to_usage(usage: Usage, valuation: Valuation) -> None:
    """Advance an in-memory ``Usage`` by a valuation, as its ledger rows would."""
    usage.period_subsidy += valuation.subsidy
    usage.year_subsidy += valuation.subsidy
    usage.period_deductible += valuation.deductible
    usage.category_subsidy[valuation.category] = (
        usage.category_subsidy.get(valuation.category, ZERO) + valuation.subsidy
    )


def total(entries: Iterable[LedgerEntry]) -> Decimal:
    return sum((e.amount for e in entries), ZERO)


def usages_for_period(period: AidPeriod, *, year: int) -> dict[int, Usage]:
    """Every member's use in one period and year, in two grouped queries (batch valuation)."""
    usages: dict[int, Usage] = {}
    rows = (
        LedgerEntry.objects.filter(period=period)
        .values("person_id", "bucket", "category")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        usage = usages.setdefault(row["person_id"], Usage())
        if row["bucket"] == LedgerBucket.DEDUCTIBLE:
            usage.period_deductible += row["total"]
        else:
            usage.period_subsidy += row["total"]
            usage.category_subsidy[row["category"]] = (
                usage.category_subsidy.get(row["category"], ZERO) + row["total"]
            )
    years = (
        LedgerEntry.objects.filter(
            programme_id=period.programme_id, year=year, bucket=LedgerBucket.SUBSIDY
        )
        .values("person_id")
        .annotate(total=Sum("amount"))
    )
    for row in years:
        usages.setdefault(row["person_id"], Usage()).year_subsidy = row["total"]
    return usages
