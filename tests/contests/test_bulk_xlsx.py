"""Bulk registration from an uploaded .xlsx: the template, the same checks as a typed list,
every refused row named by its sheet row number, the workbook of refused rows, all or
nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gonghui.contests.models import Entry
from gonghui.core.models import AuditEvent

from .conftest import members

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def xlsx(rows, headers=("项目", "单位", "队名", "成员"), *, title=None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])  # a title line above the headers, as people add
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


def test_template_lists_the_contests_events(client, meet):
    client.force_login(meet.officer_a)
    res = client.get(f"/contests/{meet.contest.pk}/bulk/template.xlsx")
    assert res.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(res.streaming_content)))
    sheet = wb["报名名单"]
    assert [c.value for c in sheet[1]] == ["项目", "单位", "队名", "成员"]
    assert sheet.max_row == 1  # no sample row that could be registered by mistake
    (check,) = sheet.data_validations.dataValidation
    assert check.type == "list" and str(check.sqref) == "A2:A501"
    notes = wb["填写说明"]
    assert [notes[f"F{i}"].value for i in range(2, 6)] == ["男子俯卧撑", "跳绳", "瑜伽", "舞蹈"]
    table = {row[0]: row[1:4] for row in notes.iter_rows(min_row=9, max_col=4, values_only=True)}
    assert table["男子俯卧撑"] == ("1人", "男子", "18–55岁")
    assert table["跳绳"] == ("3–5人", "不限", "不限")
    # Another union's officer of the same contest gets it too; an account that may
    # register no unit does not.
    from gonghui.orgs.enums import Role
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.UNION_OFFICER, meet.county.union_b))
    assert client.get(f"/contests/{meet.contest.pk}/bulk/template.xlsx").status_code == 200
    client.force_login(meet.judges[0])
    assert client.get(f"/contests/{meet.contest.pk}/bulk/template.xlsx").status_code in (403, 404)


def test_a_workbook_is_checked_like_a_list_and_refused_rows_come_back(client, meet):
    twins = members(meet.county.union_a, meet.county.ent_a, 2, prefix="同名")
    for p in twins:
        p.name = "同名"
        p.save()
    client.force_login(meet.officer_a)
    url = f"/contests/{meet.contest.pk}/bulk/"
    unit = meet.county.union_a.pk
    headers = ("项目", "单位", "队名", "成员", "成员2", "成员3")
    bad = [
        ("跳绳", None, "甲一队", "甲0", "甲1", "甲2"),  # row 3: fine, members one a cell
        ("跳绳", None, "甲二队", "甲3、甲4", None, None),  # row 4: a team of 2 (3 to 5)
        (None, None, None, None, None, None),  # row 5: blank, skipped
        ("男子俯卧撑", None, None, "甲0", None, None),  # row 6: 甲0 is in row 3 already
        ("跳远", None, None, "甲5", None, None),  # row 7: no such event
        ("男子俯卧撑", None, None, "乙0", None, None),  # row 8: union B's member
        ("瑜伽", None, None, "同名 甲6", None, None),  # row 9: two members share the name
        ("男子俯卧撑", "乙单位", None, "甲7", None, None),  # row 10: not a unit of theirs
    ]
    file = xlsx(bad, headers, title="2026年趣味运动会报名表")
    res = client.post(url, {"unit": unit, "action": "save", "file": file}, **HTMX)
    page = res.content.decode()
    assert res.status_code == 400 and "有6行不能报名" in page
    bad_rows = {4: "每队应为3至5人，现为2人", 6: "每人限报一项：甲0已报名其他项目",
                7: "没有“跳远”这个项目", 8: "没有名为乙0的在会会员", 9: "有2名会员叫同名",
                10: "“乙单位”不是您可报名的单位"}  # fmt: skip
    for reason in bad_rows.values():
        assert reason in page
    assert page.count('class="bulk-line bulk-bad"') == 6
    for line in bad_rows:
        assert f'data-line="{line}"' in page
    assert 'data-line="3"' in page and 'data-line="5"' not in page
    assert not Entry.objects.exists()
    assert not AuditEvent.objects.filter(action="contests.entry.register").exists()
    # The refused rows as a workbook: 行号 (the sheet's), the file's cells, 错误原因.
    assert "下载有误的行" in page
    res = client.get(f"/contests/{meet.contest.pk}/bulk/errors.xlsx")
    assert res.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(res.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", *headers, "错误原因")
    assert [r[0] for r in rows[1:]] == list(bad_rows)
    assert rows[1][1:5] == ("跳绳", None, "甲二队", "甲3、甲4")
    for r in rows[1:]:
        assert bad_rows[r[0]] in r[-1], r
    # Corrected: checked without writing, then saved.
    twin = twins[1].id_number[-4:]
    good = [
        ("跳绳", None, "甲一队", "甲0", "甲1", "甲2"),
        ("跳绳", "", "甲二队", "甲3、甲4、甲5", None, None),
        ("瑜伽", None, None, f"同名({twin})", "甲6", None),
    ]
    res = client.post(url, {"unit": unit, "action": "check", "file": xlsx(good, headers)}, **HTMX)
    assert res.status_code == 200 and "3行均可报名，尚未提交" in res.content.decode()
    assert not Entry.objects.exists()
    # A new upload forgets the previous refusals' workbook.
    assert client.get(f"/contests/{meet.contest.pk}/bulk/errors.xlsx").status_code == 404
    res = client.post(url, {"unit": unit, "action": "save", "file": xlsx(good, headers)})
    assert res.status_code == 302
    teams = {e.name: {m.person_id for m in e.members.all()} for e in Entry.objects.all()}
    assert len(teams) == 3
    assert teams["甲一队"] == {p.pk for p in meet.a[:3]}
    assert teams["甲二队"] == {p.pk for p in meet.a[3:6]}
    assert {twins[1].pk, meet.a[6].pk} in teams.values()
    assert AuditEvent.objects.filter(action="contests.entry.register").count() == 3


def test_files_that_are_not_the_template_are_refused(client, meet):
    client.force_login(meet.officer_a)
    url = f"/contests/{meet.contest.pk}/bulk/"
    unit = meet.county.union_a.pk
    cases = [
        (SimpleUploadedFile("名单.xlsx", "跳绳，，，甲0".encode()), "文件不是有效的Excel表格"),
        (
            xlsx([("跳绳", "甲0")], headers=("项目", "人员")),
            "表头不符合竞赛报名模板，缺少以下列：成员",
        ),
        (xlsx([]), "表格中没有数据行"),
    ]
    for file, message in cases:
        res = client.post(url, {"unit": unit, "action": "save", "file": file}, **HTMX)
        assert res.status_code == 400 and message in res.content.decode(), message
    assert not Entry.objects.exists()
