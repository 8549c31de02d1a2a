import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.validators import (
    id_check_char,
    parse_id_number,
    validate_credit_code,
    validate_division_code,
    validate_mobile,
)


def test_id_number_published_example_is_valid():
    # GB 11643-1999 appendix example: 11010519491231002X (female, born 1949-12-31).
    info = parse_id_number("11010519491231002x")
    assert info.number == "11010519491231002X"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"
    assert info.division == "110105"


def test_id_check_char_worked_example():
    # Σ(a_i·W_i) for 11010519491231002 is 167; 167 mod 11 = 2 → "X".
    digits = "11010519491231002"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert sum(int(d) * w for d, w in zip(digits, weights, strict=True)) == 167
    assert id_check_char(digits) == "X"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "身份证号码校验位错误"),
        ("11010519491231002", "身份证号码应为18位，前17位为数字，末位为数字或X"),
        ("99010519491231002X", "身份证号码的地区码无效"),
        ("110105194913310027", "身份证号码中的出生日期无效"),
        ("", "证件号码不能为空"),
    ],
)
def test_bad_id_numbers_get_chinese_messages(value, message):
    with pytest.raises(ValidationError) as exc:
        parse_id_number(value)
    assert exc.value.messages == [message]


def test_credit_code_published_examples():
    # 91350100M000100Y43 is the worked example used with GB 32100-2015: the weighted sum
    # of the first 17 characters is 1640; 1640 mod 31 = 28; 31 - 28 = 3.
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91350100M000100Y4"
    total = sum(chars.index(c) * w for c, w in zip(body, weights, strict=True))
    assert total == 1640
    assert (31 - total % 31) % 31 == 3
    validate_credit_code("91350100M000100Y43")
    validate_credit_code("91110000100010433l")  # lower case is normalised


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91350100M000100Y44", "统一社会信用代码校验位错误"),
        ("9111000071093123", "统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成"),
        (
            "9111000071093123IJ",
            "统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成",
        ),
    ],
)
def test_bad_credit_codes(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert exc.value.messages == [message]


def test_mobile_numbers():
    validate_mobile("13812345678")
    validate_mobile("+86 138-1234-5678")
    for bad in ("12812345678", "1381234567", "abc"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_division_codes():
    validate_division_code("330424")
    for bad in ("990424", "33042", "330024"):
        with pytest.raises(ValidationError):
            validate_division_code(bad)
