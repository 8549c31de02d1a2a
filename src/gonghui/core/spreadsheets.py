# SPDX-License-Identifier: AGPL-3.0-or-later
"""Spreadsheets in and out, for every app: one reader, one error workbook, safe cells.

Reading (``open_sheet``, ``read_table``): an .xlsx/.xls (python-calamine) or, where the
caller allows it, a .csv (UTF-8 with or without BOM, or GBK). Every upload path gets the
same limits, from settings:

- ``GONGHUI_IMPORT_MAX_BYTES``: the file size;
- ``GONGHUI_IMPORT_MAX_ROWS``: data rows (a caller may ask for fewer, never more);
- ``GONGHUI_IMPORT_MAX_CELLS`` and ``MAX_COLUMNS``: cells of the sheet and its width.

An .xlsx that declares more rows than allowed (its ``<dimension>``) is refused before
calamine parses it; once parsed, the sheet's height and width are checked before a single
row reaches Python; rows are then yielded one at a time (never a whole sheet as Python
lists) and the row counter raises as soon as the limit is passed. A 37 KB workbook of
100,000 rows is thus refused without reading its rows. Every refusal is a ``DomainError``
with a message from the one set below.

Writing (``write_workbook``, ``workbook_bytes``, ``error_workbook``): openpyxl in write-only
mode, every cell through ``safe_cell`` (OWASP formula injection guard); the error workbook
is the rejected rows with their original cells and a 错误原因 column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings

from .errors import DomainError

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_COLUMN = "错误原因"
#: Rows scanned for the header row (a title line above the headers is common).
HEADER_SCAN_ROWS = 10
#: Columns a sheet may have (the widest template has 19).
MAX_COLUMNS = 200

# -- the one message set -------------------------------------------------------------------
EMPTY = "文件为空，请选择填好的{what}表格"
NOT_A_TABLE = "文件不是有效的Excel或CSV表格"
NOT_AN_XLSX = "文件不是有效的Excel表格（.xlsx）"
BAD_ENCODING = NOT_A_TABLE + "（无法识别文字编码，请另存为UTF-8或GBK编码的CSV）"
TOO_LARGE = "文件过大（上限{mb}MB），请拆分后分批导入"
TOO_MANY_ROWS = "数据行数超过上限（最多{limit}行），请拆分后分批导入"
TOO_MANY_CELLS = "表格过大（最多{columns}列、{cells}个单元格），请删去多余的行列或拆分后导入"
NO_DATA_ROWS = "表格中没有数据行"
MISSING_HEADERS = "表头不符合{what}模板，缺少以下列："


def max_bytes() -> int:
    return settings.GONGHUI_IMPORT_MAX_BYTES


def row_limit(max_rows: int | None = None) -> int:
    """The caller's row limit, never above the platform's."""
    limit = settings.GONGHUI_IMPORT_MAX_ROWS
    return limit if max_rows is None else min(max_rows, limit)


def _too_many_rows(limit: int) -> DomainError:
    return DomainError(TOO_MANY_ROWS.format(limit=limit), code="too_many_rows")


def _too_many_cells() -> DomainError:
    cells = settings.GONGHUI_IMPORT_MAX_CELLS
    return DomainError(
        TOO_MANY_CELLS.format(columns=MAX_COLUMNS, cells=cells), code="too_many_cells"
    )


def check_size(data: bytes, *, what: str = "") -> None:
    if not data:
        raise DomainError(EMPTY.format(what=what), code="empty")
    if len(data) > max_bytes():
        raise DomainError(TOO_LARGE.format(mb=f"{max_bytes() / 1024 / 1024:.0f}"), code="too_large")


def read_upload(upload: IO[bytes] | bytes) -> bytes:
    """The bytes of an upload, reading at most one byte past the limit (``check_size`` then
    refuses it as too large): a huge upload is never read whole."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload)
    return upload.read(max_bytes() + 1)


# -- cells ----------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u3000]+")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def normalize_header(value: Any) -> str:
    """``' 证件号码 '`` / ``'*证件号码'`` / ``'证件 号码'`` → ``'证件号码'``."""
    return _SPACES.sub("", str(value or "")).lstrip("*＊")


def safe_cell(value: Any) -> Any:
    """OWASP CSV/formula injection guard: a text cell never starts a formula.

    A string starting with = + - @ tab or CR gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_text(value: Any) -> str:
    """A cell as text: ``12.0`` → ``"12"``, dates as ``2024-01-05``, booleans 是/否."""
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


def is_blank(cells: list[Any]) -> bool:
    for c in cells:
        if c is not None and c != "" and (c.__class__ is not str or c.strip()):
            return False
    return True


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


# -- reading ----------------------------------------------------------------------------------


@dataclass
class Sheet:
    """The first sheet of a file. ``rows()`` may be called again; each call streams."""

    kind: str  # "excel" or "csv"
    rows: Callable[[], Iterator[list[Any]]]


def _sniff(data: bytes, name: str, csv_allowed: bool) -> str:
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "excel"
    if not csv_allowed:
        raise DomainError(NOT_AN_XLSX, code="not_a_table")
    suffix = PurePath(name or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls") or b"\x00" in data[:8192]:
        raise DomainError(NOT_A_TABLE, code="not_a_table")
    return "csv"


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")


def _declared_rows(data: bytes) -> int:
    """The last row an .xlsx's worksheets declare in their ``<dimension>`` (0 if none do):
    read from the first few KB of each sheet, without parsing the sheet."""
    if data[:4] != b"PK\x03\x04":
        return 0
    top = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as part:
                        found = _DIMENSION.search(part.read(4096))
                    if found:
                        top = max(top, int(found[1]))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return 0  # calamine decides
    return top


def _excel_rows(data: bytes, limit: int, not_a_table: str) -> Callable[[], Iterator[list[Any]]]:
    from python_calamine import CalamineWorkbook

    if _declared_rows(data) > limit + HEADER_SCAN_ROWS:
        raise _too_many_rows(limit)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise DomainError(not_a_table, code="not_a_table")
        sheet = workbook.get_sheet_by_index(0)  # parsed once (in Rust), iterated as needed
    except DomainError:
        raise
    except Exception:
        raise DomainError(not_a_table, code="not_a_table") from None
    if sheet.height > limit + HEADER_SCAN_ROWS:
        raise _too_many_rows(limit)
    if sheet.width > MAX_COLUMNS or sheet.height * sheet.width > settings.GONGHUI_IMPORT_MAX_CELLS:
        raise _too_many_cells()

    def rows() -> Iterator[list[Any]]:
        # One row at a time as Python objects; cells stay as calamine gives them.
        return iter(sheet.iter_rows())

    return rows


def _csv_rows(data: bytes) -> Callable[[], Iterator[list[Any]]]:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DomainError(BAD_ENCODING, code="not_a_table")

    def rows() -> Iterator[list[Any]]:
        for cells in csv.reader(io.StringIO(text, newline="")):
            if len(cells) > MAX_COLUMNS:
                raise _too_many_cells()
            yield cells

    try:
        for _ in zip(range(HEADER_SCAN_ROWS), rows(), strict=False):
            pass
    except csv.Error:
        raise DomainError(NOT_A_TABLE, code="not_a_table") from None
    return rows


def open_sheet(
    data: bytes, name: str = "", *, what: str = "", csv_allowed: bool = True,
    max_rows: int | None = None,
) -> Sheet:  # fmt: skip
    """Check size and kind and open the first sheet; raises ``DomainError``."""
    check_size(data, what=what)
    kind = _sniff(data, name, csv_allowed)
    not_a_table = NOT_A_TABLE if csv_allowed else NOT_AN_XLSX
    rows = (
        _excel_rows(data, row_limit(max_rows), not_a_table) if kind == "excel" else _csv_rows(data)
    )
    return Sheet(kind, rows)


@dataclass
class Table:
    headers: list[str]  # as in the file, spaces stripped
    columns: dict[str, int]  # internal key → column index
    header_row: int  # 1-based row number of the header row
    rows: Callable[[], Iterator[tuple[int, list[Any]]]]  # (row number, cells), streamed
    kind: str = "xlsx"
    limit: int = 0  # data rows allowed


def read_table(
    data: bytes,
    name: str = "",
    *,
    columns: dict[str, str],
    required: Iterable[str] | None = None,
    markers: tuple[str, ...] = ("姓名", "证件号码"),
    what: str = "",
    csv_allowed: bool = True,
    max_rows: int | None = None,
) -> Table:
    """Open a file, find its header row and check its headers.

    ``columns`` maps header text to an internal key; ``required`` lists the headers that
    must be present (default: all). The header row is the first of the first
    ``HEADER_SCAN_ROWS`` holding every ``markers`` header, else the first non-blank row.
    ``Table.rows()`` streams the data rows (blank rows skipped, short rows padded) and
    raises ``too_many_rows`` as soon as there are more than allowed."""
    limit = row_limit(max_rows)
    sheet = open_sheet(data, name, what=what, csv_allowed=csv_allowed, max_rows=limit)
    raw_rows = sheet.rows
    header_row, headers = 0, None
    first_nonblank: tuple[int, list[str]] | None = None
    for number, cells in enumerate(raw_rows(), start=1):
        if number > HEADER_SCAN_ROWS:
            break
        if is_blank(cells):
            continue
        normalized = [normalize_header(c) for c in cells]
        first_nonblank = first_nonblank or (number, normalized)
        if markers and all(m in normalized for m in markers):
            header_row, headers = number, normalized
            break
    if first_nonblank is None:
        raise DomainError(EMPTY.format(what=what), code="empty")
    if headers is None:
        header_row, headers = first_nonblank
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = columns.get(header)
        if key and key not in found:
            found[key] = index
    missing = [h for h in (columns if required is None else required) if columns[h] not in found]
    if missing:
        raise DomainError(MISSING_HEADERS.format(what=what) + "、".join(missing), code="headers")
    width = len(headers)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        seen = 0
        for number, cells in enumerate(raw_rows(), start=1):
            if number <= header_row or is_blank(cells):
                continue
            seen += 1
            if seen > limit:
                raise _too_many_rows(limit)
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield number, cells

    return Table(
        headers=[str(h) for h in headers], columns=found, header_row=header_row,
        rows=data_rows, kind=sheet.kind, limit=limit,
    )  # fmt: skip


def count_rows(table: Table) -> int:
    """Count the data rows (refusing more than the limit, and none)."""
    total = 0
    for _ in table.rows():
        total += 1
    if total == 0:
        raise DomainError(NO_DATA_ROWS, code="empty")
    return total


def chunked(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- writing ------------------------------------------------------------------------------------


def write_workbook(rows: Iterable[Iterable[Any]], *, title: str) -> IO[bytes]:
    """Rows into a write-only .xlsx in a temporary file (returned open, at its start);
    every cell formula-safe."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open to the caller, who streams it
    wb.save(out)
    out.seek(0)
    return out


def workbook_bytes(rows: Iterable[Iterable[Any]], *, title: str) -> bytes:
    with write_workbook(rows, title=title) as out:
        return out.read()


def error_workbook(
    headers: list[str], rejected: Iterable[tuple[int, list[Any], str]], *, title: str = "错误行"
) -> IO[bytes]:
    """The rejected rows as (row number, original cells, reason): 行号, the file's own
    columns, 错误原因."""
    width = len(headers)

    def rows() -> Iterator[list[Any]]:
        yield ["行号", *headers, ERROR_COLUMN]
        for number, cells, reason in rejected:
            yield [number, *(list(cells) + [""] * width)[:width], reason]

    return write_workbook(rows(), title=title)


#: How long a stored error workbook can be downloaded.
ERROR_WORKBOOK_TTL = dt.timedelta(hours=1)


def store_error_workbook(
    headers: list[str], rejected: Iterable[tuple[int, list[Any], str]], *, area: str
) -> str:
    """The error workbook (``error_workbook``) into the encrypted private store for
    ``ERROR_WORKBOOK_TTL``; returns its name (``area/…``), to keep in the session."""
    from . import private_files

    with error_workbook(headers, rejected) as out:
        return private_files.save(out.read(), area=area, ttl=ERROR_WORKBOOK_TTL)


def stored_error_workbook(name: str, *, area: str) -> bytes | None:
    """The stored error workbook ``name`` if it belongs to ``area`` and has not expired."""
    from . import private_files

    if not (name or "").startswith(area + "/"):
        return None
    try:
        return private_files.read(name)
    except private_files.Expired:
        return None
