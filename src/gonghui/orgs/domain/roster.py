"""Roster import (名册导入) and export (名册导出).

Import pipeline, shared by the preview and the real import:

1. ``read_table`` opens an .xlsx/.xls (python-calamine) or a .csv (UTF-8 with or without
   BOM, or GBK), finds the header row and yields data rows; file-level problems (not a
   spreadsheet, empty, missing headers, too many rows, too large) raise ``DomainError``
   before anything is stored.
2. Rows are validated in chunks of ``BATCH_ROWS`` with precomputed lookups: the caller's
   member-holding units and their enterprises once per import, existing people, active
   memberships and card numbers once per chunk.
3. On confirmation the same pass writes the valid rows chunk by chunk (new rows through
   ``_Writer``: binary COPY on PostgreSQL, multi-row INSERTs on SQLite, with their
   foreign keys checked per chunk or by the database; changed rows with ``bulk_update``),
   all inside ONE transaction: a failure leaves nothing written.

States: uploaded → validating → previewed → importing → done / failed, moved only by
``transition``, each step audited. One audit row per import carries the counts.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import json
import logging
import operator
import re
import sqlite3
import tempfile
import uuid
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.domain import audit
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEvent
from gonghui.core.validators import (
    ID_CHECK,
    ID_WEIGHTS,
    MOBILE_RE,
    PROVINCE_CODES,
    normalize_id_number,
)
from gonghui.core.validators import _today as validators_today

from ..enums import (
    MEMBER_HOLDING_KINDS,
    ChangeKind,
    Education,
    HouseholdType,
    IdType,
    MembershipStatus,
    PoliticalStatus,
    Sex,
    SkillLevel,
)
from ..models import (
    Enterprise,
    ImportStatus,
    Membership,
    MembershipChange,
    OrgUnit,
    Person,
    RosterImport,
)
from ..rules import roles_for
from .errors import DomainError, PermissionDeniedError
from .people import ETHNICITY_SET, clean_person_fields
from .queries import member_list
from .scope import Principal, principal_for

logger = logging.getLogger(__name__)

#: Rows validated (and written) per chunk; one lookup query of each kind per chunk.
BATCH_ROWS = 2000
#: How many rejected rows the preview lists.
PREVIEW_REJECTED = 20
#: Rows scanned for the header row (a title line above the headers is common).
HEADER_SCAN_ROWS = 10
UPLOAD_DIR = "imports"

# -- columns -------------------------------------------------------------------------

#: Template header → internal key. The first 16 are the common roster template.
TEMPLATE_COLUMNS: dict[str, str] = {
    "姓名": "name",
    "性别": "sex",
    "出生日期": "birth_date",
    "民族": "ethnicity",
    "证件类型": "id_type",
    "证件号码": "id_number",
    "学历": "education",
    "技能等级": "skill_level",
    "移动电话": "mobile",
    "户籍类型": "household_type",
    "政治面貌": "political_status",
    "工作单位": "enterprise",
    "是否农民工": "is_migrant_worker",
    "会籍变化类型": "change_kind",
    "会籍变化日期": "change_date",
    "会籍变化原因": "reason",
}
PLACEMENT_COLUMNS: dict[str, str] = {
    "所属工会": "union",
    "会员证号": "card_number",
    "入会日期": "joined_on",
}
ALL_COLUMNS = {**TEMPLATE_COLUMNS, **PLACEMENT_COLUMNS}
#: The columns of a downloadable blank template, in order.
TEMPLATE_HEADERS = ["所属工会", *TEMPLATE_COLUMNS, "会员证号", "入会日期"]
ERROR_COLUMN = "错误原因"


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

_SPACES = re.compile(r"[\s\u3000]+")


def normalize_header(value: Any) -> str:
    """``' 证件号码 '`` / ``'*证件号码'`` / ``'证件 号码'`` → ``'证件号码'``."""
    return _SPACES.sub("", str(value or "")).lstrip("*＊")


# -- formula-safe cells ----------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """OWASP CSV/formula injection guard: a text cell never starts a formula.

    A string starting with = + - @ tab or CR gets a leading single quote. Used by the
    roster export and the error workbook alike.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# -- reading files ---------------------------------------------------------------------

NOT_A_TABLE = "文件不是有效的Excel或CSV表格"


@dataclass
class Table:
    headers: list[str]  # as in the file, spaces stripped
    columns: dict[str, int]  # internal key → column index
    header_row: int  # 1-based row number of the header row
    rows: Callable[[], Iterator[tuple[int, list[Any]]]]  # (row number, cells)
    kind: str = "xlsx"


def _is_blank(cells: list[Any]) -> bool:
    for c in cells:
        if c is not None and c != "" and (c.__class__ is not str or c.strip()):
            return False
    return True


def _sniff(data: bytes, name: str) -> str:
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "excel"
    suffix = PurePath(name or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise DomainError(NOT_A_TABLE, code="not_a_table")
    if b"\x00" in data[:8192]:
        raise DomainError(NOT_A_TABLE, code="not_a_table")
    return "csv"


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(NOT_A_TABLE + "（无法识别文字编码，请另存为UTF-8或GBK编码的CSV）")


def _excel_rows(data: bytes) -> Callable[[], Iterator[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise DomainError(NOT_A_TABLE, code="not_a_table")
        sheet = workbook.get_sheet_by_index(0)  # parsed once, iterated as often as needed
    except DomainError:
        raise
    except Exception:
        raise DomainError(NOT_A_TABLE, code="not_a_table") from None

    def rows() -> Iterator[list[Any]]:
        # Cells stay as calamine gives them (str, float, date…); ``_text`` converts lazily.
        return iter(sheet.iter_rows())

    return rows


def _csv_rows(data: bytes) -> Callable[[], Iterator[list[Any]]]:
    text = _decode_csv(data)

    def rows() -> Iterator[list[Any]]:
        yield from csv.reader(io.StringIO(text, newline=""))

    try:
        for _ in zip(range(HEADER_SCAN_ROWS), rows(), strict=False):
            pass
    except csv.Error:
        raise DomainError(NOT_A_TABLE, code="not_a_table") from None
    return rows


def read_table(data: bytes, name: str = "", *, union_chosen: bool = False) -> Table:
    """Open a roster and check its shape. Raises ``DomainError`` with a Chinese message."""
    if not data:
        raise DomainError("文件为空，请选择填好的名册表格", code="empty")
    if len(data) > settings.GONGHUI_IMPORT_MAX_BYTES:
        limit = settings.GONGHUI_IMPORT_MAX_BYTES / 1024 / 1024
        raise DomainError(f"文件过大（上限{limit:.0f}MB），请拆分后分批导入", code="too_large")
    kind = _sniff(data, name)
    raw_rows = _excel_rows(data) if kind == "excel" else _csv_rows(data)

    header_row, headers = 0, None
    first_nonblank: tuple[int, list[Any]] | None = None
    for number, cells in enumerate(raw_rows(), start=1):
        if number > HEADER_SCAN_ROWS:
            break
        if _is_blank(cells):
            continue
        normalized = [normalize_header(c) for c in cells]
        first_nonblank = first_nonblank or (number, normalized)
        if "姓名" in normalized and "证件号码" in normalized:
            header_row, headers = number, normalized
            break
    if first_nonblank is None:
        raise DomainError("文件为空，请选择填好的名册表格", code="empty")
    if headers is None:
        header_row, headers = first_nonblank
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = ALL_COLUMNS.get(header)
        if key and key not in columns:
            columns[key] = index
    required = list(TEMPLATE_COLUMNS) + ([] if union_chosen else ["所属工会"])
    missing = [h for h in required if ALL_COLUMNS[h] not in columns]
    if missing:
        raise DomainError("表头不符合名册模板，缺少以下列：" + "、".join(missing), code="headers")
    width = len(headers)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(raw_rows(), start=1):
            if number <= header_row or _is_blank(cells):
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield number, cells

    table = Table(
        headers=[str(h) for h in headers], columns=columns, header_row=header_row,
        rows=data_rows, kind=kind,
    )  # fmt: skip
    return table


def count_rows(table: Table) -> int:
    """Count data rows, refusing more than ``GONGHUI_IMPORT_MAX_ROWS``."""
    limit = settings.GONGHUI_IMPORT_MAX_ROWS
    total = 0
    for _ in table.rows():
        total += 1
        if total > limit:
            raise DomainError(
                f"数据行数超过上限（最多{limit}行），请拆分后分批导入", code="too_many_rows"
            )
    if total == 0:
        raise DomainError("表格中没有数据行", code="empty")
    return total


# -- parsing cells ----------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> dt.date | None:
    """Excel dates and serial numbers, ``2024-01-05``, ``2024/1/5``, ``2024年1月5日``,
    ``20240105``. Empty → None; anything else raises ``ValueError``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if 10000000 <= value <= 99991231 and float(value).is_integer():
            value = str(int(value))
        elif 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            raise ValueError(value)
    text = str(value).strip()
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        raise ValueError(value)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def _text(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


# -- lookups ------------------------------------------------------------------------------


@dataclass
class UnitRef:
    pk: int
    name: str
    path: str


@dataclass
class Lookups:
    """What validation needs, computed once per import."""

    principal: Principal
    fixed_union: OrgUnit | None
    units_by_name: dict[str, list[UnitRef]]
    unit_names: dict[int, str]
    enterprises: dict[tuple[int, str], int]
    scope_paths: list[str] = field(default_factory=list)
    outside: dict[str, str] = field(default_factory=dict)  # name → message

    def covers(self, path: str) -> bool:
        return self.principal.is_superuser or path.startswith(tuple(self.scope_paths))

    def unit_name(self, pk: int) -> str:
        if pk not in self.unit_names:
            self.unit_names[pk] = (
                OrgUnit.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
            )
        return self.unit_names[pk]

    def resolve_union(self, name: str) -> tuple[int | None, str | None]:
        """(union id, None) or (None, error message)."""
        if self.fixed_union is not None:
            if name and name != self.fixed_union.name:
                return None, f"所属工会“{name}”与本次导入选择的“{self.fixed_union.name}”不一致"
            return self.fixed_union.pk, None
        if not name:
            return None, "所属工会不能为空"
        found = self.units_by_name.get(name)
        if found:
            if len(found) > 1:
                return None, f"所属工会“{name}”重名，请在导入时选择具体工会"
            return found[0].pk, None
        if name not in self.outside:
            exists = OrgUnit.objects.filter(name=name, kind__in=MEMBER_HOLDING_KINDS).exists()
            self.outside[name] = (
                f"所属工会“{name}”不在您的管理范围内"
                if exists
                else f"未找到所属工会“{name}”（须为基层工会或联合工会的全称）"
            )
        return None, self.outside[name]


def build_lookups(actor, fixed_union: OrgUnit | None) -> Lookups:
    principal = principal_for(actor)
    units = OrgUnit.objects.filter(kind__in=MEMBER_HOLDING_KINDS)
    if fixed_union is not None:
        units = units.filter(pk=fixed_union.pk)
    elif not principal.is_superuser:
        units = units.subtree_of(principal.paths(roles_for("membership", "change")))
    by_name: dict[str, list[UnitRef]] = {}
    names: dict[int, str] = {}
    for pk, name, path in units.values_list("pk", "name", "path"):
        by_name.setdefault(name, []).append(UnitRef(pk, name, path))
        names[pk] = name
    enterprises: dict[tuple[int, str], int] = {}
    for pk, union_id, name in Enterprise.objects.filter(union_id__in=list(names)).values_list(
        "pk", "union_id", "name"
    ):
        enterprises.setdefault((union_id, name.strip()), pk)
    return Lookups(
        principal, fixed_union, by_name, names, enterprises,
        scope_paths=principal.paths(roles_for("membership", "change")),
    )  # fmt: skip


# -- validating rows ----------------------------------------------------------------------

CREATE, JOIN, UPDATE, TRANSFER, WITHDRAW = "create", "join", "update", "transfer", "withdraw"


@dataclass(slots=True)
class RowPlan:
    """One valid row and what it will do."""

    row: int
    action: str
    person: dict[str, Any]  # clean profile fields (only those given, for updates)
    id_type: str
    id_digest: str
    union_id: int
    enterprise_id: int | None
    card_number: str | None
    joined_on: dt.date
    change_date: dt.date
    reason: str
    person_id: int | None = None
    membership: Any = None  # the active membership (a named row of _Validator.plan's query)


@dataclass
class Rejected:
    row: int
    name: str
    reason: str
    cells: list[Any]


@dataclass
class Outcome:
    total: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((CREATE, UPDATE, TRANSFER, WITHDRAW), 0)
    )
    rejected: list[Rejected] = field(default_factory=list)

    def count(self, plan: RowPlan) -> None:
        self.counts[CREATE if plan.action == JOIN else plan.action] += 1


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
        if not name or len(name) > 50:
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


def _select_in(sql: str, values: list, *params: Any) -> list[tuple]:
    """Run ``sql`` whose ``IN ({})`` takes ``values``: a plain cursor, because Django's
    lookup machinery costs more than the query for a few thousand keys."""
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter instead of thousands
            cursor.execute(sql.replace("IN ({})", "= ANY(%s)"), [*params, list(values)])
        else:
            cursor.execute(sql.format(", ".join(["%s"] * len(values))), [*params, *values])
        return cursor.fetchall()


#: PostgreSQL: one probe of the unique index per key. Asked as "id_digest = ANY(keys)", the
#: planner reads the whole table instead once a few thousand keys are a few per cent of it
#: (it prices index probes as disk reads): in an import that grows the table chunk by chunk,
#: that was a full scan per chunk. LIMIT keeps the subquery from being turned back into
#: such a join.
#: The keys travel as one comma-separated text (hex digests hold no comma): a list parameter
#: was quoted element by element on the client, 2,000 times per chunk.
PG_PEOPLE_BY_DIGEST = (
    "SELECT p.id, d.digest FROM unnest(string_to_array(%s, ',')) AS d(digest) "
    "CROSS JOIN LATERAL (SELECT id FROM {table} "
    "WHERE id_type = %s AND id_digest = d.digest LIMIT 1) AS p"
)


def _people_by_digest(
    keys: Iterable[tuple[str, str]], reader: _Reader | None = None
) -> dict[tuple[str, str], int]:
    """Existing people by (id_type, id_digest), one query per ID type present (usually
    one): the unique index is (id_type, id_digest), so both columns go in the WHERE."""
    by_type: dict[str, list[str]] = {}
    for id_type, digest in keys:
        by_type.setdefault(id_type, []).append(digest)
    table = connection.ops.quote_name(Person._meta.db_table)
    found: dict[tuple[str, str], int] = {}
    if connection.vendor == "postgresql":
        with reader.cursor() if reader else connection.cursor() as cursor:
            for id_type, digests in by_type.items():
                cursor.execute(
                    PG_PEOPLE_BY_DIGEST.format(table=table), [",".join(digests), id_type]
                )
                found.update(((id_type, digest), pk) for pk, digest in cursor.fetchall())
        return found
    sql = f"SELECT id, id_digest FROM {table} WHERE id_type = %s AND id_digest IN ({{}})"  # noqa: S608 - table name from model meta, values bound
    for id_type, digests in by_type.items():
        for pk, digest in _select_in(sql, digests, id_type):
            found[(id_type, digest)] = pk
    return found


#: The active membership of a person the import meets, as ``_Validator.plan`` reads it.
ActiveMembership = namedtuple(
    "ActiveMembership",
    ["pk", "person_id", "union_id", "joined_on", "card_number", "enterprise_id", "union__path"],
)


def _memberships(person_ids: list[int], cards: list[str]) -> tuple[dict, dict[str, int]]:
    """Active memberships of ``person_ids`` (by person) and the holders of ``cards``."""
    active: dict[int, ActiveMembership] = {}
    if person_ids:
        memberships = Membership.objects.filter(
            person_id__in=person_ids, status=MembershipStatus.ACTIVE
        ).values_list(*ActiveMembership._fields)
        active = {m[1]: ActiveMembership(*m) for m in memberships}
    used_cards: dict[str, int] = {}
    if cards:
        used_cards = dict(
            Membership.objects.filter(
                card_number__in=cards, status=MembershipStatus.ACTIVE
            ).values_list("card_number", "person_id")
        )
    return active, used_cards


class _Reader:
    """PostgreSQL: a second connection for an import's reads (people by ID, their active
    memberships, card numbers in use) and for its ids, so that they run while the writer
    thread keeps the import's own connection busy with the previous chunk.

    It sees what is committed, and that is all these reads need: the rows of this import are
    checked against the file itself (IDs and card numbers seen before), and ids come from
    sequences, which are not transactional. Only used when the import's transaction is the
    outermost one (``for_import``): then nothing it wrote before the import is missing."""

    def __init__(self) -> None:
        self.raw = connection.get_new_connection(connection.get_connection_params())
        self.raw.autocommit = True

    @classmethod
    def for_import(cls, write: bool) -> _Reader | None:
        outermost = connection.in_atomic_block and not connection.savepoint_ids
        if write and connection.vendor == "postgresql" and outermost:
            return cls()
        return None

    def cursor(self):
        return self.raw.cursor()

    def memberships(self, person_ids: list[int], cards: list[str]) -> tuple[dict, dict]:
        """As ``_memberships``."""
        m, u = (connection.ops.quote_name(t) for t in (Membership._meta.db_table,
                                                        OrgUnit._meta.db_table))  # fmt: skip
        active_status = MembershipStatus.ACTIVE.value
        active: dict[int, ActiveMembership] = {}
        used_cards: dict[str, int] = {}
        with self.cursor() as cursor:
            if person_ids:
                cursor.execute(
                    f"SELECT m.id, m.person_id, m.union_id, m.joined_on, m.card_number, "  # noqa: S608 - table names from model meta
                    f"m.enterprise_id, u.path FROM {m} m JOIN {u} u ON u.id = m.union_id "
                    f"WHERE m.status = %s AND m.person_id = ANY(%s)",
                    [active_status, person_ids],
                )
                active = {row[1]: ActiveMembership(*row) for row in cursor.fetchall()}
            if cards:
                cursor.execute(
                    f"SELECT card_number, person_id FROM {m} "  # noqa: S608 - as above
                    f"WHERE status = %s AND card_number = ANY(%s)",
                    [active_status, cards],
                )
                used_cards = dict(cursor.fetchall())
        return active, used_cards

    def close(self) -> None:
        self.raw.close()


class _Validator:
    """Validates rows chunk by chunk; remembers IDs and card numbers seen in the file."""

    def __init__(self, lookups: Lookups, columns: dict[str, int], today: dt.date):
        self.lookups = lookups
        self.columns = columns
        self.parser = _RowParser(columns)
        self.today = today
        self.seen_ids: dict[tuple[str, str], int] = {}
        self.seen_cards: dict[str, int] = {}

    def chunk(self, rows: list[tuple[int, list[Any]]]) -> tuple[list[RowPlan], list[Rejected]]:
        return self.plan(self.parse(rows))

    def parse(self, rows: list[tuple[int, list[Any]]]) -> list[_Parsed]:
        """Cell checks only; no database."""
        parse = self.parser.parse
        return [parse(n, cells) for n, cells in rows]

    def plan(
        self, parsed: list[_Parsed], reader: _Reader | None = None
    ) -> tuple[list[RowPlan], list[Rejected]]:
        """Checks against the database and the rows before; what each valid row will do.
        With a ``reader`` the database is read through it (see ``_Reader``)."""
        keys = {(p.id_type, p.id_digest) for p in parsed if p.id_digest}
        people = _people_by_digest(keys, reader)
        cards = {p.card for p in parsed} - {""}
        if reader is not None:
            active, used_cards = reader.memberships(list(people.values()), list(cards))
        else:
            active, used_cards = _memberships(list(people.values()), list(cards))
        plans: list[RowPlan] = []
        rejected: list[Rejected] = []
        for p in parsed:
            plan = self._plan(p, people, active, used_cards)
            if plan is None:
                rejected.append(Rejected(p.row, p.name, "；".join(p.errors), p.cells))
            else:
                plans.append(plan)
        return plans, rejected

    def _plan(self, p: _Parsed, people, active, used_cards) -> RowPlan | None:
        errors = p.errors
        lk = self.lookups
        if p.id_digest:
            key = (p.id_type, p.id_digest)
            first = self.seen_ids.setdefault(key, p.row)
            if first != p.row:
                errors.append(f"证件号码与第{first}行重复")
        union_id, union_error = lk.resolve_union(p.union)
        if union_error:
            errors.append(union_error)
        enterprise_id = None
        enterprise = p.enterprise
        if enterprise and union_id is not None:
            enterprise_id = lk.enterprises.get((union_id, enterprise))
            if enterprise_id is None:
                errors.append(f"工作单位“{enterprise}”不是{lk.unit_name(union_id)}下登记的企业")
        card = p.card or None
        if card:
            if len(card) > 32:
                errors.append("会员证号过长（最多32位）")
            first = self.seen_cards.setdefault(card, p.row)
            if first != p.row:
                errors.append(f"会员证号与第{first}行重复")
        reason = p.reason
        if len(reason) > 200:
            errors.append("会籍变化原因过长（最多200字）")
        kind_label = p.kind_label
        kind = CHANGE_LABELS.get(kind_label, "") if kind_label else ChangeKind.JOIN
        if not kind:
            errors.append(f"会籍变化类型“{kind_label}”无效，可填：入会、转会、退会")
        change_date = p.dates.get("change_date") or self.today
        joined_on = p.dates.get("joined_on") or p.dates.get("change_date") or self.today
        for key, label in (("change_date", "会籍变化日期"), ("joined_on", "入会日期")):
            value = p.dates.get(key)
            if value and value > self.today:
                errors.append(f"{label}不能晚于今天")
        if errors:
            return None

        person_id = people.get((p.id_type, p.id_digest))
        current = active.get(person_id) if person_id else None
        if card and card in used_cards and used_cards[card] != person_id:
            errors.append(f"会员证号“{card}”已被其他在会会员使用")
            return None
        name = p.person.get("name", "")
        if kind == ChangeKind.JOIN:
            if current is None:
                action = CREATE if person_id is None else JOIN
            elif current.union_id == union_id:
                action = UPDATE
            else:
                errors.append(f"该职工已是{lk.unit_name(current.union_id)}的在会会员，请办理转会")
                return None
        elif kind == ChangeKind.TRANSFER:
            if current is None:
                errors.append(f"{name}没有在会会籍，无法转会；新会员请填写“入会”")
                return None
            if current.union_id == union_id:
                errors.append(f"{name}已是{lk.unit_name(union_id)}的会员，无需转会")
                return None
            if not lk.covers(current.union__path):
                errors.append(f"转出工会“{lk.unit_name(current.union_id)}”不在您的管理范围内")
                return None
            if change_date < current.joined_on:
                errors.append("转会日期不能早于原入会日期")
                return None
            action, joined_on = TRANSFER, change_date
        else:
            if current is None or current.union_id != union_id:
                errors.append(f"{name}不是{lk.unit_name(union_id)}的在会会员，无法退会")
                return None
            if change_date < current.joined_on:
                errors.append("退会日期不能早于入会日期")
                return None
            action = WITHDRAW
        return RowPlan(
            row=p.row, action=action, person=p.person, id_type=p.id_type,
            id_digest=p.id_digest, union_id=union_id, enterprise_id=enterprise_id,
            card_number=card, joined_on=joined_on, change_date=change_date, reason=reason,
            person_id=person_id, membership=current,
        )  # fmt: skip


# -- writing --------------------------------------------------------------------------------

#: Profile fields an import row may set (a blank cell leaves an existing value alone).
PROFILE_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "education", "skill_level", "mobile",
    "household_type", "political_status", "is_migrant_worker",
)  # fmt: skip


PERSON_COLUMNS = (
    "name", "id_type", "id_number", "id_digest", "sex", "birth_date", "ethnicity", "education",
    "skill_level", "mobile", "mobile_digest", "household_type", "political_status",
    "is_migrant_worker", "created_at", "updated_at",
)  # fmt: skip
MEMBERSHIP_COLUMNS = (
    "person", "union", "enterprise", "card_number", "status", "joined_on", "created_at",
    "person_name",
)  # fmt: skip
CHANGE_COLUMNS = (
    "person", "kind", "date", "reason", "from_membership", "to_membership", "actor_label",
    "created_at",
)  # fmt: skip


#: Rows per INSERT statement on SQLite (also bounded by its limit on bound values): a whole
#: chunk where the limit allows. After each statement the writer thread waits for Python's
#: lock again (up to the 5 ms switch interval while the parsing thread holds it); with 500
#: rows per statement those waits were a third of the time SQLite spent writing people.
SQLITE_ROWS_PER_INSERT = BATCH_ROWS


_PG_TYPE_NAMES = {
    "bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
    "timestamp with time zone": "timestamptz",
}  # fmt: skip


def _pg_type(field) -> str:
    """The PostgreSQL type of ``field``'s column, as psycopg names it for binary COPY."""
    db_type = field.db_type(connection).split("(")[0].strip()
    return _PG_TYPE_NAMES.get(db_type, db_type)


def _insert(raw, model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert DB-ready rows through the DB-API connection ``raw`` (see ``_Writer``).

    Django's ``bulk_create`` spends most of an import preparing values field by field; the
    rows here are built ready for the database (dates and datetimes adapted by the backend's
    own ``ops``, personal data sealed with ``crypto`` exactly as ``EncryptedTextField``
    does). No signals are sent, and none are used (GUIDE §5).
    """
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    names = ", ".join(qn(meta.get_field(c).column) for c in columns)
    if connection.vendor == "postgresql":
        # COPY: no SQL text to build or parse, the fastest path into PostgreSQL; in binary,
        # so the server decodes no text (dates, times, numbers) and the client escapes none.
        sql = f"COPY {qn(meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types([_pg_type(meta.get_field(c)) for c in columns])
            for row in rows:
                copy.write_row(row)
        return
    # SQLite: many rows per INSERT. The writer thread gives up Python's lock only while
    # SQLite runs a statement; one statement per row (executemany) made it wait for the
    # lock again after every row while the parsing thread held it, and that waiting was
    # a third of the writer's time. The statement text of a full batch repeats, so SQLite
    # compiles it once (the module keeps prepared statements).
    bound_values = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = min(SQLITE_ROWS_PER_INSERT, bound_values // len(columns))
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    table = qn(meta.db_table)
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values = ", ".join([one] * len(batch))
        params = [value for row in batch for value in row]
        raw.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608 - names from model meta


#: The tables an import writes. With their triggers off (``_Writer.checks_per_chunk``) they
#: may have no triggers but PostgreSQL's own foreign-key ones.
IMPORT_TABLES = (Person, Membership, MembershipChange)

REFERENCE_GONE = "导入期间，名册引用的{what}已被删除，请核对后重新导入"


def _checks_per_chunk() -> bool:
    """PostgreSQL: may this import check its foreign keys once per chunk, set-wise, instead
    of the server checking them row by row? (See ``_Writer``.) Only when the database role
    may set ``session_replication_role`` (a superuser, or on PostgreSQL 15+ a role granted
    ``SET ON PARAMETER session_replication_role``, docs/deployment.md) and no table the
    import writes has a trigger of its own, which that setting would also silence."""
    if connection.vendor != "postgresql":
        return False
    allowed = "current_setting('is_superuser') = 'on'"
    if connection.pg_version >= 150000:
        allowed += " OR has_parameter_privilege('session_replication_role', 'SET')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({allowed}) AND NOT EXISTS (SELECT 1 FROM pg_trigger "  # noqa: S608 - fixed text
            "WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal)",
            [[model._meta.db_table for model in IMPORT_TABLES]],
        )
        return cursor.fetchone()[0]


def _referenced(plans: list[RowPlan]) -> dict[type, set[int]]:
    """The rows outside the chunk that the chunk's writes point at: units, enterprises,
    known people and the memberships that 转会/退会 close. (New people and memberships are
    the chunk's own: written just before whatever points at them.)"""
    return {
        OrgUnit: {p.union_id for p in plans},
        Enterprise: {p.enterprise_id for p in plans if p.enterprise_id},
        Person: {p.person_id for p in plans if p.action != CREATE},
        Membership: {p.membership.pk for p in plans if p.action in (TRANSFER, WITHDRAW)},
    }


def _lock_referenced(raw, referenced: dict[type, set[int]]) -> None:
    """What PostgreSQL's foreign-key triggers do row by row, once per table: each row
    pointed at must exist, and is locked (FOR KEY SHARE) until the import commits, so
    nobody can delete it or change its id meanwhile. Raises ``DomainError`` otherwise."""
    qn = connection.ops.quote_name
    with raw.cursor() as cursor:
        for model, ids in referenced.items():
            if not ids:
                continue
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {qn(model._meta.db_table)} "  # noqa: S608 - table name from model meta
                "WHERE id = ANY(string_to_array(%s, ',')::bigint[]) FOR KEY SHARE) AS locked",
                [",".join(map(str, ids))],
            )
            if cursor.fetchone()[0] != len(ids):
                what = model._meta.verbose_name
                raise DomainError(REFERENCE_GONE.format(what=what), code="reference_gone")


class _Writer:
    """Runs a chunk's INSERTs in a second thread while this one parses the next chunk.

    Both threads use the one database connection, and so the one transaction, but never
    at the same time: the writer only runs ``_insert`` for the chunk it was handed, and the
    caller touches the database again (lookups for the next chunk, its UPDATEs) only after
    ``wait()``. The database works on one chunk (PostgreSQL in its own process, SQLite with
    the GIL released) while Python parses the next. Errors come back through ``wait()`` as
    Django's exceptions.

    Foreign keys on PostgreSQL, two ways, the same guarantee:

    - ``checks_per_chunk`` (when ``_checks_per_chunk()`` allows it): the server's
      foreign-key triggers are off for the import (``session_replication_role =
      replica``, transaction-local, restored by ``finish``), and the writer checks each
      chunk's references itself before its COPYs, one statement per referenced table
      (``_lock_referenced``): every unit, enterprise, known person and closed membership
      must exist and is locked as the triggers would lock it. New rows point only at rows
      written before them in the same transaction, with ids drawn from the sequences.
      The triggers cost the server a query per row and reference (five per imported
      person, 500,000 for 100,000 rows: about 40 % of the writing, bench/README.md).
    - otherwise: the triggers check as each COPY ends (``SET CONSTRAINTS ALL IMMEDIATE``)
      rather than all at commit, so that work overlaps the parsing too.
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        connection.ensure_connection()
        self.raw = connection.connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-writer")
        self.pending = None
        self.immediate = connection.vendor == "postgresql"
        self.checks_per_chunk = self.immediate and _checks_per_chunk()
        if self.checks_per_chunk:
            with connection.cursor() as cursor:
                cursor.execute("SHOW session_replication_role")
                self.replication_role = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        elif self.immediate:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def _run(self, inserts: list[tuple], referenced: dict[type, set[int]]) -> None:
        if self.checks_per_chunk:
            _lock_referenced(self.raw, referenced)
        for model, columns, rows in inserts:
            _insert(self.raw, model, columns, rows)

    def submit(self, inserts: list[tuple], referenced: dict[type, set[int]]) -> None:
        """``referenced``: what the chunk's writes, these INSERTs and the UPDATEs already
        run, point at (``_referenced``)."""
        self.wait()
        if inserts or (self.checks_per_chunk and any(referenced.values())):
            self.pending = self.pool.submit(self._run, inserts, referenced)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                pending.result()

    def finish(self) -> None:
        """Wait for the last chunk; restore the triggers, or their deferral."""
        self.wait()
        if self.checks_per_chunk:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('session_replication_role', %s, true)",
                    [self.replication_role],
                )
        elif self.immediate:
            with connection.cursor() as cursor:  # Django declares its FKs INITIALLY DEFERRED
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def close(self) -> None:
        """Always called: no thread may still use the connection when the caller's
        transaction commits or rolls back."""
        pending, self.pending = self.pending, None
        if pending is not None:
            # The error that brought us here is the one to raise, not the writer's.
            with contextlib.suppress(Exception):
                pending.result()
        self.pool.shutdown(wait=True)


def _allocate_ids(model, count: int, reader: _Reader | None = None) -> list[int]:
    """Primary keys for ``count`` new rows, so inserted rows need not be looked up again.

    PostgreSQL: drawn from the column's sequence in one query. SQLite: above the highest id
    ever used (AUTOINCREMENT's sqlite_sequence included); safe because an import writes in
    one transaction that holds SQLite's single write lock (transaction_mode IMMEDIATE).
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with reader.cursor() if reader else connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence goes into the statement as a constant (its oid): named by
            # pg_get_serial_sequence in the same statement, it was looked up in the
            # catalogue for every row drawn, ten times the cost of the drawing.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [table])
            sequence = int(cursor.fetchone()[0])
            cursor.execute(
                f"SELECT nextval({sequence}::regclass) FROM generate_series(1, %s)",  # noqa: S608 - an int from the catalogue
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn}")  # noqa: S608 - model table
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


def _new_person(plan: RowPlan, now: Any, date: Callable, sealed: tuple[str, str, str]) -> tuple:
    """The INSERT row of a new person. Separate so tests can make one row fail.

    ``sealed`` holds the ID and mobile numbers encrypted and the mobile's digest (from
    ``_seal_chunk``, for the whole chunk at once)."""
    data = plan.person
    return (
        data["name"], plan.id_type, sealed[0], plan.id_digest, data["sex"],
        date(data["birth_date"]), data.get("ethnicity", ""), data.get("education", ""),
        data.get("skill_level", ""), sealed[1], sealed[2],
        data.get("household_type", ""), data.get("political_status", ""),
        data.get("is_migrant_worker", False), now, now,
    )  # fmt: skip


def _seal_chunk(people: Iterable[tuple[int, dict[str, Any]]]) -> dict[int, tuple[str, str, str]]:
    """For each (row, profile) with an ID number: the ID and mobile numbers encrypted (each
    with its own nonce, the nonces drawn in one go) and the mobile's digest. Done for every
    well-formed row of a chunk while the database writes the previous one; rows that turn
    out not to create a person just do not use theirs."""
    people = [(row, data) for row, data in people if data.get("id_number")]
    ids = crypto.encrypt_many([data["id_number"] for _row, data in people])
    mobiles = iter(crypto.encrypt_many([m for _row, data in people if (m := data.get("mobile"))]))
    digest = crypto.digester()
    sealed = {}
    for (row, data), sealed_id in zip(people, ids, strict=True):
        mobile = data.get("mobile")
        sealed[row] = (sealed_id, next(mobiles), digest(mobile)) if mobile else (sealed_id, "", "")
    return sealed


def _new_people(
    plans: list[RowPlan], now: Any, date: Callable, sealed: dict[int, tuple[str, str, str]]
) -> list[tuple]:
    """INSERT rows of new people, with the numbers ``sealed`` ahead (sealed here for any
    row that was not)."""
    missing = [(p.row, p.person) for p in plans if p.row not in sealed]
    if missing:
        sealed = {**sealed, **_seal_chunk(missing)}
    return [_new_person(p, now, date, sealed[p.row]) for p in plans]


def _write_chunk(
    plans: list[RowPlan],
    *,
    actor_label: str,
    sealed: dict[int, tuple[str, str, str]],
    reader: _Reader | None = None,
    settle: Callable[[], None] = lambda: None,
) -> list[tuple]:
    """Run the chunk's UPDATEs, allocate ids and return its INSERTs as (model, columns,
    rows) in the order they must run (people, memberships, changes). ``sealed``: the
    chunk's personal numbers, encrypted ahead (``_seal_chunk``). With a ``reader``, ids
    come through it, and ``settle`` (waiting for the writer) is called before the import's
    own connection is used here (only chunks that change existing rows use it)."""
    if any(p.action != CREATE for p in plans):
        settle()
    inserts: list[tuple] = []
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    date = connection.ops.adapt_datefield_value
    # 1. Close memberships that end (转会 out of the old union, 退会).
    closing = [
        Membership(
            pk=p.membership.pk,
            status=(
                MembershipStatus.TRANSFERRED if p.action == TRANSFER else MembershipStatus.WITHDRAWN
            ),
            left_on=p.change_date,
        )
        for p in plans
        if p.action in (TRANSFER, WITHDRAW)
    ]
    if closing:
        Membership.objects.bulk_update(closing, ["status", "left_on"], batch_size=500)
    # 2. New people; their ids come back in one query by digest.
    creating = [p for p in plans if p.action == CREATE]
    if creating:
        rows = _new_people(creating, db_now, date, sealed)
        ids = _allocate_ids(Person, len(creating), reader)
        for p, pk in zip(creating, ids, strict=True):
            p.person_id = pk
        inserts.append(
            (Person, ("id", *PERSON_COLUMNS), [(pk, *r) for pk, r in zip(ids, rows, strict=True)])
        )
    # 3. Profile updates of known people (given cells only).
    known = [p for p in plans if p.action in (JOIN, UPDATE, TRANSFER)]
    if known:
        existing = Person.objects.in_bulk([p.person_id for p in known])
        changed: set[str] = set()
        for p in known:
            person = existing[p.person_id]
            for key in PROFILE_FIELDS:
                if key in p.person and getattr(person, key) != p.person[key]:
                    setattr(person, key, p.person[key])
                    changed.add(key)
                    if key == "mobile":
                        person.mobile_digest = crypto.digest(person.mobile)
                        changed.add("mobile_digest")
            person.updated_at = now
        Person.objects.bulk_update(
            list(existing.values()), [*sorted(changed), "updated_at"], batch_size=500
        )
        # bulk_update skips Person.save(): renamed people's memberships get the new name here.
        for p in known:
            if existing[p.person_id]._saved_name != existing[p.person_id].name:
                Membership.objects.filter(person_id=p.person_id).update(
                    person_name=p.person["name"]
                )
    # 4. New memberships (入会 of new and returning people, the receiving side of 转会); each
    #    person then has exactly one active membership, found again in one query.
    opening = [p for p in plans if p.action in (CREATE, JOIN, TRANSFER)]
    opened: dict[int, int] = {}
    if opening:
        member_ids = _allocate_ids(Membership, len(opening), reader)
        opened = {p.person_id: pk for p, pk in zip(opening, member_ids, strict=True)}
        inserts.append((
            Membership, ("id", *MEMBERSHIP_COLUMNS),
            [
                (
                    opened[p.person_id], p.person_id, p.union_id, p.enterprise_id,
                    p.card_number or (p.membership.card_number if p.action == TRANSFER else None),
                    MembershipStatus.ACTIVE.value, date(p.joined_on), db_now, p.person["name"],
                )
                for p in opening
            ],
        ))  # fmt: skip
    # 5. Updates of active memberships in the same union (工作单位, 会员证号 when given).
    updating = []
    for p in plans:
        if p.action != UPDATE:
            continue
        m_id, card, enterprise_id = (
            p.membership.pk,
            p.membership.card_number,
            p.membership.enterprise_id,
        )
        if (p.enterprise_id and p.enterprise_id != enterprise_id) or (
            p.card_number and p.card_number != card
        ):
            updating.append(
                Membership(
                    pk=m_id,
                    enterprise_id=p.enterprise_id or enterprise_id,
                    card_number=p.card_number or card,
                )
            )
    if updating:
        Membership.objects.bulk_update(updating, ["enterprise", "card_number"], batch_size=500)
    # 6. The change log.
    kinds = {TRANSFER: ChangeKind.TRANSFER.value, WITHDRAW: ChangeKind.WITHDRAW.value}
    changes = []
    for p in plans:
        if p.action == UPDATE:
            continue
        kind = kinds.get(p.action, ChangeKind.JOIN.value)
        changes.append(
            (
                p.person_id, kind, date(p.joined_on if kind == ChangeKind.JOIN else p.change_date),
                p.reason, p.membership.pk if p.membership else None,
                opened.get(p.person_id) if p.action != WITHDRAW else None, actor_label, db_now,
            )
        )  # fmt: skip
    if changes:
        inserts.append((MembershipChange, CHANGE_COLUMNS, changes))
    return inserts


def _chunks(rows: Iterable[tuple[int, list[Any]]], size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process_table(
    table: Table,
    *,
    actor,
    union: OrgUnit | None = None,
    write: bool = False,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Validate (and with ``write=True`` write) every row. The caller holds the
    transaction when writing; this function never commits."""
    lookups = build_lookups(actor, union)
    validator = _Validator(lookups, table.columns, today or timezone.localdate())
    outcome = Outcome()
    label = audit._label(actor)
    writer = _Writer() if write else None
    reader = _Reader.for_import(write)
    with _fewer_collector_pauses():
        try:
            for chunk in _chunks(table.rows(), BATCH_ROWS):
                parsed = validator.parse(chunk)  # no database: overlaps the writer's last chunk
                if writer is not None:
                    # Also without the database, so also while the writer works: encrypting.
                    sealed = _seal_chunk((p.row, p.person) for p in parsed if not p.errors)
                    if reader is None:
                        writer.wait()  # the lookups below use the writer's connection
                plans, rejected = validator.plan(parsed, reader)
                if writer is not None:
                    inserts = _write_chunk(
                        plans, actor_label=label, sealed=sealed, reader=reader,
                        settle=writer.wait,
                    ) if plans else []  # fmt: skip
                    writer.wait()
                    if progress is not None and outcome.total:
                        progress(outcome.total)
                    writer.submit(inserts, _referenced(plans))
                for plan in plans:
                    outcome.count(plan)
                outcome.rejected.extend(rejected)
                outcome.total += len(chunk)
                if writer is None and progress is not None:
                    progress(outcome.total)
            if writer is not None:
                writer.finish()
                if progress is not None:
                    progress(outcome.total)
        finally:
            if writer is not None:
                writer.close()
            if reader is not None:
                reader.close()
    return outcome


#: Allocations between two young-generation collections while an import runs (Python's
#: default is 700).
IMPORT_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _fewer_collector_pauses() -> Iterator[None]:
    """Python's cycle collector, tuned for an import: it creates millions of short-lived
    objects (cells, dicts, tuples) that no cycle holds, and with the default thresholds the
    collector ran hundreds of times, each older-generation run walking everything the
    process holds (a sixth of a 100,000-row import's time). Objects alive when the import
    starts are frozen out of its collections and young ones are collected less often; both
    restored after."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


# -- the RosterImport workflow ----------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.UPLOADED: {ImportStatus.VALIDATING, ImportStatus.FAILED},
    ImportStatus.VALIDATING: {ImportStatus.PREVIEWED, ImportStatus.FAILED},
    ImportStatus.PREVIEWED: {ImportStatus.IMPORTING, ImportStatus.FAILED},
    ImportStatus.IMPORTING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
}
COUNT_FIELDS = (
    "total", "processed", "created_count", "updated_count", "transferred_count",
    "withdrawn_count", "rejected_count",
)  # fmt: skip


@transaction.atomic
def transition(imp: RosterImport, to: str, *, actor, **changes: Any) -> RosterImport:
    """The only place that moves ``RosterImport.status``; audited."""
    current = RosterImport.objects.select_for_update().get(pk=imp.pk)
    if to not in TRANSITIONS[current.status]:
        raise DomainError(
            f"导入状态为“{current.get_status_display()}”，不能变为“{ImportStatus(to).label}”",
            code="state",
        )
    before = current.status
    imp.status = to
    for key, value in changes.items():
        setattr(imp, key, value)
    if to in (ImportStatus.DONE, ImportStatus.FAILED):
        imp.finished_at = timezone.now()
        changes["finished_at"] = imp.finished_at
    imp.save(update_fields=["status", *changes, "updated_at"])
    after: dict[str, Any] = {"status": to}
    if to in (ImportStatus.PREVIEWED, ImportStatus.DONE):
        after.update({k: getattr(imp, k) for k in COUNT_FIELDS})
    audit.record(
        f"roster_import.{to}", actor=actor, obj=imp, before={"status": before}, after=after,
        result=AuditEvent.Result.FAILED if to == ImportStatus.FAILED else AuditEvent.Result.OK,
        detail=imp.error if to == ImportStatus.FAILED else "",
    )  # fmt: skip
    return imp


def _require_import_rights(actor, union: OrgUnit | None) -> Principal:
    principal = principal_for(actor)
    if not principal.may("membership", "change"):
        raise PermissionDeniedError("无权导入会员名册")
    if union is not None:
        if not union.holds_members:
            raise DomainError("会员只能导入到基层工会或联合工会", field="union")
        if not principal.covers("membership", "change", union):
            raise PermissionDeniedError("无权向该工会导入会员")
    return principal


def _read_stored(imp: RosterImport) -> Table:
    with default_storage.open(imp.file_path, "rb") as fh:
        data = fh.read()
    return read_table(data, imp.file_name, union_chosen=imp.union_id is not None)


def _discard_file(imp: RosterImport) -> None:
    if imp.file_path:
        try:
            default_storage.delete(imp.file_path)
        except OSError:  # pragma: no cover - a missing file is already gone
            logger.warning("could not delete roster upload %s", imp.file_path)


def _fail(imp: RosterImport, *, actor, message: str) -> RosterImport:
    imp.refresh_from_db()
    if imp.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return imp
    transition(imp, ImportStatus.FAILED, actor=actor, error=message)
    _discard_file(imp)
    return imp


def start_import(
    upload: IO[bytes], *, name: str, actor, union: OrgUnit | None = None
) -> RosterImport:
    """Check and store an uploaded roster; validate it now or in the background.

    File-level errors raise ``DomainError`` and store nothing.
    """
    _require_import_rights(actor, union)
    # Read one byte past the limit: read_table then refuses the file as too large.
    data = upload.read(settings.GONGHUI_IMPORT_MAX_BYTES + 1)
    table = read_table(data, name, union_chosen=union is not None)
    total = count_rows(table)
    suffix = ".csv" if table.kind == "csv" else (PurePath(name).suffix.lower() or ".xlsx")
    with transaction.atomic():
        path = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{suffix}", ContentFile(data))
        imp = RosterImport.objects.create(
            union=union, created_by=actor if getattr(actor, "pk", None) else None,
            file_name=PurePath(name or "roster").name[:200], file_path=path, file_size=len(data),
            headers=table.headers, total=total,
        )  # fmt: skip
        audit.record(
            "roster_import.uploaded", actor=actor, obj=imp,
            after={"status": ImportStatus.UPLOADED, "total": total, "file_size": len(data)},
        )  # fmt: skip
        transition(imp, ImportStatus.VALIDATING, actor=actor)
        if total > settings.GONGHUI_IMPORT_ASYNC_ROWS:
            from ..tasks import validate_roster_import

            transaction.on_commit(lambda: validate_roster_import.enqueue(imp.pk))
            return imp
    return validate_import(imp, actor=actor)


def _save_progress(imp: RosterImport) -> Callable[[int], None]:
    def progress(done: int) -> None:
        RosterImport.objects.filter(pk=imp.pk).update(processed=done)

    return progress


def progress_key(imp: RosterImport) -> str:
    return f"roster-import-progress:{imp.pk}"


def _rejected_payload(outcome: Outcome) -> str:
    return json.dumps(
        [[r.row, [_text(c) for c in r.cells], r.reason] for r in outcome.rejected],
        ensure_ascii=False,
    )


def _result_fields(outcome: Outcome) -> dict[str, Any]:
    return {
        "total": outcome.total,
        "processed": outcome.total,
        "created_count": outcome.counts[CREATE],
        "updated_count": outcome.counts[UPDATE],
        "transferred_count": outcome.counts[TRANSFER],
        "withdrawn_count": outcome.counts[WITHDRAW],
        "rejected_count": len(outcome.rejected),
        "rejected_preview": [
            {"row": r.row, "name": r.name[:50], "reason": r.reason}
            for r in outcome.rejected[:PREVIEW_REJECTED]
        ],
        "rejected_data": _rejected_payload(outcome) if outcome.rejected else "",
    }


def validate_import(imp: RosterImport, *, actor) -> RosterImport:
    """validating → previewed: a dry run that counts what the import would do."""
    try:
        table = _read_stored(imp)
        outcome = process_table(
            table, actor=actor, union=imp.union, write=False, progress=_save_progress(imp)
        )
    except DomainError as exc:
        return _fail(imp, actor=actor, message=exc.message)
    except Exception:
        logger.exception("roster import %s: validation failed", imp.pk)
        return _fail(imp, actor=actor, message="校验过程中发生系统错误，未导入任何数据")
    return transition(imp, ImportStatus.PREVIEWED, actor=actor, **_result_fields(outcome))


def confirm_import(imp: RosterImport, *, actor) -> RosterImport:
    """previewed → importing; run now, or in the background for a long roster."""
    _require_import_rights(actor, imp.union)
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权操作该导入")
    with transaction.atomic():
        transition(imp, ImportStatus.IMPORTING, actor=actor, processed=0)
        if imp.total > settings.GONGHUI_IMPORT_ASYNC_ROWS:
            from ..tasks import run_roster_import

            transaction.on_commit(lambda: run_roster_import.enqueue(imp.pk))
            return imp
    return run_import(imp, actor=actor)


def cancel_import(imp: RosterImport, *, actor) -> RosterImport:
    """A previewed import the staff member decides not to write."""
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权操作该导入")
    if imp.status != ImportStatus.PREVIEWED:
        raise DomainError("只能取消待确认的导入", code="state")
    transition(imp, ImportStatus.FAILED, actor=actor, error="已取消，未导入任何数据")
    _discard_file(imp)
    return imp


def run_import(imp: RosterImport, *, actor) -> RosterImport:
    """importing → done: re-validate and write every valid row in ONE transaction.

    Progress of the write goes to the cache (visible across processes when the cache is
    shared, e.g. Redis); the database row only changes when the transaction commits.
    """
    key = progress_key(imp)

    def progress(done: int) -> None:
        cache.set(key, done, 3600)

    try:
        table = _read_stored(imp)
        with transaction.atomic():
            outcome = process_table(
                table, actor=actor, union=imp.union, write=True, progress=progress
            )
            transition(imp, ImportStatus.DONE, actor=actor, **_result_fields(outcome))
    except DomainError as exc:
        return _fail(imp, actor=actor, message=exc.message + "；未导入任何数据")
    except IntegrityError:
        logger.exception("roster import %s: conflict while writing", imp.pk)
        return _fail(
            imp, actor=actor, message="写入时发生数据冲突（如会员证号重复），未导入任何数据"
        )
    except Exception:
        logger.exception("roster import %s: import failed", imp.pk)
        return _fail(imp, actor=actor, message="导入过程中发生系统错误，未导入任何数据")
    finally:
        cache.delete(key)
    _discard_file(imp)
    return imp


def live_progress(imp: RosterImport) -> int:
    if imp.status == ImportStatus.IMPORTING:
        return max(imp.processed, cache.get(progress_key(imp)) or 0)
    return imp.processed


# -- workbooks out ------------------------------------------------------------------------------


def _workbook_file(rows: Iterable[list[Any]], *, title: str) -> IO[bytes]:
    """Write rows to a write-only .xlsx in a temporary file; every cell formula-safe."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller, who streams it
    wb.save(out)
    out.seek(0)
    return out


def error_workbook(imp: RosterImport, *, actor) -> IO[bytes]:
    """The rejected rows with their original cells plus a 错误原因 column."""
    if not RosterImport.objects.restrict(actor).filter(pk=imp.pk).exists():
        raise PermissionDeniedError("无权查看该导入")
    rejected = json.loads(imp.rejected_data) if imp.rejected_data else []
    audit.record(
        "roster_import.download_errors", actor=actor, obj=imp, after={"rows": len(rejected)}
    )

    def rows() -> Iterator[list[Any]]:
        yield ["行号", *imp.headers, ERROR_COLUMN]
        width = len(imp.headers)
        for number, cells, reason in rejected:
            yield [number, *(cells + [""] * width)[:width], reason]

    return _workbook_file(rows(), title="错误行")


def template_workbook() -> IO[bytes]:
    return _workbook_file([TEMPLATE_HEADERS], title="会员名册")


EXPORT_HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会员证号", "入会日期",
    "会籍状态",
]  # fmt: skip


def export_roster(
    user, *, union_id: int | None = None, status: str | None = "active"
) -> tuple[IO[bytes], int]:
    """An .xlsx of the members in the caller's scope; ID and mobile masked; audited."""
    principal = principal_for(user)
    # A staff or enterprise role with membership view; a worker's own-record access is no
    # licence to export a roster.
    staff = principal.has_role(*roles_for("membership", "view")) or principal.enterprise_ids()
    if not (principal.may("membership", "view") and staff):
        raise PermissionDeniedError("无权导出会员名册")
    qs = member_list(user, union_id=union_id, status=status).select_related("enterprise")
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        yield EXPORT_HEADERS
        for m in qs.iterator(chunk_size=2000):
            p = m.person
            count += 1
            yield [
                m.union.name, p.name, p.get_sex_display(), p.birth_date, p.ethnicity,
                p.get_id_type_display(), mask_id_number(p.id_number),
                p.get_education_display(), p.get_skill_level_display(),
                mask_mobile(p.mobile), p.get_household_type_display(),
                p.get_political_status_display(), m.enterprise.name if m.enterprise else "",
                "是" if p.is_migrant_worker else "否", m.card_number or "", m.joined_on,
                m.get_status_display(),
            ]  # fmt: skip

    out = _workbook_file(rows(), title="会员名册")
    audit.record(
        "roster.export", actor=user, after={"union": union_id, "status": status, "rows": count},
        detail=f"导出会员名册{count}条",
    )  # fmt: skip
    return out, count


__all__ = [
    "ERROR_COLUMN",
    "TEMPLATE_HEADERS",
    "cancel_import",
    "confirm_import",
    "error_workbook",
    "export_roster",
    "parse_date",
    "process_table",
    "read_table",
    "run_import",
    "safe_cell",
    "start_import",
    "transition",
    "validate_import",
]
