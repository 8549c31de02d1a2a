"""Issue 12 item 10: the shared validators (names, dates, bank accounts)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.validators import (
    is_clean_name,
    normalize_bank_account,
    normalize_name,
    validate_bank_account,
    validate_membership_start,
    validate_past_date,
    validate_planned_date,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("张\u200b三", "张三"),  # zero-width space dropped
        ("\ufeff李四\u200d", "李四"),
        ("ＺＨＡＮＧ　Ｓａｎ", "ZHANG San"),  # full-width letters and space: NFKC
        ("  阿卜杜·热合曼 ", "阿卜杜·热合曼"),
    ],
)
def test_names_are_normalised(raw, clean):
    assert normalize_name(raw) == clean
    assert is_clean_name(clean) and not is_clean_name(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("张\x00三", "姓名不能包含控制字符或不可见字符"),
        ("张\n三", "姓名不能包含控制字符或不可见字符"),
        ("\u202e三张", "姓名不能包含文字方向控制字符"),
        ("张\u2066三", "姓名不能包含文字方向控制字符"),
        ("\u200b", "姓名不能为空"),
        ("张" * 51, "姓名过长（最多50字）"),
    ],
)
def test_bad_names_are_refused(raw, message):
    with pytest.raises(ValidationError) as exc:
        normalize_name(raw)
    assert exc.value.messages == [message]


def test_dates():
    today = dt.date.today()
    validate_past_date(today, label="出院日期")
    for value, message in (
        (dt.date(9999, 12, 31), "出院日期不能晚于今天"),
        (dt.date(1, 1, 1), "出院日期不能早于1900年"),
    ):
        with pytest.raises(ValidationError) as exc:
            validate_past_date(value, label="出院日期")
        assert exc.value.messages == [message]
    with pytest.raises(ValidationError) as exc:
        validate_membership_start(dt.date(1989, 12, 31), birth_date=dt.date(1990, 1, 1))
    assert exc.value.messages == ["入会日期不能早于出生日期"]
    validate_membership_start(dt.date(2010, 1, 1), birth_date=dt.date(1990, 1, 1))
    with pytest.raises(ValidationError) as exc:
        validate_planned_date(dt.date(1, 1, 1), label="计划完成日期")
    assert exc.value.messages == [f"计划完成日期应在2000年至{today.year + 20}年之间"]
    validate_planned_date(dt.date(2030, 12, 31), label="计划完成日期")


def test_bank_accounts():
    assert normalize_bank_account("６２２８ ４８００-１２３４ ５６７８") == "6228480012345678"
    validate_bank_account("６２２８４８００１２３４５６７８")
    for bad in ("62284800", "6228a80012345678", "٦٢٢٨٤٨٠٠١٢٣٤٥٦٧٨"):  # Arabic-Indic digits too
        with pytest.raises(ValidationError) as exc:
            validate_bank_account(bad)
        assert exc.value.messages == ["银行账号应为12至30位数字"]
