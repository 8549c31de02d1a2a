#!/usr/bin/env python
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build ``common_passwords_zh.txt``: passwords Chinese users pick most, lower-cased.

No package on PyPI ships a Chinese common-password list (the registries offer English
lists only: Django's own CommonPasswordValidator list, zxcvbn's), so the list is generated
here from documented patterns and checked in; run this script to rebuild it.

Sources of the patterns:

- ``LEAK_TOP``: the head of the frequency tables of the 2011 CSDN leak (widely reproduced)
  and of the Chinese sites analysed in Li, Han and Xu, "A Large-Scale Empirical Analysis of
  Chinese Web Passwords" (USENIX Security 2014): digit runs, repeated digits, keyboard
  walks, ``woaini1314``, ``5201314``, pinyin plus digits.
- ``WORDS``: the letter parts those tables show most (pinyin phrases and surnames, English
  words), and this site's own names (``gonghui``…), each combined with the digit and symbol
  suffixes and prefixes the same studies found most common (``123``, ``1314``, ``520``,
  ``888``, years, ``!``).

The validator (``accounts/passwords.py``) also applies these patterns as rules (base word
plus digits, keyboard walks, repeated characters), so the list need not hold every
combination.
"""

from pathlib import Path

LEAK_TOP = """
123456789 12345678 11111111 dearbook 00000000 123123123 1234567890 88888888 111111111
147258369 987654321 aaaaaaaa 1111111111 66666666 a123456789 11223344 1qaz2wsx xiazhili
789456123 password 87654321 qqqqqqqq 000000000 qwertyuiop qq123456 iloveyou 31415926
12344321 0000000000 asdfghjkl 1q2w3e4r 123456abc 0123456789 123654789 12121212 qazwsxedc
abcd1234 12341234 110110110 asdasdasd 123456 22222222 123321123 abc123456 a12345678
123456123 a1234567 1234qwer qwertyui 123456789a woaini1314 5201314 5201314520 1314520
woaini520 520520520 7758521 77585210 woaini123 wodemima mima123456 admin123 admin888
zxcvbnm123 qweasdzxc 1qaz2wsx3edc 1q2w3e4r5t 147852369 159357456 741852963 aa123456
q1w2e3r4 zhang123 wang123456 li123456 a5201314 qq5201314 abc12345 123qwe123 123456qq
""".split()  # noqa: SIM905 - a table easier to read than a list literal

WORDS = """
gonghui gonghui2026 zggh zhgh gonghuiwang zhigong huiyuan union tradeunion admin
administrator root system test guest user password passwd mima wodemima woaini aini
iloveyou love qwerty qwer asdf zxcv abc abcd abcde abcdef qazwsx
zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo
zhangwei wangwei wangfang liwei lina zhangmin liujing
""".split()  # noqa: SIM905 - as above

SUFFIXES = [
    "", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
    "520", "1314", "5201314", "888", "8888", "666", "6666", "000", "111", "!", "@", "!@#",
    "123!", "123.", "@123", "#123", "_123", ".", "..", "!!",
]  # fmt: skip
YEARS = [str(y) for y in range(1950, 2031)]


def build() -> list[str]:
    out = set(LEAK_TOP)
    for word in WORDS:
        for suffix in SUFFIXES + YEARS + [y + "!" for y in YEARS]:
            out.add(word + suffix)
        for prefix in ("123", "1314", "520", "a", "q"):
            out.add(prefix + word)
    # Repeated digits and letters, and runs, 6 to 16 long.
    for n in range(6, 17):
        for c in "0123456789abcdefghijklmnopqrstuvwxyz":
            out.add(c * n)
        out.add(("1234567890" * 2)[:n])
        out.add(("9876543210" * 2)[:n])
        out.add(("abcdefghijklmnopqrstuvwxyz")[:n])
    return sorted(p for p in out if len(p) >= 6)


if __name__ == "__main__":
    target = Path(__file__).with_name("common_passwords_zh.txt")
    words = build()
    target.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} passwords written to {target}")
