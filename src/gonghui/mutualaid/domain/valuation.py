# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rule engine: what a claim is worth under its period's rulebook.

Pure and exact: ``value_claim(rules, figures, usage)`` takes the validated rules, the
claim's figures and what the member has already used this period and year (read from the
ledger by the caller, never recomputed from earlier claims) and returns the subsidy with
a step-by-step explanation. Every amount is a ``Decimal`` of yuan; every step's amount is
rounded to the fen (half up) as it is produced, so the steps add up to the result as shown.

Order of the rules:
  1. counted cost: policy self-paid after basic insurance, or total self-paid;
  2. a lump-sum category pays its fixed sum; otherwise
  3. the deductible (起付线) per case, or per period (what earlier claims already bore is
     taken from the ledger);
  4. ratio bands over the rest, each band's ratio raised by the loyalty bonus (≤ 100%);
  5. the loyalty extra amount;
  6. never more than the member still bears (bands mode);
  7. caps: per case, per category per period, per period, per year — each takes what is
     left of it after the ledger's earlier use; the first one that bites is reported.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..rulebook import Rules

FEN = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")


#: Step texts (msgids), translated once per valuation run by ``step_texts``.
TEXTS = {
    "counted": gettext_noop("计入费用：%(basis)s"),
    "lump_sum": gettext_noop("%(label)s定额补助"),
    "deductible_case": gettext_noop("扣除起付线（每次住院 %(amount)s 元）"),
    "deductible_period": gettext_noop("扣除起付线（每期 %(amount)s 元，本期已承担 %(used)s 元）"),
    "band_open": gettext_noop("%(lower)s 元以上"),
    "band_span": gettext_noop("%(lower)s–%(upper)s 元"),
    "band": gettext_noop("分段补助：%(span)s 部分 %(base)s 元 × %(rate)s%%"),
    "band_bonus": gettext_noop("（含连续参互加 %(bonus)s%%）"),
    "loyalty_extra": gettext_noop("连续参互满 %(n)s 期加发"),
    "self_paid_limit": gettext_noop("补助不超过个人实际负担"),
    "case_cap": gettext_noop("每次住院封顶 %(cap)s 元"),
    "category_cap": gettext_noop("%(label)s每期封顶 %(cap)s 元，本期已用 %(used)s 元"),
    "period_cap": gettext_noop("每期封顶 %(cap)s 元，本期已用 %(used)s 元"),
    "year_cap": gettext_noop("年度封顶 %(cap)s 元，本年已用 %(used)s 元"),
    "subsidy": gettext_noop("核定补助"),
    "policy_self_paid": gettext_noop("政策范围内个人自付"),
    "total_self_paid": gettext_noop("个人自付总额"),
}


def step_texts() -> dict[str, str]:
    """The step texts in the active language (batch callers compute them once)."""
    return {key: _(msgid) for key, msgid in TEXTS.items()}


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return Decimal("0.0000")
    return (part / whole).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ClaimFigures:
    category: str
    total_cost: Decimal
    insurance_paid: Decimal
    policy_self_paid: Decimal
    consecutive_periods: int = 1

    @property
    def self_paid(self) -> Decimal:
        """What the member bears after basic insurance (before the subsidy)."""
        return self.total_cost - self.insurance_paid


@dataclass
class Usage:
    """What the member has already used, from the ledger."""

    period_subsidy: Decimal = ZERO
    year_subsidy: Decimal = ZERO
    period_deductible: Decimal = ZERO
    category_subsidy: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    rule: str
    text: str
    amount: Decimal
    cap: bool = False

    def as_json(self) -> dict:
        return {"rule": self.rule, "text": self.text, "amount": str(self.amount), "cap": self.cap}


@dataclass(frozen=True)
class Valuation:
    subsidy: Decimal
    counted_cost: Decimal
    deductible: Decimal
    steps: tuple[Step, ...]
    cap_hit: str
    self_paid: Decimal
    ratio_before: Decimal
    ratio_after: Decimal
    category: str
    year: int | None = None

    def explanation(self) -> list[dict]:
        return [s.as_json() for s in self.steps]


def _pct(value: Decimal) -> str:
    """``0.55`` → ``55``, ``0.333`` → ``33.3``."""
    return f"{(value * 100).normalize():f}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def value_claim(
    rules: Rules,
    figures: ClaimFigures,
    usage: Usage | None = None,
    *,
    texts: dict[str, str] | None = None,
) -> Valuation:
    usage = usage or Usage()
    tx = texts or step_texts()
    category = rules.categories.get(figures.category)
    if category is None:
        raise KeyError(figures.category)
    steps: list[Step] = []
    self_paid = fen(figures.self_paid)
    policy = rules.cost_basis == "policy_self_paid"
    counted = fen(figures.policy_self_paid) if policy else self_paid
    steps.append(Step("counted_cost", tx["counted"] % {
        "basis": tx[rules.cost_basis]}, counted))  # fmt: skip

    tier = None
    for t in rules.loyalty:
        if figures.consecutive_periods >= t.min_periods:
            tier = t
    deductible = ZERO
    if category.mode == "lump_sum":
        amount = fen(category.lump_sum)
        steps.append(Step("lump_sum", tx["lump_sum"] % {"label": category.label}, amount))
    else:
        base = counted
        if rules.deductible is not None:
            if rules.deductible.per == "case":
                left = rules.deductible.amount
                text = tx["deductible_case"] % {
                    "amount": _money(rules.deductible.amount)}  # fmt: skip
            else:
                left = max(rules.deductible.amount - usage.period_deductible, ZERO)
                text = tx["deductible_period"] % {
                    "amount": _money(rules.deductible.amount),
                    "used": _money(usage.period_deductible)}  # fmt: skip
            deductible = fen(min(base, left))
            base = base - deductible
            steps.append(Step("deductible", text, -deductible))
        bonus = tier.ratio_bonus if tier else Decimal("0")
        amount = ZERO
        lower = ZERO
        for band in rules.bands:
            if base <= lower:
                break
            upper = base if band.up_to is None else min(base, band.up_to)
            rate = min(band.ratio + bonus, Decimal("1"))
            part = fen((upper - lower) * rate)
            amount += part
            span = (
                tx["band_open"] % {"lower": _money(lower)}
                if band.up_to is None
                else tx["band_span"] % {"lower": _money(lower),
                                                    "upper": _money(band.up_to)}
            )  # fmt: skip
            text = tx["band"] % {
                "span": span, "base": _money(upper - lower), "rate": _pct(rate)}  # fmt: skip
            if bonus:
                text += tx["band_bonus"] % {"bonus": _pct(bonus)}
            steps.append(Step("band", text, part))
            lower = upper
    if tier is not None and tier.extra_amount:
        extra = fen(tier.extra_amount)
        amount += extra
        steps.append(Step("loyalty_extra", tx["loyalty_extra"] % {
            "n": tier.min_periods}, extra))  # fmt: skip

    if category.mode != "lump_sum" and amount > self_paid:
        cut = amount - self_paid
        amount = self_paid
        steps.append(Step("self_paid_limit", tx["self_paid_limit"], -cut, cap=True))

    cap_hit = ""
    caps = [
        ("case_cap", rules.caps.per_case, ZERO, tx["case_cap"]),
        ("category_cap", category.cap_per_period,
         usage.category_subsidy.get(figures.category, ZERO),
         tx["category_cap"]),
        ("period_cap", rules.caps.per_period, usage.period_subsidy,
         tx["period_cap"]),
        ("year_cap", rules.caps.per_year, usage.year_subsidy,
         tx["year_cap"]),
    ]  # fmt: skip
    for code, cap, used, template in caps:
        if cap is None:
            continue
        left = max(cap - used, ZERO)
        if amount > left:
            cut = amount - left
            amount = left
            text = template % {"cap": _money(cap), "used": _money(used), "label": category.label}
            steps.append(Step(code, text, -cut, cap=True))
            cap_hit = cap_hit or code
    amount = fen(amount)
    steps.append(Step("subsidy", tx["subsidy"], amount))
    total = fen(figures.total_cost)
    return Valuation(
        subsidy=amount,
        counted_cost=counted,
        deductible=deductible,
        steps=tuple(steps),
        cap_hit=cap_hit,
        self_paid=self_paid,
        ratio_before=ratio(self_paid, total),
        ratio_after=ratio(max(self_paid - amount, ZERO), total),
        category=figures.category,
    )
