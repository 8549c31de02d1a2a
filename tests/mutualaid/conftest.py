import datetime as dt

import pytest

from gonghui.mutualaid.domain.claims import ClaimInput

from .factories import enrol, period, programme

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def aid(county):
    """A published programme of the county (federation review required), period 1 of
    2026, and 张三 (member_a, union_a) enrolled; 李四 (member_b) is not."""
    prog = programme(county.county)
    per = period(prog)
    county.programme, county.period = prog, per
    county.enrollment = enrol(per, county.member_a)
    return county


def stay(**kw) -> ClaimInput:
    values = dict(
        category="hospital", hospital="海盐县人民医院", admission_date=dt.date(2026, 5, 3),
        discharge_date=dt.date(2026, 5, 10), total_cost="20000.00", insurance_paid="12000.00",
        policy_self_paid="7000.00", diagnosis="肺炎",
    )  # fmt: skip
    values.update(kw)
    return ClaimInput(**values)


def bank() -> dict:
    return dict(bank_name="中国农业银行", bank_account="6228480012345678901",
                account_holder="张三", medical_consent=True, bank_consent=True)  # fmt: skip
