# SPDX-License-Identifier: AGPL-3.0-or-later
"""Password strength (等保 password policy): a Chinese common-password list and the
patterns behind it, on top of Django's length, similarity and English-list validators.

``ChineseCommonPasswordValidator`` refuses, case-insensitively:

- a password on ``data/common_passwords_zh.txt`` (see ``data/build_common_passwords.py``
  for where it comes from), also once trailing punctuation is stripped;
- one word from that file's base words or this site's names followed or preceded by
  digits and symbols only (``gonghui123``, ``Gonghui2026!``, ``woaini1314``);
- keyboard walks, alphabetic or numeric runs and repeated characters — a password most of
  whose steps go to the same, the next or a neighbouring key (``1111111111a``,
  ``1qaz2wsx3edc``, ``abcd1234ef``) or made of three characters or fewer.
"""

import functools
import itertools
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .data.build_common_passwords import WORDS

LIST_FILE = Path(__file__).resolve().parent / "data" / "common_passwords_zh.txt"
#: Words that, with digits or symbols around them, make a guessable password.
BASE_WORDS = frozenset(WORDS) | {"gonghui", "ghui", "zgh", "haiyan", "zhejiang"}
#: Share of steps between neighbouring keys (or equal, or the next letter or digit) from
#: which a password counts as a walk.
WALK_SHARE = 0.75
_KEY_ROWS = ("1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")
_ONE_WORD = re.compile(r"[^a-z]*([a-z]+)[^a-z]*")
_TRAILING = "!@#$%^&*()_+-=.,?~`'\" "


@functools.cache
def common_passwords() -> frozenset[str]:
    return frozenset(LIST_FILE.read_text(encoding="utf-8").split())


@functools.cache
def _neighbours() -> dict[str, frozenset[str]]:
    """Keys next to each key on a staggered QWERTY keyboard: same row ±1, the row above at
    the same and the next index, the row below at the same and the previous one."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(_KEY_ROWS):
        for i, key in enumerate(row):
            spots = [(r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i), (r + 1, i - 1)]
            near[key] = {
                _KEY_ROWS[rr][ii]
                for rr, ii in spots
                if 0 <= rr < len(_KEY_ROWS) and 0 <= ii < len(_KEY_ROWS[rr])
            }
    return {k: frozenset(v) for k, v in near.items()}


def _easy_step(a: str, b: str) -> bool:
    return a == b or abs(ord(a) - ord(b)) == 1 or b in _neighbours().get(a, ())


def is_walk(password: str) -> bool:
    low = password.lower()
    if len(set(low)) <= 3:
        return True
    steps = sum(_easy_step(a, b) for a, b in itertools.pairwise(low))
    return steps >= WALK_SHARE * (len(low) - 1)


def weakness(password: str) -> str:
    """Why ``password`` is guessable (a Chinese message), or "" if it is not."""
    low = password.lower()
    listed = common_passwords()
    if low in listed or low.rstrip(_TRAILING) in listed:
        return gettext("该密码过于常见，容易被猜中")
    match = _ONE_WORD.fullmatch(low)
    if match and match.group(1) in BASE_WORDS:
        return gettext("密码不能是常见单词、拼音或网站名称加数字")
    if is_walk(low):
        return gettext("密码不能是键盘上连续的按键、顺序或重复的字符")
    return ""


class ChineseCommonPasswordValidator:
    def validate(self, password, user=None):
        message = weakness(password or "")
        if message:
            raise ValidationError(message, code="password_common_zh")

    def get_help_text(self):
        return gettext("密码不能是常见密码、网站名称加数字、键盘连续按键或重复字符。")
