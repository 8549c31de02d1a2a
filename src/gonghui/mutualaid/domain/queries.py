# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads shared by pages and API: claim progress, a member's history, statistics."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ..enums import ClaimState, DocumentKind
from ..models import AidEnrollment, AidPeriod, Claim


@dataclass(frozen=True)
class Progress:
    step: int  # 1-based, the step the claim is at
    total: int
    labels: tuple[str, ...]
    current: str
    missing: tuple[str, ...]
    ended: bool  # rejected

    @property
    def text(self) -> str:
        return _("第 %(x)s 步，共 %(n)s 步：%(label)s") % {
            "x": self.step, "n": self.total, "label": self.current}  # fmt: skip


def claim_progress(claim: Claim) -> Progress:
    federation = claim.period.programme.requires_federation_review
    labels = [_("提交申请"), _("工会审核")]
    if federation:
        labels.append(_("总工会复核"))
    labels += [_("审核通过待支付"), _("已支付")]
    n = len(labels)
    state = claim.state
    step = {
        ClaimState.SUBMITTED: 2,
        ClaimState.RETURNED: 2,
        ClaimState.FEDERATION_REVIEW: 3,
        ClaimState.APPROVED: n - 1,
        ClaimState.PAID: n,
        ClaimState.REJECTED: 2,
    }[state]
    current = labels[step - 1]
    if state == ClaimState.RETURNED:
        current = _("退回补充材料")
    elif state == ClaimState.REJECTED:
        current = _("不予补助")
    missing = tuple(DocumentKind(k).label for k in claim.missing)
    return Progress(step, n, tuple(labels), current, missing, state == ClaimState.REJECTED)


def member_history(person_id: int) -> QuerySet:
    """Every enrolment of the member, newest first, with its consecutive-period count."""
    return (
        AidEnrollment.objects.filter(person_id=person_id)
        .select_related("period__programme", "union")
        .order_by("-period__coverage_starts", "period__programme__name")
    )


def open_periods_for(person_id: int, today) -> QuerySet:
    """Periods the member is enrolled in that still accept claims."""
    return AidPeriod.objects.filter(
        enrollments__person_id=person_id, claim_deadline__gte=today
    ).select_related("programme")


DECIDED = (ClaimState.APPROVED, ClaimState.PAID)


def statistics(claims: QuerySet, enrollments: QuerySet, by: str) -> list[dict]:
    """Participation, claims, amounts and self-pay ratios grouped by ``by``
    (``programme``, ``period`` or ``union``)."""
    keys = {
        "programme": ("period__programme_id", "period__programme__name"),
        "period": ("period_id", "period__name"),
        "union": ("union_id", "union__name"),
    }[by]
    rows: dict = {}
    for row in enrollments.values(*keys).annotate(n=Count("id")):
        rows[row[keys[0]]] = {"key": row[keys[0]], "label": row[keys[1]], "enrolled": row["n"]}
    agg = claims.values(*keys).annotate(
        claims=Count("id"),
        decided=Count("id", filter=Q(state__in=DECIDED)),
        paid=Count("id", filter=Q(state=ClaimState.PAID)),
        paid_total=Sum("subsidy", filter=Q(state=ClaimState.PAID)),
        approved_total=Sum("subsidy", filter=Q(state__in=DECIDED)),
        avg_subsidy=Avg("subsidy", filter=Q(state__in=DECIDED)),
        ratio_before=Avg("ratio_before", filter=Q(state__in=DECIDED)),
        ratio_after=Avg("ratio_after", filter=Q(state__in=DECIDED)),
    )
    for row in agg:
        out = rows.setdefault(
            row[keys[0]], {"key": row[keys[0]], "label": row[keys[1]], "enrolled": 0}
        )
        out.update(
            claims=row["claims"], decided=row["decided"], paid=row["paid"],
            paid_total=_fen(row["paid_total"] or 0),
            approved_total=_fen(row["approved_total"] or 0),
            avg_subsidy=_fen(row["avg_subsidy"]), ratio_before=_ratio(row["ratio_before"]),
            ratio_after=_ratio(row["ratio_after"]),
        )  # fmt: skip
    empty = {"claims": 0, "decided": 0, "paid": 0, "paid_total": Decimal("0.00"),
             "approved_total": Decimal("0.00"), "avg_subsidy": None, "ratio_before": None,
             "ratio_after": None}  # fmt: skip
    return [{**empty, **r} for r in sorted(rows.values(), key=lambda r: str(r["label"]))]


def _fen(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _ratio(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))
