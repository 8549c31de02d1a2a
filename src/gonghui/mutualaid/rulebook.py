# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rulebook schema: a programme's subsidy rules as versioned data, not code.

A rulebook version is JSON stored on ``Rulebook.rules``; ``parse_rules`` validates it
against the schema below (pydantic models, so ``Rules.model_json_schema()`` is the JSON
Schema) and returns typed, exact-``Decimal`` rules for ``domain/valuation.py``. Amounts are
strings of yuan with at most two decimals (fen); ratios are strings between 0 and 1.
"""

from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gonghui.core.errors import DomainError

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Ratio = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    """Counted cost above the deductible, up to ``up_to`` (cumulative), paid at ``ratio``."""

    up_to: Money | None = None
    ratio: Ratio


class LoyaltyTier(_Strict):
    """From ``min_periods`` consecutive periods joined: a higher ratio and/or an extra sum."""

    min_periods: Annotated[int, Field(ge=2, le=100)]
    ratio_bonus: Ratio = Decimal("0")
    extra_amount: Money = Decimal("0")


class Deductible(_Strict):
    amount: Money
    per: Literal["case", "period"] = "case"


class Caps(_Strict):
    per_case: Money | None = None
    per_period: Money | None = None
    per_year: Money | None = None


DocumentCode = Literal["invoice", "settlement", "discharge"]
#: What a category needs unless its rulebook says otherwise: 住院发票, 医保结算单, 出院小结.
ALL_DOCUMENTS: tuple[str, ...] = ("invoice", "settlement", "discharge")


class Category(_Strict):
    """A diagnosis category: valued by the bands, or a fixed lump sum (e.g. 重大疾病).
    ``documents``: the kinds of material a claim needs before it can be approved
    (at least one; all three unless the rulebook names fewer)."""

    label: Annotated[str, Field(min_length=1, max_length=30)]
    mode: Literal["bands", "lump_sum"] = "bands"
    lump_sum: Money | None = None
    cap_per_period: Money | None = None
    documents: Annotated[list[DocumentCode], Field(min_length=1, max_length=3)] = list(
        ALL_DOCUMENTS
    )

    @model_validator(mode="after")
    def _lump_sum_given(self):
        if self.mode == "lump_sum" and self.lump_sum is None:
            raise ValueError("lump_sum mode needs lump_sum")
        if len(set(self.documents)) != len(self.documents):
            raise ValueError("documents must not repeat")
        return self


class Rules(_Strict):
    schema_version: Literal[1] = 1
    cost_basis: Literal["policy_self_paid", "total_self_paid"]
    deductible: Deductible | None = None
    bands: Annotated[list[Band], Field(min_length=1, max_length=10)]
    loyalty: list[LoyaltyTier] = []
    caps: Caps = Caps()
    categories: Annotated[dict[str, Category], Field(min_length=1)]
    allow_mid_period_join: bool = False

    @model_validator(mode="after")
    def _bands_ascending(self):
        limits = [b.up_to for b in self.bands]
        if limits[-1] is not None:
            raise ValueError("the last band must be open (up_to null)")
        inner = limits[:-1]
        if any(x is None for x in inner) or inner != sorted(set(inner)):
            raise ValueError("band limits must be ascending and only the last open")
        tiers = [t.min_periods for t in self.loyalty]
        if tiers != sorted(set(tiers)):
            raise ValueError("loyalty tiers must have ascending min_periods")
        return self


COST_BASIS_LABELS = {
    "policy_self_paid": "政策范围内个人自付",
    "total_self_paid": "个人自付总额",
}


def parse_rules(data: dict) -> Rules:
    """Validate rulebook JSON; a bad rulebook raises ``DomainError`` naming the place."""
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "rules"
        raise DomainError(
            _("互助规则不符合规则格式：%(where)s（%(why)s）")
            % {"where": where, "why": first["msg"]},
            field="rules",
        ) from exc


def rules_json_schema() -> dict:
    return Rules.model_json_schema()
