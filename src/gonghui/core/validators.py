# SPDX-License-Identifier: AGPL-3.0-or-later
"""Validators for Chinese identifiers, with messages in Chinese.

- 公民身份号码 (GB 11643-1999): 17 digits + ISO 7064 MOD 11-2 check character;
  birth date and sex are encoded in it and are cross-checked by callers.
- 统一社会信用代码 (GB 32100-2015): 18 characters, check character MOD 31.
- 行政区划代码 (GB/T 2260): six digits under a real province-level prefix.
- 手机号码: mainland 11-digit mobile numbers.
- Names (people, account holders): NFKC-normalised, zero-width characters dropped,
  control and text-direction (bidi) characters refused.
- Dates people type: a membership start, a discharge or a due date within sane bounds
  (not after today where a past event is meant, not before 1900, not before birth).
- Bank accounts: NFKC first (full-width digits become digits), then 12–30 digits.

One set for the API, the console and portal forms and the imports: the domain functions
that all of them call use these (issue 12, item 10).
"""

import datetime as dt
import operator
import re
import time
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# GB/T 2260 province-level codes (first two digits).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_RE = re.compile(
    r"^[1-9ANY][1-9]\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
)  # 登记部门, 类别, 区划, 主体, 校验
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


ID_RE = re.compile(r"\d{17}[\dX]")


def id_check_char(first17: str) -> str:
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("an ID number's body has 17 digits")
    # map() keeps this in C: it runs once per row of a 100,000-row roster import.
    return ID_CHECK[sum(map(operator.mul, map(int, first17), ID_WEIGHTS)) % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    division: str


_TODAY: list = [0.0, dt.date.today()]


def _today() -> dt.date:
    """Today's date, re-read at most once a minute (it is checked for every imported row)."""
    now = time.monotonic()
    if now - _TODAY[0] > 60:
        _TODAY[:] = [now, dt.date.today()]
    return _TODAY[1]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def parse_id_number(value: str) -> IdInfo:
    """Validate a GB 11643 citizen ID number and return what it encodes."""
    number = normalize_id_number(value)
    if not number:
        raise ValidationError("证件号码不能为空", code="required")
    if not ID_RE.fullmatch(number):
        raise ValidationError("身份证号码应为18位，前17位为数字，末位为数字或X", code="format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号码的地区码无效", code="division")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", code="birth_date") from None
    if birth.year < 1900 or birth > _today():
        raise ValidationError("身份证号码中的出生日期无效", code="birth_date")
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位错误", code="check_digit")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex, division=number[:6])


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_credit_code(value: str) -> None:
    code = normalize_credit_code(value)
    if not code:
        raise ValidationError("统一社会信用代码不能为空", code="required")
    if not CREDIT_RE.match(code):
        raise ValidationError(
            "统一社会信用代码应为18位，由数字和大写字母（不含I、O、Z、S、V）组成",
            code="format",
        )
    if credit_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位错误", code="check_char")


_MOBILE_NOISE = re.compile(r"[\s-]")


def normalize_mobile(value: str) -> str:
    if value.__class__ is str and len(value) == 11 and value.isdigit():
        return value  # the common case, without the regex (roster imports call this a lot)
    v = _MOBILE_NOISE.sub("", str(value or ""))
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    return v


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError("手机号码应为以1开头的11位数字", code="mobile")


def validate_division_code(value: str) -> None:
    if not re.fullmatch(r"\d{6}", value or "") or value[:2] not in PROVINCE_CODES:
        raise ValidationError("行政区划代码应为6位数字且省级代码有效（GB/T 2260）", code="division")
    if value[2:4] == "00" and value[4:6] != "00":
        raise ValidationError("行政区划代码无效：县级代码不能挂在省级代码下", code="division")


# -- names -------------------------------------------------------------------------------
#: Invisible characters that copy-and-paste brings along: dropped.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad")
#: Text-direction controls (they can make a name display as something else): refused.
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")  # fmt: skip
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def is_clean_name(value: str) -> bool:
    """Fast test that ``normalize_name`` would return ``value`` unchanged (imports call it
    once per row before taking their fast path)."""
    return (
        value.isprintable()
        and unicodedata.is_normalized("NFKC", value)
        and (value == value.strip() and "  " not in value)
    )


def normalize_name(value: str, *, label: str = "姓名", max_length: int = 50) -> str:
    """A name as stored: NFKC (full-width letters and spaces become ordinary ones),
    zero-width characters removed, runs of spaces made one. Refuses control characters
    (NUL, line breaks inside), text-direction controls and other invisible characters."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = "".join(c for c in text if c not in ZERO_WIDTH)
    for c in text:
        if c in BIDI_CONTROLS:
            raise ValidationError(f"{label}不能包含文字方向控制字符", code="bidi")
        if unicodedata.category(c) in _REFUSED_CATEGORIES:
            raise ValidationError(f"{label}不能包含控制字符或不可见字符", code="control")
    text = " ".join(text.split())
    if not text:
        raise ValidationError(f"{label}不能为空", code="required")
    if len(text) > max_length:
        raise ValidationError(f"{label}过长（最多{max_length}字）", code="max_length")
    return text


# -- dates -------------------------------------------------------------------------------
EARLIEST_DATE = dt.date(1900, 1, 1)
#: Planned dates (a reform item's or milestone's due date) lie in this span.
EARLIEST_PLANNED = dt.date(2000, 1, 1)
PLANNED_YEARS_AHEAD = 20


def validate_past_date(value: dt.date, *, label: str) -> None:
    """A date of something that has happened: not after today, not before 1900."""
    if value > _today():
        raise ValidationError(f"{label}不能晚于今天", code="future")
    if value < EARLIEST_DATE:
        raise ValidationError(f"{label}不能早于1900年", code="too_early")


def validate_membership_start(joined_on: dt.date, *, birth_date: dt.date | None) -> None:
    """入会日期: a past date, and not before the person was born."""
    validate_past_date(joined_on, label="入会日期")
    if birth_date is not None and joined_on < birth_date:
        raise ValidationError("入会日期不能早于出生日期", code="before_birth")


def validate_planned_date(value: dt.date, *, label: str) -> None:
    """A due date: from 2000 to twenty years ahead."""
    latest = _today().replace(month=12, day=31, year=_today().year + PLANNED_YEARS_AHEAD)
    if not (EARLIEST_PLANNED <= value <= latest):
        raise ValidationError(
            f"{label}应在{EARLIEST_PLANNED.year}年至{latest.year}年之间", code="range"
        )


# -- bank accounts -----------------------------------------------------------------------
_ACCOUNT_NOISE = re.compile(r"[\s\-]")
_ACCOUNT_RE = re.compile(r"[0-9]{12,30}")


def normalize_bank_account(value: str) -> str:
    """NFKC (full-width digits become ASCII digits), spaces and hyphens removed."""
    return _ACCOUNT_NOISE.sub("", unicodedata.normalize("NFKC", str(value or "")))


def validate_bank_account(value: str) -> None:
    """12–30 ASCII digits once normalised (``str.isdigit`` would also take ``１２３``)."""
    if not _ACCOUNT_RE.fullmatch(normalize_bank_account(value)):
        raise ValidationError("银行账号应为12至30位数字", code="bank_account")
