"""Roster import, row parsing: the fast path for well-formed rows gives exactly what the
general parser gives, and leaves every row it is unsure of to it."""

import datetime as dt
import random

from gonghui.core.validators import id_check_char
from gonghui.orgs.domain import roster

from ..factories import make_id_number

HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会籍变化类型", "会籍变化日期",
    "会籍变化原因", "会员证号", "入会日期",
]  # fmt: skip
COLUMNS = {roster.ALL_COLUMNS[h]: i for i, h in enumerate(HEADERS)}


def good_row(rng: random.Random) -> dict:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    sex = rng.choice("MF")
    return {
        "所属工会": "某基层工会",
        "姓名": rng.choice(["王伟", " 李娜 ", "欧阳小明"]),
        "性别": {"M": "男", "F": "女"}[sex],
        "出生日期": f"{birth:%Y-%m-%d}",
        "民族": "汉族",
        "证件类型": "居民身份证",
        "证件号码": make_id_number(birth, sex, seq=rng.randrange(500)),
        "学历": "本科",
        "技能等级": "高级工",
        "移动电话": f"139{rng.randrange(10**8):08d}",
        "户籍类型": "农村",
        "政治面貌": "中共党员",
        "工作单位": "某公司",
        "是否农民工": "是",
        "会籍变化类型": "入会",
        "会籍变化日期": "2024-01-05",
        "会籍变化原因": "",
        "会员证号": "",
        "入会日期": "",
    }


#: Cell values to try in each column: good, odd but valid, and wrong.
VARIANTS = {
    "姓名": ["", "   ", "张" * 51, "张" * 50, 123, None],
    "性别": ["", "男", "女", "男性", "M", " 女 ", None, 1],
    "出生日期": [
        "",
        None,
        "1990-01-01",
        "1990/1/1",
        "19900101",
        dt.date(1990, 1, 1),
        dt.datetime(1990, 1, 1, 8, 0),
        32874.0,
        "1990-13-01",
        "昨天",
    ],
    "民族": ["", "汉", "汉族", "回族", " 壮族 ", None],
    "证件类型": ["", "居民身份证", "身份证", "护照", "港澳居民来往内地通行证", "x", None],
    "证件号码": [
        "",
        None,
        "330424199001010011",
        "33042419900101001x",
        " 3304 2419 9001 0100 1X ",
        "330424199013010011",
        "990424199001010011",
        "330424189001010011",
        "３３０４２４１９９００１０１００１Ｘ",
        330424199001010011.0,
        "33042419900101001",
        "330424300001010011",
    ],
    "学历": ["", "本科", "中专", "研究生", "大学", None, 1],
    "技能等级": ["", "无", "技师", "五级", None],
    "移动电话": [
        "",
        None,
        "13900001111",
        "139 0000 1111",
        "+8613900001111",
        "12900001111",
        13900001111.0,
        "1390000111",
        "１３９００００１１１１",
    ],
    "户籍类型": ["", "农业", "城镇", "外国", None],
    "政治面貌": ["", "党员", "群众", "无党派", None],
    "是否农民工": ["", "是", "否", "y", "N", "maybe", True, None],
    "会籍变化日期": ["", None, "2024-01-05", "2024年1月5日", "2024-02-30", 45000.0],
    "入会日期": ["", None, "2023-12-01", "not a date"],
    "会员证号": ["", "C001", 1001.0],
    "会籍变化类型": ["", "入会", "转会", "离开"],
}


def fix_check_digit(value):
    """Make an ID-looking variant's check digit right, so deeper checks are reached too."""
    if isinstance(value, str) and len(value) == 18 and value[:17].isascii():
        body = value[:17]
        if body.isdigit():
            return body + id_check_char(body)
    return value


def test_fast_path_agrees_with_the_general_parser():
    rng = random.Random(7)
    parser = roster.parsing._RowParser(COLUMNS)
    fast_hits = 0
    for n in range(4000):
        row = good_row(rng)
        for header in rng.sample(list(VARIANTS), rng.choice([0, 0, 1, 1, 2, 3])):
            value = rng.choice(VARIANTS[header])
            row[header] = fix_check_digit(value) if rng.random() < 0.5 else value
        cells = [row[h] for h in HEADERS]
        slow = roster.parsing._parse_row(n + 2, list(cells), COLUMNS)
        try:
            fast = parser._fast(n + 2, list(cells))
        except roster.parsing._Bad:
            fast = None
        if fast is None:
            continue
        fast_hits += 1
        assert slow.errors == [], (row, slow.errors)
        assert fast == slow, row
        assert parser.parse(n + 2, list(cells)) == slow
    assert fast_hits > 1500  # the good rows, and the odd-but-valid ones it knows


def test_rows_with_errors_always_get_the_general_parsers_messages():
    parser = roster.parsing._RowParser(COLUMNS)
    rng = random.Random(3)
    row = good_row(rng)
    row["证件号码"] = row["证件号码"][:-1] + ("0" if row["证件号码"][-1] != "0" else "1")
    row["性别"] = "男" if row["性别"] == "女" else "女"
    cells = [row[h] for h in HEADERS]
    parsed = parser.parse(5, cells)
    assert parsed.errors == roster.parsing._parse_row(5, cells, COLUMNS).errors
    assert parsed.errors == ["身份证号码校验位错误"]


def test_bulk_crypto_gives_what_the_single_calls_give():
    import hmac

    from gonghui.core import crypto

    key = crypto._current()[1]
    values = ["resident:330424199001010011", "13900001111", "", "张三"]
    one = crypto.digester()
    for v in values:
        assert crypto.digest(v) == one(v) == hmac.digest(key, v.encode(), "sha256").hex()
    sealed = crypto.encrypt_many(values)
    assert [crypto.decrypt(s) for s in sealed] == values
    assert len({s[:20] for s in sealed}) == len(values)  # a fresh nonce for each value
    assert crypto.encrypt_many([]) == []
