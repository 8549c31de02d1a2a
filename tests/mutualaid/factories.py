"""Factories of the mutual-aid tests: a programme with a rulebook, a period, enrolments."""

import datetime as dt
import itertools
from decimal import Decimal

from gonghui.core import crypto
from gonghui.mutualaid.models import (
    AidEnrollment,
    AidPeriod,
    AidProgramme,
    Claim,
    ClaimDocument,
    Rulebook,
)

_seq = itertools.count(1)

HOSPITAL_RULES = {
    "cost_basis": "policy_self_paid",
    "deductible": {"amount": "1000.00", "per": "case"},
    "bands": [{"up_to": "50000.00", "ratio": "0.5"}, {"up_to": None, "ratio": "0.6"}],
    "caps": {"per_case": None, "per_period": "40000.00", "per_year": None},
    "categories": {"hospital": {"label": "住院"}},
}


def programme(org_unit, *, rules=None, name=None, **kw) -> AidProgramme:
    p = AidProgramme.objects.create(
        org_unit=org_unit,
        name=name or f"住院医疗互助{next(_seq)}",
        contribution_per_share=Decimal("50.00"),
        payer=kw.pop("payer", "worker"),
        published=kw.pop("published", True),
        **kw,
    )
    Rulebook.objects.create(programme=p, version=1, rules=rules or HOSPITAL_RULES)
    return p


def period(prog: AidProgramme, *, number=1, year=2026, **kw) -> AidPeriod:
    defaults = dict(
        name=f"第{number}期",
        enrol_opens=dt.date(year - 1, 12, 1),
        enrol_closes=dt.date(year, 1, 31),
        coverage_starts=dt.date(year, 1, 1),
        coverage_ends=dt.date(year, 12, 31),
        claim_deadline=dt.date(year + 1, 3, 31),
        published=True,
    )
    defaults.update(kw)
    return AidPeriod.objects.create(
        programme=prog, number=number, rulebook=prog.rulebooks.order_by("-version")[0], **defaults
    )


def enrol(per: AidPeriod, membership, *, consecutive=1) -> AidEnrollment:
    return AidEnrollment.objects.create(
        period=per,
        person=membership.person,
        union=membership.union,
        contribution=per.programme.contribution_per_share,
        consecutive_periods=consecutive,
        joined_on=per.enrol_opens,
    )


def claim_row(enrollment: AidEnrollment, **kw) -> Claim:
    """A claim written directly (for ledger and query tests; the domain has its own)."""
    n = next(_seq)
    admitted = kw.pop("admission_date", dt.date(2026, 3, 1) + dt.timedelta(days=n % 200))
    values = dict(
        period=enrollment.period,
        enrollment=enrollment,
        person=enrollment.person,
        union=enrollment.union,
        client_token=f"t{n}",
        category="hospital",
        hospital="海盐县人民医院",
        admission_date=admitted,
        discharge_date=admitted + dt.timedelta(days=5),
        stay_digest=crypto.digest(f"stay:{n}"),
        total_cost=Decimal("10000.00"),
        insurance_paid=Decimal("6000.00"),
        policy_self_paid=Decimal("3000.00"),
        bank_name="中国工商银行",
        bank_account="6222021234567890123",
        account_holder=enrollment.person.name,
        medical_consent_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        bank_consent_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        consecutive_periods=enrollment.consecutive_periods,
    )
    values.update(kw)
    return Claim.objects.create(**values)


def document_rows(claim: Claim, kinds=("invoice", "settlement", "discharge")) -> None:
    """Document rows written directly (no file): enough for the approval's completeness check."""
    ClaimDocument.objects.bulk_create(
        ClaimDocument(claim=claim, kind=k, stored_name=f"{claim.pk:08d}{k}", original_name=k,
                      content_type="application/pdf", size=1, sha256="0" * 64)
        for k in kinds
    )  # fmt: skip
