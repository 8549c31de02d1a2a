"""Roster import: reading, validation of every kind of bad row, preview, the one-transaction
write, the background-task path, transfer/withdraw rows and the error workbook."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

from gonghui.core import private_files
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.domain import roster
from gonghui.orgs.enums import ChangeKind, MembershipStatus
from gonghui.orgs.models import (
    ImportStatus,
    Membership,
    MembershipChange,
    Person,
    RosterImport,
)

from ..factories import EnterpriseFactory, MembershipFactory, PersonFactory, make_id_number

HEADERS = [
    "所属工会", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "学历", "技能等级",
    "移动电话", "户籍类型", "政治面貌", "工作单位", "是否农民工", "会籍变化类型", "会籍变化日期",
    "会籍变化原因", "会员证号", "入会日期",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGHUI_PRIVATE_ROOT = tmp_path / "private"


def person_row(t, seq: int, **over) -> dict:
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=seq)
    row = {
        "所属工会": t.union_a.name,
        "姓名": f"王{'一二三四五六七八九十'[seq % 10]}",
        "性别": "男",
        "出生日期": f"{birth:%Y-%m-%d}",
        "民族": "汉族",
        "证件类型": "居民身份证",
        "证件号码": make_id_number(birth, "M", seq=500 + seq),
        "学历": "本科",
        "技能等级": "高级工",
        "移动电话": f"1390000{seq:04d}",
        "户籍类型": "农村",
        "政治面貌": "中共党员",
        "工作单位": t.ent_a.name,
        "是否农民工": "是",
        "会籍变化类型": "入会",
        "会籍变化日期": "2024-01-05",
        "会籍变化原因": "新入职",
        "会员证号": "",
        "入会日期": "",
    }
    row.update(over)
    return row


def xlsx(rows: list[dict], headers=HEADERS, title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h.strip(), "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig", headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def upload(data: bytes, name: str = "roster.xlsx", *, actor, union=None) -> RosterImport:
    return roster.start_import(io.BytesIO(data), name=name, actor=actor, union=union)


def stored(imp: RosterImport) -> bool:
    """Is the upload still in the private store?"""
    return bool(imp.file_path) and (private_files.private_root() / imp.file_path).exists()


def counts():
    return (Person.objects.count(), Membership.objects.count(), MembershipChange.objects.count())


def test_xlsx_happy_path_previews_then_writes_in_one_go(county):
    t = county
    staff = t.users["federation_staff"]
    rows = [
        person_row(t, 1),
        person_row(t, 2, 所属工会=t.union_b.name, 工作单位=t.ent_b.name, 会员证号="HY2024001"),
        person_row(t, 3, 工作单位="", 学历="", 技能等级="", 移动电话="", 入会日期="2023/7/1"),
    ]
    before = counts()
    imp = upload(xlsx(rows), actor=staff)

    assert imp.status == ImportStatus.PREVIEWED
    assert (imp.total, imp.processed, imp.created_count, imp.updated_count) == (3, 3, 3, 0)
    assert (imp.transferred_count, imp.withdrawn_count, imp.rejected_count) == (0, 0, 0)
    assert counts() == before  # the preview writes nothing
    assert stored(imp)

    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE
    assert imp.created_count == 3
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 3)
    assert not stored(imp)  # personal data not kept

    p1 = Person.objects.get(name="王二")
    assert (p1.sex, p1.birth_date, p1.education, p1.skill_level) == (
        "M", dt.date(1990, 1, 2), "bachelor", "l3",
    )  # fmt: skip
    assert (p1.household_type, p1.political_status, p1.is_migrant_worker) == (
        "rural", "cpc", True,
    )  # fmt: skip
    assert p1.mobile == "13900000001"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM orgs_person WHERE id = %s", [p1.pk])
        raw_id, raw_mobile = cursor.fetchone()
    assert raw_id.startswith("v1:") and raw_mobile.startswith("v1:")
    m1 = p1.memberships.get()
    assert (m1.union, m1.enterprise, m1.joined_on, m1.status) == (
        t.union_a, t.ent_a, dt.date(2024, 1, 5), MembershipStatus.ACTIVE,
    )  # fmt: skip
    m2 = Membership.objects.get(person__name="王三")
    assert (m2.union, m2.enterprise, m2.card_number) == (t.union_b, t.ent_b, "HY2024001")
    m3 = Membership.objects.get(person__name="王四")
    assert (m3.enterprise, m3.joined_on) == (None, dt.date(2023, 7, 1))
    change = MembershipChange.objects.get(person=p1)
    assert (change.kind, change.date, change.reason, change.to_membership) == (
        ChangeKind.JOIN, dt.date(2024, 1, 5), "新入职", m1,
    )  # fmt: skip

    actions = list(
        AuditEvent.objects.filter(object_type="orgs.RosterImport", object_id=str(imp.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "roster_import.uploaded", "roster_import.validating", "roster_import.previewed",
        "roster_import.importing", "roster_import.done",
    ]  # fmt: skip
    done = AuditEvent.objects.get(action="roster_import.done", object_id=str(imp.pk))
    assert done.after["created_count"] == 3 and done.after["rejected_count"] == 0
    # One audit row per import, not one per member.
    assert not AuditEvent.objects.filter(action="membership.join").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_gbk(county, encoding):
    t = county
    staff = t.users["federation_staff"]
    data = csv_bytes([person_row(t, 1), person_row(t, 2)], encoding=encoding)
    imp = upload(data, "名册.csv", actor=staff)
    assert (imp.status, imp.created_count, imp.rejected_count) == (ImportStatus.PREVIEWED, 2, 0)
    roster.confirm_import(imp, actor=staff)
    assert sorted(Person.objects.filter(name__startswith="王").values_list("name", flat=True)) == [
        "王三",
        "王二",
    ]


def test_headers_tolerate_spaces_order_and_a_title_row(county):
    t = county
    staff = t.users["federation_staff"]
    headers = [f"  {h} " for h in reversed(HEADERS)]
    rows = [{f"  {k} ".strip(): v for k, v in person_row(t, 1).items()}]
    imp = upload(xlsx(rows, headers=headers, title="海盐县工会会员名册"), actor=staff)
    assert (imp.created_count, imp.rejected_count) == (1, 0)
    assert imp.headers[0] == "入会日期"


def test_excel_date_cells_and_numeric_cells_are_understood(county):
    t = county
    staff = t.users["federation_staff"]
    row = person_row(t, 1)
    row["出生日期"] = dt.datetime(1990, 1, 2)
    row["会籍变化日期"] = dt.date(2024, 3, 1)
    row["移动电话"] = 13900000001
    imp = upload(xlsx([row]), actor=staff)
    assert (imp.created_count, imp.rejected_count) == (1, 0), imp.rejected_preview
    roster.confirm_import(imp, actor=staff)
    m = Membership.objects.get(person__name="王二")
    assert (m.joined_on, m.person.mobile) == (dt.date(2024, 3, 1), "13900000001")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024.1.5", dt.date(2024, 1, 5)),
        ("2024年1月5日", dt.date(2024, 1, 5)),
        ("20240105", dt.date(2024, 1, 5)),
        (20240105, dt.date(2024, 1, 5)),
        (45296, dt.date(2024, 1, 5)),  # an Excel serial number
        (dt.datetime(2024, 1, 5, 8, 30), dt.date(2024, 1, 5)),
        ("2024-01-05 00:00:00", dt.date(2024, 1, 5)),
        ("", None),
    ],
)
def test_parse_date_accepts_the_usual_spellings(value, expected):
    assert roster.parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024-13-01", "去年", "05/01/2024", "2024-02-30"])
def test_parse_date_refuses_nonsense(value):
    with pytest.raises(ValueError):
        roster.parse_date(value)


def _bad_id(t):
    good = make_id_number(dt.date(1990, 1, 2), "M", seq=501)
    return good[:-1] + ("0" if good[-1] != "0" else "1")


BAD_ROWS = [
    ("check_digit", lambda t: {"证件号码": _bad_id(t)}, "身份证号码校验位错误"),
    ("sex_mismatch", lambda t: {"性别": "女"}, "性别与身份证号码不符（应为男）"),
    (
        "birth_mismatch",
        lambda t: {"出生日期": "1991-01-02"},
        "出生日期与身份证号码不符（应为1990-01-02）",
    ),
    ("bad_phone", lambda t: {"移动电话": "1234567"}, "手机号码应为以1开头的11位数字"),
    (
        "bad_date",
        lambda t: {"会籍变化日期": "2024-13-45"},
        "会籍变化日期“2024-13-45”无法识别，请填写如2024-01-05的日期",
    ),
    ("future_date", lambda t: {"会籍变化日期": "2999-01-01"}, "会籍变化日期不能晚于今天"),
    (
        "unknown_union",
        lambda t: {"所属工会": "不存在的工会"},
        "未找到所属工会“不存在的工会”（须为基层工会或联合工会的全称）",
    ),
    (
        "unknown_enterprise",
        lambda t: {"工作单位": "查无此厂"},
        "工作单位“查无此厂”不是基层工会A下登记的企业",
    ),
    (
        "enterprise_of_other_union",
        lambda t: {"工作单位": t.ent_b.name},
        lambda t: f"工作单位“{t.ent_b.name}”不是基层工会A下登记的企业",
    ),
    (
        "bad_label",
        lambda t: {"学历": "大学"},
        lambda t: "学历“大学”无效，可填：" + "、".join(roster.parsing.EDUCATION_LABELS),
    ),
    ("empty_name", lambda t: {"姓名": ""}, "姓名不能为空"),
    ("bad_ethnicity", lambda t: {"民族": "汉"}, "民族无效，请填写如“汉族”的全称"),
    (
        "bad_change_kind",
        lambda t: {"会籍变化类型": "调动"},
        "会籍变化类型“调动”无效，可填：入会、转会、退会",
    ),
]


@pytest.mark.parametrize(("case", "override", "reason"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_every_kind_of_bad_row_is_rejected_with_its_reason(county, case, override, reason):
    t = county
    staff = t.users["federation_staff"]
    rows = [person_row(t, 1, **override(t)), person_row(t, 2)]
    before = counts()
    imp = upload(xlsx(rows), actor=staff)
    assert (imp.created_count, imp.rejected_count) == (1, 1)
    rejected = imp.rejected_preview[0]
    assert rejected["row"] == 2
    assert rejected["reason"] == (reason(t) if callable(reason) else reason)
    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert (imp.status, imp.created_count, imp.rejected_count) == (ImportStatus.DONE, 1, 1)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_out_of_scope_union_is_rejected(county):
    t = county
    town_staff = t.users["town_staff_a"]
    rows = [person_row(t, 1, 所属工会=t.union_b.name, 工作单位=""), person_row(t, 2)]
    imp = upload(xlsx(rows), actor=town_staff)
    assert imp.rejected_preview == [
        {"row": 2, "name": "王二", "reason": "所属工会“基层工会B”不在您的管理范围内"}
    ]
    assert imp.created_count == 1


def test_several_errors_on_one_row_are_all_listed(county):
    t = county
    staff = t.users["federation_staff"]
    row = person_row(t, 1, 移动电话="12", 工作单位="查无此厂", 技能等级="大师")
    imp = upload(xlsx([row, person_row(t, 2)]), actor=staff)
    assert imp.rejected_preview[0]["reason"] == "；".join(
        [
            "技能等级“大师”无效，可填：无、初级工、中级工、高级工、技师、高级技师",
            "手机号码应为以1开头的11位数字",
            "工作单位“查无此厂”不是基层工会A下登记的企业",
        ]
    )


def test_duplicate_id_in_the_file_rejects_later_rows_naming_the_first(county):
    t = county
    staff = t.users["federation_staff"]
    first = person_row(t, 1)
    rows = [
        first,
        person_row(t, 2),
        person_row(t, 3, 证件号码=first["证件号码"], 出生日期="", 性别=""),
        person_row(t, 4, 证件号码=first["证件号码"].lower(), 出生日期="", 性别=""),
    ]
    imp = upload(xlsx(rows), actor=staff)
    assert (imp.created_count, imp.rejected_count) == (2, 2)
    assert [(r["row"], r["reason"]) for r in imp.rejected_preview] == [
        (4, "证件号码与第2行重复"),
        (5, "证件号码与第2行重复"),
    ]


def test_duplicate_card_number_in_file_and_in_database(county):
    t = county
    staff = t.users["federation_staff"]
    t.member_b.card_number = "HY-B-1"
    t.member_b.save(update_fields=["card_number"])
    rows = [
        person_row(t, 1, 会员证号="HY-NEW"),
        person_row(t, 2, 会员证号="HY-NEW"),
        person_row(t, 3, 会员证号="HY-B-1"),
    ]
    imp = upload(xlsx(rows), actor=staff)
    assert [(r["row"], r["reason"]) for r in imp.rejected_preview] == [
        (3, "会员证号与第2行重复"),
        (4, "会员证号“HY-B-1”已被其他在会会员使用"),
    ]


def test_person_active_in_another_union_must_transfer(county):
    t = county
    staff = t.users["federation_staff"]
    other = t.member_b.person
    row = person_row(t, 1, 姓名=other.name, 证件号码=other.id_number, 出生日期="", 性别="")
    before = counts()
    imp = upload(xlsx([row]), actor=staff)
    assert imp.rejected_preview == [
        {"row": 2, "name": "李四", "reason": "该职工已是基层工会B的在会会员，请办理转会"}
    ]
    roster.confirm_import(imp, actor=staff)
    assert counts() == before


def test_person_already_in_the_same_union_is_an_update(county):
    t = county
    staff = t.users["union_officer_a"]
    person = t.member_a.person
    new_ent = EnterpriseFactory(union=t.union_a)
    row = person_row(
        t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
        移动电话="13955556666", 学历="", 工作单位=new_ent.name, 会员证号="A-0001",
    )  # fmt: skip
    before = counts()
    imp = upload(xlsx([row]), actor=staff, union=t.union_a)
    assert (imp.created_count, imp.updated_count, imp.rejected_count) == (0, 1, 0)
    roster.confirm_import(imp, actor=staff)
    assert counts() == before  # no new person, membership or change
    person.refresh_from_db()
    t.member_a.refresh_from_db()
    assert (person.mobile, person.education, person.political_status) == (
        "13955556666", "", "cpc",
    )  # fmt: skip
    assert (t.member_a.enterprise, t.member_a.card_number) == (new_ent, "A-0001")


def test_an_update_row_with_a_new_workplace_and_no_card_keeps_the_card(county):
    t = county
    staff = t.users["union_officer_a"]
    t.member_a.card_number = "A-0042"
    t.member_a.save(update_fields=["card_number"])
    new_ent = EnterpriseFactory(union=t.union_a)
    person = t.member_a.person
    row = person_row(
        t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
        工作单位=new_ent.name, 会员证号="",
    )  # fmt: skip
    imp = upload(xlsx([row]), actor=staff, union=t.union_a)
    assert (imp.updated_count, imp.rejected_count) == (1, 0)
    roster.confirm_import(imp, actor=staff)
    t.member_a.refresh_from_db()
    assert (t.member_a.enterprise, t.member_a.card_number) == (new_ent, "A-0042")


def test_a_transfer_without_a_card_number_keeps_the_members_card(county):
    t = county
    staff = t.users["federation_staff"]
    t.member_b.card_number = "B-0007"
    t.member_b.save(update_fields=["card_number"])
    person = t.member_b.person
    row = person_row(
        t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="", 会员证号="",
        会籍变化类型="转会", 会籍变化日期="2024-06-01",
    )  # fmt: skip
    imp = upload(xlsx([row]), actor=staff)
    assert (imp.transferred_count, imp.rejected_count) == (1, 0)
    roster.confirm_import(imp, actor=staff)
    new = person.memberships.get(status=MembershipStatus.ACTIVE)
    assert (new.union, new.card_number) == (t.union_a, "B-0007")


def test_known_person_without_active_membership_rejoins(county):
    t = county
    staff = t.users["federation_staff"]
    person = PersonFactory(name="赵六", birth=dt.date(1985, 5, 5))
    MembershipFactory(person=person, union=t.union_b, status=MembershipStatus.WITHDRAWN)
    row = person_row(t, 1, 姓名="赵六", 证件号码=person.id_number, 出生日期="", 性别="")
    imp = upload(xlsx([row]), actor=staff)
    assert (imp.created_count, imp.rejected_count) == (1, 0)
    roster.confirm_import(imp, actor=staff)
    assert Person.objects.filter(name="赵六").count() == 1
    assert person.memberships.get(status=MembershipStatus.ACTIVE).union == t.union_a


def test_transfer_row_moves_the_member(county):
    t = county
    staff = t.users["federation_staff"]
    person = t.member_b.person
    row = person_row(
        t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
        会籍变化类型="转会", 会籍变化日期="2024-06-01", 会籍变化原因="调动",
    )  # fmt: skip
    imp = upload(xlsx([row]), actor=staff)
    assert (imp.transferred_count, imp.created_count, imp.rejected_count) == (1, 0, 0)
    roster.confirm_import(imp, actor=staff)
    t.member_b.refresh_from_db()
    assert (t.member_b.status, t.member_b.left_on) == (
        MembershipStatus.TRANSFERRED, dt.date(2024, 6, 1),
    )  # fmt: skip
    new = person.memberships.get(status=MembershipStatus.ACTIVE)
    assert (new.union, new.enterprise, new.joined_on) == (t.union_a, t.ent_a, dt.date(2024, 6, 1))
    change = MembershipChange.objects.get(person=person, kind=ChangeKind.TRANSFER)
    assert (change.from_membership, change.to_membership, change.reason) == (
        t.member_b, new, "调动",
    )  # fmt: skip


def test_transfer_from_a_union_outside_scope_is_rejected(county):
    t = county
    town_staff = t.users["town_staff_a"]
    person = t.member_b.person
    row = person_row(
        t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
        会籍变化类型="转会",
    )  # fmt: skip
    imp = upload(xlsx([row]), actor=town_staff)
    assert imp.rejected_preview[0]["reason"] == "转出工会“基层工会B”不在您的管理范围内"


def test_withdraw_row_ends_the_membership(county):
    t = county
    staff = t.users["federation_staff"]
    person = t.member_a.person
    rows = [
        person_row(
            t, 1, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
            会籍变化类型="退会", 会籍变化日期="2024-08-01", 会籍变化原因="离职",
        ),
        person_row(t, 2, 会籍变化类型="退会"),
    ]  # fmt: skip
    imp = upload(xlsx(rows), actor=staff)
    assert (imp.withdrawn_count, imp.rejected_count) == (1, 1)
    assert imp.rejected_preview[0]["reason"] == "王三不是基层工会A的在会会员，无法退会"
    roster.confirm_import(imp, actor=staff)
    t.member_a.refresh_from_db()
    assert (t.member_a.status, t.member_a.left_on) == (
        MembershipStatus.WITHDRAWN, dt.date(2024, 8, 1),
    )  # fmt: skip
    change = MembershipChange.objects.get(person=person, kind=ChangeKind.WITHDRAW)
    assert (change.from_membership, change.reason) == (t.member_a, "离职")


def test_chosen_union_places_rows_without_a_union_column(county):
    t = county
    officer = t.users["union_officer_a"]
    headers = [h for h in HEADERS if h != "所属工会"]
    rows = [person_row(t, 1), person_row(t, 2)]
    imp = upload(xlsx(rows, headers=headers), actor=officer, union=t.union_a)
    assert (imp.created_count, imp.rejected_count) == (2, 0)
    mismatch = upload(
        xlsx([person_row(t, 3, 所属工会=t.union_b.name)]), actor=officer, union=t.union_a
    )
    assert mismatch.rejected_preview[0]["reason"] == (
        "所属工会“基层工会B”与本次导入选择的“基层工会A”不一致"
    )


def test_only_membership_changers_may_import(county):
    t = county
    data = xlsx([person_row(t, 1)])
    for who in ("auditor", "trainer", "enterprise_contact_a", "worker_a"):
        with pytest.raises(PermissionDeniedError):
            upload(data, actor=t.users[who])
    with pytest.raises(PermissionDeniedError, match="无权向该工会导入会员"):
        upload(data, actor=t.users["town_staff_a"], union=t.union_b)
    assert RosterImport.objects.count() == 0


def _no_trace(before):
    assert counts() == before
    assert RosterImport.objects.count() == 0
    imports = private_files.private_root() / "imports"
    assert not imports.exists() or list(imports.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 binary\x00\x01\x02", "roster.pdf", "文件不是有效的Excel或CSV表格"),
        (b"this is not a zip", "roster.xlsx", "文件不是有效的Excel或CSV表格"),
        (b"PK\x03\x04broken zip", "roster.xlsx", "文件不是有效的Excel或CSV表格"),
        (b"", "roster.xlsx", "文件为空，请选择填好的名册表格"),
        (b"\n\n,,,\n", "roster.csv", "文件为空，请选择填好的名册表格"),
    ],
)
def test_files_that_are_not_rosters_are_refused(county, data, name, message):
    before = counts()
    with pytest.raises(DomainError) as exc:
        upload(data, name, actor=county.users["federation_staff"])
    assert exc.value.message == message
    _no_trace(before)


def test_headers_only_is_refused(county):
    before = counts()
    with pytest.raises(DomainError) as exc:
        upload(xlsx([]), actor=county.users["federation_staff"])
    assert exc.value.message == "表格中没有数据行"
    _no_trace(before)


def test_missing_headers_are_named(county):
    t = county
    headers = [h for h in HEADERS if h not in ("证件类型", "移动电话", "所属工会")]
    before = counts()
    with pytest.raises(DomainError) as exc:
        upload(xlsx([person_row(t, 1)], headers=headers), actor=t.users["federation_staff"])
    assert exc.value.message == "表头不符合名册模板，缺少以下列：证件类型、移动电话、所属工会"
    _no_trace(before)


def test_too_many_rows_is_refused(county, settings):
    t = county
    settings.GONGHUI_IMPORT_MAX_ROWS = 2
    before = counts()
    with pytest.raises(DomainError) as exc:
        upload(xlsx([person_row(t, i) for i in range(3)]), actor=t.users["federation_staff"])
    assert exc.value.message == "数据行数超过上限（最多2行），请拆分后分批导入"
    _no_trace(before)


def test_too_large_file_is_refused(county, settings):
    t = county
    settings.GONGHUI_IMPORT_MAX_BYTES = 1024 * 1024
    data = xlsx([person_row(t, 1)]) + b"\0" * (1024 * 1024)
    before = counts()
    with pytest.raises(DomainError) as exc:
        upload(data, actor=t.users["federation_staff"])
    assert exc.value.message == "文件过大（上限1MB），请拆分后分批导入"
    _no_trace(before)


def test_error_workbook_has_original_columns_and_reasons(county):
    t = county
    staff = t.users["federation_staff"]
    rows = [
        person_row(t, 1, 移动电话="12345"),
        person_row(t, 2),
        person_row(t, 3, 所属工会='=HYPERLINK("http://x")'),
    ]
    imp = upload(csv_bytes(rows), "roster.csv", actor=staff)  # CSV keeps "=…" as text
    out = roster.error_workbook(imp, actor=staff)
    ws = load_workbook(out, read_only=True).active
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert table[0] == ["行号", *HEADERS, "错误原因"]
    assert len(table) == 3
    assert table[1][0] == 2
    assert table[1][HEADERS.index("移动电话") + 1] == "12345"
    assert table[1][HEADERS.index("姓名") + 1] == "王二"
    assert table[1][-1] == "手机号码应为以1开头的11位数字"
    assert table[2][0] == 4
    assert table[2][1] == '\'=HYPERLINK("http://x")'  # never a live formula
    assert table[2][-1] == '未找到所属工会“=HYPERLINK("http://x")”（须为基层工会或联合工会的全称）'
    assert AuditEvent.objects.filter(action="roster_import.download_errors").count() == 1
    with pytest.raises(PermissionDeniedError):
        roster.error_workbook(imp, actor=t.users["town_staff_a"])


def test_a_crash_mid_way_leaves_nothing_written(county, monkeypatch):
    t = county
    staff = t.users["federation_staff"]
    person = t.member_a.person
    rows = [person_row(t, i) for i in range(1, 6)]
    rows.append(
        person_row(
            t, 9, 姓名=person.name, 证件号码=person.id_number, 出生日期="", 性别="",
            会籍变化类型="退会",
        )
    )  # fmt: skip
    imp = upload(xlsx(rows), actor=staff)
    assert (imp.created_count, imp.withdrawn_count) == (5, 1)

    monkeypatch.setattr(roster.writing, "BATCH_ROWS", 2)  # chunks are written before the crash
    real = roster.writing._new_person
    calls = {"n": 0}

    def flaky(*args):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk on fire")
        return real(*args)

    monkeypatch.setattr(roster.writing, "_new_person", flaky)
    before = counts()
    roster.confirm_import(imp, actor=staff)
    imp.refresh_from_db()
    assert calls["n"] == 4
    assert imp.status == ImportStatus.FAILED
    assert imp.error == "导入过程中发生系统错误，未导入任何数据"
    assert counts() == before
    t.member_a.refresh_from_db()
    assert t.member_a.status == MembershipStatus.ACTIVE
    assert not stored(imp)
    failed = AuditEvent.objects.get(action="roster_import.failed", object_id=str(imp.pk))
    assert (failed.result, failed.before) == ("failed", {"status": "importing"})
    assert not AuditEvent.objects.filter(action="roster_import.done").exists()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_long_imports_run_as_background_tasks_with_progress(
    county, settings, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    t = county
    staff = t.users["federation_staff"]
    settings.GONGHUI_IMPORT_ASYNC_ROWS = 3
    monkeypatch.setattr(roster.writing, "BATCH_ROWS", 2)
    seen: list[int] = []
    real = roster.state._save_progress

    def spy(imp):
        save = real(imp)

        def progress(done):
            save(done)
            seen.append(RosterImport.objects.get(pk=imp.pk).processed)

        return progress

    monkeypatch.setattr(roster.state, "_save_progress", spy)
    rows = [person_row(t, i) for i in range(1, 6)] + [person_row(t, 6, 移动电话="1")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        imp = upload(xlsx(rows), actor=staff)
        assert imp.status == ImportStatus.VALIDATING  # handed to the worker
    assert len(callbacks) == 1
    imp.refresh_from_db()
    assert seen == [2, 4, 6]
    assert (imp.status, imp.total, imp.processed) == (ImportStatus.PREVIEWED, 6, 6)
    assert (imp.created_count, imp.rejected_count) == (5, 1)

    before = counts()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        roster.confirm_import(imp, actor=staff)
        imp.refresh_from_db()
        assert (imp.status, imp.processed) == (ImportStatus.IMPORTING, 0)
    assert len(callbacks) == 1
    imp.refresh_from_db()
    assert (imp.status, imp.total, imp.processed) == (ImportStatus.DONE, 6, 6)
    assert (imp.created_count, imp.rejected_count) == (5, 1)
    assert counts() == (before[0] + 5, before[1] + 5, before[2] + 5)


def test_transitions_are_guarded_and_cancel_discards_the_file(county):
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)
    with pytest.raises(DomainError, match="不能变为"):
        roster.transition(imp, ImportStatus.DONE, actor=staff)
    roster.cancel_import(imp, actor=staff)
    imp.refresh_from_db()
    assert (imp.status, imp.error) == (ImportStatus.FAILED, "已取消，未导入任何数据")
    assert not stored(imp)
    with pytest.raises(DomainError):
        roster.confirm_import(imp, actor=staff)


def test_imports_are_visible_to_their_owner_only(county):
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)
    assert list(RosterImport.objects.restrict(staff)) == [imp]
    assert list(RosterImport.objects.restrict(t.users["union_officer_a"])) == []
    assert list(RosterImport.objects.restrict(t.users["auditor"])) == []
    with pytest.raises(PermissionDeniedError):
        roster.confirm_import(imp, actor=t.users["union_officer_a"])


# -- the console pages --------------------------------------------------------------------


def test_console_upload_preview_confirm_and_errors_download(county, client):
    t = county
    client.force_login(t.users["federation_staff"])
    page = client.get("/console/imports/")
    assert page.status_code == 200
    assert "上传会员名册" in page.content.decode()
    data = xlsx([person_row(t, 1), person_row(t, 2, 移动电话="123")])
    res = client.post(
        "/console/imports/", {"file": SimpleUploadedFile("名册.xlsx", data), "union": ""}
    )
    imp = RosterImport.objects.get()
    assert res.status_code == 302 and res.url == f"/console/imports/{imp.pk}/"
    body = client.get(res.url).content.decode()
    assert 'data-count="created">1<' in body
    assert 'data-count="rejected">1<' in body
    assert "手机号码应为以1开头的11位数字" in body
    assert "确认导入1行" in body
    assert "hx-trigger" not in body  # nothing to poll once previewed

    download = client.get(f"/console/imports/{imp.pk}/errors.xlsx")
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    assert [r[-1] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        "手机号码应为以1开头的11位数字"
    ]

    res = client.post(f"/console/imports/{imp.pk}/confirm/")
    assert res.status_code == 302
    imp.refresh_from_db()
    assert (imp.status, imp.created_count) == (ImportStatus.DONE, 1)
    assert "导入完成" in client.get(res.url).content.decode()


def test_console_status_partial_polls_while_running(county, client):
    t = county
    staff = t.users["federation_staff"]
    imp = RosterImport.objects.create(created_by=staff, file_name="x.xlsx", total=10, processed=4)
    roster.transition(imp, ImportStatus.VALIDATING, actor=staff)
    client.force_login(staff)
    body = client.get(f"/console/imports/{imp.pk}/status/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert '<progress value="4" max="10"' in body
    assert "4 / 10" in body


def test_console_upload_errors_are_shown_and_nothing_stored(county, client):
    t = county
    client.force_login(t.users["federation_staff"])
    res = client.post("/console/imports/", {"file": SimpleUploadedFile("a.xlsx", b"nope")})
    assert res.status_code == 400
    assert "文件不是有效的Excel或CSV表格" in res.content.decode()
    assert RosterImport.objects.count() == 0


def test_console_import_pages_need_membership_change(county, client):
    t = county
    staff = t.users["federation_staff"]
    imp = upload(xlsx([person_row(t, 1)]), actor=staff)
    for who in ("auditor", "trainer", "worker_a"):
        client.force_login(t.users[who])
        assert client.get("/console/imports/").status_code == 403
        assert client.get(f"/console/imports/{imp.pk}/").status_code == 403
    client.force_login(t.users["union_officer_a"])
    assert client.get(f"/console/imports/{imp.pk}/").status_code == 404
    assert client.post(f"/console/imports/{imp.pk}/confirm/").status_code == 404
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PREVIEWED
