"""The one spreadsheet module: the same limits and messages on every upload path, rows
streamed and refused at the limit, the error workbook formula-safe."""

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from gonghui.core import spreadsheets
from gonghui.core.errors import DomainError
from gonghui.mutualaid.domain.enrolment import candidates_from_xlsx, not_matched
from gonghui.orgs.domain import roster
from gonghui.orgs.models import Person
from gonghui.training.domain.demands import import_enterprise_demands
from gonghui.training.domain.outcomes import import_certificates

ROWS = 100_000


def _xlsx(rows, headers=("姓名", "证件号码")) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def huge() -> bytes:
    """100,000 identical rows: a small file (the issue's case was 37 KB)."""
    return _xlsx(("张三", "330424199001010011") for _ in range(ROWS))


def _strip_dimension(data: bytes) -> bytes:
    """The same workbook without its <dimension> tag (a file may omit or fake it)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                start = body.find(b"<dimension")
                if start >= 0:
                    body = body[:start] + body[body.index(b"/>", start) + 2 :]
            dst.writestr(info, body)
    return out.getvalue()


def test_huge_workbook_is_small(huge):
    assert len(huge) < 1024 * 1024  # refused for its rows, not its size


@pytest.mark.django_db
def test_group_upload_of_100000_rows_is_refused_before_reading_rows(
    huge, django_assert_num_queries
):
    tracemalloc.start()
    with django_assert_num_queries(0), pytest.raises(DomainError) as exc:
        candidates_from_xlsx(huge, among=Person.objects.all())
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert exc.value.message == "数据行数超过上限（最多10000行），请拆分后分批导入"
    assert exc.value.code == "too_many_rows"
    assert exc.value.field == "file"
    # No row became Python objects: the old reader held 100,000 lists (tens of MB).
    assert peak < 8 * 1024 * 1024


@pytest.mark.django_db
def test_refused_by_sheet_height_when_the_dimension_is_missing(huge, django_assert_num_queries):
    data = _strip_dimension(huge)
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    with django_assert_num_queries(0), pytest.raises(DomainError) as exc:
        candidates_from_xlsx(data, among=Person.objects.all())
    assert exc.value.message == "数据行数超过上限（最多10000行），请拆分后分批导入"


def test_open_sheet_never_yields_a_row_of_a_sheet_over_the_limit(huge, settings):
    settings.GONGHUI_IMPORT_MAX_ROWS = 50_000
    with pytest.raises(DomainError) as exc:
        spreadsheets.open_sheet(huge)
    assert exc.value.message == "数据行数超过上限（最多50000行），请拆分后分批导入"


def test_every_upload_path_has_the_platform_limit(huge, county, settings):
    """Roster, certificates, demands: the platform's row limit (here lowered) and message."""
    settings.GONGHUI_IMPORT_MAX_ROWS = 300
    message = "数据行数超过上限（最多300行），请拆分后分批导入"
    with pytest.raises(DomainError, match=f"^{message}$"):
        roster.read_table(huge, "huge.xlsx")
    with pytest.raises(DomainError, match=f"^{message}$"):
        import_certificates(huge, actor=county.users["federation_staff"])
    with pytest.raises(DomainError, match=f"^{message}$"):
        import_enterprise_demands(
            huge, actor=county.users["enterprise_contact_a"], enterprise=county.ent_a
        )


def test_streamed_rows_stop_at_the_limit(settings):
    """A CSV (no declared height): the reader yields exactly the allowed rows, then raises
    without reading further."""
    settings.GONGHUI_IMPORT_MAX_ROWS = 5
    data = ("姓名,证件号码\n" + "张三,1\n" * 1000).encode()
    table = spreadsheets.read_table(data, "a.csv", columns={"姓名": "name", "证件号码": "id"})
    seen = []
    with pytest.raises(DomainError) as exc:
        for row in table.rows():
            seen.append(row)
    assert exc.value.message == "数据行数超过上限（最多5行），请拆分后分批导入"
    assert [number for number, _cells in seen] == [2, 3, 4, 5, 6]


def test_a_caller_cannot_raise_the_platform_limit(settings):
    settings.GONGHUI_IMPORT_MAX_ROWS = 2
    data = ("姓名,证件号码\n" + "张三,1\n" * 3).encode()
    table = spreadsheets.read_table(
        data, "a.csv", columns={"姓名": "name", "证件号码": "id"}, max_rows=100
    )
    with pytest.raises(DomainError, match="最多2行"):
        spreadsheets.count_rows(table)


def test_too_wide_and_too_many_cells_are_refused(settings):
    wide = _xlsx([["x"] * 300], headers=["姓名", "证件号码", *(f"c{i}" for i in range(298))])
    with pytest.raises(DomainError) as exc:
        spreadsheets.open_sheet(wide)
    assert exc.value.code == "too_many_cells"
    settings.GONGHUI_IMPORT_MAX_CELLS = 100
    with pytest.raises(DomainError) as exc:
        spreadsheets.open_sheet(_xlsx([("张三", "1")] * 60))
    assert exc.value.message == "表格过大（最多200列、100个单元格），请删去多余的行列或拆分后导入"


def test_size_and_kind_messages(settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(DomainError, match=r"^文件过大（上限1MB），请拆分后分批导入$"):
        spreadsheets.open_sheet(b"x" * (1024 * 1024 + 1))
    with pytest.raises(DomainError, match=r"^文件为空，请选择填好的证书表格$"):
        spreadsheets.open_sheet(b"", what="证书")
    with pytest.raises(DomainError, match=r"^文件不是有效的Excel表格（\.xlsx）$"):
        spreadsheets.open_sheet(b"a,b\n1,2\n", csv_allowed=False)
    with pytest.raises(DomainError, match=r"^文件不是有效的Excel或CSV表格$"):
        spreadsheets.open_sheet(b"PK\x03\x04broken", "a.xlsx")


def test_read_upload_reads_one_byte_past_the_limit(settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 10
    upload = io.BytesIO(b"y" * 1000)
    assert spreadsheets.read_upload(upload) == b"y" * 11


def test_error_workbook_has_the_reason_column_and_safe_cells():
    out = spreadsheets.error_workbook(
        ["姓名", "证件号码"], [(3, ["=HYPERLINK(1)", "+86"], "证件号码无效"), (7, ["李四"], "x")]
    )
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows == [
        ("行号", "姓名", "证件号码", "错误原因"),
        (3, "'=HYPERLINK(1)", "'+86", "证件号码无效"),
        (7, "李四", None, "x"),
    ]


@pytest.mark.django_db
def test_group_upload_looks_people_up_per_chunk(django_assert_max_num_queries):
    """2,500 rows: three lookups (1,000 rows each), not one query per row."""
    data = _xlsx((f"职工{i}", f"33042419900101{i:04d}") for i in range(2500))
    with django_assert_max_num_queries(3):
        candidates = candidates_from_xlsx(data, among=Person.objects.all())
    assert len(candidates) == 2500
    # One neutral reason for every row that finds nobody (issue 12 item 2).
    assert {c.reason for c in candidates} == {not_matched()}
