"""Roster import in Chromium: upload with bad rows, preview, errors, confirm, done."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from gonghui.orgs.models import Membership, RosterImport

from ..factories import PASSWORD, make_id_number
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会籍变化类型", "会籍变化日期",
    "会籍变化原因",
]  # fmt: skip


def _roster(t) -> bytes:
    def row(i, **over):
        birth = dt.date(1992, 3, 1) + dt.timedelta(days=i)
        values = {
            "所属工会": t.union_a.name, "姓名": f"测试{i}号", "性别": "女",
            "出生日期": f"{birth:%Y-%m-%d}", "民族": "汉族", "证件类型": "居民身份证",
            "证件号码": make_id_number(birth, "F", seq=700 + i), "学历": "大专",
            "技能等级": "中级工", "移动电话": f"1370000{i:04d}", "户籍类型": "城镇",
            "政治面貌": "群众", "工作单位": t.ent_a.name, "是否农民工": "否",
            "会籍变化类型": "入会", "会籍变化日期": "2024/3/1", "会籍变化原因": "",
        }  # fmt: skip
        values.update(over)
        return [values[h] for h in HEADERS]

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(1, 5):
        ws.append(row(i))
    ws.append(row(5, 移动电话="12345"))
    ws.append(row(6, 所属工会="不存在的工会"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_staff_imports_a_roster_with_bad_rows(desk, live_server, county, shot, tmp_path, settings):
    t = county
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"
    staff = t.users["federation_staff"]
    before = Membership.objects.count()
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_roster(t))

    login(desk, live_server, staff.mobile, PASSWORD)
    desk.goto(f"{live_server.url}/console/imports/")
    desk.set_input_files("input[type=file]", str(path))
    shot(desk, "import-upload")
    desk.click("button:has-text('上传并校验')")
    desk.wait_for_selector("#import-counts")
    assert desk.inner_text("[data-count=created]") == "4"
    assert desk.inner_text("[data-count=rejected]") == "2"
    rejected = desk.inner_text("#rejected-rows")
    assert "手机号码应为以1开头的11位数字" in rejected
    assert "未找到所属工会“不存在的工会”" in rejected
    shot(desk, "import-preview")
    assert Membership.objects.count() == before

    with desk.expect_download() as info:
        desk.click("#download-errors")
    assert info.value.suggested_filename.endswith(".xlsx")
    errors = load_workbook(io.BytesIO(info.value.path().read_bytes()), read_only=True).active
    reasons = [r[-1] for r in errors.iter_rows(min_row=2, values_only=True)]
    assert reasons == [
        "手机号码应为以1开头的11位数字",
        "未找到所属工会“不存在的工会”（须为基层工会或联合工会的全称）",
    ]

    desk.click("#confirm-import")
    desk.wait_for_selector("[data-status=done]")
    assert desk.inner_text("#import-state") == "已完成"
    assert desk.inner_text("[data-count=created]") == "4"
    shot(desk, "import-done")
    assert Membership.objects.count() == before + 4
    assert RosterImport.objects.get().status == "done"
