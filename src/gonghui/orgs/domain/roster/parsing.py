# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parsing a roster's cells into clean person fields: ``_parse_row`` finds and words
every error; ``_RowParser`` adds a fast path for well-formed rows."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from typing import Any

from gonghui.core import crypto
from gonghui.core.spreadsheets import (
    cell_text,
    parse_date,
)
from gonghui.core.validators import (
    ID_CHECK,
    ID_WEIGHTS,
    MOBILE_RE,
    PROVINCE_CODES,
    is_clean_name,
    normalize_id_number,
)
from gonghui.core.validators import _today as validators_today

from ...enums import (
    ChangeKind,
    Education,
    HouseholdType,
    IdType,
    PoliticalStatus,
    Sex,
    SkillLevel,
)
from ..people import ETHNICITY_SET, clean_person_fields


def _labels(choices, **aliases: str) -> dict[str, str]:
    out = {label: value for value, label in choices.choices}
    out.update(aliases)
    return out


ID_TYPES = frozenset(IdType.values)
SEX_LABELS = _labels(Sex, 男性="M", 女性="F")
ID_TYPE_LABELS = _labels(IdType, 身份证="resident", 居民身份证号="resident")
EDUCATION_LABELS = _labels(
    Education, 中专="vocational", 技校="vocational", 职高="vocational",
    大学专科="college", 专科="college", 大学本科="bachelor", 研究生="master",
    硕士研究生="master", 博士研究生="doctor",
)  # fmt: skip
SKILL_LABELS = _labels(SkillLevel)
HOUSEHOLD_LABELS = _labels(HouseholdType, 非农业="urban", 农业="rural")
POLITICAL_LABELS = _labels(
    PoliticalStatus, 党员="cpc", 预备党员="probationary", 团员="cyl", 共青团员="cyl"
)
YES_NO = {"是": True, "否": False, "Y": True, "N": False}
CHANGE_LABELS = _labels(ChangeKind, 转入="transfer", 退出="withdraw")


# -- parsing cells ----------------------------------------------------------------------

_text = cell_text


@dataclass(slots=True)
class _Parsed:
    row: int
    cells: list[Any]
    errors: list[str]
    name: str  # the cells _plan needs, as text
    union: str
    enterprise: str
    card: str
    reason: str
    kind_label: str
    person: dict[str, Any]
    dates: dict[str, dt.date | None]
    id_type: str = ""
    id_digest: str = ""


def _pick(mapping: dict[str, Any], value: str, label: str, errors: list[str]) -> Any:
    if value in mapping:
        return mapping[value]
    options = "、".join(k for k in mapping if not k.isascii())
    errors.append(f"{label}“{value}”无效，可填：{options}")
    return None


def _parse_row(number: int, cells: list[Any], columns: dict[str, int]) -> _Parsed:
    values = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
    errors: list[str] = []
    data: dict[str, Any] = {"name": _text(values.get("name"))}
    raw_id = values.get("id_number")
    data["id_number"] = normalize_id_number(_text(raw_id))
    id_type_label = _text(values.get("id_type"))
    data["id_type"] = (
        _pick(ID_TYPE_LABELS, id_type_label, "证件类型", errors) if id_type_label else "resident"
    ) or "invalid"
    sex = _text(values.get("sex"))
    if sex:
        data["sex"] = _pick(SEX_LABELS, sex, "性别", errors)
    dates: dict[str, dt.date | None] = {}
    for key, label in (
        ("birth_date", "出生日期"),
        ("change_date", "会籍变化日期"),
        ("joined_on", "入会日期"),
    ):
        try:
            dates[key] = parse_date(values.get(key))
        except (ValueError, OverflowError):
            dates[key] = None
            errors.append(f"{label}“{_text(values.get(key))}”无法识别，请填写如2024-01-05的日期")
    if dates["birth_date"]:
        data["birth_date"] = dates["birth_date"]
    # Labels are mapped to enum values here, so only the fields that need real checks go
    # through clean_person_fields (ID check digit, sex/birth cross-check, mobile, 民族).
    extra: dict[str, Any] = {}
    for key, labels, label in (
        ("education", EDUCATION_LABELS, "学历"),
        ("skill_level", SKILL_LABELS, "技能等级"),
        ("household_type", HOUSEHOLD_LABELS, "户籍类型"),
        ("political_status", POLITICAL_LABELS, "政治面貌"),
    ):
        value = _text(values.get(key))
        if value:
            picked = _pick(labels, value, label, errors)
            if picked:
                extra[key] = picked
    migrant = _text(values.get("is_migrant_worker"))
    if migrant:
        picked = _pick(YES_NO, migrant.upper() if migrant.isascii() else migrant, "是否农民工",
                       errors)  # fmt: skip
        if picked is not None:
            extra["is_migrant_worker"] = picked
    mobile = _text(values.get("mobile"))
    if mobile:
        data["mobile"] = mobile
    ethnicity = _text(values.get("ethnicity"))
    if ethnicity:
        data["ethnicity"] = ethnicity
    clean, person_errors = clean_person_fields(data)
    clean.update(extra)
    if person_errors and isinstance(raw_id, int | float) and len(str(raw_id)) >= 15:
        person_errors = [*person_errors, "证件号码列请设置为文本格式，以免末几位被Excel改写"]
    errors.extend(person_errors)
    parsed = _Parsed(
        number, cells, errors, data["name"], _text(values.get("union")),
        _text(values.get("enterprise")), _text(values.get("card_number")),
        _text(values.get("reason")), _text(values.get("change_kind")), clean, dates,
    )  # fmt: skip
    if clean.get("id_number") and clean.get("id_type") in ID_TYPES:
        parsed.id_type = clean["id_type"]
        parsed.id_digest = crypto.digest(f"{clean['id_type']}:{clean['id_number']}")
    return parsed


class _Bad(Exception):
    """A cell the fast path leaves to ``_parse_row``."""


_ID_OFFSET = ord("0") * sum(ID_WEIGHTS)  # the weighted sum of the ASCII codes, less the digits
_ODD = frozenset("13579")
_RESIDENT, _MALE, _FEMALE = IdType.RESIDENT.value, Sex.MALE.value, Sex.FEMALE.value


class _RowParser:
    """``_parse_row`` with a fast path for the common row: every cell well formed.

    The fast path accepts a row only when each check it makes is one that ``_parse_row``
    would pass, and then builds the same ``_Parsed``; on the first cell it is unsure of it
    hands the whole row to ``_parse_row``, which finds and words every error. So errors,
    messages and clean values are ``_parse_row``'s; only valid rows skip its general
    machinery (the label dicts of every field, ``clean_person_fields``, three passes of ID
    normalisation). Parsed dates are cached per distinct text: a roster repeats them a lot.
    """

    def __init__(self, columns: dict[str, int]):
        self.columns = columns
        g = columns.get
        self.i_name, self.i_id_type, self.i_id = g("name"), g("id_type"), g("id_number")
        self.i_sex, self.i_birth, self.i_mobile = g("sex"), g("birth_date"), g("mobile")
        self.i_ethnicity, self.i_migrant = g("ethnicity"), g("is_migrant_worker")
        self.i_change, self.i_joined = g("change_date"), g("joined_on")
        self.choices = [
            (i, labels, key)
            for key, labels in (
                ("education", EDUCATION_LABELS),
                ("skill_level", SKILL_LABELS),
                ("household_type", HOUSEHOLD_LABELS),
                ("political_status", POLITICAL_LABELS),
            )
            if (i := g(key)) is not None
        ]
        self.texts = [g(k) for k in ("union", "enterprise", "card_number", "reason", "change_kind")]
        self.digest = crypto.digester()
        self.date_cache: dict[str, dt.date | None] = {}
        self.birth_cache: dict[str, dt.date | None] = {}

    def parse(self, number: int, cells: list[Any]) -> _Parsed:
        try:
            parsed = self._fast(number, cells)
        except _Bad:
            parsed = None
        return parsed or _parse_row(number, cells, self.columns)

    def _date(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if value.__class__ is str:
            cache = self.date_cache
            if value in cache:
                return cache[value]
            try:
                parsed = parse_date(value)
            except (ValueError, OverflowError):
                raise _Bad from None
            if len(cache) < 100_000:
                cache[value] = parsed
            return parsed
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raise _Bad

    @staticmethod
    def _str(value: Any) -> str:
        if value.__class__ is str:
            return value.strip()
        if value is None:
            return ""
        raise _Bad

    def _fast(self, number: int, cells: list[Any]) -> _Parsed | None:
        text = self._str
        name = text(cells[self.i_name])
        if not name or len(name) > 50 or not is_clean_name(name):
            return None
        label = text(cells[self.i_id_type])
        if label and ID_TYPE_LABELS.get(label) != _RESIDENT:
            return None
        # The citizen ID: what parse_id_number checks, in the same order of strictness.
        number_text = text(cells[self.i_id]).replace(" ", "").upper()
        if len(number_text) != 18 or not number_text.isascii() or not number_text[:17].isdigit():
            return None
        last = number_text[17]
        if (last != "X" and not last.isdigit()) or number_text[:2] not in PROVINCE_CODES:
            return None
        key = number_text[6:14]
        births = self.birth_cache
        if key in births:
            birth = births[key]
        else:
            try:
                birth = dt.date(int(key[:4]), int(key[4:6]), int(key[6:]))
            except ValueError:
                birth = None
            births[key] = birth
        if birth is None or birth.year < 1900 or birth > validators_today():
            return None
        weighted = sum(map(operator.mul, number_text.encode(), ID_WEIGHTS)) - _ID_OFFSET
        if ID_CHECK[weighted % 11] != last:
            return None
        sex = _MALE if number_text[16] in _ODD else _FEMALE
        # Sex and birth date cells, when given, must agree with the number.
        given = text(cells[self.i_sex])
        if given and SEX_LABELS.get(given) != sex:
            return None
        birth_cell = self._date(cells[self.i_birth])
        if birth_cell is not None and birth_cell != birth:
            return None
        person: dict[str, Any] = {
            "name": name, "id_type": _RESIDENT, "sex": sex, "birth_date": birth,
            "id_number": number_text,
        }  # fmt: skip
        mobile = cells[self.i_mobile]
        if mobile.__class__ is float and mobile.is_integer():
            mobile = str(int(mobile))
        mobile = text(mobile)
        if mobile:
            if not (len(mobile) == 11 and mobile.isdigit() and MOBILE_RE.match(mobile)):
                return None
            person["mobile"] = mobile
        ethnicity = text(cells[self.i_ethnicity])
        if ethnicity:
            if ethnicity not in ETHNICITY_SET:
                return None
            person["ethnicity"] = ethnicity
        for i, labels, key in self.choices:
            value = text(cells[i])
            if value:
                picked = labels.get(value)
                if picked is None:
                    return None
                if picked:
                    person[key] = picked
        migrant = text(cells[self.i_migrant])
        if migrant:
            picked = YES_NO.get(migrant.upper() if migrant.isascii() else migrant)
            if picked is None:
                return None
            person["is_migrant_worker"] = picked
        i_change, i_joined = self.i_change, self.i_joined
        dates = {
            "birth_date": birth_cell,
            "change_date": self._date(cells[i_change]) if i_change is not None else None,
            "joined_on": self._date(cells[i_joined]) if i_joined is not None else None,
        }
        union, enterprise, card, reason, kind = (
            "" if i is None else _text(cells[i]) for i in self.texts
        )
        return _Parsed(
            number, cells, [], name, union, enterprise, card, reason, kind, person, dates,
            _RESIDENT, self.digest(f"{_RESIDENT}:{number_text}"),
        )  # fmt: skip
