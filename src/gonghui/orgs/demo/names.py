# SPDX-License-Identifier: AGPL-3.0-or-later
"""Chinese personal names for synthetic people.

Surnames are weighted roughly by national frequency, with the surnames common in
northern Zhejiang (沈, 陆, 钱, 顾, 金, 俞…) nudged up. Given names are one or two
characters, drawn from pools that differ by sex and, for people born from 1995 on,
by generation (子轩, 欣怡…).
"""

import itertools
import random

# (surname, weight) — weights are approximate per-10,000 shares.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 710), ("李", 700), ("张", 660), ("刘", 540), ("陈", 460), ("杨", 310),
    ("赵", 230), ("黄", 230), ("周", 210), ("吴", 200), ("徐", 200), ("孙", 150),
    ("胡", 130), ("朱", 150), ("高", 120), ("林", 120), ("何", 120), ("郭", 110),
    ("马", 110), ("罗", 90), ("梁", 80), ("宋", 70), ("郑", 70), ("谢", 70),
    ("韩", 60), ("唐", 60), ("冯", 60), ("于", 60), ("董", 50), ("萧", 20),
    ("程", 50), ("曹", 50), ("袁", 50), ("邓", 50), ("许", 50), ("傅", 40),
    ("沈", 120), ("曾", 40), ("彭", 40), ("吕", 40), ("苏", 40), ("卢", 40),
    ("蒋", 50), ("蔡", 40), ("贾", 30), ("丁", 30), ("魏", 30), ("薛", 30),
    ("叶", 50), ("阎", 20), ("余", 30), ("潘", 30), ("杜", 30), ("戴", 30),
    ("夏", 30), ("钟", 30), ("汪", 30), ("田", 30), ("任", 30), ("姜", 30),
    ("范", 30), ("方", 30), ("石", 30), ("姚", 40), ("谭", 20), ("廖", 20),
    ("邹", 20), ("熊", 20), ("金", 60), ("陆", 70), ("郝", 20), ("孔", 20),
    ("白", 20), ("崔", 20), ("康", 20), ("毛", 20), ("邱", 20), ("秦", 20),
    ("江", 20), ("史", 20), ("顾", 50), ("侯", 20), ("邵", 20), ("孟", 20),
    ("龙", 20), ("万", 20), ("段", 20), ("钱", 50), ("汤", 20), ("尹", 20),
    ("黎", 20), ("易", 10), ("常", 10), ("武", 10), ("乔", 10), ("贺", 10),
    ("赖", 10), ("龚", 10), ("文", 10), ("俞", 30), ("褚", 10), ("屠", 10),
    ("费", 10), ("倪", 20), ("严", 20),
)  # fmt: skip

_SURNAME_POP = [s for s, _ in SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(w for _, w in SURNAMES))

MALE_SINGLE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳峰建成亮松"
FEMALE_SINGLE = "芳娜敏静丽艳娟霞燕玲丹萍红婷雪慧琳颖倩洁琴云莉兰梅英佳怡欣悦雯"
MALE_FIRST = "建国志文明永海晓俊浩家天立金振春德新卫宏小伟红"
MALE_SECOND = "军华平强明东林峰斌杰勇涛辉刚波龙飞鹏伟忠良生荣兵"
FEMALE_FIRST = "秀桂玉丽美春晓雪海红彩凤小金慧静婷佳亚"
FEMALE_SECOND = "英兰华芳珍萍娟琴霞红梅燕玲丽娜芬艳"
MODERN_MALE = (
    "子轩", "浩然", "宇航", "俊杰", "梓豪", "浩宇", "子豪", "宇轩", "博文", "皓轩",
    "明轩", "一鸣", "思远", "嘉豪", "文博", "天佑", "俊熙", "泽宇", "铭泽", "晨阳",
)  # fmt: skip
MODERN_FEMALE = (
    "欣怡", "梓涵", "诗涵", "子涵", "雨欣", "可馨", "佳怡", "思琪", "雨涵", "紫涵",
    "一诺", "梦琪", "语嫣", "欣妍", "心怡", "佳琪", "雨桐", "诗琪", "思彤", "若曦",
)  # fmt: skip


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_POP, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    male = sex == "M"
    modern = birth_year >= 1995
    roll = rng.random()
    if roll < (0.10 if modern else 0.22):
        return rng.choice(MALE_SINGLE if male else FEMALE_SINGLE)
    if modern and roll < 0.55:
        return rng.choice(MODERN_MALE if male else MODERN_FEMALE)
    if male:
        return rng.choice(MALE_FIRST) + rng.choice(MALE_SECOND)
    return rng.choice(FEMALE_FIRST) + rng.choice(FEMALE_SECOND)


def full_name(rng: random.Random, sex: str, birth_year: int) -> str:
    return surname(rng) + given_name(rng, sex, birth_year)
