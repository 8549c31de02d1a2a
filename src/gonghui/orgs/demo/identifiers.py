# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic but valid identifiers, unique within one generator.

- 公民身份号码 (GB 11643): a 嘉兴 (3304xx) division, the birth date, a three-digit order
  code whose last digit is odd for men and even for women, and the MOD 11-2 check.
- 统一社会信用代码 (GB 32100): 9 (市场监管) + 1 企业 / 2 个体工商户, the division
  330424, a nine-character 主体标识码 (an organisation code with its GB 11714 check
  digit) and the MOD 31 check character.
- Mobile numbers under real operator prefixes, none of them the demo accounts' numbers.
"""

import datetime as dt
import random

from gonghui.core.validators import CREDIT_CHARS, credit_check_char, id_check_char

COUNTY_DIVISION = "330424"  # 海盐县
#: 嘉兴市 divisions (GB/T 2260) with the share of people registered there.
ID_DIVISIONS: tuple[tuple[str, int], ...] = (
    ("330424", 70),  # 海盐县
    ("330402", 5),  # 南湖区
    ("330411", 4),  # 秀洲区
    ("330421", 4),  # 嘉善县
    ("330481", 6),  # 海宁市
    ("330482", 6),  # 平湖市
    ("330483", 5),  # 桐乡市
)
MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
    "182", "183", "187", "188", "178", "198", "130", "131", "132", "155", "156", "185",
    "186", "176", "166", "133", "153", "180", "181", "189", "177", "173", "199",
)  # fmt: skip
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
#: Characters a 主体标识码 body may use that are also valid in a credit code.
_BODY_CHARS = CREDIT_CHARS


def org_code_check(body8: str) -> str:
    """GB 11714 check digit of an 8-character organisation code."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


class Identifiers:
    """Hands out unique identifiers from one seeded random generator."""

    def __init__(self, rng: random.Random, *, reserved_mobiles: tuple[str, ...] = ()):
        self.rng = rng
        self._ids: set[str] = set()
        self._mobiles: set[str] = set(reserved_mobiles)
        self._credit: set[str] = set()
        self._div_pop = [d for d, _ in ID_DIVISIONS]
        self._div_w = [w for _, w in ID_DIVISIONS]

    def id_number(self, sex: str, birth: dt.date) -> str:
        rng = self.rng
        (division,) = rng.choices(self._div_pop, self._div_w)
        while True:
            order = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            body = f"{division}{birth:%Y%m%d}{order:03d}"
            number = body + id_check_char(body)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def mobile(self) -> str:
        rng = self.rng
        while True:
            number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if number not in self._mobiles:
                self._mobiles.add(number)
                return number

    def credit_code(self, *, individual: bool = False) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.65:
                # Codes issued since the 2015 reform: MA + area digit + five characters.
                org = "MA2" + "".join(rng.choice(_BODY_CHARS) for _ in range(5))
            else:
                org = str(rng.randrange(1, 8)) + f"{rng.randrange(10_000_000):07d}"
            first17 = ("92" if individual else "91") + COUNTY_DIVISION + org + org_code_check(org)
            code = first17 + credit_check_char(first17)
            if code not in self._credit:
                self._credit.add(code)
                return code
