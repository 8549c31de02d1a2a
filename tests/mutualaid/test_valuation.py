"""The rule engine against examples worked by hand in each test (amounts in yuan)."""

from decimal import Decimal as D

import pytest

from gonghui.core.errors import DomainError
from gonghui.mutualaid.domain.valuation import ClaimFigures, Usage, value_claim
from gonghui.mutualaid.rulebook import parse_rules, rules_json_schema


def rules(**overrides):
    data = {
        "cost_basis": "policy_self_paid",
        "deductible": {"amount": "1000.00", "per": "case"},
        "bands": [{"up_to": "50000.00", "ratio": "0.5"}, {"up_to": None, "ratio": "0.6"}],
        "categories": {
            "hospital": {"label": "住院"},
            "critical": {"label": "重大疾病", "mode": "lump_sum", "lump_sum": "10000.00",
                         "cap_per_period": "15000.00"},
        },
    }  # fmt: skip
    data.update(overrides)
    return parse_rules(data)


def figures(total, insurance, policy, *, category="hospital", periods=1):
    return ClaimFigures(category, D(total), D(insurance), D(policy), periods)


def rule_codes(v):
    return [s.rule for s in v.steps]


def test_policy_self_paid_with_case_deductible_and_two_bands():
    v = value_claim(rules(), figures("120000.00", "50000.00", "61000.00"))
    # counted = policy self-paid 61,000; minus deductible 1,000 = 60,000;
    # 50,000 × 50% = 25,000; (60,000 − 50,000) × 60% = 6,000; subsidy 31,000.
    assert v.counted_cost == D("61000.00")
    assert v.deductible == D("1000.00")
    assert [s.amount for s in v.steps] == [
        D("61000.00"), D("-1000.00"), D("25000.00"), D("6000.00"), D("31000.00")
    ]  # fmt: skip
    assert rule_codes(v) == ["counted_cost", "deductible", "band", "band", "subsidy"]
    assert [s.text for s in v.steps] == [
        "计入费用：政策范围内个人自付",
        "扣除起付线（每次住院 1,000.00 元）",
        "分段补助：0.00–50,000.00 元 部分 50,000.00 元 × 50%",
        "分段补助：50,000.00 元以上 部分 10,000.00 元 × 60%",
        "核定补助",
    ]
    assert v.subsidy == D("31000.00")
    assert v.cap_hit == ""
    # Self-paid 120,000 − 50,000 = 70,000: 70,000 / 120,000 = 0.5833 before;
    # (70,000 − 31,000) / 120,000 = 0.3250 after.
    assert (v.ratio_before, v.ratio_after) == (D("0.5833"), D("0.3250"))


def test_total_self_paid_basis():
    v = value_claim(rules(cost_basis="total_self_paid"), figures("120000", "50000", "61000"))
    # counted = 120,000 − 50,000 = 70,000; − 1,000 = 69,000;
    # 25,000 + 19,000 × 60% = 11,400 → 36,400.
    assert v.counted_cost == D("70000.00")
    assert v.subsidy == D("36400.00")


def test_deductible_per_period_takes_what_the_ledger_says_was_borne():
    r = rules(deductible={"amount": "2000.00", "per": "period"})
    v = value_claim(r, figures("8000", "5000", "3000"), Usage(period_deductible=D("1500.00")))
    # 2,000 − 1,500 already borne = 500 left; 3,000 − 500 = 2,500 × 50% = 1,250.
    assert v.deductible == D("500.00")
    assert v.subsidy == D("1250.00")
    # A first claim of the period bears the whole deductible.
    first = value_claim(r, figures("8000", "5000", "3000"))
    assert (first.deductible, first.subsidy) == (D("2000.00"), D("500.00"))


def test_deductible_larger_than_the_cost_leaves_nothing():
    v = value_claim(rules(), figures("1500", "900", "600"))
    assert (v.deductible, v.subsidy) == (D("600.00"), D("0.00"))
    assert v.ratio_after == v.ratio_before == D("0.4000")


def test_consecutive_periods_raise_the_ratio_but_never_above_100_percent():
    r = rules(
        bands=[{"up_to": "5000.00", "ratio": "0.95"}, {"up_to": None, "ratio": "0.6"}],
        loyalty=[{"min_periods": 5, "ratio_bonus": "0.1"}],
    )
    v = value_claim(r, figures("20000", "8000", "11000", periods=17))
    # 11,000 − 1,000 = 10,000: 5,000 × min(95% + 10%, 100%) = 5,000;
    # 5,000 × (60% + 10%) = 3,500; subsidy 8,500.
    assert [s.amount for s in v.steps if s.rule == "band"] == [D("5000.00"), D("3500.00")]
    assert v.subsidy == D("8500.00")
    # Four periods in a row is not yet five: 5,000 × 95% + 5,000 × 60% = 7,750.
    assert value_claim(r, figures("20000", "8000", "11000", periods=4)).subsidy == D("7750.00")


def test_consecutive_periods_extra_amount_from_the_highest_tier_reached():
    r = rules(loyalty=[{"min_periods": 3, "extra_amount": "300.00"},
                       {"min_periods": 10, "extra_amount": "800.00"}])  # fmt: skip
    # 5,000 − 1,000 = 4,000 × 50% = 2,000; 10 periods → + 800 = 2,800.
    v = value_claim(r, figures("9000", "3000", "5000", periods=10))
    assert v.subsidy == D("2800.00")
    assert rule_codes(v)[-2] == "loyalty_extra"
    assert value_claim(r, figures("9000", "3000", "5000", periods=3)).subsidy == D("2300.00")
    assert value_claim(r, figures("9000", "3000", "5000", periods=2)).subsidy == D("2000.00")


def test_subsidy_never_exceeds_what_the_member_bears():
    r = rules(deductible=None, bands=[{"up_to": None, "ratio": "1"}],
              loyalty=[{"min_periods": 2, "extra_amount": "500.00"}])  # fmt: skip
    # self-paid 1,000 − 800 = 200; 200 × 100% + 500 = 700 → cut to 200.
    v = value_claim(r, figures("1000", "800", "200", periods=2))
    assert v.subsidy == D("200.00")
    assert v.steps[-2].rule == "self_paid_limit" and v.steps[-2].amount == D("-500.00")
    assert v.ratio_after == D("0.0000")


def test_per_case_cap_bites():
    r = rules(caps={"per_case": "20000.00"})
    v = value_claim(r, figures("120000", "50000", "61000"))
    # 31,000 (first test) capped at 20,000 per case: 11,000 cut.
    assert v.subsidy == D("20000.00")
    assert v.cap_hit == "case_cap"
    assert (v.steps[-2].rule, v.steps[-2].amount, v.steps[-2].cap) == (
        "case_cap", D("-11000.00"), True
    )  # fmt: skip
    assert "20,000.00" in v.steps[-2].text


def test_period_cap_takes_what_the_ledger_left():
    r = rules(caps={"per_period": "40000.00"})
    v = value_claim(r, figures("30000", "9000", "21000"), Usage(period_subsidy=D("31000.00")))
    # 21,000 − 1,000 = 20,000 × 50% = 10,000; 40,000 − 31,000 used = 9,000 left.
    assert v.subsidy == D("9000.00")
    assert v.cap_hit == "period_cap"


def test_year_cap_across_periods():
    r = rules(caps={"per_year": "50000.00"})
    v = value_claim(r, figures("30000", "9000", "21000"), Usage(year_subsidy=D("45000.00")))
    assert v.subsidy == D("5000.00")
    assert v.cap_hit == "year_cap"


def test_the_first_cap_that_bites_is_reported_and_later_caps_still_apply():
    r = rules(caps={"per_case": "12000.00", "per_period": "20000.00"})
    v = value_claim(r, figures("60000", "20000", "40000"), Usage(period_subsidy=D("15000.00")))
    # 40,000 − 1,000 = 39,000 × 50% = 19,500 → per case 12,000 (7,500 cut)
    # → period: 20,000 − 15,000 used = 5,000 left (7,000 cut).
    assert v.subsidy == D("5000.00")
    assert v.cap_hit == "case_cap"
    assert [s.amount for s in v.steps if s.cap] == [D("-7500.00"), D("-7000.00")]
    assert [s.rule for s in v.steps if s.cap] == ["case_cap", "period_cap"]


def test_lump_sum_category_with_its_own_period_cap():
    v = value_claim(rules(), figures("80000", "40000", "30000", category="critical"))
    assert (v.subsidy, v.deductible) == (D("10000.00"), D("0.00"))
    assert rule_codes(v) == ["counted_cost", "lump_sum", "subsidy"]
    used = Usage(period_subsidy=D("10000.00"), category_subsidy={"critical": D("10000.00")})
    second = value_claim(rules(), figures("80000", "40000", "30000", category="critical"), used)
    # 15,000 category cap − 10,000 used = 5,000.
    assert second.subsidy == D("5000.00")
    assert second.cap_hit == "category_cap"
    # Use in another category does not count against this one.
    other = Usage(period_subsidy=D("10000.00"), category_subsidy={"hospital": D("10000.00")})
    assert value_claim(rules(), figures("80000", "40000", "30000", category="critical"),
                       other).subsidy == D("10000.00")  # fmt: skip


def test_each_band_is_rounded_to_the_fen_half_up():
    r = rules(deductible=None, bands=[{"up_to": "100.01", "ratio": "0.5"},
                                      {"up_to": None, "ratio": "0.333"}])  # fmt: skip
    v = value_claim(r, figures("2000.00", "765.43", "1234.57"))
    # 100.01 × 0.5 = 50.005 → 50.01; (1,234.57 − 100.01) × 0.333 = 377.80848 → 377.81.
    assert [s.amount for s in v.steps if s.rule == "band"] == [D("50.01"), D("377.81")]
    assert v.subsidy == D("427.82")
    assert isinstance(v.subsidy, D)


def test_unknown_category_is_refused():
    with pytest.raises(KeyError):
        value_claim(rules(), figures("1", "0", "1", category="dental"))


@pytest.mark.parametrize(
    "bad",
    [
        {"bands": []},
        {"bands": [{"up_to": "100.00", "ratio": "0.5"}]},
        {"bands": [{"up_to": None, "ratio": "1.5"}]},
        {"bands": [{"up_to": "100", "ratio": "0.5"}, {"up_to": "50", "ratio": "0.5"},
                   {"up_to": None, "ratio": "0.5"}]},
        {"cost_basis": "anything"},
        {"deductible": {"amount": "-1", "per": "case"}},
        {"deductible": {"amount": "1.001", "per": "case"}},
        {"caps": {"per_week": "1"}},
        {"categories": {}},
        {"categories": {"x": {"label": "x", "mode": "lump_sum"}}},
    ],
)  # fmt: skip
def test_bad_rulebooks_are_refused_with_a_chinese_message(bad):
    with pytest.raises(DomainError) as err:
        rules(**bad)
    assert err.value.message.startswith("互助规则不符合规则格式")


def test_the_schema_is_json_schema():
    schema = rules_json_schema()
    assert schema["type"] == "object"
    assert set(schema["required"]) == {"cost_basis", "bands", "categories"}
